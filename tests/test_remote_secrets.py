"""Keys of remote endpoints and the Hugging Face token: in the keychain through keyring (here a
test backend that keeps them in memory, installed with keyring's own set_keyring), else in a 0600
file; never in settings.json, in a log file, or in what the commands print."""

from __future__ import annotations

import json
import logging
import stat

import keyring
import pytest
from keyring.backend import KeyringBackend

from fake_openai import FakeOpenAI
from hearthlm.core import paths
from hearthlm.core.cli import main
from hearthlm.core.secrets import HF_TOKEN_KEY, endpoint_key, secret_store, service_name
from hearthlm.core.settings import Settings, load_settings, save_settings, settings_path
from remote_transcripts import MODELS, PIECES, vllm

SECRET = "sk-hearth-7f3a9c1e5b2d8046"


class MemoryKeyring(KeyringBackend):
    """A keyring backend that keeps passwords in a dict (for tests, like keyring's own test suite)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        from keyring.errors import PasswordDeleteError

        if self.passwords.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


@pytest.fixture
def memory_keyring():
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def fake():
    with FakeOpenAI() as server:
        server.route("GET", "/v1/models", json=MODELS["vllm"])
        server.route("POST", "/v1/chat/completions", sse=vllm())
        yield server


def everything_written() -> str:
    """settings.json and every log file of this HEARTH_HOME, as one text."""
    texts = [settings_path().read_text(encoding="utf-8")]
    texts += [p.read_text(encoding="utf-8", errors="replace") for p in paths.log_dir().rglob("*") if p.is_file()]
    return "\n".join(texts)


def test_an_endpoint_key_goes_to_the_keychain_and_nowhere_else(memory_keyring, fake, monkeypatch, capsys, caplog):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("GPU_BOX_KEY", SECRET)
    assert main(["remote", "add", "gpu", fake.url, "--key-env", "GPU_BOX_KEY"]) == 0
    assert "system keychain" in capsys.readouterr().out
    assert memory_keyring.passwords == {(service_name(), endpoint_key("gpu")): SECRET}
    assert load_settings().remotes["gpu"]["has_key"] is True
    monkeypatch.delenv("GPU_BOX_KEY")

    assert main(["chat", "--model", "remote:gpu/Qwen/Qwen3-8B", "--prompt", "Capital?", "--json"]) == 0
    out = capsys.readouterr()
    assert json.loads(out.out)["text"] == "".join(PIECES)
    assert fake.chat_requests()[-1]["headers"]["Authorization"] == f"Bearer {SECRET}"
    assert main(["remote", "list", "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    assert listing["secret_store"] == "keyring" and listing["endpoints"][0]["models"] == ["remote:gpu/Qwen/Qwen3-8B"]
    assert load_settings().remotes["gpu"]["models"] == ["Qwen/Qwen3-8B"]  # for the window's model picker

    assert SECRET not in everything_written()
    assert SECRET not in out.out + out.err
    assert not any(SECRET in r.getMessage() for r in caplog.records)

    assert main(["remote", "rm", "gpu"]) == 0
    assert memory_keyring.passwords == {} and "gpu" not in load_settings().remotes


def test_a_key_file_is_read_once_and_a_missing_key_is_said(memory_keyring, fake, tmp_path, capsys):
    key_file = tmp_path / "key.txt"
    key_file.write_text(SECRET + "\n")
    assert main(["remote", "add", "gpu", fake.url, "--key-file", str(key_file)]) == 0
    key_file.unlink()  # read at add: the file is not needed afterwards
    assert secret_store().get(endpoint_key("gpu")) == SECRET
    assert main(["remote", "add", "other", fake.url, "--key-env", "NO_SUCH_VARIABLE_SET"]) == 1
    assert "NO_SUCH_VARIABLE_SET" in capsys.readouterr().err and "other" not in load_settings().remotes
    assert SECRET not in everything_written()


def test_the_hugging_face_token_is_moved_out_of_settings_on_first_start(memory_keyring, capsys):
    from hearthlm.core.hub.config import resolve_token

    save_settings(Settings(hf_token="hf_plain_text_token"))
    assert main(["remote", "list", "--no-models"]) == 0
    assert "moved out of settings.json" in capsys.readouterr().err
    assert "hf_plain_text_token" not in settings_path().read_text()
    assert memory_keyring.passwords[(service_name(), HF_TOKEN_KEY)] == "hf_plain_text_token"
    token = resolve_token()
    assert token.value == "hf_plain_text_token" and token.source == "settings"
    assert main(["remote", "list", "--no-models"]) == 0  # once only
    assert "moved" not in capsys.readouterr().err


def test_the_window_moves_the_token_at_start_and_says_where(memory_keyring, qtbot):
    from hearthlm.gui.main_window import MainWindow

    save_settings(Settings(hf_token="hf_window_token"))
    window = MainWindow(load_settings())
    qtbot.addWidget(window)
    assert "system keychain" in window.settings_notice.text()
    assert "hf_window_token" not in settings_path().read_text()
    window.chat.session.shutdown()


def test_without_a_keychain_a_file_only_the_user_can_read_is_used(fake, capsys, monkeypatch):
    monkeypatch.setenv("FILE_KEY", SECRET)
    store = secret_store()
    assert store.kind == "file" and "readable only by you" in store.describe()
    assert main(["remote", "add", "gpu", fake.url, "--key-env", "FILE_KEY", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["secret_store"] == "file"
    assert stat.S_IMODE(store.file.stat().st_mode) == 0o600
    store.file.chmod(0o644)  # widened by hand: narrowed again when next read
    assert store.get(endpoint_key("gpu")) == SECRET
    assert stat.S_IMODE(store.file.stat().st_mode) == 0o600
    assert SECRET not in everything_written()
