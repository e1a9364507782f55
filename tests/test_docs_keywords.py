"""Keyword terms: camelCase identifiers are found by their words, and a store whose keyword index
was made by an older terms() is indexed again when it is opened (real SQLite store in a temp dir)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np

from hearthlm.core.docs import keywords
from hearthlm.core.docs.chunking import Chunk
from hearthlm.core.docs.store import DocStore, NewDocument, text_hash


def test_camel_case_words_are_terms_beside_the_whole_word() -> None:
    got = keywords.terms("ThreadPoolExecutor, getLogger and HTTPServer; lru_cache 熊猫")
    for term in ("threadpoolexecutor", "thread", "pool", "executor", "getlogger", "get", "logger",
                 "httpserver", "http", "server", "lru", "cache", "熊猫"):
        assert term in got
    assert keywords.terms("The quick brown fox. OK USA") == ["the", "quick", "brown", "fox", "ok", "usa"]


def _doc(path: str, text: str) -> NewDocument:
    chunk = Chunk(text=text, page=None, section=None, char_start=0, char_end=len(text), tokens=10)
    return NewDocument(path=path, size=len(text), mtime_ns=0, sha256="0" * 64, kind="text", chunks=[chunk],
                       hashes=[text_hash(text)], embeddings=np.full((1, 4), 0.5, np.float32))


def test_an_index_made_by_older_terms_is_made_again_on_open(tmp_path: Path) -> None:
    store = DocStore(tmp_path)
    store.ensure_collection("c", "minilm", 4)
    store.add_documents("c", [_doc("/d/pool.md", "Use a ThreadPoolExecutor to run calls in the background.")])
    assert [cid for cid, _ in store.keyword_search("c", "pool", 5)]
    store.close()
    # as an older Hearth left it: the identifier as one word only, and no version mark
    db = sqlite3.connect(tmp_path / "index.sqlite3")
    db.execute("UPDATE chunks_fts SET terms = 'use a threadpoolexecutor to run calls in the background'")
    db.execute("DELETE FROM meta WHERE key = 'keyword_terms'")
    db.commit()
    db.close()
    reopened = DocStore(tmp_path)
    try:
        assert [cid for cid, _ in reopened.keyword_search("c", "pool", 5)]
        assert reopened.keyword_search("c", "background calls", 5)  # the rest is indexed as before
    finally:
        reopened.close()
