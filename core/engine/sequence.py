"""One answer being generated in the engine: its prompt, its sampler, its stream to the parent.

``Sequence.accept(token)`` takes each token its picker chose and says whether to go on; the text
goes out through ``send`` (the protocol channel) at most every ``interval`` seconds, the first piece
at once: each message wakes the parent, and on a machine whose cores all run llama.cpp threads
every wake-up costs speed. While several answers are decoded together (``streams``), each is sent
that many times less often, so the messages per second stay those of one answer: on 2 cores the
4-client server spent a few percent of every step on them. Stop strings end the answer before them
and are never streamed in part (stops.py); log-probabilities travel with the text of their tokens.
"""

from __future__ import annotations

import codecs
import ctypes
import time
from collections.abc import Callable
from typing import Any

import llama_cpp

from .protocol import AnswerStats, GenerationParams
from .sampling import TokenPicker
from .stops import StopFilter


class Sequence:
    def __init__(self, req: int, tokens: list[int], gp: GenerationParams, picker: TokenPicker,
                 vocab: ctypes.c_void_p, send: Callable[..., None], interval: float, trimmed: int = 0):
        self.id = req
        self.tokens = tokens
        self.gp = gp
        self.picker = picker
        self.started = time.perf_counter()
        self.stats = AnswerStats(prompt_tokens=len(tokens), trimmed_messages=trimmed)
        self._vocab = vocab
        self._send = send
        self._interval = interval
        self._piece = ctypes.create_string_buffer(256)
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._stops = StopFilter(gp.stop) if gp.stop else None
        self._pending: list[str] = []
        self._last_sent = -1.0
        self.streams = 1  # answers being decoded together (set by the batcher)
        self.n_gen = 0
        self._first_at = self._last_at = 0.0
        # Log-probabilities: entries wait here with the offset in the answer where their token's text
        # begins, and leave with the first release of text that reaches that offset.
        self._lp = picker.top_logprobs > 0
        self._lp_waiting: list[tuple[int, dict[str, Any]]] = []
        self._lp_pending: list[dict[str, Any]] = []
        self._produced = 0  # characters decoded so far
        self._released = 0  # of those, characters released to the parent
        self.done = False

    def accept(self, token: int, n_cached: int, n_ctx: int) -> bool:
        """The token just picked; False when the answer ends here (``stats.stop_reason`` says why)."""
        now = time.perf_counter()
        self._last_at = now
        if self.n_gen == 0:
            self._first_at = now
            self.stats.ttft_s = now - self.started
        if llama_cpp.llama_vocab_is_eog(self._vocab, token):
            self.stats.stop_reason = "eos"
            return False
        self.n_gen += 1
        n = llama_cpp.llama_token_to_piece(self._vocab, token, self._piece, 256, 0, False)
        text = self._decoder.decode(self._piece.raw[:n]) if n > 0 else ""
        if self._lp:
            assert self.picker.logprobs is not None
            self._lp_waiting.append((self._produced, self.picker.logprobs))
            self._produced += len(text)
        if text and self._release(text):
            self.stats.stop_reason = "stop"
            return False
        if self.n_gen >= self.gp.max_tokens:
            self.stats.stop_reason = "length"
            return False
        if n_cached + 1 >= n_ctx:
            self.stats.stop_reason = "context"
            return False
        return True

    def _release(self, text: str) -> bool:
        """Pass ``text`` through the stop strings and out; True when a stop string was reached."""
        stopped = False
        if self._stops is not None:
            text, stopped = self._stops.feed(text)
        if text:
            self._emit(text)
        return stopped

    def _emit(self, text: str, force: bool = False) -> None:
        self._pending.append(text)
        if self._lp:
            self._released += len(text)
            while self._lp_waiting and self._lp_waiting[0][0] < self._released:
                self._lp_pending.append(self._lp_waiting.pop(0)[1])
        now = time.perf_counter()
        if force or now - self._last_sent >= self._interval * self.streams:
            self._flush_pending()
            self._last_sent = now

    def _flush_pending(self) -> None:
        if not self._pending:
            return
        event: dict[str, Any] = {"ev": "token", "id": self.id, "text": "".join(self._pending),
                                 "used": self.stats.prompt_tokens + self.n_gen}
        if self._lp:
            event["lp"] = self._lp_pending
            self._lp_pending = []
        self._pending.clear()
        self._send(**event)

    def finish(self, reason: str | None = None) -> None:
        """The answer is over: release what is left (not past a stop string) and say "done"."""
        if self.done:
            return
        self.done = True
        if reason is not None:
            self.stats.stop_reason = reason
        # The decoder holds only the bytes of a character not yet complete: one cut in half by
        # max_tokens or a cancel is left out (it was shown as U+FFFD at the end of the answer).
        self._decoder.reset()
        if self.stats.stop_reason != "stop":
            if self._stops is not None:
                rest = self._stops.flush()
                if rest:
                    self._emit(rest)
        if self._lp and self.stats.stop_reason != "stop":
            self._lp_pending.extend(entry for _, entry in self._lp_waiting)
            self._lp_waiting.clear()
        self._flush_pending()
        if self._lp and self._lp_pending:  # entries of tokens that added no text
            self._send(ev="token", id=self.id, text="", used=self.stats.prompt_tokens + self.n_gen,
                       lp=self._lp_pending)
            self._lp_pending = []
        self.picker.close()
        stats = self.stats
        stats.completion_tokens = self.n_gen
        stats.total_s = time.perf_counter() - self.started
        if self.n_gen > 1 and self._last_at > self._first_at:
            stats.tokens_per_s = (self.n_gen - 1) / (self._last_at - self._first_at)
        self._send(ev="done", id=self.id, stats=stats.to_dict())

    def fail(self, message: Any) -> None:
        """The answer cannot go on (llama.cpp failed): the parent gets the error instead of "done"."""
        if self.done:
            return
        self.done = True
        self.picker.close()
        self._send(ev="error", id=self.id, message=str(message), msg=message.to_json())


class _NoPicker:
    """A warm-up picks no token: nothing to free."""

    def close(self) -> None:
        pass


class Warmup(Sequence):
    """A prompt evaluated ahead of the answer that will need it, generating nothing: after LoRA
    adapters change, the open conversation's history under the new adapters, so that the next
    question evaluates only itself (the batcher's longest-prefix slot choice finds these cells).

    It ends when its prompt is in the KV cache, or as soon as any request arrives (the batcher
    keeps what it had evaluated, so the request still gains that part). It tells the parent with a
    ``warmed`` event: ``evaluated`` tokens of ``tokens``, ``complete`` when all of them."""

    def __init__(self, req: int, tokens: list[int], send: Callable[..., None]):  # noqa: D107 (no super: no sampler, no text)
        self.id = req
        self.tokens = tokens
        self.picker = _NoPicker()  # type: ignore[assignment]
        self.started = time.perf_counter()
        self.stats = AnswerStats(prompt_tokens=len(tokens))
        self.streams = 1
        self.done = False
        self.evaluated = 0  # tokens of the prompt evaluated so far (the batcher counts them)
        self._send = send

    def accept(self, token: int, n_cached: int, n_ctx: int) -> bool:
        raise AssertionError("a warm-up has no logits to pick from")  # the batcher asks for none

    def finish(self, reason: str | None = None) -> None:
        self._end(reason is None, None)

    def fail(self, message: Any) -> None:
        self._end(False, str(message))

    def _end(self, complete: bool, error: str | None) -> None:
        if self.done:
            return
        self.done = True
        event: dict[str, Any] = {"ev": "warmed", "id": self.id, "tokens": len(self.tokens),
                                 "evaluated": self.evaluated, "complete": complete,
                                 "s": round(time.perf_counter() - self.started, 4)}
        if error is not None:
            event["error"] = error
        self._send(**event)
