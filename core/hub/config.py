"""Where the hub is, who we are on it (which token, from where), and where the shared Hugging Face cache lives.

All three are read when asked (not at import): huggingface_hub computes its own constants once at
import time, so a later ``HF_ENDPOINT``/``HF_HOME`` (tests, ``--home`` runs) would otherwise be missed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..messages import Msg, msg

if TYPE_CHECKING:
    from ..settings import Settings

DEFAULT_ENDPOINT = "https://huggingface.co"


def endpoint() -> str:
    return (os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")


@dataclass(frozen=True)
class HubToken:
    """The token to send and where it came from, so that a refusal can name it."""

    value: str | None
    source: str | None  # "settings", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "login", "given"; None: no token

    def to_json(self) -> dict[str, str | None]:
        return {"value": self.value, "source": self.source}


NO_TOKEN = HubToken(None, None)


def stored_login_path() -> Path:
    """Where ``hf auth login`` (``huggingface-cli login``) keeps the token: HF_TOKEN_PATH, else
    HF_HOME/token, as huggingface_hub.constants computes it (tests/test_hub_internals.py checks
    that the two agree); read here because those constants are frozen at import."""
    if os.environ.get("HF_TOKEN_PATH"):
        return Path(os.environ["HF_TOKEN_PATH"]).expanduser()
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]).expanduser() / "token"
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "huggingface" / "token"


def stored_login() -> str | None:
    """The token of ``hf auth login``, or None. Call only when HF_TOKEN is unset (resolve_token)."""
    from huggingface_hub import constants, get_token

    path = stored_login_path()
    if Path(constants.HF_TOKEN_PATH).expanduser() == path:
        # huggingface_hub's own reading: it also renews a browser (OAuth) login close to expiry
        return get_token() or None
    try:  # HF_HOME changed since huggingface_hub was imported: read where it is now
        value = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return value or None


def resolve_token(settings: Settings | None = None) -> HubToken:
    """The token kept by Hearth (core/secrets.py), else HF_TOKEN (or the older HUGGING_FACE_HUB_TOKEN), else the stored
    Hugging Face login; NO_TOKEN when there is none."""
    if settings is None:
        from ..settings import load_settings

        settings = load_settings()
    # settings.json's (an older Hearth's, until moved at start), else the one in the secret store
    value = (getattr(settings, "hf_token", "") or "").strip()
    if not value:
        from ..secrets import hf_token

        value = (hf_token() or "").strip()
    if value:
        return HubToken(value, "settings")
    for name in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"):
        value = (os.environ.get(name) or "").strip()
        if value:
            return HubToken(value, name)
    value = stored_login()
    return HubToken(value, "login") if value else NO_TOKEN


def as_token(token: str | HubToken | None) -> HubToken:
    """What a caller passed: None looks the token up (resolve_token); a string is used as given
    ("" means no token at all)."""
    if token is None:
        return resolve_token()
    if isinstance(token, HubToken):
        return token
    return HubToken(token, "given") if token else NO_TOKEN


def token_source(token: HubToken) -> Msg:
    """Which token a sentence names: "the token in Hearth's settings", "the token in HF_TOKEN", ..."""
    from . import messages as M

    if token.source == "settings":
        return msg(M.TOKEN_FROM_SETTINGS)
    if token.source == "login":
        return msg(M.TOKEN_FROM_LOGIN, path=str(stored_login_path()))
    if token.source in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"):
        return msg(M.TOKEN_FROM_ENV, name=token.source)
    return msg(M.TOKEN_GIVEN)


def token(settings: Settings | None = None) -> str | None:
    """The token value :func:`resolve_token` chooses, or None."""
    return resolve_token(settings).value


def hub_cache_dir() -> Path:
    """The Hugging Face cache other tools share (HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub)."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]).expanduser() / "hub"
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "huggingface" / "hub"
