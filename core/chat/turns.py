"""Where a turn goes and what it keeps, shared by the window and ``hearth chat --conversation``.

- A question whose answer failed before its first word (the engine died and could not come back)
  stays in the conversation once, unanswered. The next question goes *beside* it, as a new branch,
  not under it: unanswered questions never pile up in the history sent to the model, and the one
  that failed is still there as the other branch (and re-asked by Restart in the window).
- A continued answer is one answer: its token count is the sum of both parts and it keeps the
  sources and notes of its first part.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from collections.abc import Mapping

if TYPE_CHECKING:
    from .store import ConversationStore, Message


def unanswered_question(store: ConversationStore, conversation_id: str) -> Message | None:
    """The question that ends the active branch without an answer, if any."""
    path = store.path(conversation_id)
    return path[-1] if path and path[-1].role == "user" else None


def question_parent(store: ConversationStore, conversation_id: str) -> int | None:
    """The message a new question goes under: the end of the active branch, or, when that is an
    unanswered question, the message before it (the new question becomes its sibling)."""
    path = store.path(conversation_id)
    if not path:
        return None
    last = path[-1]
    return last.parent_id if last.role == "user" else last.id


# Kept from the first part of a continued answer: the excerpts it was written from.
_KEPT = ("sources", "docs_note", "docs_tokens", "reasoning_s", "note")


def continued_stats(before: Mapping[str, Any] | None, new: Mapping[str, Any]) -> dict[str, Any]:
    """The stats of an answer continued from ``before`` (its stored stats) with a part whose own
    stats are ``new``: the timing and stop reason of the last part, the tokens of both."""
    before = before or {}
    out = dict(new)
    out["completion_tokens"] = int(new.get("completion_tokens", 0)) + int(before.get("completion_tokens", 0))
    for key in _KEPT:
        if key in before and out.get(key) is None:
            out[key] = before[key]
    return out
