"""Embedding questions for the window in a child process.

Ingestion already runs as a child (``hearth docs add --progress``); a question typed in the window
is embedded here, so that neither llama.cpp (GGUF embedders) nor onnxruntime runs in the UI
process. A model that crashes takes this child with it: the question gets one sentence, and the
next question starts a new child.

Protocol (core/child): ``{"cmd": "embed", "id": n, "name": embedder, "texts": [...]}``; the reply
``{"ev": "result", "id": n, "dim": d, "vectors": base64 float32}`` or ``{"ev": "error", "id": n, "msg": Msg}``.
Replies for different embedders may come in any order (core/child/calls.py routes them).
"""

from __future__ import annotations

import base64
import itertools
import os
import queue
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ..child.calls import Calls
from ..child.crash import cause_of
from ..child.process import ChildGone, ChildNotReady, ChildProcess
from ..child.side import Channel, checkpoint, protect_stdout, read_messages
from ..messages import Msg, msg
from . import messages as M
from .errors import EmbedderError

START_TIMEOUT_S = 60.0
REQUEST_TIMEOUT_S = 300.0  # the first request of a GGUF embedder loads the model


class EmbedService:
    """A thread-safe handle on the child; ``embed()`` starts it when needed. Calls from several
    threads are in flight together (a Chinese question's e5 embedding for the cross-language index
    beside the collection's own): the child embeds for different embedders at once."""

    def __init__(self, env: Mapping[str, str] | None = None):
        self.env = dict(os.environ if env is None else env)
        self._child: ChildProcess | None = None
        self._calls = Calls()
        self._lock = threading.Lock()  # held while a child starts
        self._ids = itertools.count(1)

    @property
    def pid(self) -> int | None:
        return self._child.pid if self._child is not None and self._child.alive else None

    def embed(self, name: str, texts: Sequence[str], timeout: float = REQUEST_TIMEOUT_S) -> np.ndarray:
        """Unit vectors for ``texts`` from the embedder ``name`` (as ``get_embedder(name)`` would give)."""
        for attempt in (1, 2):
            child, calls, fresh = self._running()
            req = next(self._ids)
            waiting = calls.open(req)
            try:
                if waiting is None:
                    raise ChildGone(None, [])
                child.send({"cmd": "embed", "id": req, "name": name, "texts": list(texts)})
                reply = waiting.get(timeout=timeout)
                if reply is None:
                    raise ChildGone(None, [])
                break
            except (OSError, queue.Empty, ChildGone):
                crash = self._crashed(child)
            finally:
                calls.close(req)
            # A child that was already running may have died while idle (killed, the machine
            # short of memory): one more try in a new one. A new child dying is this request's doing.
            if fresh or attempt == 2:
                raise crash
        assert reply is not None
        if reply.get("ev") == "error":
            raise EmbedderError(Msg.from_json(reply.get("msg")) or msg(M.EMBEDDER_FAILED, reason="?"))
        vectors = np.frombuffer(base64.b64decode(reply["vectors"]), np.float32)
        return vectors.reshape(len(texts), int(reply["dim"])) if len(texts) else vectors.reshape(0, int(reply["dim"]))

    def _running(self) -> tuple[ChildProcess, Calls, bool]:
        """The child (started and ready), its calls, and whether this call started it."""
        with self._lock:
            child = self._child
            if child is not None and child.alive:
                return child, self._calls, False
            calls = Calls()
            child = ChildProcess("hearthlm.core.docs.embed_service", env=self.env, name="embed", stderr_lines=20,
                                 divert={"result": calls.route, "error": calls.route}).start(ready_timeout=None)
            try:
                child.wait_ready(START_TIMEOUT_S)
            except (ChildGone, ChildNotReady):  # ChildNotReady: it has been killed
                self._child = None
                raise EmbedderError(M.EMBEDDER_CRASHED, cause=cause_of(child.kill())) from None
            threading.Thread(target=calls.watch, args=(child.events,), daemon=True, name="embed-watch").start()
            self._child, self._calls = child, calls
            return child, calls, True

    def _crashed(self, child: ChildProcess) -> EmbedderError:
        """``child`` died or hung past a call's timeout: end it (a new one starts with the next call)."""
        with self._lock:
            if self._child is child:
                self._child = None
        returncode = child.kill()
        return EmbedderError(M.EMBEDDER_CRASHED, cause=cause_of(returncode))

    def close(self) -> None:
        with self._lock:
            child, self._child = self._child, None
        if child is not None:
            child.close()  # the child's loop ends at EOF


def main() -> None:
    channel = protect_stdout()  # llama.cpp and onnxruntime print: that must not reach the replies
    from .embedders import QUERY_SUFFIX

    # One thread per model: requests for different embedders run together (onnxruntime releases
    # the GIL), those for one model in turn (a llama.cpp context must not be used by two threads).
    lanes: dict[str, ThreadPoolExecutor] = {}
    channel.ready()
    for request in read_messages():
        checkpoint("request")
        model = str(request.get("name", "")).removesuffix(QUERY_SUFFIX)
        if model not in lanes:
            lanes[model] = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"embed-{model[:20]}")
        lanes[model].submit(_answer, channel, request)
    for lane in lanes.values():
        lane.shutdown(wait=True)


def _answer(channel: Channel, request: dict) -> None:
    from .embedders import get_embedder

    req = request.get("id")
    try:
        vectors = np.ascontiguousarray(get_embedder(request["name"]).embed(request["texts"]), np.float32)
        channel.send(ev="result", id=req, dim=int(vectors.shape[1]) if vectors.ndim == 2 else 0,
                     vectors=base64.b64encode(vectors.tobytes()).decode("ascii"))
        return
    except EmbedderError as exc:
        error = exc.msg
    except Exception as exc:  # report it; keep serving
        error = msg(M.EMBEDDER_FAILED, reason=str(exc) or type(exc).__name__)
    channel.send(ev="error", id=req, msg=error.to_json())


if __name__ == "__main__":
    main()
