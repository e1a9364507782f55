"""Fit a conversation into the model's context: the stated policy when history outgrows it.

Policy: keep the system prompt and the newest messages; leave out the oldest turns (a user
message with the answers that follow it) until the prompt fits with room for the answer. When it
must trim, it trims down to ``headroom`` below the limit, so that the next few turns fit again
without trimming (each trim changes the prompt's start, and the KV cache must evaluate it anew).
"""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

Message = Mapping[str, str]


def answer_reserve(n_ctx: int, max_tokens: int) -> int:
    """Tokens kept free for the answer: its max_tokens, but at most a quarter of the context."""
    return max(1, min(max_tokens, n_ctx // 4))


def fit_messages(messages: Sequence[Message], count_tokens: Callable[[Sequence[Message]], int],
                 limit: int, headroom: int = 0) -> tuple[list[Message], int]:
    """(messages that fit in ``limit`` tokens, how many were left out).

    ``count_tokens`` renders and tokenizes a message list. The last message (the new question) is
    never left out: if it alone does not fit, the caller reports that.
    """
    messages = list(messages)
    if count_tokens(messages) <= limit:
        return messages, 0
    head = messages[:1] if messages and messages[0].get("role") == "system" else []
    rest = messages[len(head):]
    target = max(1, limit - headroom)
    dropped = 0
    while len(rest) > 1:
        rest.pop(0)
        dropped += 1
        # Start at a user message: an answer without its question confuses most models.
        while len(rest) > 1 and rest[0].get("role") != "user":
            rest.pop(0)
            dropped += 1
        if count_tokens(head + rest) <= target:
            break
    return head + rest, dropped
