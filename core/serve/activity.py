"""What the server is doing, for the window's Server page: a log of requests and the clients.

``listeners`` are called on the server's thread with each finished ``LogEntry``: the window turns
that into a Qt signal (never touching a widget from here).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

LOG_LENGTH = 500


@dataclass
class LogEntry:
    started: float
    client: str
    method: str
    path: str
    model: str = ""
    tokens: int = 0  # prompt + completion tokens
    duration_s: float = 0.0
    status: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Client:
    address: str
    requests: int = 0
    active: int = 0
    last_seen: float = 0.0


@dataclass
class Activity:
    log: deque[LogEntry] = field(default_factory=lambda: deque(maxlen=LOG_LENGTH))
    clients: dict[str, Client] = field(default_factory=dict)
    listeners: list[Callable[[LogEntry], None]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def begin(self, client: str, method: str, path: str) -> LogEntry:
        with self._lock:
            c = self.clients.setdefault(client, Client(client))
            c.requests += 1
            c.active += 1
            c.last_seen = time.time()
        return LogEntry(time.time(), client, method, path)

    def finish(self, entry: LogEntry, status: int) -> None:
        entry.status = status
        entry.duration_s = time.time() - entry.started
        with self._lock:
            c = self.clients.get(entry.client)
            if c is not None:
                c.active = max(0, c.active - 1)
                c.last_seen = time.time()
            self.log.append(entry)
            listeners = list(self.listeners)
        for listener in listeners:
            listener(entry)

    def connected(self) -> list[Client]:
        """Clients with a request in progress or seen in the last minute."""
        now = time.time()
        with self._lock:
            return [Client(**asdict(c)) for c in self.clients.values() if c.active or now - c.last_seen < 60]
