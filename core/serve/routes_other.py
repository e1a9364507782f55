"""GET /v1/models[/{id}], POST /v1/embeddings, and Hearth's collections."""

from __future__ import annotations

import base64
from typing import Any

import numpy as np
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..errors import HearthError
from ..messages import msg
from . import messages as M
from .errors import APIError
from .schemas import EmbeddingRequest, QueryRequest
from .services import Services, parse_body

MAX_EMBED_INPUTS = 2048


async def list_models(request: Request) -> Response:
    svc: Services = request.app.state.svc
    return JSONResponse({"object": "list", "data": svc.pool.describe()})


async def get_model(request: Request) -> Response:
    svc: Services = request.app.state.svc
    served = svc.pool.resolve(request.path_params["model_id"])
    return JSONResponse(next(d for d in svc.pool.describe() if d["id"] == served.id))


def _embedder_name(svc: Services, model: str) -> str:
    """``minilm``, or a served GGUF run as an embedding model; never a path from the network."""
    if model in ("minilm", "all-MiniLM-L6-v2"):
        return "minilm"
    try:
        served = svc.pool.resolve(model)
    except APIError:
        raise APIError(404, msg(M.EMBED_MODEL_UNKNOWN, model=model[:200]), param="model",
                       code="model_not_found") from None
    return f"gguf:{served.path}"


async def embeddings(request: Request) -> Response:
    svc: Services = request.app.state.svc
    req = await parse_body(request, EmbeddingRequest)
    name = _embedder_name(svc, req.model)
    request.state.entry.model = req.model
    texts = [req.input] if isinstance(req.input, str) else list(req.input)
    if not texts or len(texts) > MAX_EMBED_INPUTS:
        raise APIError(400, msg(M.BAD_PARAMETER, param="input", reason=f"give 1 to {MAX_EMBED_INPUTS} strings"),
                       param="input")
    try:
        vectors = await run_in_threadpool(svc.embed, name, texts)
    except HearthError as exc:
        raise APIError(500, msg(M.ENGINE_FAILED, reason=exc.msg), code="embedder_error") from None
    data: list[dict[str, Any]] = []
    for i, row in enumerate(np.asarray(vectors, dtype=np.float32)):
        if req.dimensions:  # shortened as OpenAI does: cut, then scaled back to unit length
            row = row[:req.dimensions]
            row = row / max(float(np.linalg.norm(row)), 1e-12)
        value: Any = base64.b64encode(row.astype("<f4").tobytes()).decode() if req.encoding_format == "base64" \
            else [float(x) for x in row]
        data.append({"object": "embedding", "index": i, "embedding": value})
    # The embedding child does not count tokens; clients only read usage for billing.
    return JSONResponse({"object": "list", "data": data, "model": req.model,
                         "usage": {"prompt_tokens": 0, "total_tokens": 0}})


async def list_collections(request: Request) -> Response:
    svc: Services = request.app.state.svc
    infos = await run_in_threadpool(lambda: svc.store().list_collections())
    return JSONResponse({"object": "list", "data": [
        {"name": c.name, "embedder": c.embedder, "dimension": c.dimension, "documents": c.documents,
         "chunks": c.chunks, "failed": c.failed} for c in infos]})


async def query_collection(request: Request) -> Response:
    """The same results as ``hearth docs query NAME QUESTION --json``."""
    from ..docs.search import search

    svc: Services = request.app.state.svc
    name = request.path_params["name"]
    req = await parse_body(request, QueryRequest)
    known = await run_in_threadpool(lambda: {c.name for c in svc.store().list_collections()})
    if name not in known:
        raise APIError(404, msg(M.COLLECTION_UNKNOWN, name=name[:100]), code="collection_not_found")
    try:
        hits = await run_in_threadpool(search, svc.store(), [name], req.query, req.k, embed=svc.embed)
    except HearthError as exc:
        raise APIError(400, exc.msg, param="query") from None
    return JSONResponse({"object": "list", "data": [{"rank": i, **h.to_json()} for i, h in enumerate(hits, start=1)]})
