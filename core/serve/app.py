"""The ASGI app: routes, OpenAI-shaped errors, the request log, and the security checks outermost."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..messages import msg
from . import messages as M
from .errors import APIError, error_body
from .routes_chat import chat_completions, completions
from .routes_other import embeddings, get_model, list_collections, list_models, query_collection
from .security import BodyTooLarge, SecurityMiddleware
from .services import Services

log = logging.getLogger("hearth.serve")

# Read-only and answering routes only: nothing here pulls, creates, deletes or writes files.
ROUTES = [
    Route("/v1/models", list_models, methods=["GET"]),
    Route("/v1/models/{model_id:path}", get_model, methods=["GET"]),
    Route("/v1/chat/completions", chat_completions, methods=["POST"]),
    Route("/v1/completions", completions, methods=["POST"]),
    Route("/v1/embeddings", embeddings, methods=["POST"]),
    Route("/v1/hearth/collections", list_collections, methods=["GET"]),
    Route("/v1/hearth/collections/{name}/query", query_collection, methods=["POST"]),
]


async def _api_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, APIError)
    return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers())


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code in (404, 405):
        text: str = msg(M.NO_ROUTE, method=request.method, path=request.url.path[:200])
    else:
        text = str(exc.detail)
    return JSONResponse(error_body(exc.status_code, text, None, "not_found" if exc.status_code == 404 else None),
                        status_code=exc.status_code, headers=getattr(exc, "headers", None))


async def _too_large(request: Request, _exc: Exception) -> Response:
    limit = request.app.state.svc.config.max_body_bytes
    return JSONResponse(error_body(413, msg(M.BODY_TOO_LARGE, limit=limit), None, "body_too_large"), status_code=413)


async def _crash(_request: Request, exc: Exception) -> Response:
    traceback.print_exception(exc)
    return JSONResponse(error_body(500, msg(M.ENGINE_FAILED, reason=type(exc).__name__), None, "internal_error"),
                        status_code=500)


class LogMiddleware:
    """One Activity entry per request: client, route, model, tokens, duration, status."""

    def __init__(self, app: Callable[..., Awaitable[None]], services: Services):
        self.app, self.services = app, services

    async def __call__(self, scope: dict, receive: Callable[..., Awaitable[dict]],
                       send: Callable[[dict], Awaitable[None]]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client") or ("?", 0)
        entry = self.services.activity.begin(f"{client[0]}:{client[1]}", scope["method"], scope["path"])
        scope.setdefault("state", {})["entry"] = entry
        sent = [500]

        async def watch(message: dict) -> None:
            if message["type"] == "http.response.start":
                sent[0] = message["status"]
            await send(message)
        try:
            await self.app(scope, receive, watch)
        finally:
            self.services.activity.finish(entry, entry.status or sent[0])


def build_app(services: Services) -> Callable[..., Awaitable[None]]:
    app = Starlette(routes=ROUTES, exception_handlers={
        APIError: _api_error, HTTPException: _http_error, BodyTooLarge: _too_large, Exception: _crash})
    app.state.svc = services
    return SecurityMiddleware(LogMiddleware(app, services), services.config)
