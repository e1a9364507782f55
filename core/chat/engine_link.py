"""A chat session's handle on the engine: loads, answers and prompt counts run through the
session's Runner (core/chat/runner.py), never on the owner thread.

Every event below is emitted on the owner thread (the Runner delivers there):

    load_progress(float)         0..1 while a model loads
    loaded(ModelInfo)
    load_failed(exc)             the previous model (if any) may still be loaded
    tokens(str)                  new answer text, coalesced on the engine's side to at most one
                                 piece every FLUSH_S (no repaint per token)
    usage(int)                   prompt + answer tokens of the answer in progress (live meter)
    answered(Answer)             after the last tokens() of that answer
    answer_failed(exc, crashed)  crashed: the engine process died (or could not be restarted)
    restarting(float)            0..1 while a question reloads the model into a new engine
    busy_changed(bool)           emitted before the loaded/answered/… of the job that ended
    counted(PromptCount | None)  for the newest estimate() request
    adapters_applied(list)       LoRA adapters now on the live context ({"path", "scale"})
    adapters_failed(exc)         an adapter was refused (one sentence); the previous set stays
    inspected(dict | None)       the exact prompt of an inspect() request (core/engine/inspect.py)

``last_error`` keeps the exception behind the latest crash or failed load (None once a model
loads): a window's Details view shows the engine's log lines from it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ..engine import Engine, GenerationParams, LoadParams
from ..engine.keeper import EngineKeeper
from ..errors import EngineCrashed
from .runner import Event, Runner

FLUSH_S = 0.033  # ~30 updates a second: smooth to the eye, cheap for the owner's event loop


class EngineLink:
    def __init__(self, runner: Runner, make_engine: Callable[[], Engine] = Engine,
                 make_for: Callable[[LoadParams], Any] | None = None):
        """``make_for(params)``: the engine for a model that is not a local file (a remote one)."""
        self.runner = runner
        self.keeper = EngineKeeper(make_engine, make_for)
        self.model_path: str | None = None
        self.model_info: Any = None
        self.last_error: BaseException | None = None
        self._jobs = 0
        self._estimating = False
        self._estimate_next: tuple | None = None
        self._answer_id: int | None = None  # the engine request of the answer in progress
        self.load_progress = Event()
        self.loaded = Event()
        self.load_failed = Event()
        self.tokens = Event()
        self.usage = Event()
        self.answered = Event()
        self.answer_failed = Event()
        self.restarting = Event()
        self.busy_changed = Event()
        self.counted = Event()
        self.adapters_applied = Event()
        self.adapters_failed = Event()
        self.inspected = Event()
        self.warmed = Event()  # a warm-up ended: its "warmed" event, None if it could not run

    # -- state (owner thread) --------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self._jobs > 0

    @property
    def engine(self) -> Engine | None:
        return self.keeper.engine

    @property
    def engine_pid(self) -> int | None:
        """The engine process's id while it runs (the monitor follows its memory)."""
        engine = self.engine
        return engine.pid if engine is not None and engine.alive else None

    def _run(self, fn: Any, on_event: Any, on_done: Callable[[Any], None], on_failed: Callable[[Any], None]) -> None:
        """A job counted as busy until its result arrives: busy_changed(False) comes first."""
        def over(callback: Callable[[Any], None], arg: Any) -> None:
            self._jobs -= 1
            if not self._jobs:
                self.busy_changed.emit(False)
            callback(arg)

        self._jobs += 1
        if self._jobs == 1:
            self.busy_changed.emit(True)
        self.runner.start(fn, on_event, lambda r: over(on_done, r), lambda e: over(on_failed, e))

    # -- loading ---------------------------------------------------------------------------

    def load(self, params: LoadParams) -> None:
        def loaded(info: Any) -> None:
            self.model_path, self.model_info, self.last_error = params.path, info, None
            self.loaded.emit(info)

        def failed(exc: BaseException) -> None:
            self.last_error = exc
            self.load_failed.emit(exc)

        self._run(lambda emit: self.keeper.load(params, on_progress=emit), self.load_progress.emit, loaded, failed)

    # -- answering -------------------------------------------------------------------------

    def ask(self, messages: list[dict[str, str]], params: GenerationParams, *, template: str | None = None,
            continue_answer: bool = False, on_piece: Callable[[str], None] | None = None,
            adapters: list[dict[str, Any]] | None = None) -> None:
        """Answer ``messages``. ``on_piece(text)`` runs on the worker thread for every piece, before
        it is coalesced (the store's AnswerWriter goes there: no disk writes on the owner thread)."""
        messages = [dict(m) for m in messages]  # the engine gets a copy; the caller keeps its own
        if self.engine is not None:
            self.engine.live_usage = None
        keeper = self.keeper

        def work(emit: Callable[[Any], None]) -> Any:  # on the worker thread
            # A new engine with the same model when the last one died (floats: reload progress).
            engine = keeper.ready(on_restart=lambda value: emit(float(value)))
            pending: list[str] = []
            last = [time.monotonic()]

            def flush() -> None:
                if pending:
                    emit(("text", "".join(pending), engine.live_usage))
                    pending.clear()
                last[0] = time.monotonic()

            def piece(text: str) -> None:
                if on_piece is not None:
                    on_piece(text)
                pending.append(text)
                if time.monotonic() - last[0] >= FLUSH_S:
                    flush()

            # Its own request id: stop() then cancels this answer only, not the answers of other
            # clients of the same engine (the server's). A remote engine has one answer at a time.
            new_id = getattr(engine, "new_request_id", None)
            extra = {}
            if new_id is not None:
                self._answer_id = extra["request_id"] = new_id()
            if hasattr(engine, "set_adapters"):  # LoRA adapters exist only in a local engine
                extra["adapters"] = adapters
            try:
                return engine.chat(messages, params, on_token=piece, template=template,
                                   continue_answer=continue_answer, **extra)
            finally:
                self._answer_id = None
                flush()

        usage: list[int | None] = [None]

        def event(item: Any) -> None:
            if isinstance(item, float):  # the model reloading into a new engine, before any text
                self.restarting.emit(item)
                return
            _kind, text, used = item
            self.tokens.emit(text)
            if used is not None and used != usage[0]:
                usage[0] = used
                self.usage.emit(used)

        def answered(answer: Any) -> None:
            engine = self.engine
            if engine is not None and engine.model is not None:
                self.model_info = engine.model  # a new one when the engine was restarted for this answer
            self.answered.emit(answer)

        def failed(exc: BaseException) -> None:
            crashed = isinstance(exc, EngineCrashed)  # EngineRestartFailed included
            if crashed:
                self.model_info = None
            self.last_error = exc if crashed else None
            self.answer_failed.emit(exc, crashed)

        self._run(work, event, answered, failed)

    def stop(self) -> None:
        """Cancel the answer or load in progress (thread-safe). The engine stops within ~ms."""
        engine, answer = self.engine, self._answer_id
        if engine is not None:
            if answer is not None:
                engine.cancel(answer)
            else:  # a load, a restart, a remote engine: whatever is in progress
                engine.cancel()

    # -- LoRA adapters and the prompt inspector ----------------------------------------------

    def apply_adapters(self, adapters: list[dict[str, Any]], warm: list[dict[str, Any]] | None = None,
                       params: GenerationParams | None = None, template: str | None = None) -> None:
        """Put these adapters on the live context now (no reload), off the owner thread; with no
        model loaded (or a dead engine) they are applied by the next answer instead. ``warm``:
        the open conversation's messages, evaluated under them while the user types
        (Engine.set_adapters)."""
        engine = self.engine
        if engine is None or engine.model is None or not engine.alive or not hasattr(engine, "set_adapters"):
            return
        specs = [dict(a) for a in adapters]
        self.runner.start(lambda _emit: engine.set_adapters(specs, warm=warm, params=params, template=template),
                          None, self.adapters_applied.emit, self.adapters_failed.emit)

    def warm(self, messages: Callable[[], list[dict[str, Any]]], params: GenerationParams, template: str | None,
             adapters: list[dict[str, Any]]) -> None:
        """Evaluate the open conversation's prompt in the engine while the user reads and types
        (Engine.warm), off the owner thread; ``messages()`` runs there too (it may read the store).
        ``warmed`` reports how it went. Nothing without a live local engine with a model, or while
        this session's answer is in progress."""
        engine = self.engine
        if engine is None or engine.model is None or not engine.alive or not hasattr(engine, "warm") or self.busy:
            return
        specs = [dict(a) for a in adapters]
        self.runner.start(lambda _emit: engine.warm(messages(), params, template, specs, wait=True), None,
                          self.warmed.emit, lambda _exc: self.warmed.emit(None))

    def inspect(self, messages: list[dict[str, Any]], params: GenerationParams, template: str | None,
                adapters: list[dict[str, Any]], before: Callable[[], list[dict[str, Any]]] | None = None) -> None:
        """The exact prompt ``messages`` would make (``inspected`` reports it). ``before``, if
        given, runs first on the worker thread and returns the messages (the document search)."""
        engine = self.engine
        if engine is None or engine.model is None or not hasattr(engine, "inspect_prompt"):
            self.inspected.emit(None)  # a remote engine cannot show its prompt
            return

        def work(_emit: Any) -> Any:  # on a worker thread
            msgs = before() if before is not None else messages
            return engine.inspect_prompt(msgs, params, template, adapters)

        self.runner.start(work, None, self.inspected.emit, lambda _exc: self.inspected.emit(None))

    # -- context estimate ------------------------------------------------------------------

    def estimate(self, messages: list[dict[str, Any]], params: GenerationParams, template: str | None = None) -> None:
        """Count the prompt ``messages`` would make, off the owner thread; ``counted`` reports it.
        While one count runs, only the newest request waits (typing fast sends many)."""
        self._estimate_next = ([dict(m) for m in messages], params, template)
        if not self._estimating:
            self._run_estimate()

    def _run_estimate(self) -> None:
        request, self._estimate_next = self._estimate_next, None
        engine = self.engine
        if request is None or engine is None or engine.model is None:
            self._estimating = False
            return
        messages, params, template = request
        self._estimating = True
        self.runner.start(lambda _emit: engine.count_prompt(messages, params, template), None,
                          self._estimated, lambda _exc: self._estimated(None))

    def _estimated(self, count: Any) -> None:
        self._estimating = False
        if self._estimate_next is not None:  # the draft changed meanwhile: count the newer one
            self._run_estimate()
        else:
            self.counted.emit(count)

    def shutdown(self, wait_s: float = 5.0) -> None:
        self.stop()
        self.runner.wait(wait_s)
        self.keeper.close()

