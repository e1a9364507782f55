"""Reading a child process's pipes on threads: JSON lines from stdout onto a queue (then ``None``
when the child has gone), and the last lines of stderr kept for the sentence that explains a crash."""

from __future__ import annotations

import collections
import json
import queue
import subprocess
import threading


def start_pipe_readers(proc: subprocess.Popen, events: queue.Queue, tail: collections.deque, name: str) -> None:
    def read_events() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            try:
                events.put(json.loads(line))
            except ValueError:  # not a protocol line (a library printed to stdout): skip it
                pass
        events.put(None)

    def read_stderr() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            tail.append(line.decode("utf-8", "replace").rstrip())

    threading.Thread(target=read_events, daemon=True, name=f"{name}-events").start()
    threading.Thread(target=read_stderr, daemon=True, name=f"{name}-stderr").start()
