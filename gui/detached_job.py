"""Run a core function on a Job that may outlive the widget that asked for it.

A QThread destroyed while it runs aborts the process, so a job must not die with its widget: it
is parented to the application instead, deleted when it finishes, and waited for when the
application quits. Results reach the widget through a relay object owned by the widget, so a
widget that has gone simply never hears back.
"""

from __future__ import annotations

from typing import Any
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, Slot

from .jobs import Job


class _Relay(QObject):
    def __init__(self, owner: QObject, on_success: Callable[[Any], None], on_failure: Callable[[Any], None],
                 on_event: Callable[[Any], None] | None = None):
        super().__init__(owner)
        self._on_success, self._on_failure, self._on_event = on_success, on_failure, on_event

    @Slot(object)
    def emitted(self, item: Any) -> None:
        if self._on_event is not None:
            self._on_event(item)

    @Slot(object)
    def success(self, result: Any) -> None:
        self._on_success(result)

    @Slot(object)
    def failure(self, exc: Any) -> None:
        self._on_failure(exc)


def run_detached(owner: QObject, fn: Callable[[Callable[[Any], None]], Any],
                 on_success: Callable[[Any], None], on_failure: Callable[[Any], None],
                 on_event: Callable[[Any], None] | None = None) -> Job:
    """Start ``fn(emit)`` on a job thread; call back on the UI thread while ``owner`` exists
    (``on_event`` for each ``emit``, in order, before the result)."""
    app = QCoreApplication.instance()
    job = Job(fn, parent=app)
    relay = _Relay(owner, on_success, on_failure, on_event)
    if on_event is not None:
        job.progressed.connect(relay.emitted)
    job.succeeded.connect(relay.success)
    job.failed.connect(relay.failure)
    _running.add(job)
    job.finished.connect(lambda: _running.discard(job))
    job.finished.connect(job.deleteLater)
    if app is not None and not getattr(app, "_hearth_waits_for_jobs", False):
        app._hearth_waits_for_jobs = True  # type: ignore[attr-defined]
        app.aboutToQuit.connect(_wait_for_running)
    job.start()
    return job


_running: set[Job] = set()


def _wait_for_running() -> None:
    """At quit: let jobs still running finish (a probe takes a second or two)."""
    wait_for_running(70_000)


def wait_for_running(ms: int) -> None:
    for job in list(_running):
        try:
            job.wait(ms)
        except RuntimeError:  # already deleted by Qt
            pass
