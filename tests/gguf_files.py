"""GGUF files for tests, written with the gguf package."""

from __future__ import annotations

from pathlib import Path

import gguf
import numpy as np


def write_unloadable_gguf(path: Path, arch: str = "llama") -> Path:
    """A well-formed GGUF that passes the header check but that llama.cpp cannot build a model
    from (one tensor, no vocabulary, no layers)."""
    writer = gguf.GGUFWriter(str(path), arch=arch)
    writer.add_name("not really a model")
    writer.add_tensor("token_embd.weight", np.ones((8, 32), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def write_small_gguf(path: Path, arch: str = "llama", ctx: int = 2048, template: str | None = "{{ messages }}",
                     file_type: int = 7, n_tensors: int = 2, rows: int = 64, split_max_tensors: int = 0) -> Path:
    """A small, well-formed GGUF with the metadata a library shows (architecture, context length,
    file type, chat template). With ``split_max_tensors`` it is written as ``-0000N-of-0000M`` parts
    the way llama.cpp's gguf-split names them; returns the first part then."""
    writer = gguf.GGUFWriter(str(path), arch=arch, split_max_tensors=split_max_tensors)
    writer.add_name(path.stem)
    writer.add_context_length(ctx)
    writer.add_block_count(1)
    writer.add_file_type(file_type)
    if template:
        writer.add_chat_template(template)
    for i in range(n_tensors):
        writer.add_tensor(f"blk.0.t{i}.weight", np.full((rows, 32), i + 1, dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    if split_max_tensors:
        return writer.format_shard_names(path)[0]
    return path


def with_chat_template(source: Path, dest: Path, template: str) -> Path:
    """A copy of a real model whose chat template is replaced by ``template`` (padded with a Jinja
    comment to the original's byte length, so the rest of the file stays valid as it is)."""
    reader = gguf.GGUFReader(str(source))
    field = reader.fields["tokenizer.chat_template"]
    value = field.parts[field.data[0]]
    start = int(value.ctypes.data - reader.data.ctypes.data)  # byte offset of the string in the file
    length = len(value)
    body = template.encode("utf-8")
    pad = length - len(body) - len(b"{##}")
    if pad < 0:
        raise ValueError(f"the template must be at most {length - 4} bytes")
    del reader
    data = bytearray(source.read_bytes())
    data[start:start + length] = body + b"{#" + b" " * pad + b"#}"
    dest.write_bytes(data)
    return dest


def with_metadata(source: Path, dest: Path, values: dict[str, tuple[gguf.GGUFValueType, object]]) -> Path:
    """A copy of a real model with metadata keys added or replaced (gguf's own new-metadata copier)."""
    from gguf.scripts.gguf_new_metadata import MetadataDetails, copy_with_new_metadata

    reader = gguf.GGUFReader(str(source))
    arch = reader.fields["general.architecture"]
    writer = gguf.GGUFWriter(str(dest), arch=bytes(arch.parts[arch.data[0]]).decode("utf-8"))
    copy_with_new_metadata(reader, writer, {k: MetadataDetails(t, v) for k, (t, v) in values.items()}, [])
    return dest
