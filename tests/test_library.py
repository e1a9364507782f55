"""The library on fake LM Studio / Ollama / GPT4All / Jan layouts holding real small GGUFs."""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from pathlib import Path

import pytest

from gguf_files import write_small_gguf
from hearthlm.core.errors import ModelFileError
from hearthlm.core.hub import ledger, library
from hearthlm.core.hub import messages as M
from hearthlm.core.hub.errors import LibraryError
from hearthlm.core.hub.library import add_path, default_roots, delete, find, list_models, reveal_command


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home folder laid out like a machine with LM Studio, Ollama, GPT4All and Jan installed."""
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.delenv("OLLAMA_MODELS", raising=False)
    library._header_cache.clear()

    lms = home / ".lmstudio" / "models" / "lmstudio-community" / "Tiny-GGUF"
    lms.mkdir(parents=True)
    write_small_gguf(lms / "Tiny-Q4_K_M.gguf", arch="qwen2", ctx=32768, file_type=15)
    write_small_gguf(lms / "mmproj-Tiny-F16.gguf", arch="clip", template=None, file_type=1)  # a projector
    old_lms = home / ".cache" / "lm-studio" / "models" / "someone" / "Split-GGUF"
    old_lms.mkdir(parents=True)
    write_small_gguf(old_lms / "Split-Q8_0.gguf", split_max_tensors=1, file_type=7)

    ollama = home / ".ollama" / "models"
    (ollama / "blobs").mkdir(parents=True)
    gguf_blob = write_small_gguf(tmp_path / "ollama-model.gguf", arch="llama", ctx=8192, file_type=2)
    digest = hashlib.sha256(gguf_blob.read_bytes()).hexdigest()
    shutil.move(gguf_blob, ollama / "blobs" / f"sha256-{digest}")
    license_digest = hashlib.sha256(b"MIT").hexdigest()
    (ollama / "blobs" / f"sha256-{license_digest}").write_bytes(b"MIT")
    manifests = ollama / "manifests" / "registry.ollama.ai"
    for rel, layers in {
        "library/tinyllama/latest": [("application/vnd.ollama.image.model", digest),
                                     ("application/vnd.ollama.image.license", license_digest)],
        "someone/custom/q4": [("application/vnd.ollama.image.model", digest)],
        "library/notgguf/latest": [("application/vnd.ollama.image.model", license_digest)],
        "library/evil/latest": [("application/vnd.ollama.image.model", "../../../../etc/passwd")],
    }.items():
        path = manifests / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"schemaVersion": 2, "layers": [
            {"mediaType": t, "digest": d if d.startswith("..") else f"sha256:{d}", "size": 1} for t, d in layers]}))
    (manifests / "library" / "broken").mkdir()
    (manifests / "library" / "broken" / "latest").write_text("{not json")

    gpt4all = home / ".local" / "share" / "nomic.ai" / "GPT4All"
    gpt4all.mkdir(parents=True)
    write_small_gguf(gpt4all / "gpt4all-tiny.Q4_0.gguf", arch="phi3", template=None, file_type=2)
    (gpt4all / "localdocs_v2.db").write_bytes(b"sqlite")

    jan = home / "jan" / "models" / "tiny-jan"
    jan.mkdir(parents=True)
    write_small_gguf(jan / "model.gguf", arch="gemma3", file_type=7)
    (jan / "model.json").write_text("{}")
    new_jan = home / ".local" / "share" / "Jan" / "data" / "llamacpp" / "models" / "qwen-jan"
    new_jan.mkdir(parents=True)
    write_small_gguf(new_jan / "model.gguf", arch="qwen3", file_type=15)
    return home


def _by_source(models):
    out: dict[str, list] = {}
    for m in models:
        out.setdefault(m.source, []).append(m)
    return out


def test_every_app_layout_is_found_in_place(home):
    found = _by_source(list_models())
    lms = {m.name: m for m in found["lmstudio"]}
    assert set(lms) == {"lmstudio-community/Tiny-GGUF/Tiny-Q4_K_M.gguf", "someone/Split-GGUF/Split-Q8_0-00001-of-00002.gguf"}
    tiny = lms["lmstudio-community/Tiny-GGUF/Tiny-Q4_K_M.gguf"]
    assert tiny.path.startswith(str(home / ".lmstudio"))  # used in place, not copied
    assert (tiny.architecture, tiny.quantization, tiny.context_length, tiny.has_chat_template) == \
        ("qwen2", "Q4_K_M", 32768, True)
    assert tiny.parameters == 2 * 64 * 32 and tiny.size == Path(tiny.path).stat().st_size
    split = lms["someone/Split-GGUF/Split-Q8_0-00001-of-00002.gguf"]
    assert len(split.parts) == 2 and split.size == sum(Path(p).stat().st_size for p in split.parts)

    ollama = {m.name: m for m in found["ollama"]}
    assert set(ollama) == {"tinyllama:latest"}  # same blob twice: listed once; licence/evil/broken skipped
    assert ollama["tinyllama:latest"].architecture == "llama" and ollama["tinyllama:latest"].context_length == 8192
    assert "/blobs/sha256-" in ollama["tinyllama:latest"].path

    (g,) = found["gpt4all"]
    assert g.name == "gpt4all-tiny.Q4_0.gguf" and g.architecture == "phi3" and not g.has_chat_template
    assert {m.architecture for m in found["jan"]} == {"gemma3", "qwen3"}
    assert not any("mmproj" in m.path for m in list_models())
    assert all(not m.deletable for m in list_models())


def test_ollama_models_env_moves_its_root(home, tmp_path, monkeypatch):
    moved = tmp_path / "elsewhere"
    shutil.move(home / ".ollama" / "models", moved)
    monkeypatch.setenv("OLLAMA_MODELS", str(moved))
    assert default_roots()["ollama"] == [moved]
    assert [m.name for m in list_models() if m.source == "ollama"] == ["tinyllama:latest"]


def test_roots_can_be_given_explicitly(home, tmp_path):
    only = tmp_path / "only"
    only.mkdir()
    write_small_gguf(only / "x-Q8_0.gguf")
    models = list_models(roots={"gpt4all": [only]})
    assert [(m.source, m.name) for m in models] == [("starter", "SmolLM2-135M-Instruct.Q4_1.gguf"),
                                                    ("gpt4all", "x-Q8_0.gguf")]


def test_user_files_and_folders_are_kept(home, tmp_path):
    folder = tmp_path / "my-models"
    (folder / "sub").mkdir(parents=True)
    write_small_gguf(folder / "a-Q8_0.gguf")
    write_small_gguf(folder / "sub" / "b-F16.gguf", file_type=1)
    single = write_small_gguf(tmp_path / "single-Q4_0.gguf", file_type=2)
    assert len(add_path(folder)) == 2
    assert [m.name for m in add_path(single)] == ["single-Q4_0.gguf"]
    user = {m.name: m for m in list_models(roots={}) if m.source == "user"}
    assert set(user) == {"a-Q8_0.gguf", "b-F16.gguf", "single-Q4_0.gguf"}
    assert user["b-F16.gguf"].quantization == "F16"
    # kept across restarts: it is read back from the data folder
    assert {str(folder), str(single)} == set(library.user_paths())


def test_import_refuses_what_is_not_a_model(home, tmp_path):
    with pytest.raises(LibraryError) as missing:
        add_path(tmp_path / "nope.gguf")
    assert missing.value.msg.template == M.IMPORT_MISSING
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(LibraryError) as nothing:
        add_path(empty)
    assert nothing.value.msg.template == M.IMPORT_NOTHING
    text = tmp_path / "notes.gguf"
    text.write_text("hello")
    with pytest.raises(ModelFileError):
        add_path(text)
    assert library.user_paths() == []


def test_same_file_from_two_sources_is_listed_once(home):
    lms_file = home / ".lmstudio" / "models" / "lmstudio-community" / "Tiny-GGUF" / "Tiny-Q4_K_M.gguf"
    add_path(lms_file)
    matches = [m for m in list_models() if Path(m.path).name == "Tiny-Q4_K_M.gguf"]
    assert len(matches) == 1


def test_damaged_file_is_listed_with_its_problem(home, tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    good = write_small_gguf(bad / "cut-Q8_0.gguf")
    good.write_bytes(good.read_bytes()[:-100])  # truncated
    add_path(bad)
    (model,) = [m for m in list_models(roots={}) if m.source == "user"]
    assert model.error and "truncated" in model.error and model.quantization == "Q8_0"


def test_delete_refuses_models_of_other_apps(home):
    model = find("tinyllama:latest")
    with pytest.raises(LibraryError) as err:
        delete(model)
    assert err.value.msg.template == M.NOT_OURS and "Ollama" in str(err.value)
    assert Path(model.path).exists()


def test_delete_removes_a_hearth_download_from_the_cache(home, tmp_path):
    # a cache laid out as huggingface_hub lays it out, recorded in the ledger as Hearth's
    repo_dir = tmp_path / "hf" / "models--acme--tiny-GGUF"
    blob = repo_dir / "blobs" / ("a" * 64)
    blob.parent.mkdir(parents=True)
    write_small_gguf(blob)
    snap = repo_dir / "snapshots" / ("c" * 40)
    snap.mkdir(parents=True)
    link = snap / "tiny-Q8_0.gguf"
    link.symlink_to(Path("../../blobs") / blob.name)
    ledger.record("acme/tiny-GGUF", "tiny-Q8_0.gguf", "c" * 40, [{"name": "tiny-Q8_0.gguf", "path": str(link)}])
    (model,) = [m for m in list_models(roots={}) if m.source == "hearth"]
    assert model.deletable and model.name == "acme/tiny-GGUF/tiny-Q8_0.gguf" and model.architecture == "llama"
    delete(find("acme/tiny-GGUF/tiny-Q8_0.gguf"))
    assert not link.exists() and not blob.exists() and ledger.entries() == []


def test_delete_keeps_a_blob_another_snapshot_uses(home, tmp_path):
    repo_dir = tmp_path / "hf" / "models--acme--tiny-GGUF"
    blob = repo_dir / "blobs" / ("b" * 64)
    blob.parent.mkdir(parents=True)
    write_small_gguf(blob)
    links = []
    for commit in ("1" * 40, "2" * 40):
        (repo_dir / "snapshots" / commit).mkdir(parents=True)
        link = repo_dir / "snapshots" / commit / "m-Q8_0.gguf"
        link.symlink_to(Path("../../blobs") / blob.name)
        links.append(link)
    ledger.record("acme/tiny-GGUF", "m-Q8_0.gguf", "1" * 40, [{"name": "m-Q8_0.gguf", "path": str(links[0])}])
    delete(find(str(links[0])))
    assert not links[0].exists() and links[1].exists() and blob.exists()


def test_find_by_short_name_and_ambiguity(home, tmp_path):
    assert find("gpt4all-tiny.Q4_0.gguf").source == "gpt4all"
    with pytest.raises(LibraryError) as amb:
        find("model.gguf")  # two Jan models are called model.gguf
    assert amb.value.msg.template == M.AMBIGUOUS_NAME
    with pytest.raises(LibraryError) as none:
        find("nothing-here")
    assert none.value.msg.template == M.NOT_IN_LIBRARY


def test_reveal_command_points_at_the_file(tmp_path):
    cmd = reveal_command(str(tmp_path / "m.gguf"))
    if sys.platform.startswith("linux"):
        assert cmd == ["xdg-open", str(tmp_path)]
    assert str(tmp_path) in " ".join(cmd)


def test_a_quantized_output_is_listed_and_hearth_may_delete_it(tmp_path):
    from hearthlm.core.quantized_models import load_results, quantized_dir, record_quantization

    out = write_small_gguf(quantized_dir() / "tiny-Q8_0.gguf", arch="llama", file_type=7)
    record_quantization({"out": str(out), "type": "Q8_0", "source": str(tmp_path / "tiny-F16.gguf"),
                         "size_bytes": out.stat().st_size})
    model = find("tiny-Q8_0.gguf", list_models(roots={}))
    assert model.source == "quantized" and model.deletable and model.architecture == "llama"
    delete(model)
    assert not out.exists() and load_results() == []
    assert all(m.path != str(out) for m in list_models(roots={}))


def test_lora_adapters_are_listed_with_their_base_architecture_and_alpha(home, tmp_path):
    """A GGUF LoRA in LM Studio's folder: kind lora, base architecture, alpha, rank; and
    `hearth models list` shows it as LoRA."""
    import subprocess

    from lora_samples import write_adapter

    folder = home / ".lmstudio" / "models" / "me" / "adapters"
    folder.mkdir(parents=True)
    write_adapter(folder / "pirate-lora.gguf", alpha=32.0, rank=4, layers=(0,))
    (adapter,) = [m for m in list_models() if m.name.endswith("pirate-lora.gguf")]
    assert (adapter.kind, adapter.architecture, adapter.lora_alpha, adapter.lora_rank) == ("lora", "llama", 32.0, 4)
    assert all(m.kind == "model" for m in list_models() if m is not adapter and not m.name.endswith("pirate-lora.gguf"))
    import os

    env = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / ".local" / "share")}
    listed = subprocess.run([sys.executable, "-m", "hearthlm.core.cli", "models", "list"], capture_output=True,
                            text=True, env=env, timeout=120)
    line = next(line for line in listed.stdout.splitlines() if "pirate-lora.gguf" in line)
    assert "LoRA" in line and "llama" in line and "alpha 32" in line and "rank 4" in line
