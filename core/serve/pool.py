"""The engines behind the server: one per served model, loaded on first use, restarted after a crash.

Each model has a queue: at most ``concurrency`` requests are answered at once (the engine's
``n_parallel`` sequences, decoded together: core/engine/batching.py) and at most ``max_queue``
wait; beyond that the client gets 429 with Retry-After.

A model the pool loaded is unloaded after ``idle_unload_s`` without a request (its engine process
ends, so its memory is the system's again) and loaded again by the next request.

The window's chat engine can be shared (``share``): a request for the model the window has loaded
goes to the window's engine, so the model is in memory once and the window is one more client.

Thread use: ``resolve``/``describe`` anywhere; ``engine_for`` blocks (loads) and runs on a request's
worker thread; ``enter`` and ``Ticket`` run on the server's event loop.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..engine import Engine, LoadParams
from ..engine.keeper import EngineKeeper
from ..errors import HearthError
from ..messages import msg
from ..remote import is_remote
from ..remote.engine import remote_engine_for
from . import messages as M
from .config import ServeConfig, ServeError
from .errors import APIError

RETRY_AFTER_S = 2
# Served answers reach their clients at most every 50 ms (20 pieces a second; the window's chat:
# 25 ms). Each piece costs the server and its client CPU that, on a machine whose cores run
# llama.cpp's threads, slows the decode: one stream of 1,000 tokens ran at 0.965 of the bare loop
# with 25 ms and 0.984 with 50 ms (4 alternating rounds, quiet; bench/RESULTS.md).
SERVE_STREAM_INTERVAL_MS = 50.0


@dataclass
class ServedModel:
    id: str
    path: str
    params: LoadParams
    keeper: EngineKeeper
    created: int
    lock: threading.Lock = field(default_factory=threading.Lock)  # loads and restarts, one at a time
    waiting: int = 0
    active: int = 0
    last_used: float = field(default_factory=time.monotonic)  # the end of the last request, or its load
    _slots: asyncio.Semaphore | None = None

    @property
    def concurrency(self) -> int:
        return max(1, self.params.n_parallel)

    @property
    def slots(self) -> asyncio.Semaphore:
        if self._slots is None:  # made on the server's loop
            self._slots = asyncio.Semaphore(self.concurrency)
        return self._slots

    def names(self) -> set[str]:
        p = Path(self.path)
        return {self.id, self.path, p.name, p.stem}


def resolve_model(spec: str) -> tuple[str, str]:
    """(id, path) of a --model value: a GGUF path, a name in Hearth's model library, or
    ``remote:NAME/MODEL`` (a model of an endpoint added with ``hearth remote add``: the server is
    then its proxy, and its clients never see the endpoint's key)."""
    from ..remote import is_remote, parse_ref

    if is_remote(spec):
        from ..remote.endpoints import get_endpoint
        from ..settings import load_settings

        parsed = parse_ref(spec)
        if parsed is None:
            raise ServeError(msg(M.UNKNOWN_MODEL, model=spec))
        get_endpoint(load_settings(), parsed[0])  # an unknown endpoint: one sentence now
        return spec, spec
    path = Path(spec).expanduser()
    if path.exists():
        from ..modelfile import read_gguf

        read_gguf(path)  # not a GGUF, damaged, a folder: one sentence now, not a 500 on first use
        return path.stem, str(path.resolve())
    from ..hub.library import find

    found = find(spec)
    return found.name, str(Path(found.path).resolve())


class EnginePool:
    def __init__(self, config: ServeConfig, make_engine: Callable[[], Engine] | None = None,
                 guest_only: bool = False):
        from ..paths import log_dir

        self.config = config
        # The window's server: its models are the window's, and only the window's engine answers
        # (never a second copy of the model): while the window is loading, requests get 503.
        self.guest_only = guest_only
        self.on_guest_crash: Callable[[], None] | None = None  # the window restarts its own engine
        self._make = make_engine or (lambda: Engine(log_path=log_dir() / "engine.log",
                                                    stream_interval_ms=SERVE_STREAM_INTERVAL_MS))
        self.models: dict[str, ServedModel] = {}
        self.guests: list[EngineKeeper] = []
        self.streams = 0
        self.on_unload: Callable[[ServedModel], None] | None = None  # hearth serve says it
        self._closing = threading.Event()
        if config.idle_unload_s > 0:
            threading.Thread(target=self._unload_when_idle, name="idle-unload", daemon=True).start()
        specs = list(config.models)
        if not specs:
            from ..default_model import default_model_path
            from ..settings import load_settings

            default = default_model_path(load_settings())
            if default is None:
                raise ServeError(msg(M.NO_MODEL_TO_SERVE))
            specs = [str(default)]
        self.set_models(specs)

    def set_models(self, specs: list[str]) -> None:
        """Serve these models (paths or library names) from now on; engines of others are closed."""
        config = self.config
        models: dict[str, ServedModel] = {}
        for spec in specs:
            model_id, path = resolve_model(spec)
            if model_id in models:
                continue
            old = next((m for m in self.models.values() if m.path == path), None)
            if old is not None:
                models[model_id] = old
                continue
            params = LoadParams(path=path, n_ctx=config.ctx * max(1, config.parallel), n_parallel=config.parallel,
                                n_threads=config.threads, n_gpu_layers=config.gpu_layers)
            remote = is_remote(path)
            keeper = EngineKeeper(self._make, make_for=remote_engine_for) if remote else EngineKeeper(self._make)
            models[model_id] = ServedModel(model_id, path, params, keeper,
                                           int(time.time()) if remote else int(os.path.getmtime(path)))
        for served in self.models.values():
            if served not in models.values():
                served.keeper.close()
        self.models = models

    # -- which model ---------------------------------------------------------------------------

    def resolve(self, name: str) -> ServedModel:
        served = self.models.get(name)
        if served is None:
            served = next((m for m in self.models.values() if name in m.names()), None)
        if served is None:
            raise APIError(404, msg(M.UNKNOWN_MODEL, model=name[:200]), param="model", code="model_not_found")
        return served

    def describe(self) -> list[dict[str, Any]]:
        return [{"id": m.id, "object": "model", "created": m.created, "owned_by": "hearth",
                 # the file's name, not its path: a path tells clients the user's name and folders
                 "hearth": {"file": m.path if is_remote(m.path) else Path(m.path).name, "loaded": self.loaded(m)}}
                for m in self.models.values()]

    def loaded(self, served: ServedModel) -> bool:
        return self._guest_engine(served) is not None or (
            served.keeper.engine is not None and served.keeper.engine.alive and served.keeper.engine.model is not None)

    # -- the engine -----------------------------------------------------------------------------

    def share(self, keeper: EngineKeeper) -> None:
        """Use ``keeper``'s engine (the window's) for requests for the model it holds."""
        if keeper not in self.guests:
            self.guests.append(keeper)

    def unshare(self, keeper: EngineKeeper) -> None:
        if keeper in self.guests:
            self.guests.remove(keeper)

    def _guest_engine(self, served: ServedModel) -> Engine | None:
        if is_remote(served.path):
            return None  # the window's remote engine is its own connection; the pool makes one
        for keeper in self.guests:
            engine = keeper.engine
            if engine is not None and engine.alive and engine.model is not None and \
                    os.path.realpath(engine.model.path) == os.path.realpath(served.path):
                return engine
        return None

    def engine_for(self, served: ServedModel) -> Engine:
        """An engine with ``served``'s model loaded: the window's when it holds that model, else this
        pool's own (loaded now on first use; a new process after a crash). Blocks; raises HearthError."""
        guest = self._guest_engine(served)
        if guest is not None:
            return guest
        if self.guest_only and not is_remote(served.path):  # (a remote model costs no memory here)
            raise APIError(503, msg(M.MODEL_LOADING, model=served.id), code="model_loading",
                           retry_after=RETRY_AFTER_S)
        with served.lock:
            keeper = served.keeper
            if keeper.params is None:
                keeper.load(LoadParams(**vars(served.params)))
                assert keeper.engine is not None
                engine = keeper.engine
            else:
                engine = keeper.ready()
            served.last_used = time.monotonic()  # a slow load is not idle time
            return engine

    # -- unloading idle models ----------------------------------------------------------------------

    def unload_idle(self, now: float | None = None) -> list[ServedModel]:
        """Unload every model of the pool's own that nobody asked for in ``idle_unload_s``; returns
        them. A model being loaded (its lock taken) or with a request waiting or answered is left."""
        now = time.monotonic() if now is None else now
        unloaded = []
        for served in list(self.models.values()):
            if is_remote(served.path) or not served.lock.acquire(blocking=False):
                continue  # a remote model holds no memory here
            try:  # under the lock: a request admitted meanwhile waits in engine_for, then loads again
                if served.keeper.params is None or served.active or served.waiting or \
                        now - served.last_used < self.config.idle_unload_s:
                    continue
                served.keeper.unload()
            finally:
                served.lock.release()
            unloaded.append(served)
            if self.on_unload is not None:
                self.on_unload(served)
        return unloaded

    def _unload_when_idle(self) -> None:
        interval = min(30.0, self.config.idle_unload_s / 4)
        while not self._closing.wait(interval):
            self.unload_idle()

    def restart_soon(self, served: ServedModel) -> None:
        """After a crash: start the new engine now, so the next request finds it loaded (the
        window's engine is restarted by the window, which owns it)."""
        if self.guest_only:
            if self.on_guest_crash is not None:
                self.on_guest_crash()
            return

        def restart() -> None:
            try:
                self.engine_for(served)
            except HearthError:
                pass  # the next request tries again and reports the reason
        threading.Thread(target=restart, name="engine-restart", daemon=True).start()

    # -- queue ----------------------------------------------------------------------------------

    def enter(self, served: ServedModel) -> Ticket:
        """A place in ``served``'s queue; 429 when too many already wait (raised before any answer
        starts, so a stream can still get a status code)."""
        if served.waiting >= self.config.max_queue:
            raise APIError(429, msg(M.QUEUE_FULL, waiting=served.waiting, model=served.id), code="queue_full",
                           retry_after=RETRY_AFTER_S)
        served.waiting += 1
        return Ticket(served)

    def open_stream(self) -> None:
        if self.streams >= self.config.max_streams:
            raise APIError(429, msg(M.STREAMS_FULL, limit=self.config.max_streams), code="too_many_streams",
                           retry_after=RETRY_AFTER_S)
        self.streams += 1

    def close_stream(self) -> None:
        self.streams -= 1

    def close(self) -> None:
        self._closing.set()
        for served in self.models.values():
            served.keeper.close()


class Ticket:
    """A request's place in a model's queue: ``acquire`` waits for a free sequence, ``release`` frees
    it (or the place in the queue) and may be called more than once."""

    def __init__(self, served: ServedModel):
        self.served = served
        self.state = "waiting"

    async def acquire(self) -> None:
        try:
            await self.served.slots.acquire()
        except BaseException:
            self.release()
            raise
        self.served.waiting -= 1
        self.served.active += 1
        self.state = "active"

    def release(self) -> None:
        if self.state == "waiting":
            self.served.waiting -= 1
        elif self.state == "active":
            self.served.active -= 1
            self.served.last_used = time.monotonic()
            self.served.slots.release()
        self.state = "done"
