"""``hearth models …`` against a hub on 127.0.0.1, in-process (the pull's download runs in a child)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gguf_files import write_small_gguf
from hearthlm.core.cli import main


@pytest.fixture(autouse=True)
def no_other_apps(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "empty-home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "empty-home" / "share"))
    monkeypatch.delenv("OLLAMA_MODELS", raising=False)
    # the fit verdict asks llama.cpp for GPU memory in a child process: give it the answer instead
    import hearthlm.core.hub.fit as fit

    monkeypatch.setattr(fit, "_cached", fit.Budget(0, 0))


def _json(capsys, argv) -> object:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_search_and_files(hub, capsys):
    found = _json(capsys, ["models", "search", "acme", "--sort", "likes", "--json"])
    assert found[0]["id"] == "acme/big-GGUF" and {"downloads", "likes", "last_modified", "gated"} <= set(found[0])
    files = _json(capsys, ["models", "files", "acme/tiny-GGUF", "--json"])
    assert [f["name"] for f in files["files"]] == ["tiny-chat-Q8_0.gguf", "tiny-split-Q4_K_M.gguf"]
    assert files["files"][1]["parts"] == 2 and files["license"] == "mit"
    assert all(f["fit"]["verdict"] in ("fits", "tight", "no") for f in files["files"])
    assert main(["models", "files", "acme/tiny-GGUF"]) == 0
    table = capsys.readouterr().out
    assert "Q4_K_M" in table and "2 parts" in table and "license: mit" in table


def test_pull_list_rm(hub, hf_env, capsys):
    result = _json(capsys, ["models", "pull", "acme/tiny-GGUF", "tiny-chat-Q8_0.gguf", "--json"])
    assert result["state"] == "ready" and Path(result["path"]).exists()
    assert hf_env in Path(result["path"]).parents
    listed = _json(capsys, ["models", "list", "--json"])
    starter = ("starter", "SmolLM2-135M-Instruct.Q4_1.gguf", False)  # installed with Hearth: listed, never deleted
    assert [(m["source"], m["name"], m["deletable"]) for m in listed] == \
        [("hearth", "acme/tiny-GGUF/tiny-chat-Q8_0.gguf", True), starter]
    assert listed[0]["context_length"] == 4096 and listed[0]["has_chat_template"]
    removed = _json(capsys, ["models", "rm", "acme/tiny-GGUF/tiny-chat-Q8_0.gguf", "--json"])
    assert removed["deleted_files"] and not Path(result["path"]).exists()
    assert [(m["source"], m["name"], m["deletable"]) for m in _json(capsys, ["models", "list", "--json"])] == [starter]
    assert main(["models", "rm", starter[1]]) == 1
    assert "is the starter model installed with Hearth, so it stays" in capsys.readouterr().err


def test_pull_plain_output_off_a_terminal(hub, capsys):
    assert main(["models", "pull", "acme/big-GGUF"]) == 0  # one GGUF: no need to name it
    out = capsys.readouterr()
    assert out.out.strip().endswith("tiny-big-F32.gguf")
    assert "ready 100.0%" in out.err and "\r" not in out.err


def test_pull_errors_are_one_line(hub, capsys):
    assert main(["models", "pull", "acme/tiny-GGUF"]) == 1  # two GGUFs: which one?
    err = capsys.readouterr().err
    assert "name one of: tiny-chat-Q8_0.gguf, tiny-split-Q4_K_M.gguf" in err and err.count("\n") == 1
    assert main(["models", "pull", "acme/gated-GGUF"]) == 1
    err = capsys.readouterr().err
    assert "gated or private" in err and "HF_TOKEN" in err
    assert main(["models", "pull", "acme/nope"]) == 1
    assert "no model acme/nope" in capsys.readouterr().err


def test_import_and_forget(hub, tmp_path, capsys):
    model = write_small_gguf(tmp_path / "mine-Q8_0.gguf")
    added = _json(capsys, ["models", "import", str(model), "--json"])
    assert added[0]["path"] == str(model) and added[0]["source"] == "user"
    removed = _json(capsys, ["models", "rm", "mine-Q8_0.gguf", "--json"])
    assert removed == {"removed": "mine-Q8_0.gguf", "path": str(model), "deleted_files": False}
    assert model.exists()
    assert main(["models", "import", str(tmp_path / "missing")]) == 1
    assert "nothing at" in capsys.readouterr().err


def test_recommended(capsys):
    models = _json(capsys, ["models", "recommended", "--json"])
    assert models and all("fit" in m for m in models)
