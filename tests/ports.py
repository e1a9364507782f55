"""Ports for the servers the tests start (Chroma, llama_cpp.server) on 127.0.0.1.

Binding port 0 and closing the socket before the server binds it again races under pytest-xdist:
another worker's server can take the port in between (and a health check then talks to the wrong
server). Each xdist worker therefore takes its ports from a range of its own, below Linux's
ephemeral range (32768-60999, where port 0 and outgoing connections draw from), in turn, skipping
any that cannot be bound now.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import socket
from collections.abc import Iterator

FIRST, PER_WORKER, WORKERS = 20000, 500, 24  # 20000-31999


def _worker_index() -> int:
    name = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1", … (unset in one process)
    return int(name[2:]) % WORKERS if name.startswith("gw") and name[2:].isdigit() else 0


# Started at an offset of this process's own: two test sessions on one machine (a developer's
# fast tier beside another checkout's run) share the ranges and would otherwise both start at 20000.
_next = itertools.count(os.getpid() % PER_WORKER)


def free_port() -> int:
    """A port of this worker's range that is free now (ports are handed out in turn, so one worker
    never gets the same port twice before the range wraps)."""
    base = FIRST + PER_WORKER * _worker_index()
    for _ in range(PER_WORKER):
        port = base + next(_next) % PER_WORKER
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {base}-{base + PER_WORKER - 1}")


@contextlib.contextmanager
def refused_port() -> Iterator[int]:
    """A port where a connection is refused, for as long as the block runs: bound and never listened
    on, so no other test's server can take it meanwhile (a port bound and closed again could be)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        yield s.getsockname()[1]
