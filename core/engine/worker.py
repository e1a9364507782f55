"""The engine process's main loop: ``python -m hearthlm.core.engine.worker``.

Commands arrive as JSON lines on stdin; events leave on the protocol channel (core/child/side.py:
fd 1 is pointed at stderr, so nothing llama.cpp prints can corrupt the protocol).
A reader thread takes commands off stdin so that a cancel is seen while the main thread decodes.
When stdin closes (the parent went away) the process exits.
"""

from __future__ import annotations

import ctypes
import os
import queue
import sys
import threading
import time
import traceback
from typing import Any

from .. import messages as M
from ..errors import HearthError
from ..child.side import Channel, checkpoint, protect_stdout, read_messages
from ..messages import Msg, msg
from .protocol import GenerationParams, LoadParams

FAULT_ENV = "HEARTH_ENGINE_FAULT"  # test seam: "segv-first-decode" crashes for real on the first decode
# Benchmark seam: a file path; the engine's main thread runs under cProfile and writes its stats
# there when the engine quits (bench/engine_overhead.py --profile).
PROFILE_ENV = "HEARTH_ENGINE_PROFILE"


class Worker:
    def __init__(self, channel: Channel):
        self.channel = channel
        self.commands: queue.Queue[dict[str, Any]] = queue.Queue()
        self.cancel_upto = -1  # requests with an id up to this one are cancelled
        self.decoded_once = False
        self.runner = None  # created on the first load: importing llama.cpp takes a while
        self.info: dict[str, Any] | None = None
        self.adapters: Any = None  # core/engine/adapters.AdapterSet, made with the runner
        self._model_lock = threading.Lock()  # held while a load replaces the model (count() reads it)

    # Reader thread: commands off stdin; a cancel takes effect at once.
    def read_commands(self) -> None:
        for message in read_messages():
            if message.get("cmd") == "cancel":
                self.cancel_upto = max(self.cancel_upto, int(message.get("id", 0)))
            elif message.get("cmd") == "count":
                self.count(message)
            elif message.get("cmd") == "inspect":
                self.inspect(message)
            else:
                self.commands.put(message)
        self.cancel_upto = sys.maxsize
        self.commands.put({"cmd": "quit"})

    def serve(self) -> None:
        self.channel.ready()
        while True:
            message = self.commands.get()
            cmd, req = message.get("cmd"), int(message.get("id", 0))
            if cmd == "quit":
                return
            checkpoint("request")
            try:
                if cmd == "load":
                    self.load(req, LoadParams(**message["params"]))
                elif cmd == "chat":
                    self.chat(req, message)
                elif cmd == "adapters":
                    self.set_adapters(req, message.get("adapters") or [])
                else:
                    self.send_error(req, msg(M.UNKNOWN_COMMAND, cmd=repr(cmd)))
            except HearthError as exc:
                self.send_error(req, exc.msg)
            except Exception as exc:  # report, keep serving: the parent decides what to do
                traceback.print_exc()
                self.send_error(req, msg(M.ENGINE_FAILED, error=str(exc)))

    def send_error(self, req: int, message: Msg) -> None:
        self.channel.send(ev="error", id=req, message=str(message), msg=message.to_json())

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
            return self.cancel_upto < req

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

    def set_adapters(self, req: int, specs: list[dict[str, Any]]) -> None:
        """Apply LoRA adapters to the live context (the parent checked the files first)."""
        if self.runner is None or self.runner.loaded is None:
            self.send_error(req, msg(M.NO_MODEL_LOADED))
            return
        loaded = self.runner.loaded
        key = self.adapters.apply(loaded.model, loaded.ctx, specs)
        self.runner.set_adapter_key(key)  # the KV cache of other adapters is never reused
        self.channel.send(ev="adapters", id=req, adapters=self.adapters.names(), key=key)

    def chat(self, req: int, message: dict[str, Any]) -> None:
        if self.runner is None or self.info is None:
            self.send_error(req, msg(M.NO_MODEL_LOADED))
            return
        params = GenerationParams.from_dict(message.get("params", {}))
        tokens, note, trimmed, _kept = self.prompt(message, params)
        self.channel.send(ev="prompt", id=req, prompt_tokens=len(tokens), note=note.to_json() if note else None)
        send = self.channel.send
        # Pieces are sent at most every `interval` s (the first at once): each message wakes the
        # parent, and on a machine whose cores all run llama.cpp threads every wake-up costs speed.
        interval = max(0.0, float(message.get("stream_interval_ms", 0))) / 1000.0
        pending: list[str] = []
        last_sent = [-1.0]
        used = [len(tokens)]  # prompt + answer tokens so far: the window's live context meter

        def emit(piece: str) -> None:
            pending.append(piece)
            used[0] += 1
            now = time.perf_counter()
            if now - last_sent[0] >= interval:
                send(ev="token", id=req, text="".join(pending), used=used[0])
                pending.clear()
                last_sent[0] = now

        stats = self.runner.generate(tokens, params, emit, lambda: self.cancel_upto >= req,
                                     n_batch=int(message.get("n_batch", 512)),
                                     before_first_decode=self._before_decode)
        stats.trimmed_messages = trimmed
        stats.adapters = self.adapters.names()
        if pending:
            send(ev="token", id=req, text="".join(pending), used=used[0])
        self.decoded_once = True
        self.channel.send(ev="done", id=req, stats=stats.to_dict())

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

    def _renderer(self, message: dict[str, Any]):
        """``render(msgs) -> (RenderedPrompt, tokens)`` for this request, each length rendered once
        (fit_messages tries several)."""
        from ..prompt.template import RenderedPrompt, render_prompt

        info, runner = self.info, self.runner
        assert info is not None and runner is not None
        template = message.get("template") or info.get("chat_template")
        rendered_by_count: dict[int, tuple] = {}
        # Continuing an unfinished answer: the history before it, the assistant's turn opened by
        # the generation prompt, and the answer's text so far, left open (works with any template).
        partial = message["messages"][-1] if message.get("continue") and message["messages"] and \
            message["messages"][-1].get("role") == "assistant" else None

        def render(msgs: list) -> tuple:
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
