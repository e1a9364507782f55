"""Helpers for the tests that show the window never waits: a QTimer whose ticks record when the
event loop ran, and a child process that holds a file lock (another Hearth process writing)."""

from __future__ import annotations

import subprocess
import sys
import time
from itertools import pairwise
from pathlib import Path

from PySide6.QtCore import QTimer

TICK_MS = 10
# The event loop must keep turning while another thread or process holds the lock: no gap above
# this. Well under the holds (1–1.5 s) that the UI thread used to wait out in full; above the 100 ms
# stall target, which bench/ui_stall.py measures on a quiet machine, because a loaded 2-vCPU CI
# machine deschedules the UI thread for 100+ ms with no lock involved (132 ms max measured so, in a
# run with no contention at all).
MAX_GAP_MS = 250


class Ticks:
    """Start before the action; ``max_gap_ms()`` is the longest the event loop did not run."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self.timer = QTimer()
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(lambda: self.times.append(time.perf_counter()))

    def __enter__(self) -> Ticks:
        self.times.append(time.perf_counter())
        self.timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.timer.stop()

    def max_gap_ms(self) -> float:
        now = self.times + [time.perf_counter()]
        return max((b - a) * 1000 for a, b in pairwise(now))


def hold_file_lock(path: Path, seconds: float) -> subprocess.Popen:
    """A child process that takes the store's file lock (filelock, as DocStore does) and lets go
    after ``seconds`` (or when it dies). Returns once the lock is held."""
    code = ("import sys, time; from filelock import FileLock; l = FileLock(sys.argv[1]); l.acquire();"
            "print('held', flush=True); time.sleep(float(sys.argv[2])); l.release(); print('released', time.time(), flush=True)")
    proc = subprocess.Popen([sys.executable, "-c", code, str(path), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def let_go(holder: subprocess.Popen, before: float) -> bool:
    """Whether the holder had let go of the lock by the wall-clock time ``before``. Its exit may lag
    behind the release on a loaded machine, so it writes when it let go, and that time is compared."""
    assert holder.stdout is not None
    holder.wait(timeout=30)
    word, _, when = holder.stdout.read().strip().partition(" ")
    return word == "released" and float(when) <= before


def settle(win, timeout_s: float = 60.0) -> None:
    """Let the chat page's store writes (on the store's writer thread) land and their follow-ups
    run: what a test reads from the store then is what the window shows."""
    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + timeout_s
    session = getattr(win, "chat", win).session
    while session.pending_writes() and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.005)
    assert not session.pending_writes(), "store writes still pending"
