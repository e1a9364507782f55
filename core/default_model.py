"""Which model Hearth uses when the user has not chosen one."""

from __future__ import annotations

from pathlib import Path

from .settings import Settings
from .starter import starter_model_path


def default_model_path(settings: Settings | None = None) -> Path | None:
    """The user's chosen default if it still exists, else the starter model, else None."""
    if settings is not None and settings.default_model:
        chosen = Path(settings.default_model).expanduser()
        if chosen.is_file():
            return chosen
    return starter_model_path()
