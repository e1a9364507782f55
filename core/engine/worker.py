"""The engine process's main loop: ``python -m hearthlm.core.engine.worker``.

Commands arrive as JSON lines on stdin; events leave on the protocol channel (core/child/side.py:
fd 1 is pointed at stderr, so nothing llama.cpp prints can corrupt the protocol).
A reader thread takes commands off stdin so that a cancel is seen while the main thread decodes.
The main thread alternates between taking commands (a new answer joins the decoding at once) and
one decoding step over every answer in progress (batching.py). When stdin closes (the parent went
away) the process exits.

LoRA adapters apply to the whole context, not to one sequence. A command that changes them (an
``adapters`` command, or a chat whose ``adapters`` differ from those in use) therefore waits, held
in ``deferred``, until every answer taken before it has ended; commands after it wait behind it, in
order. So no answer ever sees the adapters change under it, and every slot's KV cells (and the
saved states' key) are switched together (runner.set_adapter_key).
"""

from __future__ import annotations

import ctypes
import os
import queue
import threading
import traceback
from typing import TYPE_CHECKING, Any

from .. import messages as M
from ..errors import EngineBusy, HearthError
from ..child.side import Channel, checkpoint, protect_stdout, read_messages
from ..messages import Msg, msg
from .protocol import AnswerStats, GenerationParams, LoadParams

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from ..prompt.template import RenderedPrompt
    from .batching import Batcher
    from .runner import LlamaRunner

FAULT_ENV = "HEARTH_ENGINE_FAULT"  # test seam: "segv-first-decode" crashes for real on the first decode
# Benchmark seam: a file path; the engine's main thread runs under cProfile and writes its stats
# there when the engine quits (bench/engine_overhead.py --profile).
PROFILE_ENV = "HEARTH_ENGINE_PROFILE"


class Worker:
    def __init__(self, channel: Channel):
        self.channel = channel
        self.commands: queue.Queue[dict[str, Any]] = queue.Queue()
        self.cancelled: set[int] = set()  # request ids to stop (added by the reader thread)
        self.quitting = False
        self.last_taken = 0  # the highest request id taken off the queue
        self.decoded_once = False
        self.runner: LlamaRunner | None = None  # created on the first load: importing llama.cpp takes a while
        self.info: dict[str, Any] | None = None
        self.adapters: Any = None  # core/engine/adapters.AdapterSet, made with the runner
        # A command that changes the adapters, waiting for the answers in progress to end.
        self.deferred: dict[str, Any] | None = None
        self.warming = 0  # the request id of the last warm-up started (0: none yet)
        # What that warm-up evaluates ({"messages", "template", "key"}): a question that continues it
        # lets its piece in flight finish (that piece is the question's own prefix), any other
        # command makes it give way at once (warm_gives_way, set by the reader thread).
        self.warm_request: dict[str, Any] | None = None
        self.warm_gives_way = False
        self._model_lock = threading.Lock()  # held while a load replaces the model (count() reads it)

    # Reader thread: commands off stdin; a cancel takes effect at once.
    def read_commands(self) -> None:
        for message in read_messages():
            if message.get("cmd") == "cancel":
                self.cancelled.add(int(message.get("id", 0)))
            elif message.get("cmd") == "count":
                self.count(message)
            elif message.get("cmd") == "inspect":
                self.inspect(message)
            else:
                if not self._extends_warmup(message):
                    self.warm_gives_way = True
                self.commands.put(message)
        self.quitting = True
        self.commands.put({"cmd": "quit"})

    def is_cancelled(self, req: int) -> bool:
        # A warm-up's prompt gives way to a command waiting (its evaluation is aborted at once),
        # unless that command is the question that continues it (see _extends_warmup).
        return self.quitting or req in self.cancelled or (
            req == self.warming and self.warm_gives_way and not self.commands.empty())

    def _extends_warmup(self, message: dict[str, Any]) -> bool:
        """``message`` asks for the next answer of the conversation being warmed: same history, template
        and adapters. Aborting the warm-up's piece in flight would throw away what that question
        evaluates first; letting it finish costs the question nothing. Read on the reader thread."""
        from .adapters import key_of

        warm = self.warm_request
        if warm is None or message.get("cmd") != "chat" or message.get("template") != warm["template"]:
            return False
        history, messages = warm["messages"], message.get("messages") or []
        if len(messages) <= len(history) or messages[:len(history)] != history:
            return False
        specs = message.get("adapters")
        return specs is None or key_of(specs) == warm["key"]

    def serve(self) -> None:
        self.channel.ready()
        commands = self.commands
        while True:
            batcher = self.runner.batcher if self.runner is not None else None
            if batcher is not None and batcher.busy:
                # The hot path: no cancel and an empty queue cost two cheap checks per step.
                # Cancels first: a sequence given up frees its slot for a request sent after it.
                if self.cancelled:
                    deferred = self.deferred  # an answer waiting for the adapters to change
                    if deferred is not None and deferred.get("cmd") == "chat" and int(deferred["id"]) in self.cancelled:
                        self._drop_deferred()
                    batcher.cancel(self.cancelled)
                    active = batcher.active_ids()
                    # list(): one C call, so the reader thread's adds cannot break the iteration
                    self.cancelled.difference_update([r for r in list(self.cancelled)
                                                      if r <= self.last_taken and r not in active])
                while self.deferred is None and not commands.empty():
                    if not self.handle(commands.get_nowait()):
                        return
                try:
                    batcher.step(self.is_cancelled)
                except Exception as exc:  # a fault in Python code around llama.cpp: end those answers
                    traceback.print_exc()
                    self.fail_all(batcher, msg(M.ENGINE_FAILED, error=str(exc)))
                self.decoded_once = self.decoded_once or not batcher.busy
            elif self.deferred is not None:  # nothing in progress any more: the adapters may change
                message, self.deferred = self.deferred, None
                self.handle(message)
            else:
                if self.cancelled:  # cancels of answers that have ended (not of those still to come)
                    self.cancelled.difference_update([r for r in list(self.cancelled) if r <= self.last_taken])
                if not self.handle(commands.get()):
                    return

    def handle(self, message: dict[str, Any]) -> bool:
        """One command; False to quit."""
        cmd, req = message.get("cmd"), int(message.get("id", 0))
        if cmd == "quit":
            return False
        self.last_taken = max(self.last_taken, req)
        checkpoint("request")
        batcher = self.runner.batcher if self.runner is not None else None
        if batcher is not None:
            batcher.end_warmups()  # a request goes before any warm-up (keeping what it evaluated)
        try:
            if cmd == "load":
                self.load(req, LoadParams(**message["params"]))
            elif cmd == "chat":
                self.chat(req, message)
            elif cmd == "adapters":
                self.set_adapters(req, message)
            elif cmd == "warm":
                self.warm(req, message)
            else:
                self.send_error(req, msg(M.UNKNOWN_COMMAND, cmd=repr(cmd)))
        except EngineBusy as exc:
            self.send_error(req, exc.msg, busy=True)
        except HearthError as exc:
            self.send_error(req, exc.msg)
        except Exception as exc:  # report, keep serving: the parent decides what to do
            traceback.print_exc()
            self.send_error(req, msg(M.ENGINE_FAILED, error=str(exc)))
        return True

    def _must_wait(self, message: dict[str, Any], specs: list[dict[str, Any]] | None) -> bool:
        """Hold ``message`` in ``deferred`` when it would change the adapters while answers are in
        progress (they apply to the whole context); True when it was held."""
        from .adapters import key_of

        runner = self.runner
        batcher = runner.batcher if runner is not None else None
        if specs is None or runner is None or batcher is None or not batcher.busy or key_of(specs) == runner.saved.key:
            return False
        self.deferred = message
        return True

    def _drop_deferred(self) -> None:
        """The held answer was cancelled before the adapters could change: it ends as cancelled,
        with nothing generated (an adapters command is not cancelled: it is quick once its turn comes)."""
        message, self.deferred = self.deferred, None
        assert message is not None
        self.channel.send(ev="done", id=int(message.get("id", 0)), stats=AnswerStats(stop_reason="cancelled").to_dict())

    def fail_all(self, batcher: Batcher, message: Msg) -> None:
        for slot in batcher.slots:
            if slot.seq is not None:
                seq, slot.seq = slot.seq, None
                batcher._clear(slot)
                slot.todo, slot.i_batch, slot.next_token = [], -1, -1
                seq.fail(message)
        while batcher.queue:
            batcher.queue.popleft().fail(message)

    def send_error(self, req: int, message: Msg, **extra: Any) -> None:
        self.channel.send(ev="error", id=req, message=str(message), msg=message.to_json(), **extra)

    def load(self, req: int, params: LoadParams) -> None:
        if self.runner is None:
            from .adapters import AdapterSet
            from .runner import LlamaRunner

            self.runner = LlamaRunner()
            self.adapters = AdapterSet()
        last = [-1.0]

        def on_progress(value: float) -> bool:
            if value - last[0] >= 0.01 or value >= 1.0:
                last[0] = value
                self.channel.send(ev="progress", id=req, value=round(value, 4))
            return req not in self.cancelled and not self.quitting

        runner = self.runner
        if runner.batcher is not None:
            runner.batcher.abort_all()  # answers of the model being replaced end as cancelled
        with self._model_lock:
            self.info = None
            self._release_adapters()
            info = self.runner.load(params, on_progress)
            self.info = info
        self.channel.send(ev="loaded", id=req, info=info)

    def _release_adapters(self) -> None:
        if self.adapters is not None and self.runner is not None:
            loaded = self.runner.loaded
            self.adapters.release(loaded.ctx if loaded is not None else None)

    def _apply_adapters(self, specs: list[dict[str, Any]]) -> str:
        """Put ``specs`` on the live context (nothing is in progress: see _must_wait); every slot's
        cache computed under the old adapters is dropped. Returns the new fingerprint."""
        assert self.runner is not None and self.runner.loaded is not None
        loaded = self.runner.loaded
        key = self.adapters.apply(loaded.model, loaded.ctx, specs)
        self.runner.set_adapter_key(key)  # the KV cache of other adapters is never reused
        return key

    def set_adapters(self, req: int, message: dict[str, Any]) -> None:
        """Apply LoRA adapters to the live context (the parent checked the files first)."""
        if self.runner is None or self.runner.loaded is None:
            self.send_error(req, msg(M.NO_MODEL_LOADED))
            return
        specs = message.get("adapters") or []
        if self._must_wait(message, specs):
            return
        key = self._apply_adapters(specs)
        self.channel.send(ev="adapters", id=req, adapters=self.adapters.names(), key=key)
        if message.get("warm") is not None:
            self._warm_up(req, message["warm"])

    def warm(self, req: int, message: dict[str, Any]) -> None:
        """Warm the open conversation under the adapters in use (it was just opened, or its model
        just loaded): its next question then evaluates only itself. Left out while answers are in
        progress (another client's): a warm-up would slow them, and it may never be asked."""
        batcher = self.runner.batcher if self.runner is not None and self.runner.loaded is not None else None
        if batcher is None or self.info is None:
            self._not_warmed(req, error=str(msg(M.NO_MODEL_LOADED)))
        elif batcher.busy or self.deferred is not None:  # the warm-ups were ended by handle()
            self._not_warmed(req, skipped=True)
        else:
            self._warm_up(req, message.get("warm") or {})

    def _warm_up(self, req: int, warm: dict[str, Any]) -> None:
        """Evaluate the open conversation's prompt (``warm``: its messages, template and params, as
        its next chat request will send them) under the adapters just applied, while the user
        types: the next question then evaluates only itself. The messages get an empty user turn,
        so that the template's text before the question (a default system prompt, the user's
        header) is evaluated too; what follows it is dropped when the question comes. Rendered
        and fitted as chat() does; a warm-up that cannot start is simply left out."""
        from .sequence import Warmup

        assert self.runner is not None and self.runner.batcher is not None
        try:
            params = GenerationParams.from_dict(warm.get("params", {}))
            history = list(warm.get("messages") or [])
            messages = list(history)
            if not messages or messages[-1].get("role") != "user":
                messages.append({"role": "user", "content": ""})
            tokens, _note, _trimmed, _kept = self.prompt({"messages": messages, "template": warm.get("template")},
                                                         params)
            self.warm_request = {"messages": history, "template": warm.get("template"), "key": self.runner.saved.key}
            self.warm_gives_way = False
            self.warming = req
            self.runner.batcher.submit(Warmup(req, tokens, self.channel.send))
        except HearthError as exc:  # too long for the context, the queue full: no warm-up
            self._not_warmed(req, error=str(exc.msg))

    def _not_warmed(self, req: int, **why: Any) -> None:
        """The "warmed" event of a warm-up that did not start (``why``: its error, or skipped)."""
        self.channel.send(ev="warmed", id=req, tokens=0, evaluated=0, complete=False, **why)

    def chat(self, req: int, message: dict[str, Any]) -> None:
        from .adapters import key_of

        if self.runner is None or self.info is None:
            self.send_error(req, msg(M.NO_MODEL_LOADED))
            return
        specs = message.get("adapters")  # None: whatever adapters are in use
        if self._must_wait(message, specs):
            return
        if specs is not None and key_of(specs) != self.runner.saved.key:  # the set in use is left alone
            self._apply_adapters(specs)
        params = GenerationParams.from_dict(message.get("params", {}))
        tokens, note, trimmed, _kept = self.prompt(message, params)
        self.channel.send(ev="prompt", id=req, prompt_tokens=len(tokens), note=note.to_json() if note else None)
        # Pieces are sent at most every `interval` s (the first at once): see sequence.py.
        interval = max(0.0, float(message.get("stream_interval_ms", 0))) / 1000.0
        seq = self.runner.sequence(req, tokens, params, self.channel.send, interval, trimmed)
        seq.stats.adapters = self.adapters.names()  # they cannot change before it ends (_must_wait)
        assert self.runner.batcher is not None
        self.runner.batcher.before_decode = self._before_decode
        self.runner.batcher.submit(seq)

    def prompt(self, message: dict[str, Any], params: GenerationParams) -> tuple:
        """``(tokens, note, trimmed, kept messages)`` a chat request evaluates: its messages
        rendered with the template and fitted to the context (the prompt inspector shows the same)."""
        from ..prompt.context import answer_reserve, fit_messages

        assert self.runner is not None and self.info is not None
        if "prompt" in message:
            return self.runner.tokenize(message["prompt"]), None, 0, None
        render = self._renderer(message)
        n_ctx = self.info["n_ctx"]
        limit = n_ctx - answer_reserve(n_ctx, params.max_tokens)
        kept, trimmed = fit_messages(message["messages"], lambda msgs: len(render(msgs)[1]), limit,
                                     headroom=n_ctx // 4)
        rendered, tokens = render(kept)
        note = rendered.note
        if trimmed:
            trim_note = msg(M.CONTEXT_TRIMMED, n_ctx=n_ctx, count=trimmed)
            note = msg(M.TWO_NOTES, first=note, second=trim_note) if note else trim_note
        return tokens, note, trimmed, kept

    def _renderer(
            self, message: dict[str, Any]) -> Callable[[Sequence[Mapping[str, Any]]], tuple[RenderedPrompt, list[int]]]:
        """``render(msgs) -> (RenderedPrompt, tokens)`` for this request, each length rendered once
        (fit_messages tries several)."""
        from ..prompt.template import RenderedPrompt, render_prompt

        info, runner = self.info, self.runner
        assert info is not None and runner is not None
        template = message.get("template") or info.get("chat_template")
        rendered_by_count: dict[int, tuple[RenderedPrompt, list[int]]] = {}
        # Continuing an unfinished answer: the history before it, the assistant's turn opened by
        # the generation prompt, and the answer's text so far, left open (works with any template).
        partial = message["messages"][-1] if message.get("continue") and message["messages"] and \
            message["messages"][-1].get("role") == "assistant" else None

        def render(msgs: Sequence[Mapping[str, Any]]) -> tuple[RenderedPrompt, list[int]]:
            if len(msgs) not in rendered_by_count:
                head = msgs[:-1] if partial is not None else msgs
                r = render_prompt(template, head, bos_token=info["bos_token"], eos_token=info["eos_token"],
                                  architecture=info.get("architecture"))
                if partial is not None:
                    r = RenderedPrompt(r.text + str(partial.get("content", "")), r.source, r.note)
                rendered_by_count[len(msgs)] = (r, runner.tokenize(r.text))
            return rendered_by_count[len(msgs)]

        return render

    def count(self, message: dict[str, Any]) -> None:
        """How many tokens ``messages`` would take as a prompt (the window's context estimate while
        the user types). Runs on the reader thread, so it answers even while an answer streams;
        tokenizing only reads the vocabulary. During a load there is no answer (``tokens`` None)."""
        from ..prompt.context import answer_reserve

        reply: dict[str, Any] = {"ev": "count", "cid": message.get("cid"), "tokens": None}
        if self._model_lock.acquire(blocking=False):
            try:
                info = self.info
                if info is not None and self.runner is not None:
                    params = GenerationParams.from_dict(message.get("params", {}))
                    n_ctx = int(info["n_ctx"])
                    limit = n_ctx - answer_reserve(n_ctx, params.max_tokens)
                    render, msgs = self._renderer(message), message["messages"]
                    tokens = len(render(msgs)[1])
                    # Over the limit, older turns make room, unless the system prompt and the new
                    # message alone are already too long (then the request would be refused).
                    head = msgs[:1] if len(msgs) > 1 and msgs[0].get("role") == "system" else []
                    too_long = tokens > limit and len(render(head + msgs[-1:])[1]) > limit
                    reply.update(tokens=tokens, n_ctx=n_ctx, limit=limit, too_long=too_long)
            except Exception:  # an estimate only: the real request reports any problem
                traceback.print_exc()
            finally:
                self._model_lock.release()
        self.channel.send(**reply)

    def inspect(self, message: dict[str, Any]) -> None:
        """The exact prompt a chat request with ``messages`` would evaluate (the prompt inspector):
        rendered and fitted as chat() does, its tokens, and how many the KV cache already holds.
        On the reader thread, like count()."""
        from .inspect import inspect_prompt

        reply: dict[str, Any] = {"ev": "inspected", "cid": message.get("cid"), "prompt": None}
        if self._model_lock.acquire(blocking=False):
            try:
                if self.info is not None and self.runner is not None:
                    reply["prompt"] = inspect_prompt(self, message)
            except Exception:  # a view only: the real request reports any problem
                traceback.print_exc()
            finally:
                self._model_lock.release()
        self.channel.send(**reply)

    def _before_decode(self) -> None:
        if not self.decoded_once and os.environ.get(FAULT_ENV) == "segv-first-decode":
            ctypes.string_at(0)  # a real SIGSEGV, as a build with unsupported instructions gives


def main() -> None:
    worker = Worker(protect_stdout())
    threading.Thread(target=worker.read_commands, name="engine-stdin", daemon=True).start()
    profile_path = os.environ.get(PROFILE_ENV)
    if profile_path:
        import cProfile

        profiler = cProfile.Profile()
        profiler.runcall(worker.serve)
        profiler.dump_stats(profile_path)
    else:
        worker.serve()
    if worker.runner is not None:
        worker._release_adapters()
        worker.runner.unload()


if __name__ == "__main__":
    main()
