"""POST /v1/chat/completions and POST /v1/completions."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from ..engine import GenerationParams
from ..messages import msg
from . import messages as M
from .answer import Answering
from .errors import APIError
from .grammar import json_object_grammar, schema_grammar, tool_call_grammar
from .jobs import Job, engine_kwargs
from .schemas import ChatRequest, CompletionRequest, Sampling
from .services import Services, parse_body
from .streamtext import opened_reasoning
from .tools import history_for_template, plain_history, template_supports_tools

DEFAULT_MAX_TOKENS = 1024


def _max_tokens(svc: Services, asked: int | None) -> int:
    limit = min(svc.config.max_tokens_limit, svc.config.ctx - 1)
    if asked is None:
        return min(DEFAULT_MAX_TOKENS, limit)
    if asked > limit:
        raise APIError(400, msg(M.MAX_TOKENS_LIMIT, value=asked, limit=limit), param="max_tokens",
                       code="max_tokens_too_large")
    return asked


def _params(req: Sampling, max_tokens: int, grammar: str | None, top_logprobs: int) -> GenerationParams:
    if req.n != 1:
        raise APIError(400, msg(M.ONLY_N_1), param="n")
    gp = GenerationParams(max_tokens=max_tokens, seed=req.seed, stop=req.stops(), grammar=grammar,
                          top_logprobs=top_logprobs)
    if req.temperature is not None:
        gp.temperature = req.temperature
    if req.top_p is not None:
        gp.top_p = req.top_p
    return gp


def _text(content: Any, where: str) -> str:
    if content is None or isinstance(content, str):
        return content or ""
    parts = []
    for part in content:
        if part.type != "text":
            raise APIError(400, msg(M.BAD_CONTENT_PART, kind=part.type[:40]), param=where)
        parts.append(part.text or "")
    return "".join(parts)


def _messages(req: ChatRequest) -> list[dict[str, Any]]:
    out = []
    for i, m in enumerate(req.messages):
        d: dict[str, Any] = {"role": "system" if m.role == "developer" else m.role,
                             "content": _text(m.content, f"messages[{i}].content")}
        if m.tool_calls:
            d["tool_calls"] = m.tool_calls
        if m.tool_call_id:
            d["tool_call_id"] = m.tool_call_id
        if m.name:
            d["name"] = m.name
        out.append(d)
    return out


def _grammar(req: ChatRequest, tools: list[dict[str, Any]]) -> str | None:
    choice = req.tool_choice
    if tools and (choice == "required" or isinstance(choice, dict)):
        chosen = tools
        if isinstance(choice, dict):
            name = (choice.get("function") or {}).get("name")
            chosen = [t for t in tools if t["function"]["name"] == name]
            if not chosen:
                raise APIError(400, msg(M.BAD_PARAMETER, param="tool_choice", reason=f"no tool named {name!r}"),
                               param="tool_choice")
        try:
            return tool_call_grammar(chosen)
        except ValueError as exc:
            raise APIError(400, msg(M.BAD_PARAMETER, param="tools", reason=str(exc)), param="tools") from None
    fmt = req.response_format
    if fmt is None or fmt.type == "text":
        return None
    if fmt.type == "json_object":
        return json_object_grammar()
    schema = fmt.json_schema.schema_ if fmt.json_schema is not None else {"type": "object"}
    try:
        return schema_grammar(schema)
    except ValueError as exc:
        raise APIError(400, msg(M.BAD_PARAMETER, param="response_format", reason=str(exc)),
                       param="response_format") from None


async def chat_completions(request: Request) -> Response:
    svc: Services = request.app.state.svc
    req = await parse_body(request, ChatRequest)
    request.state.entry.model = req.model[:100]  # the log shows what was asked for, even if refused
    served = svc.pool.resolve(req.model)
    request.state.entry.model = served.id
    max_tokens = _max_tokens(svc, req.max_completion_tokens or req.max_tokens)
    tools = [t.model_dump(exclude_none=True) for t in req.tools or []] if req.tool_choice != "none" else []
    want_lp = req.logprobs
    top = (req.top_logprobs or 0) if want_lp else 0
    grammar = await run_in_threadpool(_grammar, req, tools)  # a large schema takes a while: not on the loop
    params = _params(req, max_tokens, grammar, max(1, top) if want_lp else 0)
    messages = _messages(req)
    extra: dict[str, Any] = {}
    if req.hearth is not None and req.hearth.collections:
        docs = await svc.ground(req.hearth.collections, messages, max_tokens)
        extra["hearth"] = {"sources": docs.sources, "note": str(docs.note) if docs.note else None}

    def work(job: Job) -> Any:  # on a worker thread
        engine = svc.pool.engine_for(served)
        job.engine = engine
        template = (engine.model.raw.get("chat_template") if engine.model is not None else None)
        raw = engine.model.raw if engine.model is not None else {}
        job.reasoning_prefix = opened_reasoning(template, raw.get("bos_token") or "", raw.get("eos_token") or "")
        if tools and template is not None and template_supports_tools(template):
            prompt = svc.render_tools_prompt(engine, template, history_for_template(messages), tools)
            return engine.complete(prompt, params, on_token=job.on_token, **engine_kwargs(engine.complete, job, want_lp))
        history = plain_history(messages, tools) if (tools or any(m["role"] == "tool" or m.get("tool_calls")
                                                                  for m in messages)) else messages
        return engine.chat(history, params, on_token=job.on_token, **engine_kwargs(engine.chat, job, want_lp))

    answering = Answering(svc.pool, served, work, "chat", params.stop, request.state.entry, svc.finish_log,
                          stream=req.stream, include_usage=bool(req.stream_options and req.stream_options.include_usage),
                          tool_names={t["function"]["name"] for t in tools} if tools else None,
                          logprobs=top if want_lp else None, extra=extra)
    return await answering.respond(request)


async def completions(request: Request) -> Response:
    svc: Services = request.app.state.svc
    req = await parse_body(request, CompletionRequest)
    request.state.entry.model = req.model[:100]
    served = svc.pool.resolve(req.model)
    request.state.entry.model = served.id
    prompts = [req.prompt] if isinstance(req.prompt, str) else req.prompt
    if len(prompts) != 1:
        raise APIError(400, msg(M.ONLY_N_1), param="prompt")
    prompt = prompts[0]
    max_tokens = _max_tokens(svc, req.max_tokens)
    want_lp = req.logprobs is not None
    params = _params(req, max_tokens, None, max(1, req.logprobs or 0) if want_lp else 0)

    def work(job: Job) -> Any:
        engine = svc.pool.engine_for(served)
        job.engine = engine
        return engine.complete(prompt, params, on_token=job.on_token, **engine_kwargs(engine.complete, job, want_lp))

    answering = Answering(svc.pool, served, work, "completion", params.stop, request.state.entry, svc.finish_log,
                          stream=req.stream, include_usage=bool(req.stream_options and req.stream_options.include_usage),
                          logprobs=req.logprobs if want_lp else None, split_reasoning=False,
                          echo=prompt if req.echo else "")
    answering.id = "cmpl-" + answering.id.split("-", 1)[1]
    return await answering.respond(request)
