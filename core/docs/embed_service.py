"""Embedding questions for the window in a child process.

Ingestion already runs as a child (``hearth docs add --progress``); a question typed in the window
is embedded here, so that neither llama.cpp (GGUF embedders) nor onnxruntime runs in the UI
process. A model that crashes takes this child with it: the question gets one sentence, and the
next question starts a new child.

Protocol: one JSON line per request on stdin ``{"name": embedder, "texts": [...]}``; one JSON line
per reply on the protocol pipe ``{"dim": d, "vectors": base64 float32}`` or ``{"error": Msg}``.
"""

from __future__ import annotations

import base64
import collections
import json
import os
import queue
import subprocess
import sys
import threading
from typing import Any, Mapping, Sequence

import numpy as np

from ..child_pipes import start_pipe_readers
from ..messages import Msg, msg
from . import messages as M
from .errors import EmbedderError

FAULT_ENV = "HEARTH_EMBED_FAULT"  # test seam: "segv" crashes the child on its first request
START_TIMEOUT_S = 60.0
REQUEST_TIMEOUT_S = 300.0  # the first request of a GGUF embedder loads the model


class EmbedService:
    """A thread-safe handle on the child; ``embed()`` starts it when needed."""

    def __init__(self, env: Mapping[str, str] | None = None):
        self.env = dict(os.environ if env is None else env)
        self._proc: subprocess.Popen[bytes] | None = None
        self._replies: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._stderr: collections.deque[str] = collections.deque(maxlen=20)
        self._lock = threading.Lock()

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None and self._proc.poll() is None else None

    def _start(self) -> subprocess.Popen[bytes]:
        if self._proc is not None and self._proc.poll() is None:
            return self._proc
        self._replies = queue.Queue()
        self._stderr = collections.deque(maxlen=20)
        proc = subprocess.Popen([sys.executable, "-m", "hearthlm.core.docs.embed_service"], env=self.env,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        start_pipe_readers(proc, self._replies, self._stderr, "embed")
        self._proc = proc
        return proc

    def embed(self, name: str, texts: Sequence[str], timeout: float = REQUEST_TIMEOUT_S) -> np.ndarray:
        """Unit vectors for ``texts`` from the embedder ``name`` (as ``get_embedder(name)`` would give)."""
        request = (json.dumps({"name": name, "texts": list(texts)}, ensure_ascii=False) + "\n").encode()
        with self._lock:
            for attempt in (1, 2):
                fresh = self.pid is None
                proc = self._start()
                try:
                    assert proc.stdin is not None
                    proc.stdin.write(request)
                    proc.stdin.flush()
                    reply = self._replies.get(timeout=timeout)
                except (OSError, queue.Empty):
                    reply = None
                if reply is not None:
                    break
                crash = self._crashed()
                # A child that was already running may have died while idle (killed, the machine
                # short of memory): one more try in a new one. A new child dying is this request's doing.
                if fresh or attempt == 2:
                    raise crash
        if "error" in reply:
            raise EmbedderError(Msg.from_json(reply["error"]) or msg(M.EMBEDDER_FAILED, reason="?"))
        vectors = np.frombuffer(base64.b64decode(reply["vectors"]), np.float32)
        return vectors.reshape(len(texts), int(reply["dim"])) if len(texts) else vectors.reshape(0, int(reply["dim"]))

    def _crashed(self) -> EmbedderError:
        from ..engine.crash import cause_of

        proc, self._proc = self._proc, None
        returncode = None
        if proc is not None:
            if proc.poll() is None:  # hung past the timeout: end it, the next request starts afresh
                proc.kill()
            returncode = proc.wait()
        return EmbedderError(M.EMBEDDER_CRASHED, cause=cause_of(returncode))

    def close(self) -> None:
        with self._lock:
            proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            assert proc.stdin is not None
            proc.stdin.close()  # the child's loop ends at EOF
            proc.wait(5)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()


def main() -> None:
    from .embedders import get_embedder

    protocol = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # C-level prints (llama.cpp, onnxruntime) land in stderr, not in the replies
    sys.stdout = sys.stderr
    fault = os.environ.get(FAULT_ENV)
    for line in sys.stdin:
        if not line.strip():
            continue
        if fault == "segv":
            import ctypes

            ctypes.string_at(0)  # a real SIGSEGV, as a broken native build gives
        try:
            request = json.loads(line)
            vectors = np.ascontiguousarray(get_embedder(request["name"]).embed(request["texts"]), np.float32)
            reply: dict[str, Any] = {"dim": int(vectors.shape[1]) if vectors.ndim == 2 else 0,
                                     "vectors": base64.b64encode(vectors.tobytes()).decode("ascii")}
        except EmbedderError as exc:
            reply = {"error": exc.msg.to_json()}
        except Exception as exc:  # report it; keep serving
            reply = {"error": msg(M.EMBEDDER_FAILED, reason=str(exc) or type(exc).__name__).to_json()}
        protocol.write(json.dumps(reply) + "\n")
        protocol.flush()


if __name__ == "__main__":
    main()
