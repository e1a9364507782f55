"""The window's adapter for a core ChatSession (core/chat/session.py): its Runner runs work on Jobs
(gui/detached_job.py) and calls back on the UI thread, and ``SessionSignals`` turns the engine's
events into Qt signals (for other widgets and the tests: ``qtbot.waitSignal``).

Signals of SessionSignals (all on the UI thread):
    loadProgress(float), loaded(object ModelInfo), loadFailed(str one sentence)
    tokens(str), usage(int), answered(object Answer), restarting(float)
    answerFailed(str, bool)   True: the engine died (or could not be restarted); ``details`` then
                              holds its last log lines for a Details view
    busyChanged(bool), counted(object PromptCount | None)
    warmed(object)            the open conversation's warm-up ended (its "warmed" event, or None)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Signal

from hearthlm.core.chat.session import ChatSession
from hearthlm.core.child.crash import crash_details
from hearthlm.core.errors import EngineCrashed

from .detached_job import run_detached
from .jobs import Job
from .messages import error_text


class QtRunner:
    """core.chat.runner.Runner on Jobs: ``fn`` on a job thread, callbacks on the UI thread while
    ``owner`` lives and until ``close()`` (late results of a closing window are dropped)."""

    def __init__(self, owner: QObject):
        self._owner = owner
        self._jobs: set[Job] = set()
        self._closed = False

    def start(self, fn: Any, on_event: Callable[[Any], None] | None, on_done: Callable[[Any], None],
              on_failed: Callable[[BaseException], None]) -> None:
        def live(callback: Callable[[Any], None] | None) -> Callable[[Any], None] | None:
            if callback is None:
                return None
            return lambda arg: None if self._closed else callback(arg)

        job = run_detached(self._owner, fn, live(on_done), live(on_failed), live(on_event))  # type: ignore[arg-type]
        self._jobs.add(job)
        job.finished.connect(lambda: self._jobs.discard(job))

    def wait(self, timeout_s: float) -> None:
        for job in list(self._jobs):
            try:
                job.wait(int(timeout_s * 1000))
            except RuntimeError:  # already deleted by Qt
                pass

    def close(self) -> None:
        self._closed = True


class SessionSignals(QObject):
    loadProgress = Signal(float)
    loaded = Signal(object)
    loadFailed = Signal(str)
    tokens = Signal(str)
    usage = Signal(int)
    answered = Signal(object)
    answerFailed = Signal(str, bool)
    restarting = Signal(float)
    busyChanged = Signal(bool)
    counted = Signal(object)
    warmed = Signal(object)

    def __init__(self, session: ChatSession, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        e = session.engine
        e.load_progress.connect(self.loadProgress.emit)
        e.loaded.connect(self.loaded.emit)
        e.load_failed.connect(lambda exc: self.loadFailed.emit(error_text(exc)))
        e.tokens.connect(self.tokens.emit)
        e.usage.connect(self.usage.emit)
        e.warmed.connect(self.warmed.emit)
        e.answered.connect(self.answered.emit)
        e.answer_failed.connect(lambda exc, crashed: self.answerFailed.emit(error_text(exc), crashed))
        e.restarting.connect(self.restarting.emit)
        e.busy_changed.connect(self.busyChanged.emit)
        e.counted.connect(self.counted.emit)

    @property
    def details(self) -> str:
        """What a Details view shows for the latest crash: the engine's last log lines and where its
        log is (empty: no crash)."""
        exc = self.session.engine.last_error
        if not isinstance(exc, EngineCrashed):
            return ""
        text = crash_details(exc.stderr_tail)
        if exc.log_path:
            log = QCoreApplication.translate("EngineSession", "The engine's whole log: {path}").format(path=exc.log_path)
            text = f"{text}\n\n{log}" if text else log
        return text
