"""How a chat session runs work off its own thread and hears back on it, without Qt.

The session has an *owner thread* (the window's UI thread; the command line's main thread; a
test's thread). Everything that may wait — an engine load or answer, a document search, a store
write that waits for another process — runs through a ``Runner``: ``start(fn, on_event, on_done,
on_failed)`` runs ``fn(emit)`` on a worker thread, and every ``emit(x)``, the result and the
exception come back as ``on_event(x)`` / ``on_done(result)`` / ``on_failed(exc)`` **on the owner
thread**. The window's runner is gui/session_qt.py (Jobs, results by queued signals); this
module's ``ThreadRunner`` is the plain one: worker threads, and a queue of callbacks that the
owner thread drains with ``pump``/``run_until`` (the command line and the Qt-free tests).

``Event`` is the session's way of telling its listeners: ``connect(fn)``, ``emit(*args)``, called
on the owner thread only.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

Emit = Callable[[Any], None]
Work = Callable[[Emit], Any]


class Runner(Protocol):
    def start(self, fn: Work, on_event: Callable[[Any], None] | None, on_done: Callable[[Any], None],
              on_failed: Callable[[BaseException], None]) -> None: ...

    def wait(self, timeout_s: float) -> None:
        """Wait (on the owner thread, at shutdown) for the work started to end."""


class Event:
    """A list of callbacks, called in order on the owner thread."""

    def __init__(self) -> None:
        self._slots: list[Callable[..., Any]] = []

    def connect(self, fn: Callable[..., Any]) -> None:
        self._slots.append(fn)

    def disconnect(self, fn: Callable[..., Any]) -> None:
        self._slots.remove(fn)

    def emit(self, *args: Any) -> None:
        for fn in list(self._slots):
            fn(*args)


class ThreadRunner:
    """Worker threads; their callbacks wait in a queue until the owner thread pumps it."""

    def __init__(self) -> None:
        self._calls: queue.SimpleQueue = queue.SimpleQueue()
        self._threads: set[threading.Thread] = set()
        self._lock = threading.Lock()

    def start(self, fn: Work, on_event: Callable[[Any], None] | None, on_done: Callable[[Any], None],
              on_failed: Callable[[BaseException], None]) -> None:
        def emit(event: Any) -> None:  # on the worker thread
            if on_event is not None:
                self._calls.put((on_event, event))

        def work() -> None:  # on the worker thread
            try:
                result = fn(emit)
            except Exception as exc:  # handed to the owner thread
                self._calls.put((on_failed, exc))
            else:
                self._calls.put((on_done, result))
            finally:
                with self._lock:
                    self._threads.discard(threading.current_thread())

        thread = threading.Thread(target=work, name="hearth-session-work", daemon=True)
        with self._lock:
            self._threads.add(thread)
        thread.start()

    def pump(self, timeout_s: float = 0.0) -> bool:
        """Run one waiting callback (waiting up to ``timeout_s`` for one); False if none came."""
        try:
            fn, arg = self._calls.get(timeout=timeout_s) if timeout_s > 0 else self._calls.get_nowait()
        except queue.Empty:
            return False
        fn(arg)
        return True

    def run_until(self, done: Callable[[], bool], timeout_s: float = 120.0) -> None:
        """Pump callbacks until ``done()``; TimeoutError after ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        while not done():
            if time.monotonic() > deadline:
                raise TimeoutError("the chat session did not finish in time")
            self.pump(0.05)

    def idle(self) -> bool:
        """No work running and no callback waiting."""
        with self._lock:
            running = bool(self._threads)
        return not running and self._calls.empty()

    def wait(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
