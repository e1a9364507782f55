"""``hearth remote add|list|test|rm`` against a local fake server: JSON fields, one-line errors, exit codes."""

from __future__ import annotations

import json

import pytest

from fake_openai import FakeOpenAI
from hearthlm.core.cli import main
from hearthlm.core.settings import load_settings
from ports import refused_port
from remote_transcripts import MODELS, PROPS


@pytest.fixture
def fake():
    with FakeOpenAI() as server:
        server.route("GET", "/v1/models", json=MODELS["llama-server"])
        server.route("GET", "/props", json=PROPS)
        yield server


def run_json(capsys, *argv: str) -> tuple[int, object]:
    code = main([*argv, "--json"])
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip() else None


def test_add_test_list_rm(fake, capsys):
    code, added = run_json(capsys, "remote", "add", "box", fake.root, "--timeout", "30")
    assert code == 0 and added["url"] == fake.url and added["has_key"] is False and added["timeout_s"] == 30
    code, tested = run_json(capsys, "remote", "test", "box", "--no-tools")
    assert code == 0 and tested["ok"] and tested["server"] == "llama-server" and tested["n_ctx"] == 8192
    assert tested["models"] == [{"id": "qwen3-8b-q4_k_m.gguf", "ref": "remote:box/qwen3-8b-q4_k_m.gguf", "n_ctx": 8192}]
    assert load_settings().remotes["box"]["server"] == "llama-server"
    code, listed = run_json(capsys, "remote", "list")
    assert code == 0 and [e["name"] for e in listed["endpoints"]] == ["box"]
    assert main(["remote", "test", "box", "--no-tools"]) == 0
    assert "server: llama-server" in capsys.readouterr().out
    code, removed = run_json(capsys, "remote", "rm", "box")
    assert code == 0 and removed == {"removed": "box"} and load_settings().remotes == {}


@pytest.mark.parametrize("argv,words", [
    (["remote", "add", "bad/name", "http://h:1"], "cannot name an endpoint"),
    (["remote", "add", "box", "ftp://h"], "is not an http:// or https:// address"),
    (["remote", "add", "box", "http://h:1", "--ca-file", "/no/such/ca.pem"], "CA certificate file"),
    (["remote", "rm", "nothere"], "no remote endpoint named nothere"),
    (["remote", "test", "nothere"], "no remote endpoint named nothere"),
    (["chat", "--model", "remote:nothere/m", "--prompt", "hi"], "no remote endpoint named nothere"),
])
def test_bad_input_is_one_line_and_exit_1(capsys, argv, words):
    assert main(argv) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("hearth: error: ") and words in err and "\n" not in err


def test_adding_a_name_twice_is_refused_unless_replaced(fake, capsys):
    assert main(["remote", "add", "box", fake.url]) == 0
    assert main(["remote", "add", "box", "http://other:1"]) == 1
    assert "hearth remote add --replace" in capsys.readouterr().err
    assert main(["remote", "add", "box", "http://other:1", "--replace"]) == 0
    assert load_settings().remotes["box"]["url"] == "http://other:1/v1"


def test_a_server_that_is_down_fails_the_test_in_one_sentence(capsys):
    with refused_port() as port:
        assert main(["remote", "add", "down", f"http://127.0.0.1:{port}"]) == 0
        capsys.readouterr()
        code, tested = run_json(capsys, "remote", "test", "down")
        assert code == 1 and not tested["ok"] and "connection refused" in tested["error"]
        assert main(["remote", "list"]) == 0
        assert "connection refused" in capsys.readouterr().out


def test_a_key_over_plain_http_to_another_host_is_warned_about(capsys, monkeypatch):
    monkeypatch.setenv("K", "sk-1")
    assert main(["remote", "add", "lan", "http://192.0.2.7:8080", "--key-env", "K"]) == 0
    assert "plain http://" in capsys.readouterr().err
    assert main(["remote", "add", "here", "http://127.0.0.1:8080", "--key-env", "K"]) == 0
    assert "plain http://" not in capsys.readouterr().err
