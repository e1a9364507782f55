"""One answer from request to response, shared by chat and text completions: the queue, the engine
call on a worker thread, stop strings, reasoning, tool calls, logprobs, and the client going away.

``Answering`` is built by a route with what to run (``work``) and how to shape the output; the
route returns ``await answering.respond(request)``: a JSON body, or an SSE stream ending with
``data: [DONE]``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from .. import errors as core_errors
from ..errors import EngineCrashed, EngineError, HearthError
from ..messages import Msg, msg
from .. import messages as CM
from . import messages as M
from .activity import LogEntry
from .errors import APIError
from .jobs import Job
from .pool import RETRY_AFTER_S, EnginePool, ServedModel, Ticket
from .streamtext import ReasoningSplitter, StopCutter
from .tools import parse_tool_calls

FINISH = {"eos": "stop", "length": "length", "context": "length", "cancelled": "stop"}
DISCONNECT_POLL_S = 0.25


@dataclass
class Outcome:
    text: str = ""
    reasoning: str = ""
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    logprobs: list[dict[str, Any]] = field(default_factory=list)
    finish: str = "stop"
    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclass
class Answering:
    pool: EnginePool
    served: ServedModel
    work: Callable[[Job], Any]  # runs on a worker thread: calls the engine, returns its Answer
    kind: str  # "chat" | "completion"
    stops: list[str]
    entry: LogEntry
    finish_log: Callable[[LogEntry, int], None]
    stream: bool = False
    include_usage: bool = False
    tool_names: set[str] | None = None  # tools offered: the answer is parsed for calls
    logprobs: int | None = None  # None: not asked; else how many alternatives per token
    split_reasoning: bool = True
    echo: str = ""  # completions: the prompt before the text
    extra: dict[str, Any] = field(default_factory=dict)  # "hearth": sources, note
    id: str = field(default_factory=lambda: "chatcmpl-" + uuid.uuid4().hex[:24])
    created: int = field(default_factory=lambda: int(time.time()))

    # -- shapes -----------------------------------------------------------------------------------

    def _object(self, streaming: bool) -> str:
        if self.kind == "chat":
            return "chat.completion.chunk" if streaming else "chat.completion"
        return "text_completion"

    def _usage(self, o: Outcome) -> dict[str, int]:
        return {"prompt_tokens": o.prompt_tokens, "completion_tokens": o.completion_tokens,
                "total_tokens": o.prompt_tokens + o.completion_tokens}

    def _logprobs(self, entries: list[dict[str, Any]]) -> Any:
        if self.logprobs is None:
            return None
        trimmed = [{**e, "top_logprobs": list(e.get("top_logprobs") or [])[:self.logprobs]} for e in entries]
        if self.kind == "chat":
            return {"content": trimmed}
        return {"tokens": [e.get("token") for e in trimmed], "token_logprobs": [e.get("logprob") for e in trimmed],
                "top_logprobs": [{t["token"]: t["logprob"] for t in e["top_logprobs"]} for e in trimmed],
                "text_offset": []}

    def body(self, o: Outcome) -> dict[str, Any]:
        if self.kind == "chat":
            message: dict[str, Any] = {"role": "assistant", "content": o.text if (o.text or not o.tool_calls) else None}
            if o.reasoning:
                message["reasoning_content"] = o.reasoning
            if o.tool_calls:
                message["tool_calls"] = o.tool_calls
            choice = {"index": 0, "message": message, "logprobs": self._logprobs(o.logprobs), "finish_reason": o.finish}
        else:
            choice = {"index": 0, "text": self.echo + o.text, "logprobs": self._logprobs(o.logprobs),
                      "finish_reason": o.finish}
        out = {"id": self.id, "object": self._object(False), "created": self.created, "model": self.served.id,
               "choices": [choice], "usage": self._usage(o)}
        return {**out, **self.extra}

    def chunk(self, delta: dict[str, Any] | None = None, *, text: str = "", finish: str | None = None,
              logprobs: list[dict[str, Any]] | None = None, usage: dict[str, int] | None = None,
              empty: bool = False) -> str:
        choices: list[dict[str, Any]] = []
        if not empty:
            if self.kind == "chat":
                choice: dict[str, Any] = {"index": 0, "delta": delta or {}, "finish_reason": finish}
            else:
                choice = {"index": 0, "text": text, "finish_reason": finish}
            choice["logprobs"] = self._logprobs(logprobs) if logprobs else None
            choices.append(choice)
        data: dict[str, Any] = {"id": self.id, "object": self._object(True), "created": self.created,
                                "model": self.served.id, "choices": choices}
        if self.include_usage:
            data["usage"] = usage
        if finish is not None and self.extra:
            data.update(self.extra)
        return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"

    # -- running ----------------------------------------------------------------------------------

    async def respond(self, request: Request) -> Response:
        ticket = self.pool.enter(self.served)  # 429 here, before anything is sent
        if self.stream:
            try:
                self.pool.open_stream()
            except APIError:
                ticket.release()
                raise
            return StreamingResponse(self._sse(ticket), media_type="text/event-stream",
                                     headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
        try:
            outcome = await self._collect(ticket, request)
        finally:
            ticket.release()
        self.entry.tokens = outcome.prompt_tokens + outcome.completion_tokens
        return JSONResponse(self.body(outcome))

    async def _collect(self, ticket: Ticket, request: Request) -> Outcome:
        """The whole answer; the client going away cancels it (checked every DISCONNECT_POLL_S)."""
        await ticket.acquire()
        job = self._job()
        cutter, pieces, logprobs = StopCutter(self.stops), [], []
        try:
            while True:
                try:
                    kind, value = await asyncio.wait_for(job.next(), DISCONNECT_POLL_S)
                except TimeoutError:
                    if await request.is_disconnected():
                        job.cancel()
                        raise APIError(499, "client disconnected") from None
                    continue
                if kind == "text":
                    pieces.append(cutter.feed(value))
                    if cutter.hit:
                        job.cancel()
                elif kind == "logprobs":
                    logprobs.extend(value)
                elif kind == "error":
                    raise self._api_error(value)
                else:
                    pieces.append(cutter.flush())
                    return self._outcome("".join(pieces), value, cutter.hit, logprobs, job.reasoning_prefix)
        finally:
            job.cancel()

    def _job(self) -> Job:
        job = Job()
        job.direct_cancel = not self.pool.guest_only
        return job.run(self.work)

    def _outcome(self, text: str, answer: Any, stopped: bool, logprobs: list[dict[str, Any]],
                 prefix: str = "") -> Outcome:
        stats = answer.stats
        o = Outcome(prompt_tokens=stats.prompt_tokens, completion_tokens=stats.completion_tokens,
                    finish="stop" if stopped else FINISH.get(stats.stop_reason, "stop"),
                    logprobs=logprobs or list(getattr(answer, "logprobs", None) or []))
        if self.kind == "chat" and self.split_reasoning:
            from ..chat.reasoning import split_reasoning

            split = split_reasoning(prefix + text)
            o.reasoning, text = split.reasoning, (split.answer if (split.reasoning or split.open) else text)
        if self.tool_names is not None:
            parsed = parse_tool_calls(text, self.tool_names)
            if parsed.calls:
                text, o.tool_calls, o.finish = parsed.content, parsed.calls, "tool_calls"
        o.text = text
        return o

    def _api_error(self, exc: BaseException) -> APIError:
        if isinstance(exc, APIError):
            return exc
        busy = getattr(core_errors, "EngineBusy", None)  # the batching engine's full queue
        if busy is not None and isinstance(exc, busy):
            return APIError(503, exc.msg if isinstance(exc, HearthError) else str(exc), code="engine_busy",
                            retry_after=RETRY_AFTER_S)
        if isinstance(exc, EngineCrashed):
            self.pool.restart_soon(self.served)
            return APIError(500, msg(M.ENGINE_CRASHED, reason=exc.msg), code="engine_crashed")
        if isinstance(exc, EngineError) and isinstance(exc.msg, Msg) and exc.msg.template == CM.PROMPT_TOO_LONG:
            return APIError(400, exc.msg, param="messages", code="context_length_exceeded")
        if isinstance(exc, HearthError):
            return APIError(500, msg(M.ENGINE_FAILED, reason=exc.msg), code="engine_error")
        # Not one of Hearth's sentences: its words may hold paths or internals, so the client gets
        # its kind and the server's log the rest.
        logging.getLogger("hearth.serve").error("a request failed", exc_info=exc)
        return APIError(500, msg(M.ENGINE_FAILED, reason=type(exc).__name__), code="internal_error")

    async def _sse(self, ticket: Ticket) -> AsyncIterator[str]:
        job: Job | None = None
        status = 200
        try:
            await ticket.acquire()
            job = self._job()
            cutter, splitter = StopCutter(self.stops), None
            buffered: list[str] = []  # with tools: the text waits for the end (it may be a call)
            pending_lp: list[dict[str, Any]] = []
            if self.kind == "chat":
                yield self.chunk({"role": "assistant", "content": ""})
            async for kind, value in job.events():
                if kind == "logprobs":
                    pending_lp.extend(value)
                    continue
                if kind == "error":
                    error = self._api_error(value)
                    status = error.status
                    yield f"data: {json.dumps(error.body(), ensure_ascii=False)}\n\n"
                    break
                if kind == "text":
                    out = cutter.feed(value)
                    if cutter.hit:
                        job.cancel()
                else:
                    out = cutter.flush()
                if out:
                    if self.tool_names is not None:
                        buffered.append(out)
                    else:
                        if splitter is None:  # made at the first text: work() has set the prefix by then
                            splitter = ReasoningSplitter(job.reasoning_prefix)
                        for piece in self._deltas(splitter, out, pending_lp):
                            yield piece
                        pending_lp = []
                if kind == "done":
                    o = self._outcome(cutter.text, value, cutter.hit, [], job.reasoning_prefix)
                    if buffered:
                        delta: dict[str, Any] = {}
                        if o.reasoning:
                            delta["reasoning_content"] = o.reasoning
                        if o.text:
                            delta["content"] = o.text
                        if o.tool_calls:
                            delta["tool_calls"] = [{"index": i, **c} for i, c in enumerate(o.tool_calls)]
                        yield self.chunk(delta, logprobs=pending_lp)
                    self.entry.tokens = o.prompt_tokens + o.completion_tokens
                    yield self.chunk({}, finish=o.finish)
                    if self.include_usage:
                        yield self.chunk(usage=self._usage(o), empty=True)
                    break
            yield "data: [DONE]\n\n"
        except BaseException:
            status = 499  # the client went away (the stream was cancelled)
            raise
        finally:
            if job is not None:
                job.cancel()
            ticket.release()
            self.pool.close_stream()
            self.finish_log(self.entry, status)

    def _deltas(self, splitter: ReasoningSplitter, text: str, logprobs: list[dict[str, Any]]) -> list[str]:
        if self.kind != "chat":
            return [self.chunk(text=text, logprobs=logprobs)]
        if not self.split_reasoning:
            return [self.chunk({"content": text}, logprobs=logprobs)]
        reasoning, answer = splitter.feed(text)
        out = []
        if reasoning:
            out.append(self.chunk({"reasoning_content": reasoning}))
        if answer or logprobs:
            out.append(self.chunk({"content": answer}, logprobs=logprobs))
        return out
