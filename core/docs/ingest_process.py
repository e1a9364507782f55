"""``hearth docs add|watch|embedder … --progress`` as a child process (core/child): parsing,
embedding and writing happen there, so a parser that crashes on a hostile file, or a model that
aborts, takes down the child, never the window.

Thread use: ``events()`` blocks (run it on a worker thread); ``stop()`` may be called from any thread.
"""

from __future__ import annotations

from typing import Any
from collections.abc import Iterator, Mapping, Sequence

from ..child.crash import cause_of
from ..child.process import ChildGone, ChildNotReady, ChildProcess
from ..messages import msg
from . import messages as M

READY_TIMEOUT_S = 60.0


class IngestProcess:
    def __init__(self, args: Sequence[str], env: Mapping[str, str] | None = None):
        # below normal priority: indexing (and above all a cross-language index, minutes of e5) must
        # not slow a chat answering beside it
        self.child = ChildProcess("hearthlm.core.cli", ["docs", *args, "--progress"], env=env, name="ingest",
                                  background=True)
        self.stopped = False  # by stop(): its end is no crash

    def start(self) -> IngestProcess:
        self.child.start(ready_timeout=None)
        return self

    def events(self) -> Iterator[dict[str, Any]]:
        """The command's events (dicts with an ``event`` key) until it ends."""
        try:
            self.child.wait_ready(READY_TIMEOUT_S)
            while True:
                yield self.child.next_event()
        except (ChildGone, ChildNotReady):
            return

    def finish(self) -> tuple[int, str]:
        """The exit status and, when it failed, one sentence: the cause of a crash (a signal), or the
        last line the command wrote to stderr (its own error)."""
        code = self.child.reap()
        if self.stopped:
            return code if code is not None else -1, ""
        if code is None or code < 0:
            return -1 if code is None else code, str(msg(M.INGEST_CRASHED, cause=cause_of(code)))
        lines = [ln for ln in self.child.stderr_tail if ln.strip()]
        return code, lines[-1] if lines and code != 0 else ""

    def stop(self, timeout: float = 3.0) -> None:
        """End it: SIGTERM (a watcher stops cleanly), then a kill after ``timeout`` seconds."""
        self.stopped = True
        self.child.kill(grace=timeout)

    @property
    def running(self) -> bool:
        return self.child.alive
