"""Several calls in flight on one child process, each waiting for its own replies.

A child that answers requests out of turn (the engine decodes several answers at once; the embed
service embeds for two embedders at once) tags every event with the request's id. ``Calls`` routes
them: ``route`` runs on the child's reader thread for every event it is given (pass it as the
``divert`` of those event kinds); ``watch`` waits, on a thread of its own woken twice in its life,
for the end of the event stream and then wakes every call with ``None``: the process has gone.
"""

from __future__ import annotations

import queue
import threading
from typing import Any


class Calls:
    def __init__(self) -> None:
        self.calls: dict[int, queue.SimpleQueue[dict[str, Any] | None]] = {}
        self.gone = False
        self._lock = threading.Lock()

    def route(self, event: dict[str, Any]) -> None:
        waiting = self.calls.get(event.get("id"))  # type: ignore[arg-type]
        if waiting is not None:
            waiting.put(event)

    def watch(self, events: queue.Queue[dict[str, Any] | None]) -> None:
        while events.get() is not None:
            pass  # nothing but the handshake and stray lines come here
        with self._lock:
            self.gone = True
            for waiting in self.calls.values():
                waiting.put(None)

    def open(self, req: int) -> queue.SimpleQueue[dict[str, Any] | None] | None:
        """The queue for request ``req``; None when the process has already gone."""
        with self._lock:
            if self.gone:
                return None
            waiting: queue.SimpleQueue[dict[str, Any] | None] = queue.SimpleQueue()
            self.calls[req] = waiting
            return waiting

    def close(self, req: int) -> None:
        self.calls.pop(req, None)
