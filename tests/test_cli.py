"""The ``hearth`` command (core/cli.py), run as a real subprocess with its own HEARTH_HOME."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gguf_files import write_unloadable_gguf

PROMPT = "What is the capital of France?"


def hearth(*args: str, home: Path, input: str | None = None, timeout: float = 180,
           extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HEARTH_HOME": str(home), **(extra_env or {})}
    return subprocess.run([sys.executable, "-m", "hearthlm.core.cli", *args], capture_output=True, text=True,
                          env=env, timeout=timeout, input=input,
                          stdin=None if input is not None else subprocess.DEVNULL)


def assert_one_error_line(result: subprocess.CompletedProcess[str], code: int, *words: str) -> str:
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got: {result.stderr!r}"
    line = lines[0]
    assert line.startswith("hearth: error: "), line
    for word in words:
        assert word.lower() in line.lower(), f"{word!r} not in {line!r}"
    return line


# -- chat ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def json_answer(tmp_path_factory: pytest.TempPathFactory) -> dict:
    home = tmp_path_factory.mktemp("cli-home")
    result = hearth("chat", "--prompt", PROMPT, "--max-tokens", "8", "--json", "--temperature", "0",
                    "--ctx", "1024", home=home)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.engine
def test_chat_json(json_answer: dict, starter_model: Path) -> None:
    for key in ("text", "model", "prompt_tokens", "completion_tokens", "ttft_s", "tokens_per_s"):
        assert key in json_answer, key
    assert isinstance(json_answer["text"], str) and json_answer["text"].strip()
    assert Path(json_answer["model"]) == starter_model.resolve()
    assert json_answer["prompt_tokens"] > 0
    assert 0 < json_answer["completion_tokens"] <= 8
    assert json_answer["ttft_s"] > 0
    assert json_answer["tokens_per_s"] > 0
    assert json_answer["stop_reason"] in ("eos", "length")


@pytest.mark.engine
def test_chat_streams_text_to_stdout_and_stats_to_stderr(json_answer: dict, hearth_home: Path) -> None:
    result = hearth("chat", "--prompt", PROMPT, "--max-tokens", "8", "--temperature", "0", "--ctx", "1024",
                    home=hearth_home)
    assert result.returncode == 0, result.stderr
    # greedy from a fresh engine: the same text as the JSON run, then a newline
    assert result.stdout == json_answer["text"] + "\n"
    assert "hearth: error" not in result.stderr
    stats_line = result.stderr.strip().splitlines()[-1]
    assert f"{json_answer['prompt_tokens']} prompt tokens" in stats_line
    assert f"{json_answer['completion_tokens']} generated" in stats_line
    assert "tokens/s" in stats_line


@pytest.mark.engine
def test_chat_reads_the_prompt_from_stdin(json_answer: dict, hearth_home: Path) -> None:
    result = hearth("chat", "--prompt", "-", "--max-tokens", "8", "--json", "--temperature", "0",
                    "--ctx", "1024", home=hearth_home, input=PROMPT)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["prompt_tokens"] == json_answer["prompt_tokens"]
    assert data["text"] == json_answer["text"]


@pytest.mark.parametrize("kind,words", [
    ("missing", ("No model file",)),
    ("folder", ("folder",)),
    ("text", ("not a GGUF",)),
    ("empty", ("empty",)),
    ("truncated", ("truncated",)),
    ("hollow", ("could not load",)),  # passes the header check; llama.cpp refuses it
])
def test_chat_with_bad_model(kind: str, words: tuple[str, ...], tmp_path: Path, hearth_home: Path,
                             starter_model: Path) -> None:
    path = tmp_path / f"{kind}.gguf"
    if kind == "folder":
        path.mkdir()
    elif kind == "text":
        path.write_text("hello, I am not a model\n")
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "truncated":
        with open(starter_model, "rb") as handle:
            path.write_bytes(handle.read(3 << 20))
    elif kind == "hollow":
        write_unloadable_gguf(path)
    result = hearth("chat", "--model", str(path), "--prompt", "hi", "--max-tokens", "4", "--ctx", "256",
                    home=hearth_home)
    assert result.stdout == ""
    assert_one_error_line(result, 1, *words)


def test_wrong_typed_settings_file_is_not_a_crash(hearth_home: Path, starter_model: Path) -> None:
    """A hand-edited settings file with a bad default model falls back to the starter model."""
    config = hearth_home / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "settings.json").write_text(json.dumps({"default_model": 5, "n_ctx": True}))
    result = hearth("doctor", "--json", home=hearth_home)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["default_model"] == str(starter_model)


# -- doctor --------------------------------------------------------------------------------

def _doctor(home: Path, *pre: str) -> dict:
    result = hearth(*pre, "doctor", "--json", home=home)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_doctor_json(hearth_home: Path, starter_model: Path) -> None:
    report = _doctor(hearth_home)
    assert report["hearth"]
    llama = report["llama"]
    assert "error" not in llama, llama
    assert llama["llama_cpp_python"] == "0.3.36"
    assert isinstance(llama["cpu_features"], list) and llama["cpu_features"]
    assert isinstance(llama["gpu_offload"], bool)
    devices = llama["devices"]
    assert devices and any(d["kind"] == "cpu" for d in devices)
    for device in devices:
        assert device["total_bytes"] >= device["free_bytes"] >= 0
    assert report["starter_model"] == str(starter_model)
    home = hearth_home.resolve()
    assert Path(report["data_dir"]).is_relative_to(home)
    assert Path(report["settings_file"]).is_relative_to(home)
    assert report["home_override"] == str(home)


def test_doctor_human_report(hearth_home: Path) -> None:
    result = hearth("doctor", home=hearth_home)
    assert result.returncode == 0, result.stderr
    for label in ("Hearth", "llama-cpp-python", "CPU features", "Starter model", "Data directory"):
        assert label in result.stdout


def test_home_option_moves_every_file(tmp_path: Path, hearth_home: Path) -> None:
    other = tmp_path / "elsewhere"
    report = _doctor(hearth_home, "--home", str(other))
    assert Path(report["data_dir"]).is_relative_to(other.resolve())
    assert Path(report["config_dir"]).is_relative_to(other.resolve())
    assert not Path(report["data_dir"]).is_relative_to(hearth_home.resolve())
    assert (other / "data").is_dir()


# -- usage ---------------------------------------------------------------------------------

@pytest.mark.parametrize("args,words", [
    (("chat", "--max-tokens", "0", "--prompt", "hi"), ("--max-tokens", "positive")),
    (("chat", "--ctx", "-5", "--prompt", "hi"), ("--ctx", "positive")),
    (("chat", "--max-tokens", "many"), ("invalid int",)),
    (("chat", "--no-such-option"), ("unrecognized",)),
    (("frobnicate",), ("invalid choice",)),
])
def test_bad_usage_exits_2_with_one_line(args: tuple[str, ...], words: tuple[str, ...], hearth_home: Path) -> None:
    result = hearth(*args, home=hearth_home)
    assert result.stdout == ""
    assert_one_error_line(result, 2, *words)


def test_version(hearth_home: Path) -> None:
    result = hearth("--version", home=hearth_home)
    assert result.returncode == 0
    assert result.stdout.startswith("hearth ")
