"""The conversation store's writer thread: every write runs on it, one at a time, in the order
it was submitted.

A write may wait up to the busy timeout (15 s) while another process (``hearth chat
--conversation``) holds the file's write lock. On this thread that wait costs nobody: the window
submits a write and hears back on its own thread when it is committed (``submit`` returns a
Future), the command line simply waits for the result (``run``). ``close`` lets every submitted
write finish first, so nothing queued is lost when the store closes.
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future
from typing import Any, TypeVar
from collections.abc import Callable

T = TypeVar("T")
_STOP = object()


class WriteQueue:
    def __init__(self, name: str = "hearth-store-writer"):
        self._name = name
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def on_thread(self) -> bool:
        return self._thread is not None and threading.current_thread() is self._thread

    def submit(self, fn: Callable[[], T]) -> Future[T]:
        """Run ``fn()`` on the writer thread after every write submitted before it. Never waits."""
        future: Future = Future()
        if self.on_thread():  # a write that submits another: run it in place, in order
            _run_into(future, fn)
            return future
        self._ensure_thread()
        self._queue.put((fn, future))
        return future

    def run(self, fn: Callable[[], T]) -> T:
        """Run ``fn()`` on the writer thread and wait for its result (or exception)."""
        return self.submit(fn).result()

    def close(self) -> None:
        """Finish every submitted write, then stop the thread."""
        with self._start_lock:
            thread, self._thread = self._thread, None
        if thread is None or thread is threading.current_thread():
            return
        self._queue.put((_STOP, None))
        thread.join()

    def _ensure_thread(self) -> None:
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name=self._name, daemon=True)
                self._thread.start()

    def _loop(self) -> None:
        while True:
            fn, future = self._queue.get()
            if fn is _STOP:
                return
            _run_into(future, fn)


def _run_into(future: Future, fn: Callable[[], Any]) -> None:
    if not future.set_running_or_notify_cancel():
        return
    try:
        future.set_result(fn())
    except BaseException as exc:  # handed to whoever waits on the future
        future.set_exception(exc)
