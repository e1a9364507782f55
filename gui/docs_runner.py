"""The Qt side of ``core/docs/ingest_process.py``: the child's events become signals. Parsing,
embedding and writing all happen in the child; a crash there costs the run, never the window."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal, Slot

from hearthlm.core.docs.ingest_process import IngestProcess


class DocsProcess(QObject):
    """Signals (emitted on this object's, the GUI, thread): progressed(dict) for each progress line,
    finished(int exit code, str why it failed: the crash's sentence or the command's last stderr
    line; empty when it succeeded or was stopped)."""

    progressed = Signal(dict)
    finished = Signal(int, str)
    _got = Signal(dict)  # from the reader thread; queued to this object's thread
    _ended = Signal(int, str)

    def __init__(self, args: list[str], parent: QObject | None = None):
        super().__init__(parent)
        self.process = IngestProcess(args)
        self._thread: threading.Thread | None = None
        self._got.connect(self._relay_event)
        self._ended.connect(self._relay_finished)

    def start(self) -> DocsProcess:
        self.process.start()
        self._thread = threading.Thread(target=self._follow, daemon=True, name="docs-process")
        self._thread.start()
        return self

    def stop(self) -> None:
        self.process.stop()

    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _follow(self) -> None:
        """Reader thread."""
        try:
            for data in self.process.events():
                self._got.emit(data)
            self._ended.emit(*self.process.finish())
        except RuntimeError:  # the page (and this object) went away while the child ran
            self.process.stop()

    @Slot(dict)
    def _relay_event(self, data: dict) -> None:
        self.progressed.emit(data)

    @Slot(int, str)
    def _relay_finished(self, code: int, why: str) -> None:
        self.finished.emit(code, why)
