"""Keep one model loaded across engine deaths.

An engine process can die between two questions (the OOM killer, a crash, a suspend that did not
come back). Nothing the user holds lives in it, so the next request simply starts a new process and
loads the same model with the same ``LoadParams``. ``EngineKeeper`` does that; if the reload itself
fails it raises ``EngineRestartFailed`` (an ``EngineCrashed``: the caller offers a restart).

Thread use: ``load``/``ready`` block and run on a worker thread, and may be called from several
threads at once (the server's requests): one of them restarts a dead engine, the others wait for it
and share it. ``engine`` may be read from any thread (``cancel()`` on it is thread-safe).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any
from collections.abc import Callable

from .. import messages as M
from ..errors import EngineError, EngineRestartFailed, HearthError
from ..messages import msg
from .client import Engine, ModelInfo
from .protocol import LoadParams


class EngineKeeper:
    """The engine in use and the ``LoadParams`` of the model it should hold."""

    def __init__(self, make: Callable[[], Engine] = Engine, make_for: Callable[[LoadParams], Any] | None = None):
        """``make_for(params)``: an engine of another kind for these params (a remote model), or None
        for the local engine that ``make()`` starts."""
        self._make, self._make_for = make, make_for
        self._special = False  # the engine in use came from make_for
        self.engine: Engine | None = None
        self.params: LoadParams | None = None  # of the last model loaded successfully
        self.restarts = 0  # engines started again after one died with a model loaded
        self._lock = threading.RLock()

    def _live_engine(self) -> Engine:
        if self._special or self.engine is None or not self.engine.alive:
            if self.engine is not None:
                self.engine.close()  # reaps the dead process and forgets its model
            self.engine, self._special = self._make(), False
        return self.engine

    def _load(self, params: LoadParams, on_progress: Callable[[float], None] | None) -> ModelInfo:
        special = self._make_for(params) if self._make_for is not None else None
        if special is None:
            return self._live_engine().load(params, on_progress=on_progress)
        info = special.load(params, on_progress=on_progress)  # a failure leaves the engine in use as it is
        if self.engine is not None:
            self.engine.close()  # the local model's memory is freed once the remote one answers
        self.engine, self._special = special, True
        return info

    def load(self, params: LoadParams, on_progress: Callable[[float], None] | None = None) -> ModelInfo:
        """Load ``params``' model (starting an engine if none runs) and remember it for restarts."""
        with self._lock:
            info = self._load(params, on_progress)
            self.params = params
            return info

    def ready(self, on_restart: Callable[[float], None] | None = None) -> Engine:
        """An engine with the model loaded: the current one, or a new one that reloads the model when
        the process died (``on_restart(progress)`` then follows the reload). Raises EngineError when
        no model was ever loaded, EngineRestartFailed when the reload fails."""
        engine = self.engine
        if engine is not None and engine.alive and engine.model is not None:
            return engine
        with self._lock:
            return self._restart(on_restart)

    def _restart(self, on_restart: Callable[[float], None] | None) -> Engine:
        engine = self.engine  # another thread may have restarted it meanwhile
        if engine is not None and engine.alive and engine.model is not None:
            return engine
        if self.params is None:
            raise EngineError(M.NO_MODEL_LOADED)
        params = LoadParams(**vars(self.params))  # load() normalises the path in place
        try:
            self._load(params, on_restart)
        except HearthError as exc:
            raise EngineRestartFailed(msg(M.ENGINE_RESTART_FAILED, name=Path(params.path).name, reason=exc.msg),
                                      exc) from exc
        self.restarts += 1
        assert self.engine is not None
        return self.engine

    def unload(self) -> None:
        """Free the model's memory: the engine ends and the model is forgotten, so the next
        ``load`` starts afresh (not counted as a restart)."""
        with self._lock:
            self.close()
            self.params = None

    def close(self) -> None:
        with self._lock:
            if self.engine is not None:
                self.engine.close()
                self.engine = None
