"""The window's handle on the engine: loads and answers run as Jobs, tokens arrive coalesced.

Signals:
    loadProgress(float)          0..1 while a model loads
    loaded(object)               ModelInfo
    loadFailed(str)              one sentence; the previous model (if any) may still be loaded
    tokens(str)                  new answer text, flushed at most every FLUSH_MS (no repaint per token)
    answered(object)             Answer, after the last tokens() of that answer
    answerFailed(str, bool)      one sentence; True when the engine process died (or could not be
                                 restarted): the window offers Restart. ``details`` then holds the
                                 engine's last log lines for a Details view
    restarting(float)            0..1 while a question reloads the model into a new engine (the old
                                 one had died while idle)
    busyChanged(bool)
    usage(int)                   prompt + answer tokens of the answer in progress (the live context meter)
    counted(object)              PromptCount for the newest estimate() request, or None
"""

from __future__ import annotations

from typing import Any
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

from hearthlm.core.engine import Engine, GenerationParams, LoadParams
from hearthlm.core.child.crash import crash_details
from hearthlm.core.engine.keeper import EngineKeeper
from hearthlm.core.errors import EngineCrashed
from hearthlm.core.paths import log_dir

from .jobs import Job
from .messages import error_text

FLUSH_MS = 33  # ~30 updates a second: smooth to the eye, cheap for the event loop


class EngineSession(QObject):
    loadProgress = Signal(float)
    loaded = Signal(object)
    loadFailed = Signal(str)
    tokens = Signal(str)
    answered = Signal(object)
    answerFailed = Signal(str, bool)
    busyChanged = Signal(bool)
    usage = Signal(int)
    counted = Signal(object)
    restarting = Signal(float)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._keeper = EngineKeeper(lambda: Engine(log_path=log_dir() / "engine.log"))
        self.details = ""  # the engine's last log lines behind the latest crash (empty: none)
        self._jobs: set[Job] = set()  # running, result not yet delivered
        self._pending: list[str] = []
        self._flush = QTimer(self)
        self._flush.setInterval(FLUSH_MS)
        self._flush.timeout.connect(self._flush_tokens)
        self.model_path: str | None = None
        self.model_info: Any = None
        self._usage: int | None = None
        self._estimate_job: Job | None = None
        self._estimate_next: tuple | None = None

    # -- state ---------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return bool(self._jobs)

    @property
    def engine_pid(self) -> int | None:
        """The engine process's id while it runs (the monitor follows its memory)."""
        engine = self._engine
        return engine.pid if engine is not None and engine.alive else None

    @property
    def _engine(self) -> Engine | None:
        return self._keeper.engine

    @property
    def _load_params(self) -> LoadParams | None:
        """The parameters the model was loaded with: a restarted engine reloads it with them."""
        return self._keeper.params

    def _new_job(self, work: Any) -> Job:
        """A job counted as busy until its result arrives (connected first, so the session is
        idle again by the time the caller's own result handlers run)."""
        job = Job(work, parent=self)
        job.succeeded.connect(lambda _result: self._job_done(job))
        job.failed.connect(lambda _exc: self._job_done(job))
        return job

    def _start(self, job: Job) -> None:
        self._jobs.add(job)
        # The session (its Qt parent) owns the thread; Qt deletes it once it has finished and the
        # event loop is back. Dropping it from inside its own `finished` signal would free the
        # QThread while Qt is still emitting from it (a crash seen in CI).
        job.finished.connect(job.deleteLater)
        if len(self._jobs) == 1:
            self.busyChanged.emit(True)
        job.start()

    def _job_done(self, job: Job) -> None:
        if job in self._jobs:
            self._jobs.discard(job)
            if not self._jobs:
                self.busyChanged.emit(False)

    # -- loading -------------------------------------------------------------------------

    def load(self, path: str, n_ctx: int = 4096, n_gpu_layers: int = 0, n_threads: int = 0, **offload: Any) -> None:
        # offload: flash_attn, type_k, type_v (LoadParams fields; the hardware area's controls)
        params = LoadParams(path=path, n_ctx=n_ctx, n_gpu_layers=n_gpu_layers, n_threads=n_threads, **offload)

        def work(emit: Any) -> Any:  # on the job's thread
            return self._keeper.load(params, on_progress=emit)

        job = self._new_job(work)
        job.event.connect(self.loadProgress.emit)
        job.succeeded.connect(lambda info: self._loaded(params, info))
        job.failed.connect(self._load_failed)
        self._start(job)

    def _loaded(self, params: LoadParams, info: Any) -> None:
        self.model_path, self.model_info = params.path, info
        self.details = ""
        self.loaded.emit(info)

    def _load_failed(self, exc: Exception) -> None:
        self.details = _details(exc)
        self.loadFailed.emit(error_text(exc))

    # -- answering -----------------------------------------------------------------------

    def ask(self, messages: list[dict[str, str]], params: GenerationParams, *, template: str | None = None,
            continue_answer: bool = False, on_piece: Callable[[str], None] | None = None) -> None:
        """Answer ``messages``. ``on_piece(text)`` runs on the job's thread for every piece, before it
        is coalesced for the view (the store's AnswerWriter goes there: no disk writes on the UI
        thread). ``template`` / ``continue_answer``: see ``Engine.chat``."""
        messages = [dict(m) for m in messages]  # the engine gets a copy; the window keeps its own

        def work(emit: Any) -> Any:  # on the job's thread
            # A new engine with the same model when the last one died (floats: reload progress).
            engine = self._keeper.ready(on_restart=lambda value: emit(float(value)))

            def piece(text: str) -> None:
                if on_piece is not None:
                    on_piece(text)
                emit(text)

            return engine.chat(messages, params, on_token=piece, template=template, continue_answer=continue_answer)

        self._usage = None
        if self._engine is not None:
            self._engine.live_usage = None
        job = self._new_job(work)
        job.event.connect(self._on_piece)
        job.succeeded.connect(self._answered)
        job.failed.connect(self._answer_failed)
        self._flush.start()
        self._start(job)

    def stop(self) -> None:
        """Cancel the answer or load in progress. Returns at once; the engine stops within ~ms."""
        if self._engine is not None:
            self._engine.cancel()

    def _on_piece(self, text: Any) -> None:
        if isinstance(text, float):  # the model reloading into a new engine, before any text
            self.restarting.emit(text)
        else:
            self._pending.append(text)

    def _flush_tokens(self) -> None:
        if self._pending:
            text = "".join(self._pending)
            self._pending.clear()
            self.tokens.emit(text)
        used = self._engine.live_usage if self._engine is not None else None
        if used is not None and used != self._usage:
            self._usage = used
            self.usage.emit(used)

    # -- context estimate ----------------------------------------------------------------

    def estimate(self, messages: list[dict[str, Any]], params: GenerationParams, template: str | None = None) -> None:
        """Count the prompt ``messages`` would make, off the UI thread; ``counted`` reports it. While
        one count runs, only the newest request waits (typing fast sends many)."""
        self._estimate_next = ([dict(m) for m in messages], params, template)
        if self._estimate_job is None:
            self._run_estimate()

    def _run_estimate(self) -> None:
        request, self._estimate_next = self._estimate_next, None
        engine = self._engine
        if request is None or engine is None or engine.model is None:
            self._estimate_job = None
            return
        messages, params, template = request
        job = Job(lambda _emit: engine.count_prompt(messages, params, template), parent=self)
        self._estimate_job = job
        job.succeeded.connect(self._estimated)
        job.failed.connect(lambda _exc: self._estimated(None))
        job.finished.connect(job.deleteLater)
        job.start()

    def _estimated(self, count: Any) -> None:
        self._estimate_job = None
        if self._estimate_next is not None:  # the draft changed meanwhile: count the newer one
            self._run_estimate()
        else:
            self.counted.emit(count)

    def _answered(self, answer: Any) -> None:
        self._flush.stop()
        self._flush_tokens()
        if self._engine is not None and self._engine.model is not None:
            self.model_info = self._engine.model  # a new one when the engine was restarted for this answer
        self.answered.emit(answer)

    def _answer_failed(self, exc: Exception) -> None:
        self._flush.stop()
        self._flush_tokens()
        crashed = isinstance(exc, EngineCrashed)  # EngineRestartFailed included
        if crashed:
            self.model_info = None
        self.details = _details(exc)
        self.answerFailed.emit(error_text(exc), crashed)

    def shutdown(self) -> None:
        self.stop()
        for job in self.findChildren(Job):
            job.wait(5000)
        self._keeper.close()


def _details(exc: BaseException) -> str:
    """What a Details view shows for a crash: the engine's last log lines and where its log is."""
    if not isinstance(exc, EngineCrashed):
        return ""
    text = crash_details(exc.stderr_tail)
    if exc.log_path:
        log = QCoreApplication.translate("EngineSession", "The engine's whole log: {path}").format(path=exc.log_path)
        text = f"{text}\n\n{log}" if text else log
    return text
