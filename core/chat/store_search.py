"""Full-text search of the conversation store: titles and messages, English and Chinese alike.

Words of three characters or more are looked up in the FTS5 trigram index (any substring matches,
so Chinese, written without spaces, works); shorter words, and every word where SQLite has no
trigram tokenizer, use LIKE. A hit must contain every word of the query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from collections.abc import Callable

Query = Callable[[str, tuple], list[tuple]]


@dataclass(frozen=True)
class SearchHit:
    conversation_id: str
    message_id: int | None  # None: the conversation's title matched
    title: str
    snippet: str  # the matching text, shortened, on one line
    highlights: tuple[tuple[int, int], ...]  # (start, end) of each match inside snippet


def search(query_rows: Query, has_index: bool, query: str, limit: int = 50) -> list[SearchHit]:
    """Title hits first, then message hits (of any branch; not answers still streaming)."""
    terms = query.split()
    if not terms:
        return []
    indexed = [t for t in terms if len(t) >= 3] if has_index else []
    like = [t for t in terms if t not in indexed]
    hits = _search(query_rows, terms, indexed, like, title=True, limit=limit)
    return hits + _search(query_rows, terms, indexed, like, title=False, limit=limit - len(hits))


def _search(query_rows: Query, terms: list[str], indexed: list[str], like: list[str], *, title: bool,
            limit: int) -> list[SearchHit]:
    if limit <= 0:
        return []
    if title:
        sql = "SELECT c.id, NULL, c.title, c.title FROM conversations c"
        join, fts, column = " JOIN title_fts f ON f.conversation_id = c.id", "title_fts", "c.title"
        where, order = ["1"], "c.updated DESC"
    else:
        sql = "SELECT c.id, m.id, c.title, m.content FROM messages m JOIN conversations c ON c.id = m.conversation_id"
        join, fts, column = " JOIN message_fts f ON f.rowid = m.id", "message_fts", "m.content"
        where, order = ["m.state != 'streaming'"], "c.updated DESC, m.id DESC"
    params: list[Any] = []
    if indexed:
        sql += join
        where.append(f"{fts} MATCH ?")
        params.append(" AND ".join('"' + t.replace('"', '""') + '"' for t in indexed))
        order = "f.rank"
    for term in like:
        where.append(f"{column} LIKE ? ESCAPE '\\'")
        params.append("%" + re.sub(r"([\\%_])", r"\\\1", term) + "%")
    rows = query_rows(f"{sql} WHERE {' AND '.join(where)} ORDER BY {order} LIMIT ?", (*params, limit))
    hits = []
    for conversation_id, message_id, conv_title, text in rows:
        snippet, spans = make_snippet(text, terms)
        hits.append(SearchHit(conversation_id, message_id, conv_title, snippet, spans))
    return hits


def make_snippet(text: str, terms: list[str], before: int = 40, length: int = 120
                 ) -> tuple[str, tuple[tuple[int, int], ...]]:
    """One line of ``text`` around the first match of any term, and where each match lies in it."""
    flat = " ".join(text.split())
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.IGNORECASE)
    matches = list(pattern.finditer(flat))
    first = matches[0].start() if matches else 0
    start = max(0, first - before)
    end = min(len(flat), start + length)
    prefix = "…" if start > 0 else ""
    snippet = prefix + flat[start:end] + ("…" if end < len(flat) else "")
    shift = len(prefix) - start
    spans = tuple((m.start() + shift, min(m.end(), end) + shift) for m in matches if start <= m.start() < end)
    return snippet, spans
