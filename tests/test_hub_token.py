"""Which Hugging Face token Hearth sends: the one in Settings, else HF_TOKEN, else the login that
``hf auth login`` stored; and a refusal names which of them was refused. Against the hub on
127.0.0.1 (tests/fake_hub.py), with the login stored by huggingface_hub's own ``login()``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fake_hub import GOOD_TOKEN
from hearthlm.core.hub import api
from hearthlm.core.hub import messages as M
from hearthlm.core.hub.config import resolve_token
from hearthlm.core.hub.errors import HubError
from hearthlm.core.hub.queue import DownloadQueue
from hearthlm.core.settings import Settings, save_settings

GATED, SINGLE = "acme/gated-GGUF", "tiny-chat-Q8_0.gguf"
NO_ACCESS = "hf_valid_but_not_granted"  # a real account's token (whoami accepts it), not let into GATED

SOURCES = {
    "settings": "the token in Hearth's settings",
    "env": "the token in HF_TOKEN",
    "login": "your huggingface-cli login",
}


def _hf_login(token: str, hub) -> Path:
    """``huggingface_hub.login(token)`` as a user runs it (``hf auth login``), in a process of its
    own so that huggingface_hub computes its paths from this test's HF_HOME."""
    env = dict(os.environ, HF_ENDPOINT=hub.url)
    subprocess.run([sys.executable, "-c", "import sys, huggingface_hub; "
                    "huggingface_hub.login(token=sys.argv[1], add_to_git_credential=False)", token],
                   env=env, check=True, capture_output=True, timeout=60)
    stored = Path(os.environ["HF_HOME"]) / "token"
    assert stored.read_text().strip() == token  # where `hf auth login` keeps it
    return stored


def _set(source: str, token: str, hub, monkeypatch) -> None:
    if source == "settings":
        save_settings(Settings(hf_token=token))
    elif source == "env":
        monkeypatch.setenv("HF_TOKEN", token)
    else:
        _hf_login(token, hub)


def _download(hf_env: Path):
    queue = DownloadQueue(cache_dir=hf_env, backoff=0.05)  # token=None: looked up as the app does
    try:
        queue.start()
        item = queue.add(GATED, api.repo_files(GATED, token=GOOD_TOKEN).find(SINGLE))
        return queue.wait(item.id, 60)
    finally:
        queue.close()


def _auth_headers(hub) -> set[str | None]:
    return {h.get("authorization") for m, p, h in hub.requests if "/resolve/" in p}


def test_the_stored_login_opens_a_gated_repo(hub, hf_env):
    _hf_login(GOOD_TOKEN, hub)
    assert resolve_token().source == "login"
    listing = api.repo_files(GATED)  # token=None: the stored login
    assert listing.gated and listing.find(SINGLE) is not None
    hub.requests.clear()
    result = _download(hf_env)  # the download process gets the same token
    assert result.state == "ready", result.message
    assert _auth_headers(hub) == {f"Bearer {GOOD_TOKEN}"}


def test_settings_come_before_hf_token_before_the_login(hub, monkeypatch):
    _hf_login("hf_from_login", hub)
    monkeypatch.setenv("HF_TOKEN", "hf_from_env")
    save_settings(Settings(hf_token="hf_from_settings"))
    assert (resolve_token().value, resolve_token().source) == ("hf_from_settings", "settings")
    save_settings(Settings(hf_token=""))
    assert (resolve_token().value, resolve_token().source) == ("hf_from_env", "HF_TOKEN")
    monkeypatch.delenv("HF_TOKEN")
    assert (resolve_token().value, resolve_token().source) == ("hf_from_login", "login")
    (Path(os.environ["HF_HOME"]) / "token").unlink()
    assert resolve_token().value is None


@pytest.mark.parametrize("source", list(SOURCES))
def test_a_refusal_names_the_token_that_was_refused(source, hub, hf_env, monkeypatch):
    _set(source, NO_ACCESS, hub, monkeypatch)
    with pytest.raises(HubError) as raised:
        api.card_summary(GATED)  # the hub lists a gated repo to anyone; its files are refused
    assert raised.value.msg.template == M.TOKEN_REFUSED
    assert SOURCES[source] in str(raised.value) and "403" in str(raised.value)
    result = _download(hf_env)  # the same sentence from the download process
    assert result.state == "failed" and result.message.template == M.TOKEN_REFUSED
    assert SOURCES[source] in str(result.message)
    assert _auth_headers(hub) == {f"Bearer {NO_ACCESS}"}


def test_a_fresh_process_reads_the_login_through_huggingface_hub(hub, hf_env):
    """In a new process huggingface_hub's paths match HF_HOME, so its own get_token() is used
    (it also renews a browser login); the result is the same token."""
    _hf_login(GOOD_TOKEN, hub)
    code = ("from hearthlm.core.hub.config import resolve_token; from hearthlm.core.hub.api import repo_files; "
            "t = resolve_token(); print(t.source, t.value == sys.argv[1], repo_files('acme/gated-GGUF').gated)")
    out = subprocess.run([sys.executable, "-c", "import sys; " + code, GOOD_TOKEN], env=dict(os.environ),
                         capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["login", "True", "True"], out.stderr
