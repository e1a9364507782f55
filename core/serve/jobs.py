"""One engine call on a worker thread, its text delivered to the server's event loop.

``Job.run(work)`` starts ``work(job)`` on a thread; ``work`` calls the engine with ``job.on_token``
(and ``job.on_logprobs``). The loop side reads ``job.events()``: ("text", str), ("logprobs", list),
then ("done", Answer) or ("error", exception). ``cancel()`` (the client went away) stops the
engine's answer at once: ``on_token`` returns False from then on, and the engine is told directly
in case no token is coming (a long prompt being evaluated).
"""

from __future__ import annotations

import asyncio
import inspect
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any

from ..engine import Engine


class Job:
    def __init__(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        self.cancelled = threading.Event()
        self.engine: Engine | None = None  # set by work() once it has one
        # Today's Engine.cancel() stops whatever request the engine is answering. Safe when only this
        # server's queue feeds the engine; with the window's engine shared, the answer in progress may
        # be the window's, so the job then stops at its next token instead (on_token returns False).
        self.direct_cancel = True
        self.reasoning_prefix = ""  # set by work(): the reasoning marker the prompt ends with
        self.request_id: int | None = None  # with engines that cancel one request by id
        self._finished = False

    def _put(self, item: tuple[str, Any]) -> None:
        try:
            self._loop.call_soon_threadsafe(self._queue.put_nowait, item)
        except RuntimeError:  # the loop has closed: the server stopped mid-answer, nobody listens
            self.cancelled.set()  # so the answer stops at its next token

    # -- worker thread side ---------------------------------------------------------------------

    def on_token(self, text: str) -> bool:
        if self.cancelled.is_set():
            return False
        self._put(("text", text))
        return not self.cancelled.is_set()

    def on_logprobs(self, entries: list[dict[str, Any]]) -> None:
        if not self.cancelled.is_set():
            self._put(("logprobs", entries))

    def run(self, work: Callable[[Job], Any]) -> Job:
        def target() -> None:
            try:
                result = work(self)
                self._put(("done", result))
            except BaseException as exc:  # delivered to the request, which answers with it
                self._put(("error", exc))
        threading.Thread(target=target, name="serve-job", daemon=True).start()
        return self

    # -- loop side ------------------------------------------------------------------------------

    async def next(self) -> tuple[str, Any]:
        """The next event; safe to cancel (a timeout loses nothing)."""
        item = await self._queue.get()
        if item[0] in ("done", "error"):
            self._finished = True
        return item

    async def events(self) -> AsyncIterator[tuple[str, Any]]:
        while not self._finished:
            yield await self.next()

    def cancel(self) -> None:
        if self._finished or self.cancelled.is_set():
            return
        self.cancelled.set()
        engine = self.engine
        if engine is None:
            return
        if self.request_id is not None:
            engine.cancel(self.request_id)  # (the batching engine's per-request cancel)
        elif self.direct_cancel:
            engine.cancel()


def engine_kwargs(method: Callable[..., Any], job: Job, want_logprobs: bool) -> dict[str, Any]:
    """The keyword arguments ``method`` (an engine's chat/complete) takes beyond today's: ``on_logprobs``
    and ``request_id`` (the batching engine's: cancel this request only). Sets ``job.engine`` first."""
    engine = getattr(method, "__self__", None)
    job.engine = engine
    try:
        accepted = set(inspect.signature(method).parameters)
    except (TypeError, ValueError):
        accepted = set()
    kwargs: dict[str, Any] = {}
    if want_logprobs and "on_logprobs" in accepted:
        kwargs["on_logprobs"] = job.on_logprobs
    if "request_id" in accepted and hasattr(engine, "new_request_id"):
        job.request_id = kwargs["request_id"] = engine.new_request_id()  # type: ignore[union-attr]
        if job.cancelled.is_set():  # the client left while the engine was being readied
            engine.cancel(job.request_id)  # type: ignore[union-attr]
    return kwargs
