"""Run ``hearth docs add|watch … --progress`` as a child process and turn its JSON lines into
signals. Parsing, embedding and writing all happen there: a parser that crashes on a hostile file,
or a model that aborts, takes down the child, never the window."""

from __future__ import annotations

import json
import sys
from typing import Any

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, Signal


class DocsProcess(QObject):
    """Signals: event(dict) for each progress line, finished(int exit code, str last stderr line)."""

    event = Signal(dict)
    finished = Signal(int, str)

    def __init__(self, args: list[str], parent: QObject | None = None):
        super().__init__(parent)
        self.process = QProcess(self)
        self.process.setProgram(sys.executable)
        self.process.setArguments(["-m", "hearthlm.core.cli", "docs", *args, "--progress"])
        self.process.setProcessEnvironment(QProcessEnvironment.systemEnvironment())
        self._buffer = b""
        self._stderr = b""
        self.process.readyReadStandardOutput.connect(self._read)
        self.process.readyReadStandardError.connect(self._read_err)
        self.process.finished.connect(self._finished)

    def start(self) -> "DocsProcess":
        self.process.start()
        return self

    def stop(self) -> None:
        if self.process.state() != QProcess.ProcessState.NotRunning:
            self.process.terminate()
            if not self.process.waitForFinished(3000):
                self.process.kill()

    def running(self) -> bool:
        return self.process.state() != QProcess.ProcessState.NotRunning

    def _read(self) -> None:
        self._buffer += bytes(self.process.readAllStandardOutput())
        *lines, self._buffer = self._buffer.split(b"\n")
        for line in lines:
            try:
                data: Any = json.loads(line)
            except ValueError:
                continue
            if isinstance(data, dict):
                self.event.emit(data)

    def _read_err(self) -> None:
        self._stderr = (self._stderr + bytes(self.process.readAllStandardError()))[-4000:]

    def _finished(self, code: int, _status: Any) -> None:
        self._read()
        lines = [ln for ln in self._stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
        self.finished.emit(code, lines[-1] if lines else "")
