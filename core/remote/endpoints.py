"""Remote endpoints as the settings keep them: name -> url, CA file, timeout, whether a key is
stored. The key itself lives in the secret store (secrets.py) under ``remote:NAME``."""

from __future__ import annotations

import os
import re
import ssl
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ..errors import HearthError
from ..messages import msg
from . import messages as M
from ..secrets import SecretStore, endpoint_key, secret_store

DEFAULT_TIMEOUT_S = 120.0  # longest silence of a server (the first token of a long prompt included)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class EndpointError(HearthError):
    """An endpoint that cannot be added, found or used as given."""


@dataclass
class Endpoint:
    name: str
    url: str  # the OpenAI-compatible base, e.g. http://gpu-box:8080/v1
    has_key: bool = False
    ca_file: str | None = None  # a PEM file of the CA that signed the server's certificate
    timeout_s: float = DEFAULT_TIMEOUT_S
    models: list[str] = field(default_factory=list)  # the ids it listed last (the model pickers show them)
    server: str | None = None  # what the last probe found: llama-server, vLLM, Ollama, …

    @classmethod
    def from_json(cls, name: str, data: Any) -> Endpoint:
        data = data if isinstance(data, dict) else {}
        timeout = data.get("timeout_s")
        return cls(name=name, url=str(data.get("url", "")), has_key=bool(data.get("has_key")),
                   ca_file=data.get("ca_file") if isinstance(data.get("ca_file"), str) else None,
                   timeout_s=float(timeout) if isinstance(timeout, (int, float)) and timeout > 0 else DEFAULT_TIMEOUT_S,
                   models=[m for m in data.get("models") or [] if isinstance(m, str)],
                   server=data.get("server") if isinstance(data.get("server"), str) else None)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("name")
        return data

    @property
    def root(self) -> str:
        """The server's root (the base without a trailing /v1): llama-server's /props, Ollama's /api."""
        return self.url[: -len("/v1")] if self.url.endswith("/v1") else self.url

    def key(self, store: SecretStore | None = None) -> str | None:
        if not self.has_key:
            return None
        return (store or secret_store()).get(endpoint_key(self.name))


def check_name(name: str) -> str:
    if not _NAME.match(name or ""):
        raise EndpointError(msg(M.BAD_NAME, name=name))
    return name


def normalize_url(url: str) -> str:
    """The base URL as stored: no trailing slash; ``/v1`` added when no path is given (the path
    llama-server, vLLM, Ollama, LM Studio and ``hearth serve`` all use)."""
    parts = urlsplit((url or "").strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise EndpointError(msg(M.BAD_URL, url=url))
    path = parts.path.rstrip("/") or "/v1"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def check_ca_file(path: str) -> str:
    """The CA file's absolute path, once an SSL context has accepted it."""
    target = Path(path).expanduser().resolve()
    try:
        ssl.create_default_context(cafile=str(target))
    except (OSError, ssl.SSLError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise EndpointError(msg(M.CA_FILE_UNREADABLE, path=str(target), reason=reason)) from exc
    return str(target)


def key_from(env: str | None = None, file: str | None = None) -> str | None:
    """The key given by ``--key-env VAR`` (read now) or ``--key-file F``; None when neither."""
    if env:
        value = (os.environ.get(env) or "").strip()
        if not value:
            raise EndpointError(msg(M.KEY_ENV_EMPTY, var=env))
        return value
    if file:
        path = Path(file).expanduser()
        try:
            value = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise EndpointError(msg(M.KEY_FILE_UNREADABLE, path=str(path),
                                    reason=getattr(exc, "strerror", None) or str(exc))) from exc
        if not value:
            raise EndpointError(msg(M.KEY_FILE_EMPTY, path=str(path)))
        return value
    return None


def endpoints(settings: Any) -> list[Endpoint]:
    remotes = getattr(settings, "remotes", None) or {}
    return [Endpoint.from_json(name, data) for name, data in sorted(remotes.items())]


def get_endpoint(settings: Any, name: str) -> Endpoint:
    remotes = getattr(settings, "remotes", None) or {}
    if name not in remotes:
        raise EndpointError(msg(M.NO_ENDPOINT, name=name))
    return Endpoint.from_json(name, remotes[name])


def add_endpoint(settings: Any, name: str, url: str, key: str | None = None, ca_file: str | None = None,
                 timeout_s: float | None = None, store: SecretStore | None = None, replace: bool = False) -> Endpoint:
    """Add (or with ``replace``, change) an endpoint in ``settings`` (the caller saves them) and keep
    its key in the secret store. Nothing is changed when the name, URL or CA file is bad."""
    check_name(name)
    if name in settings.remotes and not replace:
        raise EndpointError(msg(M.ENDPOINT_EXISTS, name=name))
    endpoint = Endpoint(name, normalize_url(url), has_key=bool(key),
                        ca_file=check_ca_file(ca_file) if ca_file else None,
                        timeout_s=float(timeout_s) if timeout_s else DEFAULT_TIMEOUT_S)
    store = store or secret_store()
    if key:
        store.set(endpoint_key(name), key)
    else:
        store.delete(endpoint_key(name))
    settings.remotes = {**settings.remotes, name: endpoint.to_json()}
    return endpoint


def remove_endpoint(settings: Any, name: str, store: SecretStore | None = None) -> None:
    get_endpoint(settings, name)
    (store or secret_store()).delete(endpoint_key(name))
    settings.remotes = {k: v for k, v in settings.remotes.items() if k != name}


def save_endpoints(settings: Any, *names: str) -> None:
    """Write the endpoints ``names`` as ``settings`` holds them (one it no longer holds: removed)
    and nothing else: the other settings and endpoints stay as the file has them, whoever saved
    them since ``settings`` was read (the window saving its whole copy undid `hearth remote add`
    and `hearth settings set`). ``settings.remotes`` is then the file's."""
    from ..settings import update_settings

    def change(stored: Any) -> None:
        remotes = dict(stored.remotes)
        for name in names:
            if name in settings.remotes:
                remotes[name] = settings.remotes[name]
            else:
                remotes.pop(name, None)
        stored.remotes = remotes

    settings.remotes = dict(update_settings(change).remotes)


def remember_probe(settings: Any, name: str, models: list[str], server: str | None) -> None:
    """Keep what a listing found (model ids, the server's kind) with the endpoint, for the pickers."""
    if name in settings.remotes:
        settings.remotes = {**settings.remotes, name: {**settings.remotes[name], "models": list(models),
                                                       "server": server}}
