"""The streaming writer: an answer written into the conversation store while it is generated.

``append`` only buffers; the text is committed at most once per ``interval_s`` (1 s), by the
``append`` that finds the interval passed or, when no more text comes, by a timer at the end of the
interval. So a killed process loses at most the last second of its answer, and a fast model does not
turn into hundreds of commits a second. ``finish``/``interrupt`` commit the rest at once.

Failing commits (the disk is full, another process holds the file too long) never raise from
``append`` (it runs inside the engine's token callback): the text stays buffered and is retried;
``finish``/``interrupt`` raise if it still cannot be written. Commits run on the store's writer
thread (store_queue.py), so neither ``append`` nor a window reading ``text`` waits for the file.

A streaming message carries its writer's tag (host, pid, process start time). A store opened while
the tagged process is alive leaves the message alone; otherwise it marks it 'interrupted'. If it was
marked by mistake (a hostname changed), the writer's next commit sets it back to 'streaming'.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from typing import Any

import psutil

from .store_types import StoreError, WritableStore, stats_dict


def _start_time(pid: int) -> str:
    return f"{psutil.Process(pid).create_time():.2f}"


_tag: tuple[int, str] | None = None


def writer_tag() -> str:
    """This process, as a streaming message records its writer."""
    global _tag
    if _tag is None or _tag[0] != os.getpid():  # computed once per process (a fork is a new one)
        _tag = (os.getpid(), f"{socket.gethostname()}:{os.getpid()}:{_start_time(os.getpid())}")
    return _tag[1]


def writer_alive(tag: str | None) -> bool:
    """Whether the process that wrote this tag still runs (pid reuse is told apart by start time)."""
    try:
        host, pid, started = (tag or "").rsplit(":", 2)
        return host == socket.gethostname() and _start_time(int(pid)) == started
    except (ValueError, psutil.Error):
        return False


class AnswerWriter:
    """Streams one answer (message ``id``) into the store. Use ``append``, then ``finish`` or
    ``interrupt`` (or ``discard``). As a context manager, an exception leaving the block interrupts it
    and a block left without finishing finishes it. Thread-safe.

    Commits run on the store's writer thread: ``append`` never waits for the file (another process
    may hold its write lock for seconds), and the lock below is never held across a write, so
    ``text`` answers at once. ``finish``/``interrupt``/``discard``/``flush`` return once committed;
    a window calls them through ``store.submit`` instead."""

    def __init__(self, store: WritableStore, message_id: int, conversation_id: str, parent_id: int | None,
                 text: str, interval_s: float):
        self.id = message_id
        self.conversation_id = conversation_id
        self.parent_id = parent_id
        self.interval_s = interval_s
        self.state = "streaming"
        self.commits = 0  # how many times text was committed (for tests and progress displays)
        self.committed_text = text  # what the file holds now
        self.lost = False  # the message was deleted meanwhile (e.g. by another process): appends are dropped
        self._store = store
        self._pending: list[str] = []
        self._lock = threading.Lock()  # guards the fields above; never held during a write
        self._last_commit = time.monotonic()
        self._timer: threading.Timer | None = None
        self._queued = False  # a commit is waiting on the writer thread

    @property
    def text(self) -> str:
        """All the text so far, committed or not."""
        with self._lock:
            return self.committed_text + "".join(self._pending)

    def append(self, text: str) -> None:
        if not text:
            return
        with self._lock:
            if self.state != "streaming":
                raise RuntimeError(f"answer {self.id} is already {self.state}")
            self._pending.append(text)
            if not self._queued:
                self._commit_when_due()

    def flush(self) -> None:
        """Commit the buffered text now (raises StoreError if it cannot)."""
        self._store._writes.run(lambda: self._commit_pending(quietly=False))

    def finish(self, stats: Any = None) -> None:
        """The answer is whole: commit the rest, state 'complete', with its stats (an AnswerStats or a
        dict: prompt_tokens, completion_tokens, ttft_s, tokens_per_s, stop_reason, ...)."""
        self._store._writes.run(lambda: self._end("complete", stats))

    def interrupt(self, stats: Any = None) -> None:
        """The answer stopped before its end (the engine crashed, the window closed): commit what there
        is, state 'interrupted'. Does nothing once the answer has ended."""
        self._store._writes.run(lambda: self._end("interrupted", stats))

    def discard(self) -> None:
        """Delete the answer (e.g. it failed before its first token); the branch it was on becomes
        active again down to the leaf used most recently."""
        self._store._writes.run(self._discard)

    def __enter__(self) -> AnswerWriter:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if self.state == "streaming":
            self.interrupt() if exc_type is not None else self.finish()

    # -- inside (on the writer thread, except _queue_commit and _on_timer) ----------------------

    def _queue_commit(self) -> None:  # with self._lock held
        self._cancel_timer()  # this commit takes the text the timer was for
        self._queued = True
        self._store._writes.submit(lambda: self._commit_pending(quietly=True))

    def _on_timer(self) -> None:
        with self._lock:
            if self._timer is threading.current_thread():
                self._timer = None
            if self.state != "streaming" or not self._pending or self._queued:
                return
            # A timer that fired late (a loaded machine) may find that append queued a commit when the
            # interval was over and it ran: it waits out the rest of the interval since, not commit again.
            self._commit_when_due()

    def _commit_when_due(self) -> None:  # with self._lock held, text pending, no commit queued
        """Queue the commit if an interval has passed since the last one, else time it for then."""
        wait = self.interval_s - (time.monotonic() - self._last_commit)
        if wait <= 0:
            self._queue_commit()
        elif self._timer is None:
            self._arm_timer(wait)

    def _arm_timer(self, wait: float) -> None:  # with self._lock held
        self._timer = threading.Timer(wait, self._on_timer)
        self._timer.daemon = True
        self._timer.start()

    def _cancel_timer(self) -> None:  # with self._lock held
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _discard(self) -> None:
        with self._lock:
            self._cancel_timer()
            if self.state != "streaming":
                return
        store = self._store
        with store._write() as c:
            c.execute("DELETE FROM messages WHERE id = ?", (self.id,))
            store._activate(c, self.conversation_id, self.parent_id)
        with self._lock:
            self.state = "discarded"

    def _end(self, state: str, stats: Any) -> None:
        with self._lock:
            self._cancel_timer()
            if self.state != "streaming":
                return
        self._commit(state, stats)
        with self._lock:
            self.state = state

    def _commit_pending(self, quietly: bool) -> None:
        try:
            with self._lock:
                if self.state != "streaming":
                    return
            self._commit("streaming", None)
        except StoreError:
            if not quietly:
                raise
            with self._lock:  # keep the text; try again after another interval
                self._last_commit = time.monotonic()
                if self._pending and self._timer is None and self.state == "streaming":
                    self._arm_timer(self.interval_s)
        finally:
            with self._lock:  # only now: text appended during this commit waits for the next interval
                self._queued = False

    def _commit(self, state: str, stats: Any) -> None:
        """Write the buffered text (and the end state): only on the writer thread, so commits never
        overlap; the buffer is read and trimmed under the lock, the file written outside it."""
        with self._lock:
            if self.lost:
                self._pending.clear()
                return
            n = len(self._pending)
            chunk = "".join(self._pending)
        ending = state != "streaming"
        if not chunk and not ending:
            return
        with self._store._write() as c:
            if ending:
                stats_json = json.dumps(stats_dict(stats), ensure_ascii=False) if stats is not None else None
                cur = c.execute("UPDATE messages SET content = content || ?, state = ?, writer = NULL,"
                                " stats = coalesce(?, stats) WHERE id = ?", (chunk, state, stats_json, self.id))
                c.execute("UPDATE conversations SET updated = ? WHERE id = ?", (time.time(), self.conversation_id))
            else:
                cur = c.execute("UPDATE messages SET content = content || ?, state = 'streaming', writer = ?"
                                " WHERE id = ?", (chunk, writer_tag(), self.id))
        with self._lock:
            self.lost = cur.rowcount == 0
            del self._pending[:n]
            self.committed_text += chunk
            self.commits += 1
            self._last_commit = time.monotonic()
