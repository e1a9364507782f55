"""Fit a conversation into the model's context: the stated policy when history outgrows it.

Policy: keep the system prompt and the newest messages; leave out the oldest turns (a user
message with the answers that follow it) until the prompt fits with room for the answer. When it
must trim, it trims down to ``headroom`` below the limit, so that the next few turns fit again
without trimming (each trim changes the prompt's start, and the KV cache must evaluate it anew).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

Message = Mapping[str, str]


def answer_reserve(n_ctx: int, max_tokens: int) -> int:
    """Tokens kept free for the answer: its max_tokens, but at most a quarter of the context."""
    return max(1, min(max_tokens, n_ctx // 4))


def _cut_points(head: int, messages: Sequence[Message]) -> list[int]:
    """Where the kept history may start, oldest first: after each dropped turn, at a user message
    (an answer without its question confuses most models), or at the new question itself."""
    cuts: list[int] = []
    start, last = head, len(messages) - 1
    while start < last:
        start += 1
        while start < last and messages[start].get("role") != "user":
            start += 1
        cuts.append(start)
    return cuts


def fit_messages(messages: Sequence[Message], count_tokens: Callable[[Sequence[Message]], int],
                 limit: int, headroom: int = 0) -> tuple[list[Message], int]:
    """(messages that fit in ``limit`` tokens, how many were left out).

    ``count_tokens`` renders and tokenizes a message list. The last message (the new question) is
    never left out: if it alone does not fit, the caller reports that.

    Leaving out older turns never makes a prompt longer, so the fewest turns to leave out is found
    by bisection over the possible cut points: ``count_tokens`` runs O(log n) times, not once per
    turn (each call renders and tokenizes the whole kept history).
    """
    messages = list(messages)
    if count_tokens(messages) <= limit:
        return messages, 0
    head = messages[:1] if messages and messages[0].get("role") == "system" else []
    cuts = _cut_points(len(head), messages)
    if not cuts:
        return messages, 0
    target = max(1, limit - headroom)
    # The first cut that fits; the last one (the new question alone) is taken even if it does not.
    low, high = 0, len(cuts) - 1
    while low < high:
        middle = (low + high) // 2
        if count_tokens(head + messages[cuts[middle]:]) <= target:
            high = middle
        else:
            low = middle + 1
    cut = cuts[low]
    return head + messages[cut:], cut - len(head)
