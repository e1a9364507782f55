"""Where the hub is, who we are on it, and where the shared Hugging Face cache lives.

All three are read when asked (not at import): huggingface_hub computes its own constants once at
import time, so a later ``HF_ENDPOINT``/``HF_HOME`` (tests, ``--home`` runs) would otherwise be missed.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_ENDPOINT = "https://huggingface.co"


def endpoint() -> str:
    return (os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")


def token(settings=None) -> str | None:
    """The token from Settings, else HF_TOKEN (or the older HUGGING_FACE_HUB_TOKEN), else None."""
    if settings is None:
        from ..settings import load_settings

        settings = load_settings()
    value = (getattr(settings, "hf_token", "") or "").strip()
    return value or os.environ.get("HF_TOKEN") or os.environ.get("HUGGING_FACE_HUB_TOKEN") or None


def hub_cache_dir() -> Path:
    """The Hugging Face cache other tools share (HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub)."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]).expanduser() / "hub"
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "huggingface" / "hub"
