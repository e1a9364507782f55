"""Small pieces shared by the models page's parts: running core calls off the UI thread, sizes."""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QObject

from .jobs import Job
from .messages import error_text


class _Reaper(QObject):
    """Drops a finished job on the UI thread, after its signals are delivered. Jobs have no Qt
    parent, so a page that goes away while one runs cannot destroy a running QThread."""

    alive: set[Job] = set()

    def finished(self) -> None:
        self.alive.discard(self.sender())


_reaper: _Reaper | None = None


class JobRunner(QObject):
    """Runs ``fn()`` on a Job; ``ok(result)`` or ``fail(sentence)`` run on the UI thread, and only
    while this runner (a child of its widget) exists."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._callbacks: dict[int, tuple[Callable[[Any], None], Callable[[str], None]]] = {}

    def run(self, fn: Callable[[], Any], ok: Callable[[Any], None], fail: Callable[[str], None]) -> Job:
        global _reaper
        if _reaper is None:
            _reaper = _Reaper()
        job = Job(lambda _emit: fn())
        _Reaper.alive.add(job)
        self._callbacks[id(job)] = (ok, fail)
        job.succeeded.connect(self._succeeded)
        job.failed.connect(self._failed)
        job.finished.connect(_reaper.finished)
        job.start()
        return job

    def _succeeded(self, result: Any) -> None:
        ok, _fail = self._callbacks.pop(id(self.sender()), (None, None))
        if ok is not None:
            ok(result)

    def _failed(self, exc: BaseException) -> None:
        _ok, fail = self._callbacks.pop(id(self.sender()), (None, None))
        if fail is not None:
            fail(error_text(exc))

    @staticmethod
    def wait_all(ms: int = 10000) -> None:
        for job in list(_Reaper.alive):
            job.wait(ms)


def fmt_count(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1e6:.1f}M"
    if n >= 1_000:
        return f"{n / 1e3:.1f}k"
    return str(n)


def fmt_duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    return f"{seconds // 60}:{seconds % 60:02d}"
