"""Saved KV-cache states: go back to a recent conversation without evaluating its history again.

When a prompt would throw away a long stretch of the KV cache (the user switched to another
conversation, or went back to edit an earlier message), the cache's state is copied to RAM first.
A later prompt that shares a longer prefix with a saved state than with the live cache restores
it and evaluates only what follows. Kept least-recently-used first, within a byte budget.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass


def common_prefix_length(a: list[int], b: list[int]) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


@dataclass
class SavedState:
    tokens: list[int]
    data: bytes


class SavedStates:
    def __init__(self, budget_bytes: int):
        self.budget_bytes = budget_bytes
        self._states: OrderedDict[int, SavedState] = OrderedDict()
        self._next = 0

    @property
    def used_bytes(self) -> int:
        return sum(len(s.data) for s in self._states.values())

    def __len__(self) -> int:
        return len(self._states)

    def best(self, tokens: list[int]) -> tuple[SavedState, int] | None:
        """The saved state sharing the longest prefix with ``tokens``, and that length."""
        found: tuple[SavedState, int] | None = None
        for key, state in self._states.items():
            shared = common_prefix_length(state.tokens, tokens)
            if shared and (found is None or shared > found[1]):
                found = (state, shared)
                found_key = key
        if found is not None:
            self._states.move_to_end(found_key)
        return found

    def put(self, tokens: list[int], data: bytes) -> bool:
        """Keep a state; drop states it makes redundant and the least recently used over budget."""
        if len(data) > self.budget_bytes:
            return False
        for key in [k for k, s in self._states.items()
                    if common_prefix_length(s.tokens, tokens) == len(s.tokens)]:
            del self._states[key]  # a prefix of this one: the new state serves it as well
        self._next += 1
        self._states[self._next] = SavedState(list(tokens), data)
        while self.used_bytes > self.budget_bytes:
            self._states.popitem(last=False)
        return True

    def clear(self) -> None:
        self._states.clear()
