"""Secrets (endpoint keys, the Hugging Face token) in the OS keychain through ``keyring``; where no
keychain backend exists (a headless Linux without a Secret Service, a container), in a JSON file
readable only by the user (0600) in Hearth's config folder. ``describe()`` says which one is used.

Never in settings.json, never in a log line: callers keep only the secret's *name* (e.g.
``remote:gpu``). A ``HEARTH_HOME`` run keeps its secrets under a service name of its own, so a
test or a demo never reads or overwrites the user's real keys.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from .errors import HearthError
from .jsonfile import read_json, write_json_atomic
from .messages import Msg, msg
from . import messages as M
from . import paths

SERVICE = "hearth"
HF_TOKEN_KEY = "huggingface"


class SecretError(HearthError):
    """The keychain (or the private file) refused to keep or give a secret."""


def endpoint_key(name: str) -> str:
    """The secret's name for an endpoint's API key."""
    return f"remote:{name}"


def service_name() -> str:
    home = paths.home_override()
    return SERVICE if home is None else f"{SERVICE}@{home}"


def _usable_keyring() -> Any:
    """The keyring backend to use, or None when only the fail/null backends are there."""
    try:
        import keyring
        from keyring.backends import chainer, fail, null
    except ImportError:
        return None
    backend = keyring.get_keyring()
    if isinstance(backend, (fail.Keyring, null.Keyring)):
        return None
    if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
        return None
    return backend


class SecretStore:
    """get/set/delete secrets by name. ``kind`` is "keyring" or "file"."""

    def __init__(self, backend: Any = None, file: Path | None = None):
        self._backend = backend
        self.kind = "keyring" if backend is not None else "file"
        self.file = file or paths.config_dir() / "secrets.json"

    def describe(self) -> Msg:
        if self._backend is not None:
            backend = getattr(self._backend, "name", None) or type(self._backend).__name__
            return msg(M.STORE_KEYRING, backend=str(backend))
        return msg(M.STORE_FILE, path=str(self.file))

    # -- the file fallback -----------------------------------------------------------------------

    def _read_file(self) -> dict[str, str]:
        try:
            mode = self.file.stat().st_mode
        except FileNotFoundError:
            return {}
        if mode & (stat.S_IRWXG | stat.S_IRWXO):  # someone widened it: narrow it again before reading
            os.chmod(self.file, 0o600)
        data = read_json(self.file, {})
        service = data.get(service_name()) if isinstance(data, dict) else None
        return {k: v for k, v in service.items() if isinstance(v, str)} if isinstance(service, dict) else {}

    def _write_file(self, secrets: dict[str, str]) -> None:
        data = read_json(self.file, {})
        data = data if isinstance(data, dict) else {}
        data[service_name()] = secrets
        try:
            write_json_atomic(self.file, data)  # mkstemp makes the file 0600; the rename keeps that
        except OSError as exc:
            raise SecretError(msg(M.SECRET_STORE_FAILED, store=self.describe(), reason=exc.strerror or str(exc))) from exc

    # -- the interface ---------------------------------------------------------------------------

    def get(self, key: str) -> str | None:
        if self._backend is None:
            return self._read_file().get(key)
        try:
            return self._backend.get_password(service_name(), key)
        except Exception as exc:  # a locked or absent Secret Service: say it, do not guess
            raise SecretError(msg(M.SECRET_STORE_FAILED, store=self.describe(), reason=str(exc) or type(exc).__name__)) from exc

    def set(self, key: str, value: str) -> None:
        if self._backend is None:
            secrets = self._read_file()
            secrets[key] = value
            self._write_file(secrets)
            return
        try:
            self._backend.set_password(service_name(), key, value)
        except Exception as exc:
            raise SecretError(msg(M.SECRET_STORE_FAILED, store=self.describe(), reason=str(exc) or type(exc).__name__)) from exc

    def delete(self, key: str) -> None:
        if self._backend is None:
            secrets = self._read_file()
            if secrets.pop(key, None) is not None:
                self._write_file(secrets)
            return
        try:
            self._backend.delete_password(service_name(), key)
        except Exception:  # keyring raises PasswordDeleteError for a missing entry: nothing to delete
            pass


def secret_store() -> SecretStore:
    """The store for this machine: the keychain when keyring has a real backend, else the file."""
    return SecretStore(_usable_keyring())


# -- the Hugging Face token ------------------------------------------------------------------------

def hf_token(store: SecretStore | None = None) -> str | None:
    """The token kept by Hearth (set in the window, or moved from settings.json), or None."""
    try:
        return (store or secret_store()).get(HF_TOKEN_KEY) or None
    except SecretError:
        return None


def set_hf_token(value: str, store: SecretStore | None = None) -> None:
    """Keep (or, empty, forget) Hearth's Hugging Face token."""
    store = store or secret_store()
    if value:
        store.set(HF_TOKEN_KEY, value)
    else:
        store.delete(HF_TOKEN_KEY)


def move_plain_secrets(settings: Any = None, store: SecretStore | None = None) -> Msg | None:
    """A token left in settings.json by an older Hearth goes to the secret store and out of the
    file. Run at every start (a no-op once done); the sentence says where it went, None when
    nothing was moved (or it could not be: then it stays where it was, still working)."""
    from .settings import load_settings, save_setting

    settings = settings if settings is not None else load_settings()
    value = (getattr(settings, "hf_token", "") or "").strip()
    if not value:
        return None
    store = store or secret_store()
    try:
        store.set(HF_TOKEN_KEY, value)
    except SecretError:
        return None
    try:
        save_setting("hf_token", "")  # this key only: the file's others as they are now
    except HearthError:
        return None  # the settings file cannot be written over: the token stays there, still working
    settings.hf_token = ""
    return msg(M.HF_TOKEN_MOVED, store=store.describe())
