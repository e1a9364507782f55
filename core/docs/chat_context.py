"""Documents in a chat: the excerpts a conversation's collections give one question.

The chat page (and anything else that answers from collections) calls ``retrieve`` off the UI
thread. It never raises for the documents' sake: a missing or empty collection, a question that
nothing matches, or a search that fails gives no excerpts and one sentence (``note``), and the
chat answers without them.

Budget: the excerpts get what the context leaves after the history, the question and the room
kept for the answer — but at least a quarter of the context (older turns then give way, by the
chat's context policy). Tokens are estimated without the chat model's tokenizer, on the high
side, so that the estimate errs towards fewer excerpts rather than an overflowing prompt.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from collections.abc import Mapping, Sequence

from ..prompt.context import answer_reserve
from ..errors import HearthError
from ..messages import Msg, msg
from . import messages as M

MESSAGE_OVERHEAD = 8  # role markers and separators a chat template adds around each message
SAFETY = 32


@dataclass
class ChatDocs:
    """The question as the engine gets it, and what the answer keeps about its excerpts."""

    content: str  # the numbered excerpts, then the question (or the question alone)
    sources: list[dict[str, Any]] = field(default_factory=list)  # numbered as cited: n, source, page, …
    tokens: int = 0  # estimated tokens of the excerpts
    note: Msg | None = None  # why no (or not every) collection was used


def estimate_tokens(text: str) -> int:
    """High-side estimate: ~3 characters per token for Latin text, 2 tokens per CJK character
    (small chat models' vocabularies often split one Chinese character into several bytes)."""
    cjk = sum(1 for ch in text if "\u3000" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7af")
    return 2 * cjk + (len(text) - cjk) // 3 + 1


def excerpt_budget(n_ctx: int, max_tokens: int, history: Sequence[Mapping[str, str]]) -> int:
    """Tokens left for excerpts once the history (question included) and the answer have room."""
    used = sum(estimate_tokens(str(m.get("content", ""))) + MESSAGE_OVERHEAD for m in history)
    left = n_ctx - answer_reserve(n_ctx, max_tokens) - used - SAFETY
    return max(left, n_ctx // 4)


def retrieve(store: Any, collections: Sequence[str], question: str, *, n_ctx: int, max_tokens: int,
             history: Sequence[Mapping[str, str]] = (), embed: Any = None) -> ChatDocs:
    """Excerpts of ``collections`` for ``question``, fitted to the budget. ``history`` is what goes
    to the engine, ending with the question. Runs on a worker thread; the store is thread-safe.
    ``embed``: see search.Embed (the window embeds in a child process)."""
    from .search import build_context

    plain = ChatDocs(question)
    try:
        known = {c.name: c for c in store.list_collections()}
        missing = [name for name in collections if name not in known]
        usable = [name for name in collections if name in known and known[name].chunks > 0]
        missing_note = msg(M.CHAT_DOCS_MISSING, name=missing[0]) if missing else None
        if not usable:
            return ChatDocs(question, note=missing_note or msg(M.CHAT_DOCS_EMPTY))
        budget = excerpt_budget(n_ctx, max_tokens, history or [{"role": "user", "content": question}])
        ctx = build_context(store, question, usable, budget, count_tokens=estimate_tokens, embed=embed)
    except Exception as exc:  # the store, an embedder, chromadb: say it, answer anyway
        reason = exc.msg if isinstance(exc, HearthError) else (str(exc) or type(exc).__name__)
        plain.note = msg(M.CHAT_DOCS_FAILED, reason=reason)
        return plain
    shared_note = ctx.notes[0] if ctx.notes else None  # a shared collection's server is down: keywords only
    if not ctx.hits:
        return ChatDocs(question, note=missing_note or shared_note or msg(M.CHAT_DOCS_NO_MATCH))
    return ChatDocs(f"{ctx.prompt}\n\n{question}", ctx.sources(), ctx.tokens, missing_note or shared_note)
