"""Run one quantize-area job in a child process (worker.py); cancel = kill it, and its files go.

``run_job(job, on_event, cancel)`` blocks until the job ends, calling ``on_event(dict)`` for every
progress event. ``cancel`` is a ``threading.Event``; when it is set the child is killed within
~0.1 s, every file the job was writing (its ``.part`` files and finished outputs of this job) is
deleted, and QuantizeCancelled is raised. A child that dies (a ggml abort) raises QuantizeError
with the last lines it wrote to stderr; the caller's process is untouched.
"""

from __future__ import annotations

import collections
import json
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import Callable, Iterable

from ..child_pipes import start_pipe_readers
from ..messages import Msg
from . import messages as M
from .errors import QuantizeCancelled, QuantizeError
from .worker import part_path

POLL_S = 0.1


def job_outputs(job: dict) -> list[Path]:
    """Every file a job may write (final names); their .part twins are implied. A dry run writes
    no model, but may write the importance matrix it computed."""
    keys = ("imatrix_out",) if job.get("dry_run") else ("out", "imatrix_out")
    return [Path(job[k]) for k in keys if job.get(k)]


def _remove(paths: Iterable[Path]) -> None:
    for path in paths:
        for p in (path, part_path(path)):
            try:
                p.unlink()
            except FileNotFoundError:
                pass
            except OSError:
                pass


def start_worker(env: dict | None = None) -> subprocess.Popen:
    """A child waiting for its job. Starting it before checking a request lets it load llama.cpp
    while the caller reads the source's header; hand it to ``run_job`` or to ``discard``."""
    return subprocess.Popen([sys.executable, "-m", "hearthlm.core.quantize.worker"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, **(env or {})})


def discard(proc: subprocess.Popen) -> None:
    """End a started child that was given no job (the request failed its checks)."""
    if proc.poll() is None:
        proc.kill()
    _close(proc)
    for pipe in (proc.stdout, proc.stderr):
        if pipe is not None:
            pipe.close()


def run_job(job: dict, on_event: Callable[[dict], None] | None = None,
            cancel: threading.Event | None = None, env: dict | None = None,
            proc: subprocess.Popen | None = None) -> dict:
    """``proc``: a child from ``start_worker`` (else one is started here)."""
    outputs = job_outputs(job)
    preexisting = {p for p in outputs if p.exists()}
    proc = proc or start_worker(env)
    events: queue.Queue[dict | None] = queue.Queue()
    tail: collections.deque[str] = collections.deque(maxlen=20)

    start_pipe_readers(proc, events, tail, "quantize")
    assert proc.stdin is not None
    proc.stdin.write((json.dumps(job) + "\n").encode())
    proc.stdin.flush()  # kept open: the child stops by itself when this process goes away
    try:
        while True:
            if cancel is not None and cancel.is_set():
                raise QuantizeCancelled(M.CANCELLED)
            try:
                ev = events.get(timeout=POLL_S)
            except queue.Empty:
                continue
            if ev is None:  # the child closed its pipe without an answer: it died
                code = _close(proc)
                reason = next((ln for ln in reversed(tail) if ln.strip()), "no message")
                raise QuantizeError(M.WORKER_CRASHED, code=code, reason=reason)
            if ev.get("ev") == "progress":
                if on_event is not None:
                    on_event(ev)
            elif ev.get("ev") == "result":
                _close(proc)
                return ev["data"]
            elif ev.get("ev") == "error":
                _close(proc)
                raise QuantizeError(Msg.from_json(ev.get("msg")) or ev.get("message", "?"))
    except BaseException:
        if proc.poll() is None:
            proc.kill()
        _close(proc)
        _remove(p for p in outputs if p not in preexisting)
        raise


def _close(proc: subprocess.Popen) -> int:
    try:
        assert proc.stdin is not None
        proc.stdin.close()
    except OSError:
        pass
    return proc.wait()
