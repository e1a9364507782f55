"""What a server is started with, checked before it listens (safe defaults: loopback, limits)."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import HearthError
from ..messages import msg
from . import messages as M

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
KEY_ENV = "HEARTH_API_KEY"


class ServeError(HearthError):
    """The server cannot start as asked (one sentence)."""


@dataclass
class ServeConfig:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    models: list[str] = field(default_factory=list)  # paths or library names, as given
    parallel: int = 4  # sequences per engine: clients answered at once (decoded together)
    ctx: int = 2048  # context per sequence, in tokens
    threads: int = 0  # llama.cpp threads (0: one per physical core)
    gpu_layers: int = 0
    # A model the server loaded is unloaded after this long without a request, and loaded again by
    # the next one (LM Studio: 60 min; Ollama: 5 min). 0: kept until the server stops.
    idle_unload_s: float = 3600.0
    api_key: str | None = None  # the key itself (CLI) ...
    api_key_hash: str | None = None  # ... or only its hash (the window keeps the hash)
    cors_origins: list[str] = field(default_factory=list)
    allow_hosts: list[str] = field(default_factory=list)
    # limits
    max_body_bytes: int = 8 * 1024 * 1024
    max_tokens_limit: int = 4096
    max_queue: int = 16  # requests waiting per model beyond those being answered
    max_streams: int = 32  # streams open at once, all models together

    def check(self) -> None:
        """Refuse what would be unsafe; raises ServeError."""
        if "*" in self.cors_origins:
            raise ServeError(msg(M.CORS_WILDCARD))
        if not is_loopback(self.host) and not (self.api_key or self.api_key_hash):
            raise ServeError(msg(M.KEY_REQUIRED, host=self.host))


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def read_key(key: str | None, key_file: str | None, env: dict[str, str] | None = None) -> str | None:
    """The key from --api-key, else --api-key-file, else HEARTH_API_KEY."""
    if key:
        return key
    if key_file:
        path = Path(key_file).expanduser()
        try:
            text = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ServeError(msg(M.KEY_FILE_UNREADABLE, path=str(path), reason=exc.strerror or str(exc))) from None
        if not text:
            raise ServeError(msg(M.KEY_FILE_EMPTY, path=str(path)))
        return text
    value = (env if env is not None else os.environ).get(KEY_ENV, "").strip()
    return value or None
