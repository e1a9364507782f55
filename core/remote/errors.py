"""One sentence for each way a remote request fails (see messages.py), from what httpx raised or
the status and body the server answered. Error bodies come in several shapes:

    {"error": {"message": "...", "type": "...", "code": 404}}     OpenAI, llama-server, newer vLLM
    {"object": "error", "message": "...", "code": 404}             vLLM (older releases)
    {"error": "..."}                                               LM Studio, Ollama's native API
    {"detail": "..."}                                              FastAPI servers (llama-cpp-python)
"""

from __future__ import annotations

import json
import ssl
from typing import Any

from ..errors import EngineError
from ..messages import Msg, msg
from . import messages as M
from datetime import UTC


class RemoteError(EngineError):
    """A remote request failed; the endpoint may be asked again. ``status``: the HTTP status, if any;
    ``retry_after_s``: a 429's wait, if the server said."""

    def __init__(self, message: Msg, status: int | None = None, retry_after_s: float | None = None):
        super().__init__(message)
        self.status = status
        self.retry_after_s = retry_after_s


def body_detail(body: bytes | str | None) -> str:
    """The server's own words about an error, from any of the shapes above (or its first line)."""
    if not body:
        return ""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    try:
        data = json.loads(text)
    except ValueError:
        return text.strip().splitlines()[0][:300] if text.strip() else ""
    return _detail_of(data)[:300]


def _detail_of(data: Any) -> str:
    if isinstance(data, str):
        return data
    if isinstance(data, dict):
        for key in ("error", "message", "detail"):
            if key in data and data[key]:
                return _detail_of(data[key])
    if isinstance(data, list) and data:  # FastAPI validation errors: a list of {"msg": ...}
        first = data[0]
        return str(first.get("msg", first)) if isinstance(first, dict) else str(first)
    return ""


def retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (a number of seconds, or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime
    from datetime import datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def status_error(status: int, body: bytes | str | None, headers: Any, *, name: str, url: str, model: str,
                 path: str, has_key: bool) -> RemoteError:
    """The sentence for an HTTP error status of ``path`` (e.g. "/chat/completions")."""
    detail = body_detail(body)
    if status == 401:
        return RemoteError(msg(M.KEY_REFUSED if has_key else M.NEEDS_KEY, name=name), status)
    if status == 403:
        return RemoteError(msg(M.FORBIDDEN, name=name, model=model), status)
    if status == 404:
        if "model" in detail.lower() and path != "/models":
            return RemoteError(msg(M.NO_MODEL, name=name, model=model), status)
        return RemoteError(msg(M.NO_API, url=url, path=path), status)
    if status == 429:
        wait = retry_after(headers.get("retry-after") if headers is not None else None)
        if wait is None:
            return RemoteError(msg(M.RATE_LIMITED_NO_WAIT, name=name), status)
        return RemoteError(msg(M.RATE_LIMITED, name=name, seconds=f"{wait:.0f}"), status, wait)
    detail_msg = detail or msg(M.NO_DETAIL)
    if 400 <= status < 500:
        return RemoteError(msg(M.REQUEST_REFUSED, name=name, status=status, detail=detail_msg), status)
    return RemoteError(msg(M.SERVER_FAILED, name=name, status=status, detail=detail_msg), status)


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def transport_error(exc: BaseException, *, name: str, url: str, timeout_s: float, connect_timeout_s: float,
                    received: bool) -> RemoteError:
    """The sentence for what httpx raised; ``received``: some of the answer had arrived."""
    import httpx2

    chain = _chain(exc)
    if any(isinstance(e, ssl.SSLCertVerificationError) for e in chain) or "CERTIFICATE_VERIFY_FAILED" in str(exc):
        cert = next((e for e in chain if isinstance(e, ssl.SSLCertVerificationError)), None)
        reason = (cert.verify_message if cert is not None and cert.verify_message else str(exc)) or type(exc).__name__
        return RemoteError(msg(M.TLS_FAILED, url=url, reason=reason))
    if any(isinstance(e, ssl.SSLError) for e in chain):
        return RemoteError(msg(M.TLS_FAILED, url=url, reason=str(exc) or type(exc).__name__))
    if isinstance(exc, httpx2.ConnectTimeout):
        return RemoteError(msg(M.CONNECT_TIMEOUT, url=url, seconds=connect_timeout_s))
    if isinstance(exc, httpx2.ConnectError):
        if any(isinstance(e, ConnectionRefusedError) for e in chain) or "refused" in str(exc).lower():
            return RemoteError(msg(M.CONNECT_REFUSED, url=url))
        return RemoteError(msg(M.UNREACHABLE, url=url, reason=str(exc) or type(exc).__name__))
    if isinstance(exc, (httpx2.ReadTimeout, httpx2.WriteTimeout, httpx2.PoolTimeout)):
        return RemoteError(msg(M.STALLED if received else M.READ_TIMEOUT, name=name, seconds=timeout_s))
    if isinstance(exc, (httpx2.RemoteProtocolError, httpx2.ReadError, httpx2.WriteError)):
        return RemoteError(msg(M.DIED_MID_ANSWER if received else M.DIED_BEFORE_ANSWER, name=name))
    return RemoteError(msg(M.UNREACHABLE, url=url, reason=str(exc) or type(exc).__name__))
