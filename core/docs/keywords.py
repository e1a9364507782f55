"""Keyword terms for the FTS5 index, Chinese included.

FTS5's unicode61 tokenizer keeps a run of Chinese characters as one token, so a query word would
only match a whole run. Here every run of CJK characters becomes its overlapping bigrams (a single
character stays itself) — the usual way to index text written without spaces — and other words
are kept for FTS5's porter stemmer. The same function prepares documents and queries.
"""

from __future__ import annotations

import re

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_TOKEN = re.compile(rf"[{_CJK}]+|[^\W_]+", re.UNICODE)
_CJK_RUN = re.compile(rf"[{_CJK}]+")
STOPWORDS = frozenset(
    "a an and are as at be by for from has have how i in is it of on or that the this to was what when where "
    "which who why will with do does did can could should would you your my we our they their".split())


def terms(text: str) -> list[str]:
    out: list[str] = []
    for m in _TOKEN.finditer(text.lower()):
        word = m.group(0)
        if _CJK_RUN.fullmatch(word):
            out.extend(word[i:i + 2] for i in range(max(1, len(word) - 1)))
        else:
            out.append(word)
    return out


def index_text(text: str) -> str:
    return " ".join(terms(text))


def match_query(question: str) -> str | None:
    """An FTS5 MATCH expression: any of the question's terms (bm25 ranks chunks with more, rarer ones)."""
    words = [t for t in dict.fromkeys(terms(question)) if t not in STOPWORDS] or list(dict.fromkeys(terms(question)))
    return " OR ".join('"' + w.replace('"', '""') + '"' for w in words) or None
