"""Embedding questions for the window in a child process.

Ingestion already runs as a child (``hearth docs add --progress``); a question typed in the window
is embedded here, so that neither llama.cpp (GGUF embedders) nor onnxruntime runs in the UI
process. A model that crashes takes this child with it: the question gets one sentence, and the
next question starts a new child.

Protocol (core/child): ``{"cmd": "embed", "id": n, "name": embedder, "texts": [...]}``; the reply
``{"ev": "result", "id": n, "dim": d, "vectors": base64 float32}`` or ``{"ev": "error", "id": n, "msg": Msg}``.
"""

from __future__ import annotations

import base64
import os
import queue
import threading
from collections.abc import Mapping, Sequence

import numpy as np

from ..child.crash import cause_of
from ..child.process import ChildGone, ChildNotReady, ChildProcess
from ..child.side import checkpoint, protect_stdout, read_messages
from ..messages import Msg, msg
from . import messages as M
from .errors import EmbedderError

START_TIMEOUT_S = 60.0
REQUEST_TIMEOUT_S = 300.0  # the first request of a GGUF embedder loads the model


class EmbedService:
    """A thread-safe handle on the child; ``embed()`` starts it when needed."""

    def __init__(self, env: Mapping[str, str] | None = None):
        self.env = dict(os.environ if env is None else env)
        self._child: ChildProcess | None = None
        self._lock = threading.Lock()

    @property
    def pid(self) -> int | None:
        return self._child.pid if self._child is not None and self._child.alive else None

    def embed(self, name: str, texts: Sequence[str], timeout: float = REQUEST_TIMEOUT_S) -> np.ndarray:
        """Unit vectors for ``texts`` from the embedder ``name`` (as ``get_embedder(name)`` would give)."""
        with self._lock:
            for attempt in (1, 2):
                fresh = self.pid is None
                if fresh:
                    self._child = ChildProcess("hearthlm.core.docs.embed_service", env=self.env, name="embed",
                                               stderr_lines=20).start(ready_timeout=None)
                child = self._child
                assert child is not None
                try:
                    child.wait_ready(START_TIMEOUT_S)
                    req = child.request("embed", name=name, texts=list(texts))
                    reply = child.next_event(timeout)
                    while reply.get("id") != req:
                        reply = child.next_event(timeout)
                    break
                except (OSError, queue.Empty, ChildGone, ChildNotReady):
                    crash = self._crashed()
                # A child that was already running may have died while idle (killed, the machine
                # short of memory): one more try in a new one. A new child dying is this request's doing.
                if fresh or attempt == 2:
                    raise crash
        if reply.get("ev") == "error":
            raise EmbedderError(Msg.from_json(reply.get("msg")) or msg(M.EMBEDDER_FAILED, reason="?"))
        vectors = np.frombuffer(base64.b64decode(reply["vectors"]), np.float32)
        return vectors.reshape(len(texts), int(reply["dim"])) if len(texts) else vectors.reshape(0, int(reply["dim"]))

    def _crashed(self) -> EmbedderError:
        child, self._child = self._child, None
        returncode = child.kill() if child is not None else None  # hung past the timeout: end it
        return EmbedderError(M.EMBEDDER_CRASHED, cause=cause_of(returncode))

    def close(self) -> None:
        with self._lock:
            child, self._child = self._child, None
        if child is not None:
            child.close()  # the child's loop ends at EOF


def main() -> None:
    channel = protect_stdout()  # llama.cpp and onnxruntime print: that must not reach the replies
    from .embedders import get_embedder

    channel.ready()
    for request in read_messages():
        req = request.get("id")
        checkpoint("request")
        try:
            vectors = np.ascontiguousarray(get_embedder(request["name"]).embed(request["texts"]), np.float32)
            channel.send(ev="result", id=req, dim=int(vectors.shape[1]) if vectors.ndim == 2 else 0,
                         vectors=base64.b64encode(vectors.tobytes()).decode("ascii"))
            continue
        except EmbedderError as exc:
            error = exc.msg
        except Exception as exc:  # report it; keep serving
            error = msg(M.EMBEDDER_FAILED, reason=str(exc) or type(exc).__name__)
        channel.send(ev="error", id=req, msg=error.to_json())


if __name__ == "__main__":
    main()
