"""One typed settings schema, with defaults, descriptions and a version, stored as JSON.

Unknown keys are ignored and missing ones take their defaults, so an older or newer settings
file never stops Hearth from starting. Saved atomically (temp file + rename). A file that is not
JSON at all is kept aside (``settings.json.corrupt-<time>``) and said so once, not overwritten.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any
from collections.abc import Callable

from . import messages as M
from .errors import HearthError
from . import paths
from .jsonfile import write_json_atomic
from .messages import Msg, msg

SETTINGS_VERSION = 1
THEMES = ("system", "light", "dark")
LANGUAGES = ("en", "zh_CN")  # the window's translations ("" in the settings: the system's language)
# The values a setting may take: the window's controls and `hearth settings set` hold to them.
CHOICES: dict[str, tuple[str, ...]] = {"theme": THEMES, "language": ("", *LANGUAGES)}
BOUNDS: dict[str, tuple[float, float]] = {
    "temperature": (0.0, 2.0), "top_p": (0.0, 1.0), "top_k": (0, 1000), "min_p": (0.0, 1.0),
    "repeat_penalty": (0.5, 2.0), "seed": (-1, 2**31 - 1), "max_tokens": (1, 131072), "n_ctx": (256, 1048576),
    "n_gpu_layers": (0, 999), "n_threads": (0, 1024),
}


def _setting(default: Any, description: str) -> Any:
    if isinstance(default, (dict, list)):  # a fresh one per Settings
        return field(default_factory=lambda: type(default)(default), metadata={"description": description})
    return field(default=default, metadata={"description": description})


@dataclass
class Settings:
    version: int = _setting(SETTINGS_VERSION, "Schema version of this file.")
    default_model: str | None = _setting(None, "GGUF to load at start; the starter model when unset.")
    language: str = _setting("", "UI language ('en', 'zh_CN'); empty follows the system.")
    n_ctx: int = _setting(4096, "Context size in tokens.")
    n_gpu_layers: int = _setting(0, "Layers to offload to the GPU (0: CPU only).")
    n_threads: int = _setting(0, "CPU threads for llama.cpp; 0 is one per physical core. Fewer can be "
                                 "faster when other programs keep the cores busy.")
    max_tokens: int = _setting(1024, "Longest answer, in tokens.")
    temperature: float = _setting(0.7, "Sampling temperature; 0 is greedy.")
    top_p: float = _setting(0.95, "Nucleus sampling threshold.")
    top_k: int = _setting(40, "Sample among the k most likely tokens.")
    min_p: float = _setting(0.05, "Drop tokens less likely than this fraction of the best one.")
    repeat_penalty: float = _setting(1.1, "Penalty for repeating the last 64 tokens; 1 is off.")
    prepare_conversations: bool = _setting(
        True, "Evaluate the open conversation's history in the background when it is opened or its "
              "model loads, so that its next question starts answering at once (uses the CPU for a "
              "few seconds; false waits for the question).")
    theme: str = _setting("system", "Colour theme: 'system' follows the desktop's light or dark setting; "
                                    "'light' or 'dark' keep one.")
    hf_token: str = _setting("", "Hugging Face token for gated or private models; empty uses HF_TOKEN, "
                                  "then the login stored by `hf auth login`. Kept here only until Hearth "
                                  "starts: it is then moved to the keychain (core/remote/secrets.py).")
    remotes: dict = _setting({}, "Remote OpenAI-compatible endpoints by name: url, ca_file, timeout_s, has_key "
                                 "(the key itself is in the keychain, never here).")

    @classmethod
    def describe(cls) -> dict[str, str]:
        return {f.name: f.metadata.get("description", "") for f in fields(cls)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Settings:
        defaults = cls()
        values = {}
        for f in fields(cls):
            if f.name in data and f.name != "version":
                value = data[f.name]
                default = getattr(defaults, f.name)
                # keep a value only if it has the default's type; where the default is None (a path),
                # None or a string. JSON true/false are bools, which Python also counts as ints.
                if default is None:
                    fits = value is None or isinstance(value, str)
                elif isinstance(value, bool) != isinstance(default, bool):
                    fits = False
                else:
                    fits = isinstance(value, type(default)) or (
                        isinstance(default, float) and isinstance(value, int))
                if fits:
                    values[f.name] = value
        return cls(**values)


def settings_path() -> Path:
    return paths.config_dir() / "settings.json"


# Sentences about a settings file found while loading it, for the window (status bar) or the
# CLI (stderr) to show once: take_settings_notice() hands each one out a single time. Keyed by the
# file, so a notice about another HEARTH_HOME's settings is never shown for this one.
_notices: dict[Path, Msg] = {}
_notices_lock = threading.Lock()


def take_settings_notice() -> Msg | None:
    with _notices_lock:
        return _notices.pop(settings_path(), None)


def _set_aside(path: Path, reason: str) -> None:
    """A settings file that is not JSON is kept as settings.json.corrupt-<time>, so that the next
    save of the defaults does not destroy what the user had (they may fix it by hand)."""
    kept = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
    n = 1
    while kept.exists():
        n += 1
        kept = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}-{n}")
    try:
        os.replace(path, kept)
    except FileNotFoundError:
        return  # another Hearth process set it aside first, and says so itself
    except OSError as exc:
        note = msg(M.SETTINGS_CORRUPT_NOT_KEPT, path=str(path), reason=reason, error=exc.strerror or str(exc))
    else:
        note = msg(M.SETTINGS_CORRUPT, path=str(path), reason=reason, kept=str(kept))
    with _notices_lock:
        _notices[path] = note


class SettingsError(HearthError):
    pass


# Settings files that exist but could not be read (permissions: a root-owned file left by `sudo
# hearth …`; I/O): the defaults are used, and no save replaces the file (path -> the reason).
_unreadable: dict[Path, str] = {}


def load_settings() -> Settings:
    """The saved settings; defaults for a missing file. A damaged file is set aside (see _set_aside);
    one that cannot be read is left as it is and never saved over (see save_settings)."""
    path = settings_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Settings()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        with _notices_lock:
            if path not in _unreadable:
                _notices[path] = msg(M.SETTINGS_UNREADABLE, path=str(path), reason=reason)
            _unreadable[path] = reason
        return Settings()
    _unreadable.pop(path, None)
    try:
        data = json.loads(raw.decode("utf-8"))
    except ValueError as exc:  # not UTF-8, or not JSON
        _set_aside(path, str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        return Settings()
    if not isinstance(data, dict):
        _set_aside(path, f"a JSON {type(data).__name__}, not an object")
        return Settings()
    return Settings.from_dict(data)


def save_settings(settings: Settings) -> None:
    """Raises SettingsError, writing nothing, while the file is there but could not be read."""
    path = settings_path()
    reason = _unreadable.get(path)
    if reason is not None and path.exists():
        raise SettingsError(M.SETTINGS_NOT_SAVED, path=str(path), reason=reason)
    write_json_atomic(path, asdict(settings), indent=2)


def update_settings(change: Callable[[Settings], None]) -> Settings:
    """Re-read the file, ``change`` what was read, write it back: the keys ``change`` leaves alone
    stay as the file has them now (the window, another page or a `hearth` command may have saved
    since this process read it). One process at a time (a lock file beside it). Returns what was
    written."""
    from filelock import FileLock

    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(path.with_name(path.name + ".lock"))):
        stored = load_settings()
        change(stored)
        save_settings(stored)
    return stored


def save_setting(key: str, value: Any) -> None:
    """Change one setting in the file, the others as the file has them now."""
    update_settings(lambda stored: setattr(stored, key, value))
