"""Run one quantize-area job in a child process (worker.py); cancel = kill it, and its files go.

``run_job(job, on_event, cancel)`` blocks until the job ends, calling ``on_event(dict)`` for every
progress event. ``cancel`` is a ``threading.Event``; when it is set the child is killed within
~0.1 s, every file the job was writing (its ``.part`` files and finished outputs of this job) is
deleted, and QuantizeCancelled is raised. A child that dies (a ggml abort) raises QuantizeError
with the last lines it wrote to stderr; the caller's process is untouched.
"""

from __future__ import annotations

import os
import queue
import threading
from pathlib import Path
from collections.abc import Callable, Iterable

from ..child.process import ChildGone, ChildNotReady, ChildProcess
from ..messages import Msg
from . import messages as M
from .errors import QuantizeCancelled, QuantizeError
from .worker import part_path

POLL_S = 0.1
START_TIMEOUT_S = 60.0


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


def start_worker(env: dict | None = None) -> ChildProcess:
    """A child waiting for its job. Starting it before checking a request lets it load llama.cpp
    while the caller reads the source's header; hand it to ``run_job`` or to ``discard``."""
    return ChildProcess("hearthlm.core.quantize.worker", env={**os.environ, **(env or {})}, name="quantize",
                        stderr_lines=20).start(ready_timeout=None)


def discard(child: ChildProcess) -> None:
    """End a started child that was given no job (the request failed its checks)."""
    child.kill()


def run_job(job: dict, on_event: Callable[[dict], None] | None = None,
            cancel: threading.Event | None = None, env: dict | None = None,
            proc: ChildProcess | None = None) -> dict:
    """``proc``: a child from ``start_worker`` (else one is started here)."""
    outputs = job_outputs(job)
    preexisting = {p for p in outputs if p.exists()}
    child = proc or start_worker(env)
    cancelled = cancel.is_set if cancel is not None else (lambda: False)
    try:
        if child.wait_ready(START_TIMEOUT_S, stop=cancelled):
            child.request("run", job=job)  # stdin kept open: the child stops by itself when this process goes away
        while True:
            if cancelled():
                raise QuantizeCancelled(M.CANCELLED)
            try:
                ev = child.next_event(timeout=POLL_S)
            except queue.Empty:
                continue
            if ev.get("ev") == "progress":
                if on_event is not None:
                    on_event(ev)
            elif ev.get("ev") == "result":
                child.close()
                return ev["data"]
            elif ev.get("ev") == "error":
                child.close()
                raise QuantizeError(Msg.from_json(ev.get("msg")) or ev.get("message", "?"))
    except (ChildGone, ChildNotReady):  # the child closed its pipe without an answer: it died
        code = child.reap()
        reason = next((ln for ln in reversed(child.stderr_tail) if ln.strip()), "no message")
        _remove(p for p in outputs if p not in preexisting)
        raise QuantizeError(M.WORKER_CRASHED, code=code, reason=reason) from None
    except BaseException:
        child.kill()
        _remove(p for p in outputs if p not in preexisting)
        raise
