"""The one adapter between core jobs and Qt: run a core function on a thread, get signals back.

A core job is a plain function ``fn(emit)`` that reports progress by calling ``emit(event)`` and
returns a result or raises. ``Job`` runs it on its own QThread; each ``emit`` becomes a ``progressed``
signal delivered on the UI thread, the return value ``succeeded``, an exception ``failed``.

Runs on the job's thread: ``fn`` only. It must never touch a widget.
"""

from __future__ import annotations

from typing import Any
from collections.abc import Callable

from PySide6.QtCore import QObject, QThread, Signal


class Job(QThread):
    """Signals: progressed(object), succeeded(object), failed(object: the exception)."""

    progressed = Signal(object)
    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(self, fn: Callable[[Callable[[Any], None]], Any], parent: QObject | None = None):
        super().__init__(parent)
        self._fn = fn

    def run(self) -> None:  # on the job's thread
        try:
            result = self._fn(self.progressed.emit)
        except Exception as exc:  # handed to the UI thread, which shows it
            self.failed.emit(exc)
        else:
            self.succeeded.emit(result)
