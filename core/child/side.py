"""The child's half: protect fd 1, say "ready", read requests, and the shared fault seam.

``channel = protect_stdout()`` must run first in a child's ``main()``: the protocol then goes to a
private copy of the original stdout, and fd 1 (C-level prints from llama.cpp, onnxruntime, a
``print()``) is pointed at stderr, which the parent keeps a tail of. This is the one place where
that happens.

Test seam: ``HEARTH_CHILD_FAULT=<action>@<point>`` with action ``segv`` (a real SIGSEGV), ``kill``
(SIGKILL, as the OOM killer sends), ``hang`` or ``print`` (writes junk to fd 1 and stdout) and point
``ready`` (before the handshake) or ``request`` (when a request starts being handled).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from typing import Any, BinaryIO
from collections.abc import Iterator

FAULT_ENV = "HEARTH_CHILD_FAULT"


def encode(message: dict[str, Any]) -> bytes:
    return (json.dumps(message, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


class Channel:
    """The protocol pipe to the parent. Thread-safe."""

    def __init__(self, fd: int):
        self._fd = fd
        self._lock = threading.Lock()

    def send(self, **message: Any) -> None:
        self.write(encode(message))

    def write(self, data: bytes) -> None:
        with self._lock:
            view = memoryview(data)
            while view:
                view = view[os.write(self._fd, view):]

    def ready(self) -> None:
        """The handshake the parent waits for (after ``checkpoint("ready")``)."""
        checkpoint("ready")
        self.send(ev="ready", pid=os.getpid())


def protect_stdout() -> Channel:
    """Move the protocol off fd 1; from here on fd 1 and ``sys.stdout`` write to stderr."""
    sys.stdout.flush()
    channel = Channel(os.dup(1))
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    # Ctrl+C in a terminal reaches the whole process group: stopping is the parent's to decide (it
    # cancels the request, or ends the child), not a KeyboardInterrupt in the middle of llama.cpp
    # that `hearth chat` then reported as an engine crash.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    return channel


def read_messages(stream: BinaryIO | None = None) -> Iterator[dict[str, Any]]:
    """Requests from stdin, one JSON object a line; blank or malformed lines are skipped. Ends at EOF
    (the parent closed the pipe or went away)."""
    for line in stream or sys.stdin.buffer:
        if not line.strip():
            continue
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if isinstance(message, dict):
            yield message


def read_line(fd: int = 0) -> bytes:
    """One line from a raw descriptor, byte by byte: nothing past it is buffered away from a thread
    that then reads the same descriptor to notice the parent going away."""
    data = bytearray()
    while not data.endswith(b"\n"):
        chunk = os.read(fd, 1)
        if not chunk:
            break
        data += chunk
    return bytes(data)


def checkpoint(point: str) -> None:
    """The test seam (see the module docstring); nothing happens unless HEARTH_CHILD_FAULT names ``point``."""
    fault = os.environ.get(FAULT_ENV, "")
    action, _, where = fault.partition("@")
    if where != point:
        return
    sys.stderr.write(f"hearth test fault: {action} at {point}\n")  # for the stderr tail
    sys.stderr.flush()
    if action == "segv":
        import ctypes

        ctypes.string_at(0)  # a real SIGSEGV, as a broken native build gives
    elif action == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    elif action == "hang":
        while True:
            time.sleep(60)
    elif action == "print":  # lines that would pass for events if they reached the protocol
        print('{"ev": "junk", "from": "print"}', flush=True)
        os.write(1, b'{"ev": "junk", "from": "fd 1"}\n')
