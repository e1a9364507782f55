"""The checks every request passes before any route (one ASGI middleware, outermost):

1. the Host header names this server (stops DNS rebinding), on every bind;
2. CORS: answered only for configured origins, never ``*`` and never with credentials;
3. the body is within the size limit (Content-Length, and counted as it arrives) -> 413;
4. the API key, when there is one, compared in constant time -> 401.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable
from typing import Any

from ..messages import msg
from . import messages as M
from .config import ServeConfig
from .errors import send_error
from .keys import key_hash, key_matches

ASGIApp = Callable[[dict, Callable[[], Awaitable[dict]], Callable[[dict], Awaitable[None]]], Awaitable[None]]
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}
CORS_METHODS = "GET, POST, OPTIONS"
CORS_HEADERS = "Authorization, Content-Type, OpenAI-Organization, OpenAI-Project, X-Stainless-*"


def host_name(header: str) -> str:
    """The name in a Host header, without port and brackets, lower case."""
    header = header.strip().lower()
    if header.startswith("["):  # [::1]:8080
        end = header.find("]")
        rest = header[end + 1:] if end > 0 else ""
        if end < 0 or (rest and not (rest[0] == ":" and rest[1:].isdigit())):
            return header  # "[::1]evil.com": not a name this server has
        return header[1:end]
    if header.count(":") == 1:
        return header.split(":", 1)[0]
    return header  # a bare IPv6 literal, or a name without port


def allowed_hosts(config: ServeConfig) -> set[str]:
    names = set(LOOPBACK_NAMES) | {h.lower().strip("[]") for h in config.allow_hosts}
    bound = config.host.strip("[]").lower()
    try:
        ip = ipaddress.ip_address(bound)
    except ValueError:
        names.add(bound)  # bound by name: that name
        return names
    if ip.is_unspecified:  # 0.0.0.0 / ::: every address of this machine is "the bound IP"
        names |= _interface_addresses()
    else:
        names.add(str(ip))
    return names


def _interface_addresses() -> set[str]:
    try:
        import psutil

        return {a.address.split("%")[0].lower() for addrs in psutil.net_if_addrs().values() for a in addrs
                if a.family.name in ("AF_INET", "AF_INET6")}
    except Exception:  # no interfaces readable: loopback and --allow-host only
        return set()


class SecurityMiddleware:
    def __init__(self, app: ASGIApp, config: ServeConfig):
        self.app = app
        self.config = config
        self.hosts = allowed_hosts(config)
        self.origins = {o.rstrip("/") for o in config.cors_origins}
        self.key_hash = config.api_key_hash or (key_hash(config.api_key) if config.api_key else None)

    async def __call__(self, scope: dict, receive: Callable[[], Awaitable[dict]],
                       send: Callable[[dict], Awaitable[None]]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw = scope.get("headers", [])
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in raw}
        host = headers.get("host", "")
        several = sum(1 for k, _ in raw if k.lower() == b"host") > 1  # which one would a proxy have read?
        if several or host_name(host) not in self.hosts:
            await send_error(send, 403, msg(M.HOST_REFUSED, host=host[:100]), code="host_not_allowed")
            return
        origin = headers.get("origin", "").rstrip("/")
        cors = origin if origin and origin in self.origins else None
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            await self._preflight(send, cors)
            return
        if cors is not None:
            send = _with_cors(send, cors)
        length = headers.get("content-length")
        limit = self.config.max_body_bytes
        if length is not None and (not length.isdigit() or int(length) > limit):
            await send_error(send, 413, msg(M.BODY_TOO_LARGE, limit=limit), code="body_too_large")
            return
        if self.key_hash is not None:
            auth = headers.get("authorization", "")
            given = auth[7:].strip() if auth[:7].lower() == "bearer " else headers.get("x-api-key")
            if not given:
                await send_error(send, 401, msg(M.KEY_MISSING), code="missing_api_key",
                                 headers={"WWW-Authenticate": "Bearer"})
                return
            if not key_matches(given, self.key_hash):
                await send_error(send, 401, msg(M.KEY_WRONG), code="invalid_api_key",
                                 headers={"WWW-Authenticate": "Bearer"})
                return
        await self.app(scope, _limited(receive, limit), send)

    async def _preflight(self, send: Callable[[dict], Awaitable[None]], origin: str | None) -> None:
        headers = [(b"content-length", b"0"), (b"vary", b"Origin")]
        if origin is not None:  # an unknown origin gets no allow header: the browser refuses
            headers += [(b"access-control-allow-origin", origin.encode()),
                        (b"access-control-allow-methods", CORS_METHODS.encode()),
                        (b"access-control-allow-headers", CORS_HEADERS.encode()),
                        (b"access-control-max-age", b"600")]
        await send({"type": "http.response.start", "status": 204, "headers": headers})
        await send({"type": "http.response.body", "body": b""})


def _with_cors(send: Callable[[dict], Awaitable[None]], origin: str) -> Callable[[dict], Awaitable[None]]:
    async def wrapped(message: dict) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []),
                                              (b"access-control-allow-origin", origin.encode()), (b"vary", b"Origin")]}
        await send(message)
    return wrapped


class BodyTooLarge(Exception):
    pass


def _limited(receive: Callable[[], Awaitable[dict]], limit: int) -> Callable[[], Awaitable[dict]]:
    """A chunked body without Content-Length is counted as it arrives."""
    seen = [0]

    async def wrapped() -> dict[str, Any]:
        message = await receive()
        if message["type"] == "http.request":
            seen[0] += len(message.get("body", b""))
            if seen[0] > limit:
                raise BodyTooLarge()
        return message
    return wrapped
