"""Saved KV-cache states: go back to a recent conversation without evaluating its history again.

When a prompt would throw away a long stretch of a sequence's KV cells (the user switched to another
conversation, or went back to edit an earlier message), the cache's state is copied to RAM first.
A later prompt that shares a longer prefix with a saved state than with the live cache restores
it and evaluates only what follows. Kept least-recently-used first, within a byte budget.

Memory: the budget is the most the saved states ever hold, peak included -- room is made before
a state is copied out, and llama.cpp writes the state straight into the buffer that is kept (one
copy; restoring reads that buffer in place). The budget also shrinks at run time to what the
machine has free, less ``KEEP_FREE_BYTES``: a cache of recent conversations must never push the
machine into swap.

States are kept under a ``key``: the LoRA adapters they were computed with (core/engine/adapters.py
``fingerprint``). Only states of the current ``SavedStates.key`` are ever matched or made redundant,
so a prefix computed under other adapters is never restored.
"""

from __future__ import annotations

import ctypes
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any
from collections.abc import Callable

MIB = 1024 * 1024
KEEP_FREE_BYTES = 512 * MIB  # memory left to the rest of the machine when the cache grows


def common_prefix_length(a: list[int], b: list[int]) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


def available_memory() -> int | None:
    """RAM the machine can still give without swapping (None where psutil cannot tell)."""
    try:
        import psutil

        return int(psutil.virtual_memory().available)
    except Exception:
        return None


@dataclass
class SavedState:
    tokens: list[int]
    data: Any  # a buffer holding the state: the ctypes array llama.cpp wrote into (bytes in tests)
    size: int = -1  # bytes of ``data`` in use (-1: all of it)
    key: str = ""  # the adapters it was computed under ('' for none)

    def __post_init__(self) -> None:
        if self.size < 0:
            self.size = memoryview(self.data).nbytes


class SavedStates:
    def __init__(self, budget_bytes: int, available: Callable[[], int | None] | None = available_memory,
                 keep_free: int = KEEP_FREE_BYTES):
        self.budget_bytes = budget_bytes
        self._available = available
        self._keep_free = keep_free
        self._states: OrderedDict[int, SavedState] = OrderedDict()
        self._next = 0
        self.key = ""  # the adapters in use: only states made under them are matched

    @property
    def used_bytes(self) -> int:
        return sum(s.size for s in self._states.values())

    def __len__(self) -> int:
        return len(self._states)

    def limit(self) -> int:
        """The budget, or less when the machine is short of memory (what the states hold now
        counts as available: they would give it back)."""
        free = self._available() if self._available is not None else None
        if free is None:
            return self.budget_bytes
        return max(0, min(self.budget_bytes, self.used_bytes + free - self._keep_free))

    def best(self, tokens: list[int], touch: bool = True) -> tuple[SavedState, int] | None:
        """The saved state sharing the longest prefix with ``tokens``, and that length (``touch``:
        count it as used; the prompt inspector only looks)."""
        found: tuple[SavedState, int] | None = None
        for key, state in list(self._states.items()):
            if state.key != self.key:
                continue
            shared = common_prefix_length(state.tokens, tokens)
            if shared and (found is None or shared > found[1]):
                found = (state, shared)
                found_key = key
        if found is not None and touch:
            self._states.move_to_end(found_key)
        return found

    def make_room(self, tokens: list[int], size: int) -> bool:
        """Before copying a state of ``size`` bytes for ``tokens`` out of llama.cpp: drop the states
        it will make redundant, then the least recently used until it fits. False: it cannot fit
        (larger than the budget, or than the memory the machine has free)."""
        if size > self.budget_bytes:
            return False
        for key in [k for k, s in self._states.items()
                    if s.key == self.key and common_prefix_length(s.tokens, tokens) == len(s.tokens)]:
            del self._states[key]  # a prefix of this one: the new state serves it as well
        limit = self.limit()
        # Evict even when the new state will not fit: a machine short of memory gets it back.
        while self._states and self.used_bytes + size > limit:
            self._states.popitem(last=False)
        return self.used_bytes + size <= limit

    def put(self, tokens: list[int], data: Any, size: int = -1) -> bool:
        """Keep a state; drop states it makes redundant and the least recently used over budget."""
        state = SavedState(list(tokens), data, size, self.key)
        if not self.make_room(tokens, state.size):
            return False
        self.insert(state)
        return True

    def insert(self, state: SavedState) -> None:
        """Keep a state that ``make_room`` made room for (checking again would count the new
        buffer twice: the machine's free memory already went down by its size)."""
        self._next += 1
        self._states[self._next] = state

    def clear(self) -> None:
        self._states.clear()


def save_sequence(ctx: Any, saved: SavedStates, tokens: list[int], seq_id: int = 0) -> bool:
    """Copy a sequence's KV state out of llama.cpp into ``saved``: room first, then one buffer that
    llama.cpp writes into and that is kept as it is."""
    import llama_cpp

    size = llama_cpp.llama_state_seq_get_size(ctx, seq_id)
    if not size or not saved.make_room(tokens, size):
        return False
    buf = (ctypes.c_uint8 * size)()
    written = llama_cpp.llama_state_seq_get_data(ctx, buf, size, seq_id)
    if not written:
        return False
    saved.insert(SavedState(list(tokens), buf, written, saved.key))
    return True


def restore_sequence(ctx: Any, state: SavedState, seq_id: int = 0) -> bool:
    """Load a saved state into a sequence (emptied by the caller), reading its buffer in place. A
    state saved from one sequence can be restored into any other of the same context."""
    import llama_cpp

    data = state.data
    if not isinstance(data, ctypes.Array):  # a state made elsewhere (tests): one copy, as before
        data = (ctypes.c_uint8 * state.size).from_buffer_copy(data)
    return bool(llama_cpp.llama_state_seq_set_data(ctx, data, state.size, seq_id))
