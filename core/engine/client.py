"""The parent's handle on an engine process.

``Engine`` starts ``python -m hearthlm.core.engine.worker``, sends it commands and turns its events
into return values and callbacks. Calls block the calling thread (the GUI calls them from a worker
thread). Several threads may call ``chat()``/``complete()`` at once: the engine decodes their
answers together (continuous batching, batching.py) and each call streams its own. The child's
reader thread routes every event by request id straight to the queue of the call that waits for it
(one dict look-up: nothing else sits on the path of a token). ``cancel()`` may be called from any
thread, for one request (``cancel(request_id)``; ids from ``new_request_id()``) or for all. If the
process dies, EVERY call in progress raises ``EngineCrashed`` naming the cause, and a new ``Engine``
can be started at once. Nothing the caller holds (messages, the conversation) lives in the engine,
so nothing is lost.
"""

from __future__ import annotations

import itertools
import os
import queue
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from collections.abc import Callable, Iterable, Mapping

from .. import messages as M
from ..errors import EngineBusy, EngineCrashed, EngineError, ModelFileError
from ..lora import messages as LM
from ..messages import Msg, msg
from ..child.crash import describe_exit
from ..child.calls import Calls
from ..child.process import STDERR_TAIL_LINES, ChildGone, ChildNotReady, ChildProcess
from ..modelfile import read_gguf
from .protocol import AnswerStats, GenerationParams, LoadParams, PromptCount

START_TIMEOUT_S = 60.0
# The engine sends answer text at most this often (the first piece at once). Fewer messages mean
# fewer wake-ups of this process while llama.cpp's threads need every core; a window repaints at
# ~30 Hz anyway. 0 sends every token as its own message.
STREAM_INTERVAL_MS = 25.0


@dataclass
class ModelInfo:
    path: Path
    name: str
    architecture: str
    quantization: str
    n_ctx: int
    n_ctx_train: int
    n_params: int
    size_bytes: int
    n_layers: int
    n_gpu_layers: int
    has_chat_template: bool
    load_s: float
    n_parallel: int = 1  # sequences decoded together; n_ctx is each one's
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass
class Answer:
    text: str
    stats: AnswerStats
    model: str
    note: Msg | None = None  # e.g. which template fallback was used
    # With GenerationParams.top_logprobs > 0: one OpenAI-shaped entry per answer token,
    # {"token", "logprob", "bytes", "top_logprobs": [{"token", "logprob", "bytes"}, ...]}.
    logprobs: list[dict[str, Any]] | None = None

    @property
    def cancelled(self) -> bool:
        return self.stats.stop_reason == "cancelled"


def _warm_request(messages: Iterable[Mapping[str, Any]], params: GenerationParams | None,
                  template: str | None) -> dict[str, Any]:
    """The ``warm`` part of an "adapters" or "warm" command (core/engine/protocol.py)."""
    return {"messages": [dict(m) for m in messages], "template": template,
            "params": (params or GenerationParams()).__dict__}


# Events that belong to one request, routed to its caller on the reader thread.
_ROUTED = ("progress", "loaded", "prompt", "token", "done", "error", "adapters", "warmed")


class Engine:
    """One engine process. Use as a context manager or call ``close()``."""

    def __init__(self, env: Mapping[str, str] | None = None, log_path: Path | None = None,
                 stream_interval_ms: float = STREAM_INTERVAL_MS):
        self._env = dict(os.environ if env is None else env)
        self._log_path = log_path
        self.stream_interval_ms = stream_interval_ms
        self._child: ChildProcess | None = None
        self._link = Calls()
        self._load_lock = threading.Lock()
        self._ids = itertools.count(1)
        self._current_id = -1  # the last request sent
        self._has_decoded = False
        self._counts: dict[int, list[Any]] = {}  # count id -> [threading.Event, reply]
        self._count_ids = itertools.count(1)
        self.model: ModelInfo | None = None
        self.adapters: list[dict[str, Any]] = []  # LoRA adapters applied: {"path", "scale"}
        self._checked: list[dict[str, Any]] = []  # the adapters last checked against the model
        self._header: Any = None  # the loaded model's GGUF header (adapters are checked against it)
        self._usage = threading.local()  # live_usage, per calling thread
        self.last_warmup: dict[str, Any] | None = None  # set_adapters(wait_warm=True): the "warmed" event

    @property
    def live_usage(self) -> int | None:
        """Prompt + answer tokens of the answer the calling thread is receiving (the window's context
        meter reads it in on_token). Per thread: other clients of the same engine have their own."""
        return getattr(self._usage, "value", None)

    @live_usage.setter
    def live_usage(self, value: int | None) -> None:
        self._usage.value = value

    # -- process -------------------------------------------------------------------------

    def start(self) -> Engine:
        if self.alive:
            return self
        link = Calls()
        divert: dict[str, Callable[[dict[str, Any]], None]] = {kind: link.route for kind in _ROUTED}
        divert["count"] = self._counted  # answers count_prompt()
        divert["inspected"] = self._counted  # answers inspect_prompt()
        self._child = ChildProcess("hearthlm.core.engine.worker", env=self._env, name="engine",
                                   stderr_lines=STDERR_TAIL_LINES, log_path=self._log_path, divert=divert)
        self._link = link
        try:
            self._child.start(ready_timeout=START_TIMEOUT_S)
        except ChildNotReady:  # it has been killed
            raise EngineError(M.ENGINE_TIMEOUT, seconds=START_TIMEOUT_S, activity=msg(M.ACT_STARTING)) from None
        except ChildGone:
            raise self._crashed(msg(M.ACT_STARTING)) from None
        threading.Thread(target=link.watch, args=(self._child.events,), daemon=True, name="engine-watch").start()
        return self

    @property
    def alive(self) -> bool:
        return self._child is not None and self._child.alive

    @property
    def pid(self) -> int | None:
        return self._child.pid if self._child is not None else None

    @property
    def stderr_tail(self) -> list[str]:
        return self._child.stderr_tail if self._child is not None else []

    def close(self, timeout: float = 5.0) -> None:
        if self._child is not None:
            self._child.close(timeout, quit={"cmd": "quit"})
        self.model = None
        self.adapters = []

    def __enter__(self) -> Engine:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _counted(self, event: dict[str, Any]) -> None:
        slot = self._counts.get(event.get("cid"))  # type: ignore[arg-type]
        if slot is not None:
            slot[1] = event
            slot[0].set()

    def _send(self, message: dict[str, Any]) -> None:
        if self._child is None:
            raise EngineError(M.ENGINE_NOT_RUNNING)
        self._child.send(message)

    def _crashed(self, activity: Msg, first_decode: bool = False) -> EngineCrashed:
        returncode = self._child.reap(timeout=10) if self._child is not None else None
        tail = self.stderr_tail
        self.model = None
        self.adapters, self._checked = [], []
        return EngineCrashed(describe_exit(returncode, activity, first_decode), returncode, tail, self._log_path)

    def new_request_id(self) -> int:
        """An id for a request not sent yet: pass it as ``request_id`` to chat()/complete() to be able
        to ``cancel(request_id)`` it from another thread (even before it starts)."""
        return next(self._ids)

    def _open(self, message: dict[str, Any], activity: Msg,
              req: int | None = None) -> tuple[int, queue.SimpleQueue[dict[str, Any] | None]]:
        """Send a request; its id and the queue its events arrive on (``close`` it when done)."""
        if not self.alive:
            if self._child is not None:  # it ran and died between requests: say how, as for any crash
                raise self._crashed(msg(M.ACT_IDLE))
            raise EngineError(M.ENGINE_NOT_RUNNING)
        assert self._child is not None
        req = next(self._ids) if req is None else req
        link = self._link
        waiting = link.open(req)
        if waiting is None:
            raise self._crashed(msg(M.ACT_IDLE))
        try:
            self._child.send({**message, "id": req})
        except OSError:  # a broken pipe: it had died before the request reached it (the check
            link.close(req)  # above can race its last threads' exit)
            raise self._crashed(msg(M.ACT_IDLE)) from None
        self._current_id = req
        return req, waiting

    def cancel(self, request_id: int | None = None) -> None:
        """Stop one request (a load or an answer), or with no id every request in progress. Safe from
        any thread; the answer ends with stop_reason "cancelled" and its sequence is free at once."""
        child = self._child
        if child is None or not child.alive:
            return
        ids = [request_id] if request_id is not None else list(self._link.calls)
        for req in ids:
            child.cancel(req)

    # -- requests ------------------------------------------------------------------------

    def load(self, params: LoadParams | str | os.PathLike[str],
             on_progress: Callable[[float], None] | None = None) -> ModelInfo:
        """Check the file, then load it in the engine (starting it if needed). Blocks until loaded.

        Raises ModelFileError for a bad file (before llama.cpp sees it), EngineError when llama.cpp
        refuses it, EngineCrashed when the process dies while loading.
        """
        if not isinstance(params, LoadParams):
            params = LoadParams(path=str(params))
        header = read_gguf(params.path)
        if header.metadata.get("general.type") == "adapter":
            raise ModelFileError(LM.ADAPTER_NOT_MODEL, name=header.path.name)
        params.path = str(Path(params.path).expanduser().resolve())
        if not self.alive:
            self.start()
        activity = msg(M.ACT_LOADING, name=header.path.name)
        with self._load_lock:
            req, waiting = self._open({"cmd": "load", "params": params.__dict__}, activity)
            try:
                while True:
                    event = waiting.get()
                    if event is None:
                        raise self._crashed(activity)
                    kind = event.get("ev")
                    if kind in ("loaded", "error"):
                        break
                    if kind == "progress" and on_progress is not None:
                        on_progress(event["value"])
            finally:
                self._link.close(req)
        if event["ev"] == "error":
            raise _error_from(event)
        info = event["info"]
        self._header, self.adapters, self._checked = header, [], []  # a new model starts without adapters
        self.model = ModelInfo(
            path=Path(info["path"]), name=header.name, architecture=header.architecture,
            quantization=header.quantization, n_ctx=info["n_ctx"], n_ctx_train=info["n_ctx_train"],
            n_params=info["n_params"], size_bytes=info["size_bytes"], n_layers=info["n_layers"],
            n_gpu_layers=info["n_gpu_layers"], has_chat_template=bool(info["chat_template"]),
            load_s=info["load_s"], n_parallel=int(info.get("n_parallel", 1)), raw=info,
        )
        return self.model

    def set_adapters(self, adapters: Iterable[Mapping[str, Any]], *,
                     warm: Iterable[Mapping[str, Any]] | None = None, params: GenerationParams | None = None,
                     template: str | None = None, wait_warm: bool = False) -> list[dict[str, Any]]:
        """Apply LoRA adapters (``{"path", "scale"}``, scale 0..2) to the loaded model's live
        context, without reloading it; an empty list detaches them. Each file is checked against
        the model's header here first (one sentence: AdapterError / ModelFileError); llama.cpp then
        loads it in the engine. KV cached under other adapters is never reused. Adapters apply to
        the whole context: with answers in progress (other threads' chats) the change waits until
        they end, so none of them sees its adapters change.

        ``warm``: the open conversation's messages, none for a new one (with ``params`` and
        ``template`` as its next ``chat`` will pass them): the engine then evaluates their prompt,
        up to where the next question's text will begin, under the new adapters in the
        background while the user types, and the next question evaluates only itself. Any
        request sent meanwhile goes first. Returns once the adapters are applied; with
        ``wait_warm``, once the warm-up has also ended (``self.last_warmup`` says how it went)."""
        specs = self._check_adapters(adapters)
        self.last_warmup = None
        if specs == self.adapters:  # their cache stands: nothing to warm
            return self.adapters
        activity = msg(M.ACT_GENERATING)
        command: dict[str, Any] = {"cmd": "adapters", "adapters": specs}
        if warm is not None:
            command["warm"] = _warm_request(warm, params, template)
        req, waiting = self._open(command, activity)
        applied = False
        try:
            while True:
                event = waiting.get()
                if event is None:
                    raise self._crashed(activity)
                kind = event.get("ev")
                if kind == "error":
                    break
                if kind == "adapters":
                    applied = True
                    self.adapters = specs
                    if not (wait_warm and "warm" in command):
                        break
                elif kind == "warmed":
                    self.last_warmup = event
                    break
        finally:
            self._link.close(req)
        if not applied:
            raise _error_from(event)
        return specs

    def warm(self, messages: Iterable[Mapping[str, Any]], params: GenerationParams | None = None,
             template: str | None = None, adapters: Iterable[Mapping[str, Any]] | None = None,
             wait: bool = False) -> dict[str, Any] | None:
        """Evaluate a conversation's prompt up to where its next question's text will begin, in the
        background, as a change of adapters does (``set_adapters(warm=…)``): for a conversation just
        opened or a model just loaded, so that the first question evaluates only itself. Under
        ``adapters`` (None: those in use; others are applied first, as its next answer would).
        Left out while answers are in progress. Returns at once; with ``wait``, the ``warmed`` event
        once it has ended (also kept in ``self.last_warmup``)."""
        if adapters is not None:
            specs = self._check_adapters(adapters)
            if specs != self.adapters:
                self.set_adapters(specs, warm=messages, params=params, template=template, wait_warm=wait)
                return self.last_warmup
        self.last_warmup = None
        req, waiting = self._open({"cmd": "warm", "warm": _warm_request(messages, params, template)}, msg(M.ACT_IDLE))
        try:
            while wait:
                event = waiting.get()
                if event is None:
                    raise self._crashed(msg(M.ACT_IDLE))
                if event.get("ev") in ("warmed", "error"):
                    self.last_warmup = event
                    break
        finally:
            self._link.close(req)
        return self.last_warmup

    def _check_adapters(self, adapters: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """``adapters`` with resolved paths and checked scales, each file checked against the loaded
        model (one sentence: AdapterError / ModelFileError); the same list as last time (every
        answer asks) reads no file again."""
        from ..lora.info import adapter_info, check_fits, check_scale

        if self.model is None or self._header is None:
            raise EngineError(M.NO_MODEL_LOADED)
        adapters = list(adapters)
        try:
            resolved = [{"path": str(Path(a["path"]).expanduser().resolve()), "scale": float(a.get("scale", 1.0))}
                        for a in adapters]
        except (TypeError, ValueError, KeyError):
            resolved = None
        if resolved is not None and resolved in (self.adapters, self._checked):
            return resolved
        specs = []
        for spec in adapters:
            info = adapter_info(spec["path"])
            check_fits(info, self._header)
            specs.append({"path": str(info.path.expanduser().resolve()),
                          "scale": check_scale(info.name, spec.get("scale", 1.0))})
        self._checked = specs
        return specs

    def inspect_prompt(self, messages: Iterable[Mapping[str, Any]], params: GenerationParams | None = None,
                       template: str | None = None, adapters: Iterable[Mapping[str, Any]] | None = None,
                       timeout: float = 10.0) -> dict[str, Any] | None:
        """The exact prompt ``chat(messages)`` would evaluate now (core/engine/inspect.py): text,
        token pieces, count, and how many tokens the KV cache holds already (none when
        ``adapters`` differ from those applied). Safe from any thread; None when no model is
        loaded or the engine does not answer in time."""
        payload: dict[str, Any] = {"cmd": "inspect", "messages": [dict(m) for m in messages],
                                   "template": template, "params": (params or GenerationParams()).__dict__}
        if adapters is not None:
            payload["adapters"] = [{"path": str(Path(a["path"]).expanduser().resolve()), "scale": float(a.get("scale", 1.0))}
                                   for a in adapters]
        reply = self._side_request(payload, timeout)
        return reply.get("prompt") if reply is not None else None

    def _side_request(self, payload: dict[str, Any], timeout: float) -> dict[str, Any] | None:
        """A question the engine answers on its reader thread, beside any answer in progress
        (``count``, ``inspect``): its reply, or None when no model is loaded, the engine is not
        running, or it does not answer within ``timeout``."""
        if self.model is None or not self.alive:
            return None
        cid = next(self._count_ids)
        slot: list[Any] = [threading.Event(), None]
        self._counts[cid] = slot
        try:
            self._send({**payload, "cid": cid})
            if not slot[0].wait(timeout):
                return None
        except (OSError, EngineError):
            return None
        finally:
            self._counts.pop(cid, None)
        return slot[1]

    def chat(self, messages: Iterable[Mapping[str, Any]], params: GenerationParams | None = None,
             on_token: Callable[[str], bool | None] | None = None, template: str | None = None,
             continue_answer: bool = False, adapters: Iterable[Mapping[str, Any]] | None = None, *,
             on_logprobs: Callable[[list[dict[str, Any]]], None] | None = None,
             request_id: int | None = None) -> Answer:
        """Answer a conversation. ``on_token(text)`` sees the text as it comes (a token or a few,
        see ``stream_interval_ms``); returning False cancels. With ``continue_answer`` the last
        message is an unfinished assistant answer: the model goes on from its end (the answer's
        text is the new text only). With ``params.top_logprobs`` > 0, ``on_logprobs(entries)`` gets
        the entries of the text just passed to ``on_token`` (see ``Answer.logprobs``). ``adapters``
        (not None): the LoRA adapters this answer uses, checked here and sent with the request,
        which the engine applies first when they differ from those in use (waiting for the
        answers in progress under other adapters to end: see ``set_adapters``).

        May be called from several threads at once. Raises EngineBusy when every sequence is busy
        and the engine's queue is full (nothing was started)."""
        payload: dict[str, Any] = {"messages": [dict(m) for m in messages], "template": template}
        if continue_answer:
            payload["continue"] = True
        if adapters is not None:
            payload["adapters"] = self._check_adapters(adapters)
        return self._generate(payload, params, on_token, on_logprobs, request_id)

    def count_prompt(self, messages: Iterable[Mapping[str, Any]], params: GenerationParams | None = None,
                     template: str | None = None, timeout: float = 2.0) -> PromptCount | None:
        """How many tokens ``messages`` would take as a prompt with the loaded model. Safe from any
        thread and answered even while an answer streams. None when no model is loaded (or one is
        loading), the engine is not running, or it does not answer within ``timeout``."""
        reply = self._side_request({"cmd": "count", "messages": [dict(m) for m in messages], "template": template,
                                    "params": (params or GenerationParams()).__dict__}, timeout)
        if reply is None or reply.get("tokens") is None:
            return None
        return PromptCount(int(reply["tokens"]), int(reply["n_ctx"]), int(reply["limit"]), bool(reply.get("too_long")))

    def complete(self, prompt: str, params: GenerationParams | None = None,
                 on_token: Callable[[str], bool | None] | None = None, *,
                 on_logprobs: Callable[[list[dict[str, Any]]], None] | None = None,
                 request_id: int | None = None) -> Answer:
        """Continue raw text, with no chat template (otherwise as ``chat``)."""
        return self._generate({"prompt": prompt}, params, on_token, on_logprobs, request_id)

    def _generate(self, payload: dict[str, Any], params: GenerationParams | None,
                  on_token: Callable[[str], bool | None] | None,
                  on_logprobs: Callable[[list[dict[str, Any]]], None] | None = None,
                  request_id: int | None = None) -> Answer:
        model = self.model
        if model is None:
            raise EngineError(M.NO_MODEL_LOADED)
        params = params or GenerationParams()
        pieces: list[str] = []
        logprobs: list[dict[str, Any]] | None = [] if params.top_logprobs > 0 else None
        note: Msg | None = None
        decoding = False
        req, waiting = self._open({"cmd": "chat", "params": params.__dict__,
                                   "stream_interval_ms": self.stream_interval_ms, **payload},
                                  msg(M.ACT_GENERATING), request_id)
        next_event = waiting.get  # the hot path: one queue read per batch of tokens
        usage = self._usage
        ended = False
        try:
            while True:
                event = next_event()
                if event is None:
                    ended = True
                    first = decoding and not self._has_decoded
                    raise self._crashed(msg(M.ACT_GENERATING), first_decode=first)
                kind = event.get("ev")
                if kind == "token":
                    text = event["text"]
                    usage.value = event.get("used", getattr(usage, "value", None))
                    self._has_decoded = True
                    entries = event.get("lp")
                    if entries is not None and logprobs is not None:
                        logprobs.extend(entries)
                        if on_logprobs is not None:
                            on_logprobs(entries)
                    if text:
                        pieces.append(text)
                        if on_token is not None and on_token(text) is False:
                            self.cancel(req)
                elif kind == "prompt":
                    decoding = True
                    if "adapters" in payload:  # applied by now (the engine does so before the prompt)
                        self.adapters = payload["adapters"]
                    usage.value = event.get("prompt_tokens")
                    note = Msg.from_json(event.get("note"))
                elif kind == "done":
                    ended = True
                    self._has_decoded = True
                    stats = AnswerStats.from_dict(event["stats"])
                    return Answer("".join(pieces), stats, str(model.path), note, logprobs)
                elif kind == "error":
                    ended = True
                    raise _error_from(event)
        finally:
            self._link.close(req)
            if not ended:  # a callback raised: nobody waits for this answer, free its sequence
                self.cancel(req)


def _error_from(event: dict[str, Any]) -> EngineError:
    """The engine's error event as an EngineError (EngineBusy when its queue was full), keeping its
    translatable sentence."""
    kind = EngineBusy if event.get("busy") else EngineError
    return kind(Msg.from_json(event.get("msg")) or Msg(str(event.get("message", ""))))
