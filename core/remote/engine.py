"""``RemoteEngine``: a model on an OpenAI-compatible server, with the calls of the local ``Engine``
that a chat session (and the server) use: ``load``, ``chat``, ``complete``, ``cancel``,
``count_prompt``, ``model``, ``alive``, ``close``.

An answer is one streamed ``POST /chat/completions`` (server-sent events). Text comes from
``delta.content``; reasoning from ``delta.reasoning_content`` (llama-server, older vLLM, LM Studio,
DeepSeek) or ``delta.reasoning`` (newer vLLM, Ollama, OpenRouter) is passed on wrapped in
``<think>…</think>``, the markers core/chat/reasoning.py splits like a local model's; a model that
writes ``<think>`` in its text needs nothing. Token counts come from ``usage`` (asked with
``stream_options.include_usage``), else llama-server's ``timings``, else the pieces counted.

Stop (``cancel()`` from any thread, or ``on_token`` returning False) shuts the socket down: the
server sees the connection close and stops generating. Every failure is a ``RemoteError`` with
its own sentence (errors.py); a stream that breaks after some text leaves that text with the
caller (the session keeps it as an interrupted answer).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..engine.client import Answer, ModelInfo
from ..engine.protocol import AnswerStats, GenerationParams, LoadParams, PromptCount
from ..messages import msg
from . import messages as M
from . import parse_ref
from .endpoints import Endpoint, EndpointError, get_endpoint
from .errors import RemoteError, status_error, transport_error
from .http import CONNECT_TIMEOUT_S, make_client

OPEN_THINK, CLOSE_THINK = "<think>", "</think>"  # core/chat/reasoning.py's first MARKERS pair
_FINISH = {"stop": "eos", "length": "length", "tool_calls": "eos", "function_call": "eos", "eos": "eos"}
# Sampling fields beyond OpenAI's own, understood by llama-server, vLLM, Ollama and LM Studio (the
# official OpenAI API refuses unknown fields, so they are left out for it).
_EXTRA_SAMPLING = ("top_k", "min_p", "repeat_penalty")


@dataclass
class RemoteModelInfo(ModelInfo):
    """``path`` is the ``remote:NAME/MODEL`` reference (a str, not a file)."""

    remote: bool = True


def display_name(model: str) -> str:
    """A model id as shown: llama-cpp-python's server names a model by its file path."""
    return Path(model).name if "/" in model and model.endswith(".gguf") else model


class _Active:
    """One request in flight: its cancel flag and the socket to shut down on Stop."""

    def __init__(self) -> None:
        self.cancelled = threading.Event()
        self.sock: socket.socket | None = None

    def stop(self) -> None:
        self.cancelled.set()
        sock = self.sock
        if sock is not None:
            try:  # wakes a read blocked in another thread (close() alone would not on Linux)
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class RemoteEngine:
    """A model on an endpoint. ``endpoint``/``key`` given: used as they are (the server, benchmarks);
    otherwise ``load("remote:NAME/MODEL")`` finds the endpoint in the settings and its key in the
    secret store. Thread use: like ``Engine`` — calls block; ``cancel()`` from any thread; several
    answers may run at once on different threads (``cancel()`` stops them all)."""

    def __init__(self, endpoint: Endpoint | None = None, key: str | None = None, settings: Any = None,
                 connect_timeout_s: float = CONNECT_TIMEOUT_S):
        self._endpoint, self._key, self._settings = endpoint, key, settings
        self._connect_timeout_s = connect_timeout_s
        self._client: Any = None
        self._active: set[_Active] = set()
        self._lock = threading.Lock()
        self._closed = False
        self.model: RemoteModelInfo | None = None
        self.model_id: str | None = None
        self.live_usage: int | None = None
        self.stream_interval_ms = 0.0  # every piece is passed on as it comes

    # -- the Engine interface a session uses ----------------------------------------------------

    @property
    def alive(self) -> bool:
        return not self._closed

    @property
    def pid(self) -> int | None:
        return None  # no process of ours

    @property
    def stderr_tail(self) -> list[str]:
        return []

    @property
    def endpoint(self) -> Endpoint | None:
        return self._endpoint

    def start(self) -> RemoteEngine:
        return self

    def close(self, timeout: float = 5.0) -> None:
        self.cancel()
        self._closed = True
        if self._client is not None:
            self._client.close()
            self._client = None
        self.model = None

    def __enter__(self) -> RemoteEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def cancel(self) -> None:
        with self._lock:
            active = list(self._active)
        for request in active:
            request.stop()

    def count_prompt(self, messages: Iterable[Mapping[str, Any]], params: GenerationParams | None = None,
                     template: str | None = None, timeout: float = 2.0) -> PromptCount | None:
        """None: the server's template and tokenizer are not ours to count with (the context meter
        shows the last answer's ``usage`` instead)."""
        return None

    def load(self, params: LoadParams | str, on_progress: Callable[[float], None] | None = None) -> RemoteModelInfo:
        """Check that the endpoint answers and offers the model; nothing is loaded anywhere."""
        ref = params.path if isinstance(params, LoadParams) else str(params)
        n_ctx_wanted = params.n_ctx if isinstance(params, LoadParams) else 0
        parsed = parse_ref(ref)
        if parsed is None:
            raise EndpointError(msg(M.BAD_REF, ref=ref))
        name, model = parsed
        started = time.monotonic()
        if self._endpoint is None or self._endpoint.name != name:
            settings = self._settings
            if settings is None:
                from ..settings import load_settings

                settings = load_settings()
            self._endpoint = get_endpoint(settings, name)
            self._key = self._endpoint.key()
            with self._lock:
                if self._client is not None:  # made for another endpoint (its URL, key, CA)
                    self._client.close()
                    self._client = None
        client = self._http()
        from .probe import model_entries, server_context

        entries = model_entries(client, self._endpoint, model)
        if model not in entries:
            raise RemoteError(msg(M.NO_MODEL, name=name, model=model), 404)
        n_ctx = entries[model].get("n_ctx") or server_context(client, self._endpoint) or n_ctx_wanted or 4096
        if on_progress is not None:
            on_progress(1.0)
        self.model_id = model
        self.model = RemoteModelInfo(
            path=ref, name=display_name(model), architecture="remote", quantization=name,  # type: ignore[arg-type]
            n_ctx=int(n_ctx), n_ctx_train=int(n_ctx), n_params=0, size_bytes=0, n_layers=0, n_gpu_layers=0,
            has_chat_template=True, load_s=time.monotonic() - started,
            raw={"remote": True, "endpoint": name, "url": self._endpoint.url, "model": model},
        )
        return self.model

    def chat(self, messages: Iterable[Mapping[str, Any]], params: GenerationParams | None = None,
             on_token: Callable[[str], bool | None] | None = None, template: str | None = None,
             continue_answer: bool = False) -> Answer:
        """Answer ``messages`` (the server applies its own chat template; ``template`` is not used).
        ``continue_answer``: the last message is an unfinished answer to go on from; servers that
        support it (llama-server, vLLM) continue it, others answer it anew."""
        body: dict[str, Any] = {"messages": [dict(m) for m in messages]}
        if continue_answer:
            body["continue_final_message"] = True  # vLLM; llama-server continues a final assistant turn itself
            body["add_generation_prompt"] = False
        return self._stream("/chat/completions", body, params, on_token)

    def complete(self, prompt: str, params: GenerationParams | None = None,
                 on_token: Callable[[str], bool | None] | None = None) -> Answer:
        """Continue raw text (``POST /completions``), with no chat template."""
        return self._stream("/completions", {"prompt": prompt}, params, on_token)

    # -- inside ------------------------------------------------------------------------------------

    def _http(self) -> Any:
        with self._lock:  # one client (one connection pool) however many threads ask at once
            if self._client is None:
                assert self._endpoint is not None
                self._client = make_client(self._endpoint, self._key, self._connect_timeout_s)
            return self._client

    def _body(self, body: dict[str, Any], params: GenerationParams) -> dict[str, Any]:
        assert self._endpoint is not None
        out = {"model": self.model_id, **body, "stream": True, "stream_options": {"include_usage": True},
               "max_tokens": params.max_tokens, "temperature": params.temperature, "top_p": params.top_p}
        if "api.openai.com" not in self._endpoint.url:
            out.update({k: getattr(params, k) for k in _EXTRA_SAMPLING})
        if params.seed is not None:
            out["seed"] = params.seed
        if params.stop:
            out["stop"] = list(params.stop)
        if params.grammar:
            out["grammar"] = params.grammar  # llama-server's GBNF field
        return out

    def _stream(self, path: str, body: dict[str, Any], params: GenerationParams | None,
                on_token: Callable[[str], bool | None] | None) -> Answer:
        if self.model is None or self._endpoint is None:
            from .. import messages as CM
            from ..errors import EngineError

            raise EngineError(CM.NO_MODEL_LOADED)
        endpoint = self._endpoint
        request = _Active()
        with self._lock:
            self._active.add(request)
        reader = _StreamReader(on_token, request)
        started = time.monotonic()
        try:
            with self._http().stream("POST", endpoint.url + path, json=self._body(body, params or GenerationParams())) as response:
                if response.status_code != 200:
                    raise status_error(response.status_code, response.read(), response.headers, name=endpoint.name,
                                       url=endpoint.url, model=self.model_id or "", path=path,
                                       has_key=bool(self._key))
                stream = response.extensions.get("network_stream")
                request.sock = stream.get_extra_info("socket") if stream is not None else None
                if request.cancelled.is_set():  # Stop came before the answer began
                    return reader.answer(started, str(self.model.path), cancelled=True)
                reader.read(response.iter_lines(), endpoint.name)
        except RemoteError:
            raise
        except Exception as exc:
            import httpx2

            if request.cancelled.is_set() and isinstance(exc, (httpx2.TransportError, OSError)):
                pass  # the socket was shut down by Stop: a cancelled answer, not a failure
            elif isinstance(exc, (httpx2.TransportError, OSError)):
                raise transport_error(exc, name=endpoint.name, url=endpoint.url, timeout_s=endpoint.timeout_s,
                                      connect_timeout_s=self._connect_timeout_s, received=reader.received) from exc
            else:
                raise
        finally:
            with self._lock:
                self._active.discard(request)
        if not request.cancelled.is_set() and not reader.finished:
            # The stream ended without a finish_reason or [DONE]: the server went away mid-answer.
            raise RemoteError(msg(M.DIED_MID_ANSWER if reader.received else M.DIED_BEFORE_ANSWER, name=endpoint.name))
        self.live_usage = reader.prompt_tokens + reader.completion_tokens() if reader.prompt_tokens else None
        return reader.answer(started, str(self.model.path), cancelled=request.cancelled.is_set())


class _StreamReader:
    """Reads the SSE lines of one answer: passes text on, keeps the counts and the finish reason."""

    def __init__(self, on_token: Callable[[str], bool | None] | None, request: _Active):
        self.on_token, self.request = on_token, request
        self.pieces: list[str] = []
        self.count = 0  # pieces of text received (a token each on llama-server, vLLM, Ollama)
        self.first_at: float | None = None
        self.last_at: float | None = None
        self.finish: str | None = None
        self.finished = False
        self.usage: dict[str, Any] = {}
        self.timings: dict[str, Any] = {}
        self.prompt_tokens = 0
        self.thinking = False

    @property
    def received(self) -> bool:
        return self.count > 0

    def _emit(self, text: str) -> None:
        now = time.monotonic()
        if self.first_at is None:
            self.first_at = now
        self.last_at = now
        self.count += 1
        self.pieces.append(text)
        if self.on_token is not None and self.on_token(text) is False:
            self.request.stop()

    def read(self, lines: Iterable[str], name: str) -> None:
        cancelled = self.request.cancelled
        for line in lines:
            if cancelled.is_set():
                return
            if not line.startswith("data:"):
                continue  # blank separators, ": keep-alive" comments, "event:" names
            data = line[5:].strip()
            if data == "[DONE]":
                self.finished = True
                break
            try:
                chunk = json.loads(data)
            except ValueError:
                continue
            if not isinstance(chunk, dict):
                continue
            if "error" in chunk:  # an error reported inside the stream (vLLM, llama-server)
                from .errors import body_detail

                raise RemoteError(msg(M.STREAM_ERROR, name=name, detail=body_detail(data) or msg(M.NO_DETAIL)))
            self._chunk(chunk)
        if self.thinking and self.finish is not None:  # an answer of reasoning only: close it
            self.pieces.append(CLOSE_THINK)
            if self.on_token is not None:
                self.on_token(CLOSE_THINK)

    def _chunk(self, chunk: dict[str, Any]) -> None:
        if chunk.get("usage"):
            self.usage = chunk["usage"]
        if chunk.get("timings"):
            self.timings = chunk["timings"]
        for choice in chunk.get("choices") or ():
            delta = choice.get("delta")
            if delta is None:  # /completions: {"text": ...}
                text = choice.get("text")
                if text:
                    self._emit(text)
            else:
                reasoning = delta.get("reasoning_content") or delta.get("reasoning")
                if reasoning:
                    self._emit(reasoning if self.thinking else OPEN_THINK + reasoning)
                    self.thinking = True
                content = delta.get("content")
                if content:
                    self._emit(CLOSE_THINK + content if self.thinking else content)
                    self.thinking = False
            if choice.get("finish_reason"):
                self.finish = choice["finish_reason"]
                self.finished = True  # some servers end with the reason and no [DONE]

    def completion_tokens(self) -> int:
        return int(self.usage.get("completion_tokens") or self.timings.get("predicted_n") or self.count)

    def answer(self, started: float, model: str, cancelled: bool) -> Answer:
        now = time.monotonic()
        completion = self.completion_tokens()
        prompt = int(self.usage.get("prompt_tokens") or 0)
        cached = (self.usage.get("prompt_tokens_details") or {}).get("cached_tokens") or 0
        self.prompt_tokens = prompt
        span = (self.last_at - self.first_at) if self.first_at is not None and self.last_at is not None else 0.0
        stats = AnswerStats(
            prompt_tokens=prompt, evaluated_tokens=max(0, prompt - int(cached)) if prompt else
            int(self.timings.get("prompt_n") or 0), completion_tokens=completion,
            ttft_s=(self.first_at - started) if self.first_at is not None else 0.0,
            tokens_per_s=(completion - 1) / span if span > 0 and completion > 1 else 0.0,
            total_s=now - started,
            stop_reason="cancelled" if cancelled else _FINISH.get(self.finish or "stop", "eos"))
        return Answer("".join(self.pieces), stats, model)


def remote_engine_for(params: LoadParams, settings: Any = None) -> RemoteEngine | None:
    """A new RemoteEngine for a ``remote:NAME/MODEL`` load, None for a local file (the keeper's
    ``make_for``)."""
    from . import is_remote

    return RemoteEngine(settings=settings) if is_remote(params.path) else None
