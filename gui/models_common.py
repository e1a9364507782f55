"""Small pieces shared by the models page's parts: running core calls off the UI thread, sizes."""

from __future__ import annotations

from typing import Any
from collections.abc import Callable

from PySide6.QtCore import QObject

from .detached_job import run_detached, wait_for_running
from .jobs import Job
from .messages import error_text


class JobRunner(QObject):
    """Runs ``fn()`` off the UI thread (detached_job.run_detached); ``ok(result)`` or
    ``fail(sentence)`` run on the UI thread, and only while this runner (a child of its widget) exists."""

    def run(self, fn: Callable[[], Any], ok: Callable[[Any], None], fail: Callable[[str], None]) -> Job:
        return run_detached(self, lambda _emit: fn(), ok, lambda exc: fail(error_text(exc)))

    @staticmethod
    def wait_all(ms: int = 10000) -> None:
        wait_for_running(ms)


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
