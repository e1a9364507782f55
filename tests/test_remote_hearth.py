"""Hearth as the remote of another Hearth (issue 15): one installation runs ``hearth serve``, a
second adds it with ``hearth remote add`` and chats with its model; a third server serves that
remote model again (``hearth serve --model remote:NAME/MODEL``, the proxy route), and its clients
get answers without ever seeing the first server's key."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from serve_helpers import ServeProcess

pytestmark = pytest.mark.engine
KEY = "first-server-key-0123456789"


def hearth(home: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    full = {**os.environ, "HF_ENDPOINT": "http://127.0.0.1:9", **(env or {})}
    return subprocess.run([sys.executable, "-m", "hearthlm.core.cli", "--home", str(home), *args],
                          capture_output=True, text=True, env=full, timeout=300)


@pytest.fixture(scope="module")
def first(starter_model: Path, tmp_path_factory):
    home = tmp_path_factory.mktemp("first-hearth")
    with ServeProcess(home, "--model", str(starter_model), "--threads", "1", "--ctx", "1024",
                      env={"HEARTH_API_KEY": KEY}) as server:
        yield server


def test_another_hearth_is_a_remote(first: ServeProcess, starter_model: Path, tmp_path: Path) -> None:
    home = tmp_path / "second"
    added = hearth(home, "remote", "add", "den", first.url, "--key-env", "DEN_KEY", env={"DEN_KEY": KEY})
    assert added.returncode == 0, added.stderr
    tested = hearth(home, "remote", "test", "den", "--json")
    assert tested.returncode == 0, tested.stderr
    probe = json.loads(tested.stdout)
    assert "Hearth" in json.dumps(probe)
    model = f"remote:den/{starter_model.stem}"
    chat = hearth(home, "chat", "--model", model, "--prompt", "Say hello.", "--max-tokens", "8",
                  "--temperature", "0", "--json")
    assert chat.returncode == 0, chat.stderr
    out = json.loads(chat.stdout)
    assert out["text"].strip() and out["completion_tokens"] > 0
    (settings,) = home.rglob("settings.json")
    assert "den" in settings.read_text() and KEY not in settings.read_text()  # the key is kept apart


def test_a_server_proxies_a_remote_model(first: ServeProcess, starter_model: Path, tmp_path: Path) -> None:
    import openai

    home = tmp_path / "proxy"
    added = hearth(home, "remote", "add", "den", first.url, "--key-env", "DEN_KEY", env={"DEN_KEY": KEY})
    assert added.returncode == 0, added.stderr
    model = f"remote:den/{starter_model.stem}"
    with ServeProcess(home, "--model", model) as proxy:
        client = openai.OpenAI(base_url=f"{proxy.url}/v1", api_key="unused")  # the proxy is on loopback: no key
        assert model in [m.id for m in client.models.list().data]
        direct = openai.OpenAI(base_url=f"{first.url}/v1", api_key=KEY)
        question = [{"role": "user", "content": "Name a colour."}]
        via_proxy = client.chat.completions.create(model=model, messages=question, max_tokens=8, temperature=0)
        alone = direct.chat.completions.create(model=starter_model.stem, messages=question, max_tokens=8,
                                               temperature=0)
        assert via_proxy.choices[0].message.content == alone.choices[0].message.content
        streamed = "".join(chunk.choices[0].delta.content or "" for chunk in client.chat.completions.create(
            model=model, messages=question, max_tokens=8, temperature=0, stream=True) if chunk.choices)
        assert streamed == alone.choices[0].message.content
        assert not proxy.engine_pids()  # no local engine: the model runs on the first server


def test_an_unknown_endpoint_is_one_sentence(tmp_path: Path) -> None:
    result = hearth(tmp_path / "home", "serve", "--port", "0", "--model", "remote:nowhere/some-model")
    assert result.returncode != 0
    assert "no remote endpoint named nowhere" in result.stderr
    assert "Traceback" not in result.stderr
