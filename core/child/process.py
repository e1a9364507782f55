"""The parent's half: ``ChildProcess`` runs ``python -m <module>`` speaking JSON lines.

- ``start()`` waits for the child's ``{"ev": "ready"}`` (``wait_ready``); a child that does not
  become ready in time is killed and reaped, never left running (``ChildNotReady``).
- ``request(cmd, **payload)`` sends ``{"cmd", "id", ...}`` and returns the id; ``cancel(id)``;
  events arrive on ``events`` (a queue of dicts, then ``None`` when the child has gone) or through
  ``next_event``. Lines that are not JSON objects go to the stderr tail.
- ``stderr_tail``: the last lines the child wrote to stderr (also appended to ``log_path``).
- ``reap()`` waits for the exit status (killing a child that hangs) and returns it; see crash.py
  for the words. Every child still running when this process exits is closed and reaped.

Thread use: ``send``/``request``/``cancel`` are safe from any thread; one thread reads events.
"""

from __future__ import annotations

import atexit
import collections
import itertools
import json
import os
import queue
import subprocess
import sys
import threading
import time
import weakref
from pathlib import Path
from typing import Any
from collections.abc import Callable, Iterable, Mapping

from .side import encode

STDERR_TAIL_LINES = 40


class ChildGone(Exception):
    """The child exited (``returncode``) before it answered."""

    def __init__(self, returncode: int | None, stderr_tail: list[str]):
        super().__init__(f"child exited ({returncode})")
        self.returncode, self.stderr_tail = returncode, stderr_tail


class ChildNotReady(Exception):
    """The child did not say "ready" within ``timeout`` seconds; it has been killed."""

    def __init__(self, timeout: float):
        super().__init__(f"child not ready after {timeout} s")
        self.timeout = timeout


_live: weakref.WeakSet[ChildProcess] = weakref.WeakSet()


@atexit.register
def _reap_all() -> None:
    for child in list(_live):
        child.close(timeout=2.0)


BACKGROUND_NICENESS = 10


def lower_priority(pid: int) -> None:
    """Below the app's priority: niceness +10 on POSIX (at most 19), BELOW_NORMAL on Windows.
    Measured on 2 vCPUs (bench/RESULTS.md, session 11): the starter model decoded 75 tokens/s alone,
    25 beside a cross-language index being filled at the same priority, 74 beside it at +10."""
    import psutil

    try:
        child = psutil.Process(pid)
        if os.name == "posix":
            child.nice(min(19, child.nice() + BACKGROUND_NICENESS))
        else:
            child.nice(psutil.BELOW_NORMAL_PRIORITY_CLASS)
    except (psutil.Error, OSError):  # gone already, or not allowed: it keeps the app's priority
        pass


class ChildProcess:
    def __init__(self, module: str, args: Iterable[str] = (), *, env: Mapping[str, str] | None = None,
                 name: str = "child", stderr_lines: int = STDERR_TAIL_LINES, log_path: Path | None = None,
                 divert: Mapping[str, Callable[[dict[str, Any]], None]] | None = None, background: bool = False):
        """``background``: the child runs below normal priority (work nobody waits on token by token,
        such as indexing documents: a chat beside it keeps its speed)."""
        self.background = background
        self.argv = [sys.executable, "-m", module, *args]
        self.env = dict(os.environ if env is None else env)
        self.env.setdefault("PYTHONUNBUFFERED", "1")
        self.name, self.log_path = name, log_path
        # Events by "ev" kind handed to a callback on the reader thread instead of the queue (the
        # engine answers token counts while an answer streams).
        self.divert = dict(divert or {})
        self.proc: subprocess.Popen[bytes] | None = None
        self.events: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._tail: collections.deque[str] = collections.deque(maxlen=stderr_lines)
        self._stderr_done = threading.Event()
        self._write_lock = threading.Lock()
        self._ids = itertools.count(1)
        self.ready = False

    # -- life ----------------------------------------------------------------------------------
    def start(self, ready_timeout: float | None = 60.0) -> ChildProcess:
        """Spawn the child; with a ``ready_timeout`` wait for its handshake (else call ``wait_ready``
        later: the child loads while the caller does other work)."""
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=self.env)
        _live.add(self)
        if self.background:
            lower_priority(self.proc.pid)
        threading.Thread(target=self._read_events, args=(self.proc, self.events), daemon=True,
                         name=f"{self.name}-events").start()
        threading.Thread(target=self._read_stderr, args=(self.proc,), daemon=True, name=f"{self.name}-stderr").start()
        if ready_timeout is not None:
            self.wait_ready(ready_timeout)
        return self

    def wait_ready(self, timeout: float, stop: Callable[[], bool] | None = None) -> bool:
        """True once the child said "ready"; False if ``stop()`` turned true first (checked every
        0.1 s). Raises ChildNotReady (the child has been killed) or ChildGone (it exited first)."""
        deadline = time.monotonic() + timeout
        while not self.ready:
            if stop is not None and stop():
                return False
            left = deadline - time.monotonic()
            try:
                event = self.events.get(timeout=max(0.0, min(left, 0.1) if stop is not None else left))
            except queue.Empty:
                if time.monotonic() < deadline:
                    continue
                self.kill()
                raise ChildNotReady(timeout) from None
            if event is None:
                self.events.put(None)
                raise ChildGone(self.reap(), self.stderr_tail)
            self.ready = event.get("ev") == "ready"
        return True

    @property
    def alive(self) -> bool:
        proc = self.proc
        if proc is None or proc.returncode is not None:
            return False
        # Popen.poll() answers None while another thread sits in proc.wait() (it holds Popen's waitpid
        # lock): a child killed a moment ago would then look alive. waitid(WNOWAIT) peeks at the exit
        # without reaping it, so whoever waits still gets the status.
        if hasattr(os, "waitid"):
            try:
                return os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None
            except ChildProcessError:  # already reaped by the thread that waits on it
                return False
        return proc.poll() is None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    @property
    def stderr_tail(self) -> list[str]:
        return list(self._tail)

    def reap(self, timeout: float = 10.0) -> int | None:
        """Wait for the exit status (killing the child if it has not ended within ``timeout``) and for
        the last stderr lines."""
        proc = self.proc
        if proc is None:
            return None
        try:
            code = proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = proc.wait()
        self._stderr_done.wait(timeout=2)
        _live.discard(self)
        return code

    def kill(self, grace: float = 0.0) -> int | None:
        """End the child now (with a ``grace``: SIGTERM first, SIGKILL after that many seconds) and reap it."""
        proc = self.proc
        if proc is not None and proc.poll() is None:
            if grace > 0:
                proc.terminate()
                try:
                    proc.wait(grace)
                except subprocess.TimeoutExpired:
                    pass
            if proc.poll() is None:
                proc.kill()
        return self.reap()

    def close(self, timeout: float = 5.0, quit: dict[str, Any] | None = None) -> int | None:
        """Ask the child to end (``quit`` message, then end of stdin), kill it after ``timeout``, reap it."""
        proc = self.proc
        if proc is None:
            return None
        if proc.poll() is None:
            try:
                if quit is not None:
                    self.send(quit)
                assert proc.stdin is not None
                proc.stdin.close()
            except OSError:
                pass
        return self.reap(timeout)

    # -- messages ------------------------------------------------------------------------------
    def send(self, message: dict[str, Any]) -> None:
        """Raises OSError when the child has gone."""
        proc = self.proc
        if proc is None or proc.stdin is None:
            raise BrokenPipeError("child not started")
        with self._write_lock:
            proc.stdin.write(encode(message))
            proc.stdin.flush()

    def end_input(self) -> None:
        """Close the child's stdin (a one-job child needs nothing more; end of input can mean "stop")."""
        try:
            if self.proc is not None and self.proc.stdin is not None:
                self.proc.stdin.close()
        except OSError:
            pass

    def request(self, cmd: str, **payload: Any) -> int:
        req = next(self._ids)
        self.send({"cmd": cmd, "id": req, **payload})
        return req

    def cancel(self, req: int) -> None:
        try:
            self.send({"cmd": "cancel", "id": req})
        except (OSError, ValueError):
            pass  # the child is going away; whoever waits on it reports why

    def next_event(self, timeout: float | None = None) -> dict[str, Any]:
        """The next event; raises queue.Empty after ``timeout``, ChildGone (reaped) at the child's end."""
        event = self.events.get(timeout=timeout)
        if event is None:
            self.events.put(None)  # later callers see the end too
            raise ChildGone(self.reap(), self.stderr_tail)
        return event

    # -- reader threads ------------------------------------------------------------------------
    def _read_events(self, proc: subprocess.Popen[bytes], events: queue.Queue) -> None:
        assert proc.stdout is not None
        divert = self.divert
        for line in proc.stdout:  # buffered: event lines are read whole
            try:
                event = json.loads(line)
            except ValueError:
                event = None
            if isinstance(event, dict):
                ev = event.get("ev")
                handler = divert.get(ev) if divert and isinstance(ev, str) else None
                if handler is not None:
                    handler(event)
                else:
                    events.put(event)
            elif line.strip():  # not protocol (something wrote to the pipe): keep it for the details
                self._tail.append(line.decode("utf-8", "replace").rstrip())
        events.put(None)  # EOF: the child has gone

    def _read_stderr(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stderr is not None
        log = open(self.log_path, "ab") if self.log_path else None
        try:
            for line in proc.stderr:
                self._tail.append(line.decode("utf-8", "replace").rstrip())
                if log:
                    log.write(line)
                    log.flush()
        finally:
            if log:
                log.close()
            self._stderr_done.set()
