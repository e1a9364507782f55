"""The bounded GGUF reader (core/modelfile.py): the real starter model, tiny files written with the
``gguf`` package, and every kind of bad input, each of which must give one ModelFileError sentence.

Damaged files are made from real ones (a prefix of the starter file, patched header bytes), and the
region each cut falls in is located with the ``gguf`` package's own reader, not with the code
under test.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import struct
import tempfile
from importlib.metadata import version
from pathlib import Path
from typing import Any

import gguf
import numpy as np
import pytest

from hearthlm.core.engine import Engine
from hearthlm.core.errors import ModelFileError
from hearthlm.core.modelfile import MAX_STRING_BYTES, read_gguf

# Header layout: magic(4) version u32 @4, tensor_count u64 @8, kv_count u64 @16, metadata from 24.
VERSION_AT, TENSOR_COUNT_AT, KV_COUNT_AT, FIRST_KV_AT = 4, 8, 16, 24


# -- helpers -------------------------------------------------------------------------------

def assert_sentence(message: str, *words: str) -> None:
    """One line of prose for a user, naming what went wrong (case-insensitive words)."""
    assert message, "empty error message"
    assert "\n" not in message, f"not one line: {message!r}"
    assert "Traceback" not in message and "struct.error" not in message, message
    assert len(message) < 400, f"too long for one sentence: {message!r}"
    assert message.rstrip().endswith("."), f"not a sentence: {message!r}"
    for word in words:
        assert word.lower() in message.lower(), f"{word!r} not in {message!r}"


def model_error(path: Path | str) -> str:
    with pytest.raises(ModelFileError) as info:
        read_gguf(path)
    return str(info.value)


def copy_prefix(src: Path, dst: Path, n_bytes: int) -> Path:
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        remaining = n_bytes
        while remaining:
            chunk = fin.read(min(remaining, 1 << 20))
            assert chunk, "source shorter than the prefix asked for"
            fout.write(chunk)
            remaining -= len(chunk)
    assert dst.stat().st_size == n_bytes
    return dst


def patched(src: Path, dst: Path, offset: int, fmt: str, value: int) -> Path:
    """Copy src (a small file, or a prefix-sized starter copy) and overwrite one packed value."""
    if src != dst:
        shutil.copyfile(src, dst)
    with open(dst, "r+b") as handle:
        handle.seek(offset)
        handle.write(struct.pack(fmt, value))
    return dst


def header_bytes(src: Path, n: int = 4096) -> bytes:
    with open(src, "rb") as handle:
        return handle.read(n)


def write_tiny_gguf(path: Path, arch: str = "tinyarch") -> dict[str, tuple[tuple[int, ...], int]]:
    """A small valid GGUF with a few F32/F16 tensors. Returns name -> (GGUF shape, ggml type)."""
    writer = gguf.GGUFWriter(str(path), arch=arch)
    writer.add_name("tiny test model")
    writer.add_block_count(2)
    writer.add_context_length(128)
    writer.add_string("tiny.note", "hello")
    writer.add_array("tiny.numbers", [1, 2, 3])
    tensors = {
        "a.weight": np.arange(4 * 32, dtype=np.float32).reshape(4, 32),
        "b.bias": np.ones(64, dtype=np.float32),
        "c.weight": np.zeros((2, 3, 32), dtype=np.float16),
    }
    for name, array in tensors.items():
        writer.add_tensor(name, array)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    # GGUF stores dimensions innermost first: numpy's shape reversed.
    return {
        name: (tuple(reversed(array.shape)),
               int(gguf.GGMLQuantizationType.F32 if array.dtype == np.float32 else gguf.GGMLQuantizationType.F16))
        for name, array in tensors.items()
    }


def tensor_field_offsets(path: Path, index: int = 0) -> dict[str, int]:
    """Byte offsets of one tensor description's parts, found with the gguf package's reader."""
    tensor = gguf.GGUFReader(str(path)).tensors[index]
    parts = tensor.field.parts  # name length, name, n_dims, dims, type, offset
    pos = tensor.field.offset
    starts = []
    for part in parts:
        starts.append(pos)
        pos += part.nbytes
    return {"start": tensor.field.offset, "n_dims": starts[2], "dims": starts[3], "type": starts[4],
            "offset": starts[5], "end": pos}


@pytest.fixture(scope="module")
def starter_reference(starter_model: Path, shared_cache_dir: Path) -> dict[str, Any]:
    """What the gguf package's own reader (the independent reference) says of the starter file: each
    tensor's GGUF shape, type, size and data offset, and where the metadata, tensor list and tensor
    data lie. GGUFReader spends ~2.5 s of CPU on the file: its answer is kept in the tests' shared
    cache folder (between runs when pytest's cache is on), keyed by the gguf version and the file's
    path, size and time, and shared by pytest-xdist's workers (the first to take the lock reads it)."""
    run = shared_cache_dir
    stat = starter_model.stat()
    key = hashlib.sha1(f"{version('gguf')}|{starter_model.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    cache = run / f"starter-{key.hexdigest()[:16]}.json"
    with open(run / "starter-gguf-reference.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not cache.exists():
            reader = gguf.GGUFReader(str(starter_model))
            last = list(reader.fields.values())[-1]
            reference = {
                "tensors": {t.name: [[int(d) for d in t.shape], int(t.tensor_type), int(t.n_bytes),
                                     int(t.data_offset)] for t in reader.tensors},
                "metadata_end": last.offset + sum(part.nbytes for part in last.parts),
                "tensor_list_start": reader.tensors[0].field.offset,
                "data_start": min(t.data_offset for t in reader.tensors),
            }
            cache.write_text(json.dumps(reference, default=int))
    return json.loads(cache.read_text())


@pytest.fixture(scope="module")
def starter_layout(starter_model: Path, starter_reference: dict[str, Any]) -> dict[str, int]:
    """Where the starter file's metadata, tensor list and tensor data lie (by the gguf package)."""
    layout = {key: int(starter_reference[key]) for key in ("metadata_end", "tensor_list_start", "data_start")}
    layout["size"] = starter_model.stat().st_size
    assert FIRST_KV_AT < layout["metadata_end"] <= layout["tensor_list_start"] < layout["data_start"] < layout["size"]
    return layout


# -- the real starter model ----------------------------------------------------------------

def test_starter_model_header(starter_model: Path) -> None:
    info = read_gguf(starter_model)
    assert info.version == 3
    assert info.architecture == "llama"
    assert info.quantization == "Q4_1"
    assert info.context_length == 8192
    assert info.block_count == 30
    assert info.chat_template and "<|im_start|>" in info.chat_template
    assert info.file_size == starter_model.stat().st_size
    assert len(info.tensors) == 272
    assert 0 < info.tensor_bytes <= info.file_size
    assert info.data_offset + max(t.offset + t.n_bytes for t in info.tensors) <= info.file_size
    assert info.data_offset % info.alignment == 0
    # ~135M parameters (SmolLM2-135M), counted from the tensor shapes
    assert 120_000_000 < info.n_params < 150_000_000
    # the vocabulary is summarised, not kept
    tokens = info.metadata["tokenizer.ggml.tokens"]
    assert getattr(tokens, "count", 0) == 49152


def test_starter_tensors_match_gguf_package(starter_model: Path, starter_reference: dict[str, Any]) -> None:
    """Independent check: names, shapes, types and sizes agree with gguf.GGUFReader."""
    info = read_gguf(starter_model)
    theirs = {name: (tuple(shape), ggml_type, n_bytes, offset)
              for name, (shape, ggml_type, n_bytes, offset) in starter_reference["tensors"].items()}
    ours = {t.name: (t.shape, t.ggml_type, t.n_bytes, info.data_offset + t.offset) for t in info.tensors}
    assert ours == theirs


# -- tiny files written with GGUFWriter ------------------------------------------------------

def test_tiny_gguf_parses_with_shapes_and_types(tmp_path: Path) -> None:
    path = tmp_path / "tiny.gguf"
    expected = write_tiny_gguf(path)
    info = read_gguf(path)
    assert info.architecture == "tinyarch"
    assert info.name == "tiny test model"
    assert info.block_count == 2
    assert info.context_length == 128
    assert info.metadata["tiny.note"] == "hello"
    assert info.metadata["tiny.numbers"] == [1, 2, 3]
    assert info.chat_template is None
    assert {t.name: (t.shape, t.ggml_type) for t in info.tensors} == expected
    by_name = {t.name: t for t in info.tensors}
    assert by_name["a.weight"].n_bytes == 4 * 32 * 4
    assert by_name["b.bias"].n_bytes == 64 * 4
    assert by_name["c.weight"].n_bytes == 2 * 3 * 32 * 2
    assert by_name["c.weight"].type_name == "F16"
    assert info.quantization == "F32"  # no file type recorded: the type holding the most bytes
    assert info.n_params == 4 * 32 + 64 + 2 * 3 * 32
    assert info.data_offset + max(t.offset + t.n_bytes for t in info.tensors) <= info.file_size


def test_tiny_gguf_with_unknown_tensor_type(tmp_path: Path) -> None:
    path = tmp_path / "tiny.gguf"
    write_tiny_gguf(path)
    at = tensor_field_offsets(path, 0)
    patched(path, path, at["type"], "<I", 999)
    assert_sentence(model_error(path), "tiny.gguf", "a.weight", "unknown type 999")


def test_tiny_gguf_with_five_dimensions(tmp_path: Path) -> None:
    path = tmp_path / "tiny.gguf"
    write_tiny_gguf(path)
    at = tensor_field_offsets(path, 0)
    patched(path, path, at["n_dims"], "<I", 5)
    assert_sentence(model_error(path), "a.weight", "5 dimensions")


def test_tiny_gguf_with_zero_dimension(tmp_path: Path) -> None:
    path = tmp_path / "tiny.gguf"
    write_tiny_gguf(path)
    at = tensor_field_offsets(path, 0)
    patched(path, path, at["dims"], "<Q", 0)
    assert_sentence(model_error(path), "a.weight", "impossible shape")


def test_tiny_gguf_with_misaligned_tensor(tmp_path: Path) -> None:
    path = tmp_path / "tiny.gguf"
    write_tiny_gguf(path)
    at = tensor_field_offsets(path, 1)  # b.bias, at offset 512 in the data section
    patched(path, path, at["offset"], "<Q", 512 + 4)
    assert_sentence(model_error(path), "b.bias", "aligned")


def test_tiny_gguf_with_tensor_past_the_end(tmp_path: Path) -> None:
    path = tmp_path / "tiny.gguf"
    write_tiny_gguf(path)
    at = tensor_field_offsets(path, 2)
    patched(path, path, at["offset"], "<Q", 1 << 30)
    assert_sentence(model_error(path), "tiny.gguf", "truncated", "missing")


def test_tiny_gguf_with_string_longer_than_the_file(tmp_path: Path) -> None:
    """The first key's length (u64 at 24) claims more bytes than there are, but under the cap."""
    path = tmp_path / "tiny.gguf"
    write_tiny_gguf(path)
    size = path.stat().st_size
    patched(path, path, FIRST_KV_AT, "<Q", size * 10)
    assert size * 10 < MAX_STRING_BYTES
    assert_sentence(model_error(path), "tiny.gguf", "truncated", "ends inside", "metadata key")


def test_tiny_gguf_with_unknown_value_type(tmp_path: Path) -> None:
    path = tmp_path / "tiny.gguf"
    write_tiny_gguf(path)
    # First pair: key "general.architecture" (8 + 20 bytes), then its value type u32.
    raw = header_bytes(path, 64)
    key_len = struct.unpack_from("<Q", raw, FIRST_KV_AT)[0]
    assert raw[FIRST_KV_AT + 8:FIRST_KV_AT + 8 + key_len] == b"general.architecture"
    patched(path, path, FIRST_KV_AT + 8 + key_len, "<I", 77)
    assert_sentence(model_error(path), "unknown value type 77", "general.architecture")


def test_tiny_gguf_with_bad_alignment(tmp_path: Path) -> None:
    path = tmp_path / "tiny.gguf"
    writer = gguf.GGUFWriter(str(path), arch="tinyarch")
    writer.add_uint32("general.alignment", 48)
    writer.add_tensor("a.weight", np.ones(32, dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    assert_sentence(model_error(path), "general.alignment", "power of two")


# -- paths that are not model files -----------------------------------------------------------

def test_missing_path(tmp_path: Path) -> None:
    assert_sentence(model_error(tmp_path / "nope.gguf"), "No model file", "nope.gguf")


def test_directory(tmp_path: Path) -> None:
    folder = tmp_path / "models"
    folder.mkdir()
    assert_sentence(model_error(folder), "folder", "models")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.gguf"
    path.write_bytes(b"")
    assert_sentence(model_error(path), "empty.gguf", "empty")


def test_text_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.gguf"
    path.write_text("These are my notes, not a model.\n" * 20)
    assert_sentence(model_error(path), "notes.gguf", "not a GGUF")


def test_three_byte_file(tmp_path: Path) -> None:
    path = tmp_path / "short.gguf"
    path.write_bytes(b"GGU")
    assert_sentence(model_error(path), "short.gguf", "not a GGUF")


def test_fifo_is_not_a_model(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.gguf"
    os.mkfifo(fifo)
    assert_sentence(model_error(fifo), "not a regular file")


def test_unreadable_file(tmp_path: Path, starter_model: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root can read a chmod 000 file; see test_unreadable_file_as_unprivileged_user")
    path = copy_prefix(starter_model, tmp_path / "locked.gguf", 4096)
    path.chmod(0)
    try:
        assert_sentence(model_error(path), "permission denied", "locked.gguf")
    finally:
        path.chmod(0o600)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="runs only as root")
def test_unreadable_file_as_unprivileged_user(starter_model: Path) -> None:
    """As root (CI), check the permission message in a forked child that drops to user 'nobody'."""
    folder = Path(tempfile.mkdtemp(prefix="hearth-perm-", dir="/tmp"))
    try:
        folder.chmod(0o755)
        path = copy_prefix(starter_model, folder / "locked.gguf", 4096)
        path.chmod(0)
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # child: no pytest machinery, report through the pipe and _exit
            status = 2
            try:
                os.close(read_end)
                os.setgid(65534)
                os.setuid(65534)
                try:
                    read_gguf(path)
                    text, status = "READ", 1
                except ModelFileError as exc:
                    text, status = str(exc), 0
                os.write(write_end, text.encode("utf-8"))
            finally:
                os._exit(status)
        os.close(write_end)
        with os.fdopen(read_end, "rb") as pipe:
            text = pipe.read().decode("utf-8")
        _, wait_status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(wait_status) == 0, f"the child read the file or failed: {text!r}"
        assert_sentence(text, "permission denied", "locked.gguf")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# -- damaged GGUF files ---------------------------------------------------------------------

def test_truncated_inside_header(tmp_path: Path, starter_model: Path) -> None:
    path = copy_prefix(starter_model, tmp_path / "cut.gguf", 12)  # inside the tensor count
    assert_sentence(model_error(path), "cut.gguf", "truncated", "header")


def test_truncated_inside_first_metadata_entries(tmp_path: Path, starter_model: Path) -> None:
    # 100 bytes cannot hold the 33 metadata entries the header counts
    path = copy_prefix(starter_model, tmp_path / "cut.gguf", 100)
    assert_sentence(model_error(path), "cut.gguf", "truncated")


def test_truncated_inside_metadata(tmp_path: Path, starter_model: Path,
                                   starter_layout: dict[str, int]) -> None:
    cut = starter_layout["metadata_end"] // 2  # inside the vocabulary
    path = copy_prefix(starter_model, tmp_path / "cut.gguf", cut)
    assert_sentence(model_error(path), "cut.gguf", "truncated", "metadata entry 'tokenizer.")


def test_truncated_just_before_metadata_end(tmp_path: Path, starter_model: Path,
                                            starter_layout: dict[str, int]) -> None:
    path = copy_prefix(starter_model, tmp_path / "cut.gguf", starter_layout["metadata_end"] - 1)
    assert_sentence(model_error(path), "cut.gguf", "truncated", "ends inside", "metadata")


def test_truncated_inside_tensor_list(tmp_path: Path, starter_model: Path,
                                      starter_layout: dict[str, int]) -> None:
    cut = (starter_layout["tensor_list_start"] + starter_layout["data_start"]) // 2
    path = copy_prefix(starter_model, tmp_path / "cut.gguf", cut)
    assert_sentence(model_error(path), "cut.gguf", "truncated", "ends inside", "tensor")


def test_truncated_inside_tensor_data(tmp_path: Path, starter_model: Path,
                                      starter_layout: dict[str, int]) -> None:
    for cut in (starter_layout["data_start"], starter_layout["data_start"] + 1000,
                starter_layout["size"] // 2):
        path = copy_prefix(starter_model, tmp_path / f"cut-{cut}.gguf", cut)
        message = model_error(path)
        assert_sentence(message, f"cut-{cut}.gguf", "truncated", "missing")
        assert f"{cut:,}" in message  # names the size the file really has
        path.unlink()


def test_truncated_by_one_byte(tmp_path: Path, starter_model: Path, starter_layout: dict[str, int]) -> None:
    path = copy_prefix(starter_model, tmp_path / "cut.gguf", starter_layout["size"] - 1)
    assert_sentence(model_error(path), "truncated", "1 missing")


@pytest.mark.parametrize("field_at,value", [
    (TENSOR_COUNT_AT, 2**62),
    (KV_COUNT_AT, 2**62),
    (TENSOR_COUNT_AT, 10_000_000),
    (KV_COUNT_AT, 2**64 - 1),
])
def test_absurd_header_counts(tmp_path: Path, starter_model: Path, field_at: int, value: int) -> None:
    path = copy_prefix(starter_model, tmp_path / "counts.gguf", 1 << 20)
    patched(path, path, field_at, "<Q", value)
    assert_sentence(model_error(path), "counts.gguf", "damaged", "more than a file")


def test_gguf_version_1(tmp_path: Path, starter_model: Path) -> None:
    path = copy_prefix(starter_model, tmp_path / "old.gguf", 4096)
    patched(path, path, VERSION_AT, "<I", 1)
    assert_sentence(model_error(path), "old.gguf", "version 1", "newer file")


@pytest.mark.parametrize("version", [0, 4, 0x03000000])  # 0x03000000: a big-endian file
def test_unknown_gguf_version(tmp_path: Path, starter_model: Path, version: int) -> None:
    path = copy_prefix(starter_model, tmp_path / "future.gguf", 4096)
    patched(path, path, VERSION_AT, "<I", version)
    assert_sentence(model_error(path), "future.gguf", "unknown GGUF version", f"({version})")


def test_string_length_beyond_file_in_metadata(tmp_path: Path, starter_model: Path,
                                                 starter_layout: dict[str, int]) -> None:
    """The first key claims more bytes than the whole file (and more than any real string)."""
    path = copy_prefix(starter_model, tmp_path / "longkey.gguf", starter_layout["data_start"])
    patched(path, path, FIRST_KV_AT, "<Q", starter_layout["size"] * 4)
    assert_sentence(model_error(path), "longkey.gguf", "damaged", "metadata key", "claims")


def test_string_value_length_beyond_file(tmp_path: Path, starter_model: Path) -> None:
    """general.architecture's value (after key and type) claims 1 GiB."""
    path = copy_prefix(starter_model, tmp_path / "longvalue.gguf", 1 << 20)
    raw = header_bytes(path)
    key_len = struct.unpack_from("<Q", raw, FIRST_KV_AT)[0]
    value_len_at = FIRST_KV_AT + 8 + key_len + 4
    assert struct.unpack_from("<Q", raw, value_len_at)[0] == len(b"llama")
    patched(path, path, value_len_at, "<Q", 1 << 30)
    assert_sentence(model_error(path), "longvalue.gguf", "general.architecture", "claims")


def test_array_count_beyond_file(tmp_path: Path, starter_model: Path) -> None:
    """An array whose item count needs more bytes than the file has."""
    path = tmp_path / "array.gguf"
    writer = gguf.GGUFWriter(str(path), arch="tinyarch")
    writer.add_array("tiny.numbers", [1, 2, 3])
    writer.add_tensor("a.weight", np.ones(32, dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    raw = path.read_bytes()
    key = b"tiny.numbers"
    at = raw.index(key) + len(key) + 4 + 4  # value type u32, item type u32, then the count u64
    assert struct.unpack_from("<Q", raw, at)[0] == 3
    patched(path, path, at, "<Q", 10**12)
    assert_sentence(model_error(path), "tiny.numbers", "more than the file holds")


# -- the engine refuses bad files before it starts a process --------------------------------

def _bad_files(tmp_path: Path, starter_model: Path, layout: dict[str, int]) -> list[tuple[Path, str]]:
    folder = tmp_path / "a-folder"
    folder.mkdir()
    empty = tmp_path / "empty.gguf"
    empty.write_bytes(b"")
    text = tmp_path / "text.gguf"
    text.write_text("not a model\n")
    cut_meta = copy_prefix(starter_model, tmp_path / "cut-meta.gguf", layout["metadata_end"] // 2)
    cut_list = copy_prefix(starter_model, tmp_path / "cut-list.gguf",
                           (layout["tensor_list_start"] + layout["data_start"]) // 2)
    cut_data = copy_prefix(starter_model, tmp_path / "cut-data.gguf", layout["data_start"] + 4096)
    counts = patched(cut_meta, tmp_path / "counts.gguf", KV_COUNT_AT, "<Q", 2**62)
    v1 = patched(cut_meta, tmp_path / "v1.gguf", VERSION_AT, "<I", 1)
    tiny = tmp_path / "badtype.gguf"
    write_tiny_gguf(tiny)
    patched(tiny, tiny, tensor_field_offsets(tiny, 0)["type"], "<I", 999)
    return [
        (tmp_path / "missing.gguf", "No model file"),
        (folder, "folder"),
        (empty, "empty"),
        (text, "not a GGUF"),
        (cut_meta, "truncated"),
        (cut_list, "truncated"),
        (cut_data, "truncated"),
        (counts, "more than a file"),
        (v1, "version 1"),
        (tiny, "unknown type 999"),
    ]


def test_engine_load_rejects_bad_files_before_starting(tmp_path: Path, starter_model: Path,
                                                       starter_layout: dict[str, int]) -> None:
    for path, words in _bad_files(tmp_path, starter_model, starter_layout):
        engine = Engine()
        try:
            with pytest.raises(ModelFileError) as info:
                engine.load(path)
            assert_sentence(str(info.value), words)
            assert engine.pid is None, f"{path.name}: a process was started for a bad file"
            assert not engine.alive
            assert engine.model is None
        finally:
            engine.close()


def test_the_damaged_part_is_named_in_words_the_window_translates(tmp_path, starter_model):
    """"the file ends inside the {what}": the part (header, metadata key, a metadata entry, the tensor
    list, a tensor) is itself a sentence with a template, so the Chinese window shows it in Chinese."""
    from hearthlm.core import messages as M
    from hearthlm.core.errors import ModelFileError
    from hearthlm.core.messages import Msg

    cut = tmp_path / "cut.gguf"
    cut.write_bytes(starter_model.read_bytes()[:20])  # inside the header
    with pytest.raises(ModelFileError) as err:
        read_gguf(cut)
    what = err.value.msg.values["detail"].values["what"]
    assert isinstance(what, Msg) and what.template == M.PART_HEADER and "the file ends inside the header" in str(err.value)
