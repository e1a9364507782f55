"""What the routes share: the config, the engines, the activity log and the documents (the store and
the embedding child, opened on first use). Blocking calls go to worker threads from here."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from ..messages import msg
from . import messages as M
from .activity import Activity, LogEntry
from .config import ServeConfig
from .errors import APIError
from .pool import EnginePool

Body = TypeVar("Body", bound=BaseModel)


async def parse_body(request: Request, shape: type[Body]) -> Body:
    """The JSON body as ``shape``; 400 in OpenAI's shape for bad JSON or a bad parameter."""
    raw = await request.body()
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise APIError(400, msg(M.BAD_JSON, reason=str(exc)), code="invalid_json") from None
    except RecursionError:  # "[[[[…" a hundred thousand deep
        raise APIError(400, msg(M.BAD_JSON, reason="it is nested too deeply"), code="invalid_json") from None
    if not isinstance(data, dict):
        raise APIError(400, msg(M.BAD_JSON, reason="the body must be a JSON object"), code="invalid_json")
    try:
        return shape.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        param = ".".join(str(p) for p in first.get("loc", ()))
        raise APIError(400, msg(M.BAD_PARAMETER, param=param or "body", reason=first.get("msg", "invalid")),
                       param=param or None, code="invalid_parameter") from None


class Services:
    def __init__(self, config: ServeConfig, pool: EnginePool, activity: Activity | None = None,
                 open_store: Callable[[], Any] | None = None, embed: Callable[..., Any] | None = None):
        self.config = config
        self.pool = pool
        self.activity = activity or Activity()
        self._open_store = open_store
        self._store: Any = None
        self._embed = embed
        self._embed_service: Any = None
        self._lock = threading.Lock()

    # -- documents ------------------------------------------------------------------------------

    def store(self) -> Any:
        """The document store (the window passes its own; headless, one is opened on first use)."""
        with self._lock:
            if self._store is None:
                if self._open_store is not None:
                    self._store = self._open_store()
                else:
                    from ..docs.store import DocStore

                    self._store = DocStore()
            return self._store

    def embed(self, name: str, texts: Sequence[str]) -> Any:
        """Unit vectors from a Hearth embedder, run in a child process (a crash costs a restart)."""
        if self._embed is not None:
            return self._embed(name, texts)
        with self._lock:
            if self._embed_service is None:
                from ..docs.embed_service import EmbedService

                self._embed_service = EmbedService()
            service = self._embed_service
        return service.embed(name, list(texts))

    async def ground(self, collections: list[str], messages: list[dict[str, Any]], max_tokens: int) -> Any:
        """Put the collections' best excerpts before the last user message (in place); returns ChatDocs."""
        from ..docs.chat_context import retrieve

        last = next((m for m in reversed(messages) if m["role"] == "user"), None)
        if last is None:
            raise APIError(400, msg(M.BAD_PARAMETER, param="messages", reason="no user message to answer"),
                           param="messages")
        known = await run_in_threadpool(lambda: {c.name for c in self.store().list_collections()})
        for name in collections:
            if name not in known:
                raise APIError(404, msg(M.COLLECTION_UNKNOWN, name=name[:100]), param="hearth.collections",
                               code="collection_not_found")
        docs = await run_in_threadpool(retrieve, self.store(), collections, last["content"], n_ctx=self.config.ctx,
                                       max_tokens=max_tokens, history=messages, embed=self.embed)
        last["content"] = docs.content
        return docs

    # -- prompts --------------------------------------------------------------------------------

    def render_tools_prompt(self, engine: Any, template: str, messages: list[dict[str, Any]],
                            tools: list[dict[str, Any]]) -> str:
        """The model's own template with ``tools``, in the sandbox (core/prompt/template.py)."""
        from ..prompt.template import render_template

        raw = engine.model.raw if engine.model is not None else {}
        try:
            return render_template(template, messages, bos_token=raw.get("bos_token") or "",
                                   eos_token=raw.get("eos_token") or "", tools=tools)
        except Exception as exc:  # SecurityError and TemplateError included: said, nothing run
            raise APIError(400, msg(M.TEMPLATE_NO_TOOLS, reason=str(exc) or type(exc).__name__), param="tools",
                           code="template_error") from None

    # -- log ------------------------------------------------------------------------------------

    def finish_log(self, entry: LogEntry, status: int) -> None:
        """A stream's real outcome (its HTTP status was 200 before it knew); the log middleware
        records the entry when the response ends."""
        entry.status = status

    def close(self) -> None:
        self.pool.close()
        if self._embed_service is not None:
            self._embed_service.close()
        if self._store is not None and self._open_store is None:
            self._store.close()
