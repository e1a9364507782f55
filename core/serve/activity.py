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
# Clients are kept by address and port, one per connection: those idle for longer than
# connected() shows are forgotten once this many are kept (a long-running server saw no end of them).
MAX_CLIENTS = 1024
SEEN_S = 60


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
            if len(self.clients) >= MAX_CLIENTS:
                self._forget_idle()
            c = self.clients.setdefault(client, Client(client))
            c.requests += 1
            c.active += 1
            c.last_seen = time.time()
        return LogEntry(time.time(), client, method, path)

    def _forget_idle(self) -> None:
        """Those idle for longer than connected() shows go; if that is not enough (a flood of
        connections), the idle ones seen longest ago too, down to half the table."""
        now = time.time()
        kept = {k: c for k, c in self.clients.items() if c.active or now - c.last_seen < SEEN_S}
        if len(kept) >= MAX_CLIENTS // 2:
            idle = sorted((c.last_seen, k) for k, c in kept.items() if not c.active)
            for _seen, key in idle[:len(kept) - MAX_CLIENTS // 2]:
                del kept[key]
        self.clients = kept

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
            return [Client(**asdict(c)) for c in self.clients.values() if c.active or now - c.last_seen < SEEN_S]
