"""Running the app: bind the socket first (a taken port is one clear sentence), then uvicorn.

``Server.start()`` runs uvicorn on a thread of its own (the window: never the UI thread);
``serve_forever()`` runs it on the calling thread (``hearth serve``). ``stop()`` ends it and the
engines it started.
"""

from __future__ import annotations

import errno
import socket
import threading
from typing import Any

from ..messages import msg
from . import messages as M
from .app import build_app
from .config import ServeConfig, ServeError
from .pool import EnginePool
from .services import Services


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    if hasattr(socket, "SO_REUSEADDR") and not hasattr(socket, "SO_EXCLUSIVEADDRUSE"):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a restart right after a stop
    try:
        sock.bind((host.strip("[]"), port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno in (errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", -1)):
            raise ServeError(msg(M.PORT_TAKEN, port=port, host=host)) from None
        raise ServeError(msg(M.BIND_FAILED, host=host, port=port, reason=exc.strerror or str(exc))) from None
    sock.setblocking(False)
    return sock


class Server:
    def __init__(self, config: ServeConfig, services: Services | None = None, pool: EnginePool | None = None):
        config.check()
        self.config = config
        self.services = services or Services(config, pool or EnginePool(config))
        self.app = build_app(self.services)
        self._sock: socket.socket | None = None
        self._uvicorn: Any = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._sock.getsockname()[1] if self._sock is not None else self.config.port

    @property
    def address(self) -> str:
        host = self.config.host
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{self.port}/v1"

    def describe(self) -> dict[str, Any]:
        """What ``hearth serve --json`` prints once listening."""
        return {"address": self.address, "host": self.config.host, "port": self.port,
                "models": [{"id": m.id, "path": m.path} for m in self.services.pool.models.values()],
                "parallel": self.config.parallel, "api_key": bool(self.config.api_key or self.config.api_key_hash)}

    def _prepare(self) -> Any:
        import uvicorn

        self._sock = bind(self.config.host, self.config.port)
        # Each request may hold a body of up to max_body_bytes before it reaches a model's queue:
        # connections beyond what the queues and streams can take get 503 at once, which bounds that.
        limit = self.config.max_streams + self.config.max_queue * max(1, len(self.services.pool.models)) + 64
        config = uvicorn.Config(self.app, log_level="warning", access_log=False, lifespan="off",
                                timeout_graceful_shutdown=2, server_header=False, limit_concurrency=limit)
        self._uvicorn = uvicorn.Server(config)
        return self._uvicorn

    def serve_forever(self, on_listening: Any = None) -> None:
        server = self._prepare()
        if on_listening is not None:
            on_listening(self)
        try:
            server.run(sockets=[self._sock])
        finally:
            self._shutdown()

    def start(self) -> Server:
        """Listen on a thread of its own; returns once the socket is bound (ServeError otherwise)."""
        server = self._prepare()
        self._thread = threading.Thread(target=server.run, kwargs={"sockets": [self._sock]}, name="hearth-serve",
                                        daemon=True)
        self._thread.start()
        return self

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self, timeout: float = 10.0) -> None:
        if self._uvicorn is not None:
            self._uvicorn.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._shutdown()

    def _shutdown(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        self.services.close()
