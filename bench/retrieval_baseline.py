"""The plain pipeline Hearth is measured against (what GPT4All's LocalDocs does): each file's text
cut into 1,000-character chunks at word boundaries, embedded with the same MiniLM, a BM25 keyword
index (SQLite FTS5 with its default unicode61 tokenizer, no CJK handling), the two top-40 lists
fused by reciprocal rank fusion (k = 60). The raw file text is used (no Markdown parsing)."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from retrieval_cache import CachedEmbed

CHUNK_CHARS = 1000
RRF_K = 60


def chunks_of(text: str, size: int = CHUNK_CHARS) -> list[str]:
    out, current = [], ""
    for word in re.findall(r"\S+\s*", text):
        while len(word) > size:  # a run without spaces (Chinese text) is cut where it must be
            if current:
                out.append(current)
                current = ""
            out.append(word[:size])
            word = word[size:]
        if len(current) + len(word) > size:
            out.append(current)
            current = ""
        current += word
    if current.strip():
        out.append(current)
    return [c for c in out if c.strip()]


class PlainPipeline:
    def __init__(self, files: Sequence[Path]):
        from hearthlm.core.docs.embedders import MiniLMEmbedder

        model = MiniLMEmbedder()
        self.embed = CachedEmbed("baseline-minilm", model.embed)
        self.names: list[str] = []
        texts: list[str] = []
        for f in files:
            for c in chunks_of(f.read_text(encoding="utf-8", errors="replace")):
                self.names.append(f.name)
                texts.append(c)
        self.vectors = self.embed(texts)
        self.db = sqlite3.connect(":memory:")
        self.db.execute("CREATE VIRTUAL TABLE fts USING fts5(body)")
        self.db.executemany("INSERT INTO fts (rowid, body) VALUES (?, ?)", enumerate(texts))

    def search(self, question: str, k: int = 10, candidates: int = 40) -> list[str]:
        q = self.embed([question])[0]
        vector = list(np.argsort(-(self.vectors @ q))[:candidates])
        words = [w for w in re.findall(r"\w+", question.lower())]
        keyword: list[int] = []
        if words:
            expr = " OR ".join(f'"{w}"' for w in dict.fromkeys(words))
            keyword = [r[0] for r in self.db.execute(
                "SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY bm25(fts) LIMIT ?", (expr, candidates))]
        fused: dict[int, float] = {}
        for ranked in (vector, keyword):
            for rank, i in enumerate(ranked, 1):
                fused[int(i)] = fused.get(int(i), 0.0) + 1.0 / (RRF_K + rank)
        best = sorted(fused, key=fused.__getitem__, reverse=True)[:k]
        return [self.names[i] for i in best]
