"""Continuous batching: up to n_parallel answers decoded together in one llama.cpp context.

Each slot is one llama.cpp sequence (``seq_id``) with its own KV cells (its own stream: the
context is made with kv_unified off) and remembers the tokens they hold, so a prompt that shares
a prefix with them evaluates only the rest. ``step()`` makes ONE ``llama_decode`` over every active
slot -- one token for each answer being generated, plus chunks of the prompts of answers that are
starting, within n_batch -- then lets each answer pick its next token from its own row of logits.
A request that arrives while others stream takes a free slot at the next step; it neither waits
for them nor disturbs them. With every slot busy, requests wait in a bounded queue.

A slot is chosen as llama-server chooses one (tools/server: the longest common prefix among the
idle slots, else the least recently used), with one difference: a slot whose cache would be
mostly thrown away is passed over while an empty slot is free, so a new conversation does not
evict a recent one for the sake of a shared system prompt.

Saved KV states (kv_states.py) work per slot: a state saved from any slot can be restored into
any other (llama_state_seq_get_data / set_data with the slot's seq_id).

Not thread-safe: the engine's main thread owns it.
"""

from __future__ import annotations

import ctypes
import time
from collections import deque
from collections.abc import Callable, Container
from dataclasses import dataclass, field

import llama_cpp
import numpy as np

from .. import messages as M
from ..errors import EngineBusy, EngineError
from .kv_states import SavedStates, common_prefix_length, restore_sequence, save_sequence
from .sequence import Sequence, Warmup

# Save or restore a KV state only when that spares evaluating at least this many tokens.
MIN_STATE_TOKENS = 256

# llama_decode's return codes (llama.h)
DECODE_NO_KV_SLOT = 1
DECODE_ABORTED = 2


@dataclass
class Slot:
    seq_id: int
    cached: list[int] = field(default_factory=list)  # the tokens this sequence's KV cells hold
    last_used: float = 0.0
    seq: Sequence | None = None
    todo: list[int] = field(default_factory=list)  # prompt tokens still to evaluate
    next_token: int = -1  # picked, to be decoded in the next step
    i_batch: int = -1  # this slot's row of logits in the current step (-1: none)


class Batcher:
    def __init__(self, ctx: ctypes.c_void_p, memory: ctypes.c_void_p, n_parallel: int, n_ctx_seq: int,
                 n_batch: int, saved: SavedStates, max_queued: int = 16):
        self.ctx, self.memory = ctx, memory
        self.n_ctx = n_ctx_seq  # cells each sequence may use
        self.n_batch = max(n_batch, n_parallel)
        self.saved = saved
        self.max_queued = max(0, max_queued)
        self.slots = [Slot(i) for i in range(n_parallel)]
        self.queue: deque[Sequence] = deque()
        self.before_decode: Callable[[], None] | None = None  # the worker's fault seam
        self._batch = llama_cpp.llama_batch_init(self.n_batch, 0, n_parallel)
        n = self.n_batch
        self._tok = np.ctypeslib.as_array(self._batch.token, shape=(n,))
        self._pos = np.ctypeslib.as_array(self._batch.pos, shape=(n,))
        self._logits = np.ctypeslib.as_array(ctypes.cast(self._batch.logits, ctypes.POINTER(ctypes.c_int8)),
                                             shape=(n,))
        np.ctypeslib.as_array(self._batch.n_seq_id, shape=(n,))[:] = 1
        self._seq_rows = [self._batch.seq_id[i] for i in range(n)]
        self._abort_cb: object = None  # keep the ctypes callback alive while llama.cpp holds it

    def close(self) -> None:
        """Free everything, saying nothing to the parent (a new model replaces this one only after
        ``abort_all``; at exit the parent may be gone)."""
        for seq in [s.seq for s in self.slots if s.seq is not None] + list(self.queue):
            seq.done = True
            seq.picker.close()
        for slot in self.slots:
            slot.seq = None
        self.queue.clear()
        if self._batch is not None:
            llama_cpp.llama_batch_free(self._batch)
            self._batch = None

    # -- requests ------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return bool(self.queue) or any(s.seq is not None for s in self.slots)

    def submit(self, seq: Sequence) -> None:
        """Start ``seq`` in a free slot, or queue it; EngineBusy when the queue is full."""
        if len(seq.tokens) >= self.n_ctx:
            seq.picker.close()
            raise EngineError(M.PROMPT_TOO_LONG, n_tokens=len(seq.tokens), n_ctx=self.n_ctx)
        if not self.queue and self._start(seq):
            return
        if len(self.queue) >= self.max_queued:
            seq.picker.close()
            raise EngineBusy(M.ENGINE_BUSY, active=len(self.slots), queued=len(self.queue))
        self.queue.append(seq)

    def cancel(self, ids: Container[int]) -> None:
        """End the answers whose request id is in ``ids`` (queued ones too); their slots are free at once."""
        for slot in self.slots:
            if slot.seq is not None and slot.seq.id in ids:
                self._end(slot, "cancelled")
        if self.queue and any(seq.id in ids for seq in self.queue):
            for seq in [s for s in self.queue if s.id in ids]:
                self.queue.remove(seq)
                seq.finish("cancelled")

    def abort_all(self) -> None:
        """End everything (a new model is being loaded, or the engine is quitting)."""
        for slot in self.slots:
            if slot.seq is not None:
                self._end(slot, "cancelled")
        while self.queue:
            self.queue.popleft().finish("cancelled")

    def drop_caches(self) -> None:
        """Empty every slot's KV cells, keeping long ones as saved states (under ``saved.key``, the
        adapters they were computed with): the LoRA adapters are about to change, and no slot's
        cached prefix may be reused under others. Only when no answer is in progress."""
        if self.busy:
            raise RuntimeError("KV caches dropped while answers are in progress")
        for slot in self.slots:
            if len(slot.cached) >= MIN_STATE_TOKENS and self.saved.budget_bytes:
                save_sequence(self.ctx, self.saved, slot.cached, slot.seq_id)
            self._clear(slot)

    def end_warmups(self) -> None:
        """End the warm-ups in progress, keeping the cells they evaluated (a request has come: it
        goes first, and takes those cells if its prompt starts with them)."""
        warmups = {s.seq.id for s in self.slots if isinstance(s.seq, Warmup)} | \
            {seq.id for seq in self.queue if isinstance(seq, Warmup)}
        if warmups:
            self.cancel(warmups)

    def active_ids(self) -> set[int]:
        return {s.seq.id for s in self.slots if s.seq is not None} | {s.id for s in self.queue}

    def _start(self, seq: Sequence) -> bool:
        slot = self._choose_slot(seq.tokens)
        if slot is None:
            return False
        slot.seq = seq
        slot.i_batch = -1
        seq.stats.evaluated_tokens = self._prepare(slot, seq.tokens)
        self._pace()
        return True

    def _pace(self) -> None:
        """Tell every answer in progress how many are decoded together (sequence.py: their pace)."""
        active = [s.seq for s in self.slots if s.seq is not None]
        for seq in active:
            seq.streams = len(active)

    def _choose_slot(self, tokens: list[int]) -> Slot | None:
        idle = [s for s in self.slots if s.seq is None]
        if not idle:
            return None
        empty = [s for s in idle if not s.cached]
        best, best_key = None, None
        for slot in idle:
            shared = common_prefix_length(slot.cached, tokens) if slot.cached else 0
            # Worth taking only if it keeps at least half of what the slot holds, or nothing
            # better (an empty slot) is free: a shared system prompt alone is not worth a
            # conversation's cache.
            if empty and slot.cached and shared * 2 < len(slot.cached):
                shared = 0
            key = (shared, not slot.cached, -slot.last_used)
            if best_key is None or key > best_key:
                best, best_key = slot, key
        return best

    def _prepare(self, slot: Slot, tokens: list[int]) -> int:
        """Bring the slot's cells to a prefix of ``tokens``; the rest is left to evaluate (at least
        the last token, so that logits exist to pick from). Returns how many tokens that is."""
        cached = slot.cached
        keep = common_prefix_length(cached, tokens)
        if len(cached) - keep >= MIN_STATE_TOKENS and self.saved.budget_bytes:
            save_sequence(self.ctx, self.saved, cached, slot.seq_id)  # a long stretch may be wanted again
        saved = self.saved.best(tokens)
        if saved is not None and saved[1] >= keep + MIN_STATE_TOKENS:
            llama_cpp.llama_memory_seq_rm(self.memory, slot.seq_id, -1, -1)
            if restore_sequence(self.ctx, saved[0], slot.seq_id):
                slot.cached = cached = list(saved[0].tokens)
                keep = saved[1]
            else:
                self._clear(slot)
                cached, keep = slot.cached, 0
        if keep == len(tokens):
            keep -= 1
        if keep < len(cached):
            if not llama_cpp.llama_memory_seq_rm(self.memory, slot.seq_id, keep, -1):
                keep = 0  # this memory cannot drop a tail (recurrent models): start over
                llama_cpp.llama_memory_seq_rm(self.memory, slot.seq_id, -1, -1)
            del cached[keep:]
        slot.todo = tokens[keep:]
        return len(slot.todo)

    def _clear(self, slot: Slot) -> None:
        llama_cpp.llama_memory_seq_rm(self.memory, slot.seq_id, -1, -1)
        slot.cached = []

    def _end(self, slot: Slot, reason: str | None = None) -> None:
        seq, slot.seq = slot.seq, None
        slot.todo = []
        slot.i_batch = -1
        slot.last_used = time.monotonic()
        if seq is not None:
            seq.finish(reason)
        self._pace()

    # -- the decoding loop -----------------------------------------------------------------

    def step(self, cancelled: Callable[[int], bool]) -> None:
        """One llama_decode over every active slot, then one token for each that has logits.
        ``cancelled(request_id)`` is asked while a lone prompt is evaluated (it aborts the decode)."""
        while self.queue and self._start(self.queue[0]):
            self.queue.popleft()
        slots = self.slots
        tok, pos, logits, rows = self._tok, self._pos, self._logits, self._seq_rows
        n = 0
        generating: list[Slot] = []
        for slot in slots:  # one token for every answer being generated
            if slot.seq is not None and not slot.todo:
                tok[n] = slot.next_token
                pos[n] = len(slot.cached)
                rows[n][0] = slot.seq_id
                logits[n] = 1
                slot.i_batch = n
                generating.append(slot)
                n += 1
        prompting: list[tuple[Slot, int]] = []
        for slot in slots:  # then prompt chunks, as many as fit
            if slot.seq is None or not slot.todo or n >= self.n_batch:
                continue
            warm = isinstance(slot.seq, Warmup)
            chunk = slot.todo[:self.n_batch - n]
            k = len(chunk)
            tok[n:n + k] = chunk
            start = len(slot.cached)
            pos[n:n + k] = np.arange(start, start + k)
            logits[n:n + k] = 0
            for i in range(n, n + k):
                rows[i][0] = slot.seq_id
            last = k == len(slot.todo)
            if last and not warm:  # a warm-up picks no token
                logits[n + k - 1] = 1
                slot.i_batch = n + k - 1
            prompting.append((slot, k))
            n += k
        if n == 0:
            return
        # A lone prompt can be long: its decode may be aborted by a cancel. (The callback costs a
        # Python call per graph node, so it is off whenever answers are being generated.)
        lone = prompting[0][0].seq if not generating and len(prompting) == 1 else None
        if lone is not None:
            req = lone.id
            self._abort_cb = llama_cpp.ggml_abort_callback(lambda _data: cancelled(req))
            llama_cpp.llama_set_abort_callback(self.ctx, self._abort_cb, None)
        if self.before_decode is not None:
            self.before_decode()
        self._batch.n_tokens = n
        try:
            rc = llama_cpp.llama_decode(self.ctx, self._batch)
        finally:
            if lone is not None:
                llama_cpp.llama_set_abort_callback(self.ctx, llama_cpp.ggml_abort_callback(), None)
        if rc == DECODE_ABORTED and lone is not None:
            slot = prompting[0][0]
            # Drop whatever part of the chunk reached the cache.
            llama_cpp.llama_memory_seq_rm(self.memory, slot.seq_id, len(slot.cached), -1)
            self._end(slot, "cancelled")
            return
        if rc != 0:
            self._failed(rc, generating, prompting)
            return
        for slot in generating:
            slot.cached.append(slot.next_token)
        for slot, k in prompting:
            slot.cached.extend(slot.todo[:k])
            del slot.todo[:k]
            seq = slot.seq
            assert seq is not None
            if isinstance(seq, Warmup):
                seq.evaluated += k
                if not slot.todo:
                    self._end(slot)  # its prompt is in the cache: nothing to generate
        for slot in slots:
            if slot.i_batch < 0:
                continue
            seq = slot.seq
            assert seq is not None
            token = seq.picker.pick(slot.i_batch)
            slot.i_batch = -1
            if seq.accept(token, len(slot.cached), self.n_ctx):
                slot.next_token = token
            else:
                slot.next_token = -1
                self._end(slot)

    def _failed(self, rc: int, generating: list[Slot], prompting: list[tuple[Slot, int]]) -> None:
        """llama_decode failed: every answer in this batch ends with the error; their cells are
        cleared (what part of the batch reached them is unknown)."""
        message = M.GENERATE_FAILED if generating else M.EVAL_FAILED
        in_batch = generating + [p for p, _ in prompting]
        for slot in in_batch:
            self._clear(slot)
            seq, slot.seq = slot.seq, None
            slot.todo, slot.i_batch, slot.next_token = [], -1, -1
            if seq is not None:
                seq.fail(EngineError(message, rc=rc).msg)
        self._pace()

