"""Where Hearth keeps its files. Every file Hearth writes goes under one of these.

``HEARTH_HOME`` (the CLI's ``--home`` sets it) moves all of them under one folder, so tests and
demos never touch a user's real files. Without it, the platform's usual folders are used.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "hearth"
HOME_ENV = "HEARTH_HOME"


def home_override() -> Path | None:
    value = os.environ.get(HOME_ENV, "").strip()
    return Path(value).expanduser().resolve() if value else None


def _dir(kind: str) -> Path:
    home = home_override()
    if home is not None:
        path = home / kind
    else:
        path = {
            "data": platformdirs.user_data_path,
            "config": platformdirs.user_config_path,
            "cache": platformdirs.user_cache_path,
            "logs": platformdirs.user_log_path,
        }[kind](APP_NAME, appauthor=False)
    path.mkdir(parents=True, exist_ok=True)
    return path


def data_dir() -> Path:
    return _dir("data")


def config_dir() -> Path:
    return _dir("config")


def cache_dir() -> Path:
    return _dir("cache")


def log_dir() -> Path:
    return _dir("logs")
