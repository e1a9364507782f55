"""Keyword terms for the FTS5 index, Chinese included.

FTS5's unicode61 tokenizer keeps a run of Chinese characters as one token, so a query word would
only match a whole run. Here every run of CJK characters becomes its overlapping bigrams (a single
character stays itself) — the usual way to index text written without spaces — and other words
are kept for FTS5's porter stemmer. The same function prepares documents and queries.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_TOKEN = re.compile(rf"[{_CJK}]+|[^\W_]+", re.UNICODE)
_CJK_RUN = re.compile(rf"[{_CJK}]+")
STOPWORDS = frozenset(
    "a an and are as at be by for from has have how i in is it of on or that the this to was what when where "
    "which who why will with do does did can could should would you your my we our they their".split())


# An identifier written in camelCase (ThreadPoolExecutor, getLogger, HTTPServer): its words are
# terms too, after the whole word, so "thread pool" finds the class. Sets B and C of
# bench/retrieval.py: hit@5 +1 question / equal, MRR +0.002 / +0.003, set A unchanged (RESULTS, session 9).
_CAMEL_WORD = re.compile(r"\b(?=[A-Za-z0-9]*[a-z][A-Za-z0-9]*[A-Z]|[A-Z]{2,}[a-z])[A-Za-z][A-Za-z0-9]*")
_CAMEL_PART = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
# What terms() makes: a store whose keyword index was made by another version is indexed again (store.py).
TERMS_VERSION = "2"


def terms(text: str) -> list[str]:
    out: list[str] = []
    for m in _TOKEN.finditer(text.lower()):
        word = m.group(0)
        if _CJK_RUN.fullmatch(word):
            out.extend(word[i:i + 2] for i in range(max(1, len(word) - 1)))
        else:
            out.append(word)
    for m in _CAMEL_WORD.finditer(text):
        parts = _CAMEL_PART.findall(m.group(0))
        if len(parts) > 1:
            out.extend(part.lower() for part in parts)
    return out


def index_text(text: str) -> str:
    return " ".join(terms(text))


def match_query(question: str) -> str | None:
    """An FTS5 MATCH expression: any of the question's terms (bm25 ranks chunks with more, rarer ones)."""
    words = [t for t in dict.fromkeys(terms(question)) if t not in STOPWORDS] or list(dict.fromkeys(terms(question)))
    return _any_of(words)


def match_phrases(phrases: Sequence[str]) -> str | None:
    """An FTS5 MATCH expression: any of the phrases, each matching its words in a row (a
    dictionary's "random access memory" is not any text with "random" in it); phrases of
    stopwords alone are left out."""
    kept = [" ".join(words) for words in map(terms, dict.fromkeys(phrases))
            if words and not all(w in STOPWORDS for w in words)]
    return _any_of(kept)


def _any_of(strings: Sequence[str]) -> str | None:
    """FTS5: any of the strings, each quoted (a phrase when it holds several words)."""
    return " OR ".join('"' + s.replace('"', '""') + '"' for s in strings) or None


TOKENIZER = "porter unicode61 remove_diacritics 2"  # the FTS5 tokenizer of the store's index (store.SCHEMA)
STEMS_KEPT = 50_000  # words whose stems a TermCounts remembers (a few MB at most)


class TermCounts:
    """How many rows of an FTS5 table hold each word (its document frequency), read from the table's
    own vocabulary (fts5vocab): words are stemmed by the same tokenizer first, in a scratch FTS5
    table of the connection's temp schema (the index stores "storag" for "storage"). Creates temp
    tables only: the database file is not changed."""

    def __init__(self, db: sqlite3.Connection, table: str, schema: str = "main"):
        self._db = db
        self._stems: dict[str, list[str]] = {}  # word -> its tokens as the index stores them
        self._vocab = f"temp.{table}_terms"
        db.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {self._vocab} USING fts5vocab({schema}, {table}, row)")
        db.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.stem_probe USING fts5(t, tokenize='{TOKENIZER}')")
        db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.stem_probe_terms USING fts5vocab(temp, stem_probe, instance)")

    def __call__(self, words: Sequence[str]) -> dict[str, int]:
        """Each word's row count (0: not in the index). The caller holds the connection's lock."""
        words = list(dict.fromkeys(words))
        if not words:
            return {}
        db = self._db
        new = [w for w in words if w not in self._stems]
        if new:
            if len(self._stems) > STEMS_KEPT:
                self._stems.clear()
            db.execute("DELETE FROM temp.stem_probe")
            db.executemany("INSERT INTO temp.stem_probe (rowid, t) VALUES (?, ?)", enumerate(new))
            found: dict[int, list[str]] = {}
            for term, row in db.execute("SELECT term, doc FROM temp.stem_probe_terms"):
                found.setdefault(row, []).append(term)
            self._stems.update((w, found.get(i, [])) for i, w in enumerate(new))
        stems = {w: self._stems[w] for w in words}
        wanted = sorted({t for ts in stems.values() for t in ts})
        counts = dict(db.execute(f"SELECT term, doc FROM {self._vocab} WHERE term IN ({','.join('?' * len(wanted))})",
                                 wanted)) if wanted else {}
        # a word of several tokens ("e-mail") is as frequent as its rarest token at most
        return {w: min((counts.get(t, 0) for t in stems[w]), default=0) for w in words}
