"""What an endpoint is and can do: its models (``/v1/models``), the server behind it (llama-server's
``/props``, Ollama's ``/api/version``, vLLM's ``owned_by``, LM Studio's ``/api/v0/models``), its
context size, and whether it answers a tool call. ``hearth remote test`` and the Models page show it.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

from ..errors import HearthError
from .endpoints import Endpoint
from .errors import RemoteError, status_error, transport_error
from .http import CONNECT_TIMEOUT_S, make_client

PROBE_TIMEOUT_S = 10.0  # the side probes (/props, /api/version): short, they are optional
_TOOL = {"type": "function", "function": {
    "name": "get_time", "description": "The current time in a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}


@dataclass
class ProbeResult:
    name: str
    url: str
    ok: bool = False
    error: str | None = None  # one sentence when the endpoint could not be used
    server: str = "OpenAI-compatible"  # llama-server, vLLM, Ollama, LM Studio, llama-cpp-python, …
    version: str | None = None
    models: list[dict[str, Any]] = field(default_factory=list)  # {"id", "ref", "n_ctx"}
    n_ctx: int | None = None
    tools: bool | None = None  # a tool call came back; None: not probed or not answerable
    latency_s: float | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _get_json(client: Any, url: str, timeout: float | None = None) -> Any:
    """GET ``url``'s JSON, or None for any failure (the side probes are optional)."""
    try:
        response = client.get(url, timeout=timeout) if timeout else client.get(url)
    except Exception:
        return None
    if response.status_code != 200:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def list_models(client: Any, endpoint: Endpoint) -> list[dict[str, Any]]:
    """``GET /models``: the raw entries. Raises RemoteError (one sentence) when it fails."""
    import httpx2

    try:
        response = client.get(endpoint.url + "/models")
    except (httpx2.TransportError, OSError) as exc:
        raise transport_error(exc, name=endpoint.name, url=endpoint.url, timeout_s=endpoint.timeout_s,
                              connect_timeout_s=CONNECT_TIMEOUT_S, received=False) from exc
    if response.status_code != 200:
        raise status_error(response.status_code, response.content, response.headers, name=endpoint.name,
                           url=endpoint.url, model="", path="/models", has_key=endpoint.has_key)
    try:
        data = response.json()
    except ValueError:
        from ..messages import msg
        from . import messages as M

        raise RemoteError(msg(M.NOT_OPENAI, url=endpoint.url, reason="/models is not JSON")) from None
    entries = data.get("data") if isinstance(data, dict) else None
    if not isinstance(entries, list):  # Ollama's native /api/tags shape is "models"
        entries = data.get("models") if isinstance(data, dict) else None
    return [e for e in entries or [] if isinstance(e, dict) and (e.get("id") or e.get("name"))]


def _entry_ctx(entry: dict[str, Any]) -> int | None:
    for key in ("max_model_len", "max_context_length", "context_length", "n_ctx"):  # vLLM, LM Studio, others
        value = entry.get(key)
        if isinstance(value, int) and value > 0:
            return value
    meta = entry.get("meta")  # llama-server: {"meta": {"n_ctx_train": ...}}
    if isinstance(meta, dict) and isinstance(meta.get("n_ctx_train"), int):
        return None  # the training context, not the server's: /props says the real one
    return None


def model_entries(client: Any, endpoint: Endpoint, wanted: str | None = None) -> dict[str, dict[str, Any]]:
    """Model id -> {"n_ctx": int | None, "owned_by": str}."""
    out = {}
    for entry in list_models(client, endpoint):
        model_id = str(entry.get("id") or entry.get("name"))
        out[model_id] = {"n_ctx": _entry_ctx(entry), "owned_by": str(entry.get("owned_by") or "")}
    return out


def server_context(client: Any, endpoint: Endpoint) -> int | None:
    """llama-server's context per slot, from ``/props`` (None for other servers)."""
    props = _get_json(client, endpoint.root + "/props", PROBE_TIMEOUT_S)
    if not isinstance(props, dict):
        return None
    settings = props.get("default_generation_settings")
    for source in (settings if isinstance(settings, dict) else {}, props):
        value = source.get("n_ctx")
        if isinstance(value, int) and value > 0:
            return value
    return None


def _server_kind(client: Any, endpoint: Endpoint, owners: set[str], result: ProbeResult) -> None:
    props = _get_json(client, endpoint.root + "/props", PROBE_TIMEOUT_S)
    if isinstance(props, dict) and ("default_generation_settings" in props or "build_info" in props):
        result.server, result.version = "llama-server", props.get("build_info")
        return
    version = _get_json(client, endpoint.root + "/api/version", PROBE_TIMEOUT_S)
    if isinstance(version, dict) and version.get("version"):
        result.server, result.version = "Ollama", str(version["version"])
        return
    if "vllm" in owners:
        found = _get_json(client, endpoint.root + "/version", PROBE_TIMEOUT_S)
        result.server = "vLLM"
        result.version = str(found["version"]) if isinstance(found, dict) and found.get("version") else None
        return
    if "hearth" in owners:
        result.server = "Hearth"
        return
    lmstudio = _get_json(client, endpoint.root + "/api/v0/models", PROBE_TIMEOUT_S)
    if isinstance(lmstudio, dict) and isinstance(lmstudio.get("data"), list):
        result.server = "LM Studio"
        return
    if owners == {"me"}:  # llama-cpp-python's server names every model's owner "me"
        result.server = "llama-cpp-python"


def probe_tools(client: Any, endpoint: Endpoint, model: str) -> bool | None:
    """Ask for a tool call: True when one came back, False when the server refused tools (4xx) or the
    model answered in text, None when it could not be asked (a network failure or a 5xx)."""
    body = {"model": model, "max_tokens": 64, "temperature": 0, "tools": [_TOOL], "tool_choice": "auto",
            "messages": [{"role": "user", "content": "What time is it in Paris? Use the get_time tool."}]}
    try:
        response = client.post(endpoint.url + "/chat/completions", json=body)
    except Exception:
        return None
    if 400 <= response.status_code < 500:
        return False
    if response.status_code != 200:
        return None
    try:
        message = response.json()["choices"][0]["message"]
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return bool(message.get("tool_calls") or message.get("function_call"))


def probe(endpoint: Endpoint, key: str | None = None, tools: bool = True) -> ProbeResult:
    """Everything ``hearth remote test`` reports; never raises (a failure is ``error``)."""
    from . import make_ref

    result = ProbeResult(endpoint.name, endpoint.url)
    started = time.monotonic()
    with make_client(endpoint, key) as client:
        try:
            entries = list_models(client, endpoint)
        except HearthError as exc:
            result.error = exc.msg  # a Msg (a str): the window shows it translated
            return result
        result.latency_s = round(time.monotonic() - started, 4)
        owners = {str(e.get("owned_by") or "") for e in entries} - {""}
        _server_kind(client, endpoint, owners, result)
        result.n_ctx = server_context(client, endpoint) if result.server == "llama-server" else None
        for entry in entries:
            model_id = str(entry.get("id") or entry.get("name"))
            result.models.append({"id": model_id, "ref": make_ref(endpoint.name, model_id),
                                  "n_ctx": _entry_ctx(entry) or result.n_ctx})
        if tools and result.models:
            result.tools = probe_tools(client, endpoint, result.models[0]["id"])
        result.ok = True
    return result
