"""The document store at sizes where SQLite's own limits start to matter."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import numpy as np

from hearthlm.core.docs.store import DocStore

# SQLite's statement-length limit is a build option: 1,000,000 bytes in many builds (the old
# default, still used by some distributions; a statement listing every id passes it at ~140k
# chunks), 1,000,000,000 in this one. The store must not depend on it. The test lowers the limit
# fiftyfold and uses a twenty-eighth of the chunks: the same overflow, without indexing 140k vectors.
SQL_LENGTH_LIMIT = 20_000
N_CHUNKS = 5_000  # "NOT IN (1,2,...)" for these ids is ~24 KB of SQL


def _fill_directly(root: Path, collection: str, n: int) -> list[int]:
    """One complete document with ``n`` chunks, written straight into SQLite (fast)."""
    db = sqlite3.connect(root / "index.sqlite3")
    with db:
        doc = db.execute("INSERT INTO documents (collection, path, state, chunks, indexed) VALUES (?, ?, ?, ?, ?)",
                         (collection, "/big.txt", "complete", n, time.time())).lastrowid
        old = np.zeros(2, np.float32).tobytes()
        db.executemany("INSERT INTO chunks (doc_id, collection, ord, text, text_hash, embedding) VALUES (?, ?, ?, ?, ?, ?)",
                       ((doc, collection, i, f"chunk {i}", f"h{i}", old) for i in range(n)))
    ids = [r[0] for r in db.execute("SELECT id FROM chunks WHERE collection = ? ORDER BY id", (collection,))]
    db.close()
    return ids


def test_replace_embedder_past_the_sql_statement_limit(tmp_path: Path) -> None:
    store = DocStore(tmp_path / "store")
    try:
        store.ensure_collection("c", "old-model", 2)
        ids = _fill_directly(store.root, "c", N_CHUNKS)
        store._db.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, SQL_LENGTH_LIMIT)
        # every chunk but the last gets a new vector; the last one must lose its old one
        vectors = {i: np.array([1.0, float(i)], np.float32) for i in ids[:-1]}
        assert len(",".join(map(str, vectors))) > SQL_LENGTH_LIMIT
        store.replace_embedder("c", "new-model", 2, vectors)
        info = store.get_collection("c")
        assert (info.embedder, info.dimension) == ("new-model", 2)
        kept = store._db.execute("SELECT COUNT(*) FROM chunks WHERE embedding IS NOT NULL").fetchone()[0]
        assert kept == N_CHUNKS - 1
        assert store._db.execute("SELECT embedding FROM chunks WHERE id = ?", (ids[-1],)).fetchone()[0] is None
        row = store._db.execute("SELECT embedding FROM chunks WHERE id = ?", (ids[7],)).fetchone()[0]
        assert np.frombuffer(row, np.float32).tolist() == [1.0, float(ids[7])]
        assert store.vector_count("c") == N_CHUNKS - 1
    finally:
        store.close()
