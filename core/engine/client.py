"""The parent's handle on an engine process.

``Engine`` starts ``python -m hearthlm.core.engine.worker``, sends it commands and turns its events
into return values and callbacks. Calls block the calling thread (the GUI calls them from a worker
thread); ``cancel()`` may be called from any thread. If the process dies, the call in progress
raises ``EngineCrashed`` naming the cause, and a new ``Engine`` can be started at once. Nothing the
caller holds (messages, the conversation) lives in the engine, so nothing is lost.
"""

from __future__ import annotations

import itertools
import os
import queue
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from collections.abc import Callable, Iterable, Mapping

from .. import messages as M
from ..errors import EngineCrashed, EngineError, ModelFileError
from ..lora import messages as LM
from ..messages import Msg, msg
from ..child.crash import describe_exit
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
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass
class Answer:
    text: str
    stats: AnswerStats
    model: str
    note: Msg | None = None  # e.g. which template fallback was used

    @property
    def cancelled(self) -> bool:
        return self.stats.stop_reason == "cancelled"


class Engine:
    """One engine process. Use as a context manager or call ``close()``."""

    def __init__(self, env: Mapping[str, str] | None = None, log_path: Path | None = None,
                 stream_interval_ms: float = STREAM_INTERVAL_MS):
        self._env = dict(os.environ if env is None else env)
        self._log_path = log_path
        self.stream_interval_ms = stream_interval_ms
        self._child: ChildProcess | None = None
        self._request_lock = threading.Lock()
        self._current_id = -1
        self._has_decoded = False
        self._counts: dict[int, list[Any]] = {}  # count id -> [threading.Event, reply]
        self._count_ids = itertools.count(1)
        self.model: ModelInfo | None = None
        self.adapters: list[dict[str, Any]] = []  # LoRA adapters applied: {"path", "scale"}
        self._header: Any = None  # the loaded model's GGUF header (adapters are checked against it)
        # Prompt + answer tokens of the answer in progress (read by the window's context meter).
        self.live_usage: int | None = None

    # -- process -------------------------------------------------------------------------

    def start(self) -> Engine:
        if self.alive:
            return self
        self._child = ChildProcess("hearthlm.core.engine.worker", env=self._env, name="engine",
                                   stderr_lines=STDERR_TAIL_LINES, log_path=self._log_path,
                                   divert={"count": self._counted, "inspected": self._counted})  # answers count_prompt(), outside the queue
        try:
            self._child.start(ready_timeout=START_TIMEOUT_S)
        except ChildNotReady:  # it has been killed
            raise EngineError(M.ENGINE_TIMEOUT, seconds=START_TIMEOUT_S, activity=msg(M.ACT_STARTING)) from None
        except ChildGone:
            raise self._crashed(msg(M.ACT_STARTING)) from None
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
        self.adapters = []
        return EngineCrashed(describe_exit(returncode, activity, first_decode), returncode, tail, self._log_path)

    def _await(self, accept: Callable[[dict[str, Any]], bool], activity: Msg,
               timeout: float | None = None, on_event: Callable[[dict[str, Any]], None] | None = None
               ) -> dict[str, Any]:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            assert self._child is not None
            try:
                event = self._child.events.get(timeout=remaining)
            except queue.Empty:
                raise EngineError(M.ENGINE_TIMEOUT, seconds=timeout, activity=activity) from None
            if event is None:
                raise self._crashed(activity)
            if accept(event):
                return event
            if on_event is not None:
                on_event(event)

    def _request(self, message: dict[str, Any], activity: Msg) -> int:
        if not self.alive:
            if self._child is not None:  # it ran and died between requests: say how, as for any crash
                raise self._crashed(msg(M.ACT_IDLE))
            raise EngineError(M.ENGINE_NOT_RUNNING)
        assert self._child is not None
        try:
            self._current_id = self._child.request(**message)
        except OSError:  # a broken pipe: it had died before the request reached it (the check
            raise self._crashed(msg(M.ACT_IDLE)) from None  # above can race its last threads' exit)
        return self._current_id

    def cancel(self) -> None:
        """Stop the request in progress (a load or an answer). Safe from any thread."""
        child = self._child
        if child is not None and child.alive and self._current_id >= 0:
            child.cancel(self._current_id)

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
        with self._request_lock:
            activity = msg(M.ACT_LOADING, name=header.path.name)
            req = self._request({"cmd": "load", "params": params.__dict__}, activity)
            event = self._await(
                lambda ev: ev.get("id") == req and ev.get("ev") in ("loaded", "error"),
                activity,
                on_event=lambda ev: on_progress(ev["value"]) if on_progress and ev.get("ev") == "progress" else None,
            )
        if event["ev"] == "error":
            raise _error_from(event)
        info = event["info"]
        self._header, self.adapters = header, []  # a new model starts without adapters
        self.model = ModelInfo(
            path=Path(info["path"]), name=header.name, architecture=header.architecture,
            quantization=header.quantization, n_ctx=info["n_ctx"], n_ctx_train=info["n_ctx_train"],
            n_params=info["n_params"], size_bytes=info["size_bytes"], n_layers=info["n_layers"],
            n_gpu_layers=info["n_gpu_layers"], has_chat_template=bool(info["chat_template"]),
            load_s=info["load_s"], raw=info,
        )
        return self.model

    def set_adapters(self, adapters: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Apply LoRA adapters (``{"path", "scale"}``, scale 0..2) to the loaded model's live
        context, without reloading it; an empty list detaches them. Each file is checked against
        the model's header here first (one sentence: AdapterError / ModelFileError); llama.cpp then
        loads it in the engine. KV cached under other adapters is never reused."""
        from ..lora.info import adapter_info, check_fits, check_scale

        if self.model is None or self._header is None:
            raise EngineError(M.NO_MODEL_LOADED)
        adapters = list(adapters)
        try:  # the same adapters as in use (every answer asks): no file is read again
            same = [{"path": str(Path(a["path"]).expanduser().resolve()), "scale": float(a.get("scale", 1.0))}
                    for a in adapters] == self.adapters
        except (TypeError, ValueError, KeyError):
            same = False
        if same:
            return self.adapters
        specs = []
        for spec in adapters:
            info = adapter_info(spec["path"])
            check_fits(info, self._header)
            specs.append({"path": str(info.path.expanduser().resolve()),
                          "scale": check_scale(info.name, spec.get("scale", 1.0))})
        if specs == self.adapters:
            return self.adapters
        with self._request_lock:
            activity = msg(M.ACT_GENERATING)
            req = self._request({"cmd": "adapters", "adapters": specs}, activity)
            event = self._await(lambda ev: ev.get("id") == req and ev.get("ev") in ("adapters", "error"), activity)
        if event["ev"] == "error":
            raise _error_from(event)
        self.adapters = specs
        return specs

    def inspect_prompt(self, messages: Iterable[Mapping[str, Any]], params: GenerationParams | None = None,
                       template: str | None = None, adapters: Iterable[Mapping[str, Any]] | None = None,
                       timeout: float = 10.0) -> dict[str, Any] | None:
        """The exact prompt ``chat(messages)`` would evaluate now (core/engine/inspect.py): text,
        token pieces, count, and how many tokens the KV cache holds already (none when
        ``adapters`` differ from those applied). Safe from any thread; None when no model is
        loaded or the engine does not answer in time."""
        if self.model is None or not self.alive:
            return None
        cid = next(self._count_ids)
        slot: list[Any] = [threading.Event(), None]
        self._counts[cid] = slot
        payload: dict[str, Any] = {"cmd": "inspect", "cid": cid, "messages": [dict(m) for m in messages],
                                   "template": template, "params": (params or GenerationParams()).__dict__}
        if adapters is not None:
            payload["adapters"] = [{"path": str(Path(a["path"]).expanduser().resolve()), "scale": float(a.get("scale", 1.0))}
                                   for a in adapters]
        try:
            self._send(payload)
            if not slot[0].wait(timeout):
                return None
        except (OSError, EngineError):
            return None
        finally:
            self._counts.pop(cid, None)
        return slot[1].get("prompt")

    def chat(self, messages: Iterable[Mapping[str, Any]], params: GenerationParams | None = None,
             on_token: Callable[[str], bool | None] | None = None, template: str | None = None,
             continue_answer: bool = False, adapters: Iterable[Mapping[str, Any]] | None = None) -> Answer:
        """Answer a conversation. ``on_token(text)`` sees the text as it comes (a token or a few,
        see ``stream_interval_ms``); returning False cancels. With ``continue_answer`` the last
        message is an unfinished assistant answer: the model goes on from its end (the answer's
        text is the new text only). ``adapters`` (not None): the LoRA adapters this answer uses,
        applied first when they differ from those in use (see ``set_adapters``)."""
        if adapters is not None:
            self.set_adapters(adapters)
        payload: dict[str, Any] = {"messages": [dict(m) for m in messages], "template": template}
        if continue_answer:
            payload["continue"] = True
        return self._generate(payload, params, on_token)

    def count_prompt(self, messages: Iterable[Mapping[str, Any]], params: GenerationParams | None = None,
                     template: str | None = None, timeout: float = 2.0) -> PromptCount | None:
        """How many tokens ``messages`` would take as a prompt with the loaded model. Safe from any
        thread and answered even while an answer streams. None when no model is loaded (or one is
        loading), the engine is not running, or it does not answer within ``timeout``."""
        if self.model is None or not self.alive:
            return None
        cid = next(self._count_ids)
        slot: list[Any] = [threading.Event(), None]
        self._counts[cid] = slot
        try:
            self._send({"cmd": "count", "cid": cid, "messages": [dict(m) for m in messages], "template": template,
                        "params": (params or GenerationParams()).__dict__})
            if not slot[0].wait(timeout):
                return None
        except (OSError, EngineError):
            return None
        finally:
            self._counts.pop(cid, None)
        reply = slot[1]
        if reply.get("tokens") is None:
            return None
        return PromptCount(int(reply["tokens"]), int(reply["n_ctx"]), int(reply["limit"]), bool(reply.get("too_long")))

    def complete(self, prompt: str, params: GenerationParams | None = None,
                 on_token: Callable[[str], bool | None] | None = None) -> Answer:
        """Continue raw text, with no chat template."""
        return self._generate({"prompt": prompt}, params, on_token)

    def _generate(self, payload: dict[str, Any], params: GenerationParams | None,
                  on_token: Callable[[str], bool | None] | None) -> Answer:
        if self.model is None:
            raise EngineError(M.NO_MODEL_LOADED)
        params = params or GenerationParams()
        pieces: list[str] = []
        note: Msg | None = None
        decoding = False
        with self._request_lock:
            req = self._request({"cmd": "chat", "params": params.__dict__,
                                 "stream_interval_ms": self.stream_interval_ms, **payload}, msg(M.ACT_GENERATING))
            assert self._child is not None
            next_event = self._child.events.get  # the hot path: one queue read per batch of tokens
            while True:
                event = next_event()
                if event is None:
                    first = decoding and not self._has_decoded
                    raise self._crashed(msg(M.ACT_GENERATING), first_decode=first)
                if event.get("id") != req:
                    continue
                kind = event.get("ev")
                if kind == "token":
                    pieces.append(event["text"])
                    self.live_usage = event.get("used", self.live_usage)
                    self._has_decoded = True
                    if on_token is not None and on_token(event["text"]) is False:
                        self.cancel()
                elif kind == "prompt":
                    decoding = True
                    self.live_usage = event.get("prompt_tokens")
                    note = Msg.from_json(event.get("note"))
                elif kind == "done":
                    self._has_decoded = True
                    stats = AnswerStats.from_dict(event["stats"])
                    return Answer("".join(pieces), stats, str(self.model.path), note)
                elif kind == "error":
                    raise _error_from(event)


def _error_from(event: dict[str, Any]) -> EngineError:
    """The engine's error event as an EngineError, keeping its translatable sentence."""
    return EngineError(Msg.from_json(event.get("msg")) or Msg(str(event.get("message", ""))))
