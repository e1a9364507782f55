"""The collection store: SQLite (documents, chunks with their vectors, FTS5 keywords) + chromadb.

SQLite is the record: a document is visible only once its row says ``complete``, and that row is
written in the same transaction that makes its chunks current. chromadb is the vector index and
can always be rebuilt from the vectors kept in SQLite, so a process killed mid-write never costs
a re-embedding:

1. (SQLite txn) the document row ``pending`` + its chunks, vectors and keyword rows;
2. a ``chroma.dirty`` marker file, then the vectors go into chromadb;
3. (SQLite txn) the row becomes ``complete``; an older version of the same file is deleted;
4. old vectors leave chromadb; the marker is removed.

Every access happens under one file lock (fcntl via filelock; the kernel releases it when a
process dies), because chromadb is not process-safe. Whoever takes the lock next and finds
``pending`` rows or the dirty marker was preceded by a killed writer: it drops the pending rows
and rebuilds chromadb from SQLite, never loading an index that may be half-written.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from collections.abc import Iterable, Iterator, Sequence

import numpy as np

from ..messages import Msg
from ..paths import data_dir
from . import keywords
from . import messages as M
from .chunking import Chunk, embed_text
from .errors import StoreError
from .names import check_collection_name
from .shared import SCHEMA as SHARED_SCHEMA, Shared
from .vector_index import VectorIndex

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS collections (
    name TEXT PRIMARY KEY, embedder TEXT NOT NULL, dimension INTEGER NOT NULL, created REAL NOT NULL,
    vector_name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS folders (
    collection TEXT NOT NULL, path TEXT NOT NULL, watched INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (collection, path));
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY AUTOINCREMENT, collection TEXT NOT NULL, path TEXT NOT NULL,
    size INTEGER, mtime_ns INTEGER, sha256 TEXT, kind TEXT, state TEXT NOT NULL,
    chunks INTEGER NOT NULL DEFAULT 0, error TEXT, indexed REAL NOT NULL);
CREATE INDEX IF NOT EXISTS documents_path ON documents (collection, path);
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY AUTOINCREMENT, doc_id INTEGER NOT NULL, collection TEXT NOT NULL,
    ord INTEGER NOT NULL, text TEXT NOT NULL, page INTEGER, section TEXT,
    char_start INTEGER, char_end INTEGER, tokens INTEGER, text_hash TEXT NOT NULL, embedding BLOB);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks (doc_id);
CREATE INDEX IF NOT EXISTS chunks_hash ON chunks (collection, text_hash);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(terms, tokenize='{keywords.TOKENIZER}');
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS cross_vectors (
    chunk_id INTEGER PRIMARY KEY, collection TEXT NOT NULL, text_hash TEXT NOT NULL, embedding BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS cross_vectors_hash ON cross_vectors (collection, text_hash);
"""
# A collection's cross-language index (core/docs/cross_language.py): a second vector per chunk from a
# multilingual model, asked by Chinese questions only. Its own chromadb collection: the main one's
# name plus this suffix.
CROSS_SUFFIX = "x"
LOCK_TIMEOUT_S = 120.0


def cross_name(vector_name: str) -> str:
    """The chromadb collection of the cross-language index beside the collection ``vector_name``."""
    return vector_name + CROSS_SUFFIX


@dataclass
class CollectionInfo:
    name: str
    embedder: str
    dimension: int
    documents: int = 0
    chunks: int = 0
    failed: int = 0
    cross_embedder: str | None = None  # the cross-language index's model, or None: no such index
    cross_chunks: int = 0  # chunks that have their cross-language vector so far


@dataclass
class DocumentInfo:
    id: int
    collection: str
    path: str
    size: int | None
    mtime_ns: int | None
    sha256: str | None
    kind: str | None
    state: str  # complete | failed | pending
    chunks: int
    error: Msg | None
    indexed: float


@dataclass
class ChunkRow:
    id: int
    doc_id: int
    path: str
    ord: int
    text: str
    page: int | None
    section: str | None
    char_start: int
    char_end: int
    tokens: int


@dataclass
class NewDocument:
    """A parsed, chunked and embedded version of a file, ready to become current."""

    path: str
    size: int
    mtime_ns: int
    sha256: str
    kind: str
    chunks: list[Chunk]
    hashes: list[str]
    embeddings: np.ndarray


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _error_json(error: Msg | str | None) -> str | None:
    import json

    if error is None:
        return None
    return json.dumps(error.to_json() if isinstance(error, Msg) else {"template": str(error), "values": {}},
                      ensure_ascii=False)


def _error_msg(data: str | None) -> Msg | None:
    import json

    return Msg.from_json(json.loads(data)) if data else None


def _document_info(r: Sequence[Any]) -> DocumentInfo:
    """A ``documents`` row, selected in the order of DocumentInfo's fields, as a DocumentInfo."""
    doc_id, collection, path, size, mtime_ns, sha256, kind, state, chunks, error, indexed = r
    return DocumentInfo(doc_id, collection, path, size, mtime_ns, sha256, kind, state, chunks, _error_msg(error),
                        indexed)


def _inserted_id(cursor: sqlite3.Cursor) -> int:
    """The rowid an INSERT just made (sqlite3 sets ``lastrowid`` on every successful INSERT)."""
    row_id = cursor.lastrowid
    if row_id is None:
        raise RuntimeError("INSERT returned no row id")
    return row_id


class DocStore:
    """One store on disk (default: <data dir>/docs). Thread-safe; process-safe through the lock.

    Opening it takes the lock (up to ``lock_timeout`` while another process writes) and may rebuild
    the vector index after a crash: the window opens it on a worker thread (gui/docs_page.py)."""

    def __init__(self, root: Path | str | None = None, lock_timeout: float = LOCK_TIMEOUT_S):
        from filelock import FileLock, Timeout

        self.root = Path(root) if root is not None else data_dir() / "docs"
        self.root.mkdir(parents=True, exist_ok=True)
        self.lock_timeout = lock_timeout
        self._file_lock = FileLock(str(self.root / "store.lock"), thread_local=False)
        self._thread_lock = threading.RLock()
        self._depth = 0
        self._db = sqlite3.connect(self.root / "index.sqlite3", timeout=60, check_same_thread=False,
                                   isolation_level=None)
        # Switching a new database to WAL needs it to itself, and SQLite answers "database is locked"
        # at once (no busy wait) to a second process switching at the same moment (seen in CI with
        # two writers opening one new store): the switch is made under the store's file lock.
        try:
            with self._file_lock.acquire(timeout=self.lock_timeout):
                self._db.execute("PRAGMA journal_mode=WAL")
                # before any recovery runs: it deletes rows from these tables too (a store made
                # before shared collections existed gets them here)
                self._db.executescript(SHARED_SCHEMA)
        except Timeout:
            raise StoreError(M.STORE_BUSY) from None
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._index = VectorIndex(self.root / "chroma", self._generation)
        self._writes = 0
        self._stages = 0
        with self.locked():
            self._db.executescript(SCHEMA)
            if "cross_embedder" not in {r[1] for r in self._db.execute("PRAGMA table_info(collections)")}:
                self._db.execute("ALTER TABLE collections ADD COLUMN cross_embedder TEXT")  # a store made before it
            self._keywords_current()
        # reads get their own connection and lock: a window listing files never waits behind a
        # search or a write that holds the store (WAL readers see every committed write)
        self._rdb = sqlite3.connect(self.root / "index.sqlite3", timeout=60, check_same_thread=False,
                                    isolation_level=None)
        self._read_lock = threading.Lock()
        self._term_counts: keywords.TermCounts | None = None
        self.shared = Shared(self)  # collections that live on a Chroma server (core/docs/shared.py)

    # -- locking and recovery ------------------------------------------------------------------

    @contextlib.contextmanager
    def locked(self) -> Iterator[DocStore]:
        """Hold the store (re-entrant). The first holder after a killed writer repairs the store."""
        from filelock import Timeout

        with self._thread_lock:
            if self._depth == 0:
                try:
                    self._file_lock.acquire(timeout=self.lock_timeout)
                except Timeout:
                    raise StoreError(M.STORE_BUSY) from None
            self._depth += 1
            try:
                if self._depth == 1:
                    self._recover_if_needed()
                yield self
            finally:
                self._depth -= 1
                if self._depth == 0:
                    self._file_lock.release()

    @contextlib.contextmanager
    def _reading(self) -> Iterator[DocStore]:
        """SQLite alone (WAL) is safe to read while another process writes: no file lock, so a
        window listing documents never waits for an ingestion."""
        with self._read_lock:
            yield self

    @property
    def _dirty_marker(self) -> Path:
        return self.root / "chroma.dirty"

    @contextlib.contextmanager
    def _vectors_changing(self) -> Iterator[None]:
        """Mark chromadb as being written for the length of the block. An exception or a kill
        leaves the mark, and the next holder of the lock rebuilds the index from SQLite."""
        self._dirty_marker.touch()
        yield
        self._dirty_marker.unlink(missing_ok=True)

    def _recover_if_needed(self) -> None:
        try:
            pending = self._db.execute("SELECT id FROM documents WHERE state = 'pending'").fetchall()
        except sqlite3.OperationalError:  # before the schema exists
            return
        if not pending and not self._dirty_marker.exists():
            return
        with self._txn():
            for (doc_id,) in pending:
                self._delete_document_rows(doc_id)
        self._rebuild_vectors()

    def _rebuild_vectors(self) -> None:
        """Throw chromadb's files away and re-add every current vector from SQLite."""
        with self._vectors_changing():
            self._index.wipe()
            for info in self._collection_rows():
                self._fill_vectors(info.name)
            self._bump_generation()

    def _fill_vectors(self, collection: str) -> None:
        rows = self._db.execute(
            "SELECT c.id, c.embedding FROM chunks c JOIN documents d ON d.id = c.doc_id "
            "WHERE c.collection = ? AND d.state = 'complete' AND c.embedding IS NOT NULL", (collection,))
        self._index.upsert(self._vector_name(collection), ((i, np.frombuffer(blob, np.float32)) for i, blob in rows))
        if self._cross_embedder(collection) is not None:
            rows = self._db.execute(
                "SELECT x.chunk_id, x.embedding FROM cross_vectors x JOIN chunks c ON c.id = x.chunk_id "
                "JOIN documents d ON d.id = c.doc_id WHERE x.collection = ? AND d.state = 'complete'", (collection,))
            self._index.upsert(cross_name(self._vector_name(collection)),
                               ((i, np.frombuffer(blob, np.float32)) for i, blob in rows))

    def _cross_embedder(self, collection: str) -> str | None:
        row = self._db.execute("SELECT cross_embedder FROM collections WHERE name = ?", (collection,)).fetchone()
        return row[0] if row else None

    def _delete_vectors(self, collection: str, vector_name: str, ids: Sequence[int]) -> None:
        """Chunks' vectors out of the index, and out of the cross-language index if there is one."""
        self._index.delete(vector_name, ids)
        if self._cross_embedder(collection) is not None:
            self._index.delete(cross_name(vector_name), ids)

    def vector_count(self, collection: str) -> int:
        """Vectors in the index for this collection (equal to its chunks unless a write was cut)."""
        with self.locked():
            return self._index.count(self._vector_name(self.get_collection(collection).name))

    def _vector_name(self, name: str) -> str:
        row = self._db.execute("SELECT vector_name FROM collections WHERE name = ?", (name,)).fetchone()
        return row[0]

    def _generation(self) -> str:
        row = self._db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return row[0] if row else "0"

    def _bump_generation(self) -> None:
        value = f"{time.time_ns()}-{id(self)}"
        self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('generation', ?)", (value,))
        self._index.wrote(value)

    @contextlib.contextmanager
    def _txn(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _keywords_current(self) -> None:
        """A keyword index made by another version of keywords.terms() is made again from the
        chunks' text (nothing is embedded again): else questions and chunks would be cut into terms
        two ways. Under the store's lock, when the store is opened (never on the UI thread)."""
        row = self._db.execute("SELECT value FROM meta WHERE key = 'keyword_terms'").fetchone()
        if row is not None and row[0] == keywords.TERMS_VERSION:
            return
        with self._txn() as db:
            db.execute("DELETE FROM chunks_fts")
            db.executemany("INSERT INTO chunks_fts (rowid, terms) VALUES (?, ?)",
                           ((chunk_id, keywords.index_text(embed_text(text, section)))
                            for chunk_id, text, section in db.execute("SELECT id, text, section FROM chunks").fetchall()))
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('keyword_terms', ?)", (keywords.TERMS_VERSION,))

    # -- collections ---------------------------------------------------------------------------------

    def _collection_rows(self, db: sqlite3.Connection | None = None) -> list[CollectionInfo]:
        return [CollectionInfo(name, embedder, dimension, cross_embedder=cross) for name, embedder, dimension, cross
                in (db or self._db).execute("SELECT name, embedder, dimension, cross_embedder FROM collections ORDER BY name")]

    def list_collections(self) -> list[CollectionInfo]:
        with self._reading():
            out = []
            for info in self._collection_rows(self._rdb):
                for state, n, chunks in self._rdb.execute(
                        "SELECT state, COUNT(*), SUM(chunks) FROM documents WHERE collection = ? GROUP BY state",
                        (info.name,)):
                    if state == "complete":
                        info.documents, info.chunks = n, chunks or 0
                    elif state == "failed":
                        info.failed = n
                if info.cross_embedder is not None:
                    # rows leave with their chunks, and only current chunks get one (cross_todo)
                    info.cross_chunks = self._rdb.execute(
                        "SELECT COUNT(*) FROM cross_vectors WHERE collection = ?", (info.name,)).fetchone()[0]
                out.append(info)
            return out

    def get_collection(self, name: str) -> CollectionInfo:
        for info in self.list_collections():
            if info.name == name:
                return info
        raise StoreError(M.NO_COLLECTION, name=name)

    def ensure_collection(self, name: str, embedder: str, dimension: int) -> CollectionInfo:
        """Takes the store's lock (may wait for another process): not for the UI thread."""
        name = check_collection_name(name)
        with self.locked():
            row = self._db.execute("SELECT name FROM collections WHERE name = ?", (name,)).fetchone()
            if row is None:
                vector_name = "h" + hashlib.sha1(f"{name}{time.time_ns()}".encode()).hexdigest()[:16]
                with self._txn() as db:
                    db.execute("INSERT INTO collections (name, embedder, dimension, created, vector_name) "
                               "VALUES (?, ?, ?, ?, ?)", (name, embedder, dimension, time.time(), vector_name))
            return self.get_collection(name)

    def delete_collection(self, name: str) -> None:
        with self.locked():
            self.get_collection(name)
            vector_name = self._vector_name(name)
            with self._txn() as db:
                for (doc_id,) in db.execute("SELECT id FROM documents WHERE collection = ?", (name,)).fetchall():
                    self._delete_document_rows(doc_id)
                db.execute("DELETE FROM folders WHERE collection = ?", (name,))
                db.execute("DELETE FROM collections WHERE name = ?", (name,))
                self.shared.forget(db, name)
                self._bump_generation()
            with self._vectors_changing():
                self._index.drop(vector_name)
                self._index.drop(cross_name(vector_name))

    # -- folders (for re-sync and watching) -------------------------------------------------------------

    def add_folder(self, collection: str, path: str, watched: bool | None = None) -> None:
        with self.locked(), self._txn() as db:
            db.execute("INSERT OR IGNORE INTO folders (collection, path) VALUES (?, ?)", (collection, path))
            if watched is not None:
                db.execute("UPDATE folders SET watched = ? WHERE collection = ? AND path = ?",
                           (int(watched), collection, path))

    def folders(self, collection: str | None = None) -> list[tuple[str, str, bool]]:
        with self._reading():
            sql = "SELECT collection, path, watched FROM folders"
            args: tuple[str, ...] = ()
            if collection is not None:
                sql, args = sql + " WHERE collection = ?", (collection,)
            return [(c, p, bool(w)) for c, p, w in self._rdb.execute(sql + " ORDER BY collection, path", args)]

    # -- documents -------------------------------------------------------------------------------------

    def documents(self, collection: str) -> list[DocumentInfo]:
        with self._reading():
            rows = self._rdb.execute(
                "SELECT id, collection, path, size, mtime_ns, sha256, kind, state, chunks, error, indexed "
                "FROM documents WHERE collection = ? AND state != 'pending' ORDER BY path", (collection,)).fetchall()
        return [_document_info(r) for r in rows]

    def document(self, collection: str, path: str) -> DocumentInfo | None:
        with self._reading():
            r = self._rdb.execute(
                "SELECT id, collection, path, size, mtime_ns, sha256, kind, state, chunks, error, indexed "
                "FROM documents WHERE collection = ? AND path = ? AND state != 'pending' ORDER BY id DESC",
                (collection, path)).fetchone()
        return _document_info(r) if r else None

    def touch_document(self, doc_id: int, mtime_ns: int) -> None:
        """Same content under a new mtime: remember the mtime so the next scan skips the hash."""
        with self.locked(), self._txn() as db:
            db.execute("UPDATE documents SET mtime_ns = ? WHERE id = ?", (mtime_ns, doc_id))

    def known_embeddings(self, collection: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        """Vectors already computed for these chunk texts (unchanged parts of a changed file, copies)."""
        return self._vectors_by_hash("SELECT text_hash, embedding FROM chunks WHERE collection = ? "
                                     "AND embedding IS NOT NULL AND text_hash IN ({})", collection, hashes)

    def _vectors_by_hash(self, sql: str, collection: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        """(text hash -> vector) rows of ``sql`` (its ``{}``: the hashes' placeholders), 500 hashes a query."""
        out: dict[str, np.ndarray] = {}
        unique = list(dict.fromkeys(hashes))
        with self._reading():
            for i in range(0, len(unique), 500):
                part = unique[i:i + 500]
                for h, blob in self._rdb.execute(sql.format(",".join("?" * len(part))), (collection, *part)):
                    out[h] = np.frombuffer(blob, np.float32)
        return out

    def add_document(self, collection: str, path: str, *, size: int, mtime_ns: int, sha256: str, kind: str,
                     chunks: Sequence[Chunk], hashes: Sequence[str], embeddings: np.ndarray,
                     _fault: str | None = None) -> int:
        return self.add_documents(collection, [NewDocument(path, size, mtime_ns, sha256, kind, list(chunks),
                                                           list(hashes), embeddings)], _fault=_fault)[0]

    def add_documents(self, collection: str, docs: Sequence[NewDocument], _fault: str | None = None) -> list[int]:
        """Make these versions of their files current, atomically as seen from any reader (steps 1–4
        above). Several small files share the transactions and one chromadb call. A shared
        collection's go to its server first (core/docs/shared.py), outside the lock."""
        if self.shared.config(collection) is not None:
            return self.shared.publish(collection, docs, _fault)
        with self.locked():
            vector_name = self._vector_name(self.get_collection(collection).name)
            now = time.time()
            doc_ids: list[int] = []
            rows: list[tuple[int, np.ndarray]] = []
            with self._txn() as db:
                for doc in docs:
                    doc_id = _inserted_id(db.execute(
                        "INSERT INTO documents (collection, path, size, mtime_ns, sha256, kind, state, chunks, indexed) "
                        "VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
                        (collection, doc.path, doc.size, doc.mtime_ns, doc.sha256, doc.kind, len(doc.chunks),
                         now)))
                    doc_ids.append(doc_id)
                    for i, (c, h, vec) in enumerate(zip(doc.chunks, doc.hashes, doc.embeddings, strict=True)):
                        chunk_id = _inserted_id(db.execute(
                            "INSERT INTO chunks (doc_id, collection, ord, text, page, section, char_start, char_end, "
                            "tokens, text_hash, embedding) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            (doc_id, collection, i, c.text, c.page, c.section, c.char_start, c.char_end, c.tokens,
                             h, np.asarray(vec, np.float32).tobytes())))
                        db.execute("INSERT INTO chunks_fts (rowid, terms) VALUES (?, ?)",
                                   (chunk_id, keywords.index_text(c.embed_text())))
                        rows.append((chunk_id, np.asarray(vec, np.float32)))
            if _fault == "after-pending":
                return doc_ids
            self._make_current(collection, vector_name, [(d.path, i) for d, i in zip(docs, doc_ids, strict=True)], rows, _fault)
            return doc_ids

    def _make_current(self, collection: str, vector_name: str, docs: Sequence[tuple[str, int]],
                      rows: Iterable[tuple[int, np.ndarray]], _fault: str | None) -> None:
        """Steps 2–4: the vectors into chromadb, then the pending rows become current."""
        with self._vectors_changing():
            self._index.upsert(vector_name, rows)
            self._writes += 1
            if _fault == f"pause-before-complete:{self._writes}":  # test seam: a kill lands mid-write
                (self.root / "paused").touch()
                time.sleep(120)
            with self._txn() as db:
                old_ids: list[int] = []
                for path, doc_id in docs:
                    db.execute("UPDATE documents SET state = 'complete' WHERE id = ?", (doc_id,))
                    old_ids += self._drop_other_versions(collection, path, doc_id)
                self._bump_generation()
            self._delete_vectors(collection, vector_name, old_ids)

    # -- one large document, written as it is embedded ---------------------------------------------

    def stage(self) -> Staging:
        """A private temporary database (SQLite deletes it when it is detached or the process
        dies) that takes a large document's chunks and vectors batch by batch: they stay on disk,
        not in memory, until ``commit_staged`` makes the document current in one step."""
        with self._thread_lock:
            self._stages += 1
            name = f"stage{self._stages}"
            self._db.execute(f"ATTACH DATABASE '' AS {name}")
            self._db.execute(f"CREATE TABLE {name}.chunks (ord INTEGER PRIMARY KEY, text TEXT, page INTEGER, "
                             "section TEXT, char_start INTEGER, char_end INTEGER, tokens INTEGER, text_hash TEXT, "
                             "embedding BLOB, terms TEXT)")
            # a text repeated within the file (a log, an export) is embedded once: looked up by hash
            self._db.execute(f"CREATE INDEX {name}.chunks_hash ON chunks (text_hash)")
        return Staging(self, name)

    def commit_staged(self, collection: str, staging: Staging, *, path: str, size: int, mtime_ns: int,
                      sha256: str, kind: str, _fault: str | None = None) -> int:
        name = staging.name
        if self.shared.config(collection) is not None:
            return self.shared.publish_staged(collection, staging, path=path, size=size, mtime_ns=mtime_ns,
                                              sha256=sha256, kind=kind, fault=_fault)
        with self.locked():
            vector_name = self._vector_name(self.get_collection(collection).name)
            with self._txn() as db:
                doc_id = _inserted_id(db.execute(
                    "INSERT INTO documents (collection, path, size, mtime_ns, sha256, kind, state, chunks, indexed) "
                    "VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
                    (collection, path, size, mtime_ns, sha256, kind, staging.count, time.time())))
                db.execute("INSERT INTO chunks (doc_id, collection, ord, text, page, section, char_start, char_end, "
                           "tokens, text_hash, embedding) SELECT ?, ?, ord, text, page, section, char_start, char_end, "
                           f"tokens, text_hash, embedding FROM {name}.chunks ORDER BY ord", (doc_id, collection))
                db.execute(f"INSERT INTO chunks_fts (rowid, terms) SELECT c.id, s.terms FROM chunks c "
                           f"JOIN {name}.chunks s ON s.ord = c.ord WHERE c.doc_id = ?", (doc_id,))
            if _fault == "after-pending":
                return doc_id
            ids = [r[0] for r in self._db.execute("SELECT id FROM chunks WHERE doc_id = ? ORDER BY id", (doc_id,))]
            self._make_current(collection, vector_name, [(path, doc_id)], self._vectors_of(ids), _fault)
            return doc_id

    def _vectors_of(self, ids: list[int]) -> Iterator[tuple[int, np.ndarray]]:
        """(chunk id, vector) read back from SQLite in slices: never all vectors in memory."""
        for k in range(0, len(ids), 1000):
            part = ids[k:k + 1000]
            rows = self._db.execute(f"SELECT id, embedding FROM chunks WHERE id IN ({','.join('?' * len(part))})",
                                    part).fetchall()
            for i, blob in rows:
                yield i, np.frombuffer(blob, np.float32)

    def _drop_stage(self, name: str) -> None:
        with self._thread_lock:
            self._db.execute(f"DETACH DATABASE {name}")

    def record_failure(self, collection: str, path: str, error: Msg | str, *, size: int | None = None,
                       mtime_ns: int | None = None, sha256: str | None = None) -> None:
        """The file could not be read: remember why (shown per file) and drop any older version."""
        if self.shared.config(collection) is not None:  # its older version leaves the server too
            self.shared.unpublish_paths(collection, [path])
        with self.locked():
            vector_name = self._vector_name(self.get_collection(collection).name)
            with self._txn() as db:
                doc_id = _inserted_id(db.execute(
                    "INSERT INTO documents (collection, path, size, mtime_ns, sha256, state, error, indexed) "
                    "VALUES (?, ?, ?, ?, ?, 'failed', ?, ?)",
                    (collection, path, size, mtime_ns, sha256, _error_json(error), time.time())))
                old_ids = self._drop_other_versions(collection, path, doc_id)
                self._bump_generation()
            if old_ids:
                with self._vectors_changing():
                    self._delete_vectors(collection, vector_name, old_ids)

    def remove_documents(self, collection: str, paths: Sequence[str]) -> int:
        if self.shared.config(collection) is not None:
            self.shared.unpublish_paths(collection, paths)
        with self.locked():
            vector_name = self._vector_name(self.get_collection(collection).name)
            removed, chunk_ids = 0, []
            with self._txn() as db:
                for path in paths:
                    for (doc_id,) in db.execute("SELECT id FROM documents WHERE collection = ? AND path = ?",
                                                (collection, path)).fetchall():
                        chunk_ids += self._delete_document_rows(doc_id)
                        removed += 1
                self._bump_generation()
            if chunk_ids:
                with self._vectors_changing():
                    self._delete_vectors(collection, vector_name, chunk_ids)
            return removed

    def _drop_other_versions(self, collection: str, path: str, keep_id: int) -> list[int]:
        chunk_ids: list[int] = []
        for (old,) in self._db.execute("SELECT id FROM documents WHERE collection = ? AND path = ? AND id != ?",
                                       (collection, path, keep_id)).fetchall():
            chunk_ids += self._delete_document_rows(old)
        return chunk_ids

    def _delete_document_rows(self, doc_id: int) -> list[int]:
        ids = [r[0] for r in self._db.execute("SELECT id FROM chunks WHERE doc_id = ?", (doc_id,))]
        for i in range(0, len(ids), 500):
            part = ids[i:i + 500]
            self._db.execute(f"DELETE FROM chunks_fts WHERE rowid IN ({','.join('?' * len(part))})", part)
        for i in range(0, len(ids), 500):
            part = ids[i:i + 500]
            self._db.execute(f"DELETE FROM shared_chunks WHERE chunk_id IN ({','.join('?' * len(part))})", part)
            self._db.execute(f"DELETE FROM cross_vectors WHERE chunk_id IN ({','.join('?' * len(part))})", part)
        self._db.execute("DELETE FROM shared_docs WHERE doc_id = ?", (doc_id,))
        self._db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
        self._db.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
        return ids

    # -- search -----------------------------------------------------------------------------------------

    def vector_searches(self, collection: str, vectors: Sequence[np.ndarray], k: int) -> list[list[tuple[int, float]]]:
        """For each vector (a question and its translation), (chunk id, cosine similarity), best first:
        one query of the index. A shared collection asks its server (network)."""
        if self.shared.config(collection) is not None:
            info = self.get_collection(collection)
            return [self.shared.vector_search(info.name, v, min(k, info.chunks)) if info.chunks else []
                    for v in vectors]
        with self.locked():
            info = self.get_collection(collection)
            if info.chunks == 0 or not len(vectors):
                return [[] for _ in vectors]
            return self._index.query(self._vector_name(info.name), vectors, min(k, info.chunks))

    def keyword_search(self, collection: str, question: str, k: int) -> list[tuple[int, float]]:
        """(chunk id, bm25 score: higher is better), best first."""
        return self._keyword_match(collection, keywords.match_query(question), k)

    def phrase_search(self, collection: str, phrases: Sequence[str], k: int) -> list[tuple[int, float]]:
        """As keyword_search, for chunks holding any of the phrases (each its words in a row)."""
        return self._keyword_match(collection, keywords.match_phrases(phrases), k)

    def _keyword_match(self, collection: str, expr: str | None, k: int) -> list[tuple[int, float]]:
        if expr is None:
            return []
        with self._reading():
            rows = self._rdb.execute(
                "SELECT f.rowid, -bm25(chunks_fts) AS score FROM chunks_fts f JOIN chunks c ON c.id = f.rowid "
                "JOIN documents d ON d.id = c.doc_id WHERE chunks_fts MATCH ? AND c.collection = ? "
                "AND d.state = 'complete' ORDER BY bm25(chunks_fts) LIMIT ?", (expr, collection, k)).fetchall()
        return [(int(r[0]), float(r[1])) for r in rows]

    def term_counts(self, words: Sequence[str]) -> dict[str, int]:
        """How many chunks of the keyword index hold each word (all collections together: one
        lookup in the index's vocabulary, ~0.2 ms for a question's worth of words)."""
        with self._reading():
            if self._term_counts is None:
                self._term_counts = keywords.TermCounts(self._rdb, "chunks_fts")
            return self._term_counts(words)

    def chunk_rows(self, ids: Sequence[int]) -> dict[int, ChunkRow]:
        """Current chunks by id (ids of chunks no longer current are left out)."""
        if not ids:
            return {}
        with self._reading():
            rows = self._rdb.execute(
                "SELECT c.id, c.doc_id, d.path, c.ord, c.text, c.page, c.section, c.char_start, c.char_end, c.tokens "
                f"FROM chunks c JOIN documents d ON d.id = c.doc_id WHERE d.state = 'complete' "
                f"AND c.id IN ({','.join('?' * len(ids))})", list(ids)).fetchall()
        return {r[0]: ChunkRow(*r) for r in rows}

    def holds_chinese(self, collection: str) -> bool:
        """Whether any current chunk of the collection has Chinese (CJK) characters: an
        English-only embedder cannot match those chunks with a question's meaning.

        It reads every chunk of an English collection (0.4 s for 20,000), so it has a connection of
        its own: the window's reads, which share one, never wait behind it."""
        uri = (self.root / "index.sqlite3").as_uri() + "?mode=ro"
        with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=60, check_same_thread=False)) as db:
            row = db.execute(
                "SELECT 1 FROM chunks c JOIN documents d ON d.id = c.doc_id WHERE c.collection = ? "
                "AND d.state = 'complete' AND c.text GLOB '*[\u3400-\u9fff]*' LIMIT 1", (collection,)).fetchone()
        return row is not None

    def note_shown(self, key: str) -> bool:
        """Whether a one-time note (``key``) was already shown for this store."""
        with self._reading():
            return self._rdb.execute("SELECT 1 FROM meta WHERE key = ?", (f"note:{key}",)).fetchone() is not None

    def mark_note_shown(self, key: str) -> None:
        with self.locked(), self._txn() as db:
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, '1')", (f"note:{key}",))

    # -- the cross-language index (core/docs/cross_language.py) ----------------------------------------

    def set_cross_language(self, collection: str, embedder: str | None) -> None:
        """Give a collection a cross-language index made by ``embedder`` (filled afterwards, chunk by
        chunk: see cross_language.fill), or take it away (None: its vectors are deleted)."""
        if embedder is not None and self.shared.config(collection) is not None:
            raise StoreError(M.CROSS_SHARED, name=collection)
        with self.locked():
            self.get_collection(collection)
            vector_name = self._vector_name(collection)
            if self._cross_embedder(collection) == embedder:
                return
            with self._txn() as db:
                db.execute("DELETE FROM cross_vectors WHERE collection = ?", (collection,))
                db.execute("UPDATE collections SET cross_embedder = ? WHERE name = ?", (embedder, collection))
                self._bump_generation()
            with self._vectors_changing():
                self._index.drop(cross_name(vector_name))

    def cross_todo(self, collection: str, limit: int) -> list[tuple[int, str, str | None, str]]:
        """Up to ``limit`` current chunks without a cross-language vector: (id, text, section, text hash)."""
        with self._reading():
            return self._rdb.execute(
                "SELECT c.id, c.text, c.section, c.text_hash FROM chunks c JOIN documents d ON d.id = c.doc_id "
                "LEFT JOIN cross_vectors x ON x.chunk_id = c.id WHERE c.collection = ? AND d.state = 'complete' "
                "AND x.chunk_id IS NULL ORDER BY c.id LIMIT ?", (collection, limit)).fetchall()

    def known_cross_vectors(self, collection: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        """Cross-language vectors already computed for these chunk texts (copies, repeated text)."""
        return self._vectors_by_hash("SELECT text_hash, embedding FROM cross_vectors WHERE collection = ? "
                                     "AND text_hash IN ({})", collection, hashes)

    def add_cross_vectors(self, collection: str, embedder: str, rows: Sequence[tuple[int, str, np.ndarray]]) -> int:
        """Keep (chunk id, text hash, vector) rows made by ``embedder``; a chunk deleted meanwhile, or
        an index switched off or to another model meanwhile, takes none. Returns how many were kept."""
        with self.locked():
            if self._cross_embedder(collection) != embedder:
                return 0
            vector_name = self._vector_name(collection)
            with self._txn() as db:
                kept = []
                for chunk_id, h, vec in rows:
                    blob = np.asarray(vec, np.float32).tobytes()
                    if db.execute("INSERT OR IGNORE INTO cross_vectors (chunk_id, collection, text_hash, embedding) "
                                  "SELECT id, ?, ?, ? FROM chunks WHERE id = ? AND collection = ?",
                                  (collection, h, blob, chunk_id, collection)).rowcount:
                        kept.append((chunk_id, np.asarray(vec, np.float32)))
                self._bump_generation()
            if kept:
                with self._vectors_changing():
                    self._index.upsert(cross_name(vector_name), kept)
            return len(kept)

    def cross_vector_search(self, collection: str, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        """(chunk id, cosine similarity), best first, in the cross-language index (empty without one).
        ``k``: at most the index's size (CollectionInfo.cross_chunks)."""
        with self.locked():
            if k <= 0 or self._cross_embedder(collection) is None:
                return []
            return self._index.query(cross_name(self._vector_name(collection)), [vector], k)[0]

    # -- changing the embedder ------------------------------------------------------------------------

    def all_chunk_texts(self, collection: str) -> list[tuple[int, str, str | None]]:
        with self._reading():
            return self._rdb.execute(
                "SELECT c.id, c.text, c.section FROM chunks c JOIN documents d ON d.id = c.doc_id "
                "WHERE c.collection = ? AND d.state = 'complete' ORDER BY c.id", (collection,)).fetchall()

    def replace_embedder(self, collection: str, embedder: str, dimension: int,
                         vectors: dict[int, np.ndarray]) -> None:
        """Swap in vectors from another model (computed beforehand) and rebuild the vector index."""
        with self.locked():
            self.get_collection(collection)
            old_name = self._vector_name(collection)
            new_name = "h" + hashlib.sha1(f"{collection}{time.time_ns()}".encode()).hexdigest()[:16]
            with self._txn() as db:
                for chunk_id, vec in vectors.items():
                    db.execute("UPDATE chunks SET embedding = ? WHERE id = ?",
                               (np.asarray(vec, np.float32).tobytes(), chunk_id))
                # chunks without a new vector lose their old one. The ids go through a temporary
                # table: a literal NOT IN (...) list grows with the collection and passes SQLite's
                # statement-length limit (1,000,000 bytes in many builds: ~140k chunks).
                db.execute("DROP TABLE IF EXISTS temp.keep_vectors")
                db.execute("CREATE TEMP TABLE keep_vectors (id INTEGER PRIMARY KEY)")
                db.executemany("INSERT OR IGNORE INTO temp.keep_vectors (id) VALUES (?)", ((int(i),) for i in vectors))
                db.execute("UPDATE chunks SET embedding = NULL WHERE collection = ? "
                           "AND id NOT IN (SELECT id FROM temp.keep_vectors)", (collection,))
                db.execute("DROP TABLE temp.keep_vectors")
                db.execute("UPDATE collections SET embedder = ?, dimension = ?, vector_name = ? WHERE name = ?",
                           (embedder, dimension, new_name, collection))
                self._bump_generation()
            with self._vectors_changing():
                self._index.drop(old_name)
                self._index.drop(cross_name(old_name))
                self._fill_vectors(collection)

    def close(self) -> None:
        with self._thread_lock, self._read_lock:
            self._index.close()
            self._db.close()
            self._rdb.close()

    def __enter__(self) -> DocStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Staging:
    """Chunks and vectors of one large document on their way into the store (see DocStore.stage)."""

    def __init__(self, store: DocStore, name: str):
        self.store, self.name, self.count = store, name, 0

    def add(self, chunks: Sequence[Chunk], hashes: Sequence[str], vectors: Sequence[np.ndarray]) -> None:
        rows = [(self.count + i, c.text, c.page, c.section, c.char_start, c.char_end, c.tokens, h,
                 np.asarray(v, np.float32).tobytes(), keywords.index_text(c.embed_text()))
                for i, (c, h, v) in enumerate(zip(chunks, hashes, vectors, strict=True))]
        with self.store._thread_lock:  # the store's connection; the main database is not touched
            self.store._db.execute("BEGIN")
            self.store._db.executemany(f"INSERT INTO {self.name}.chunks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
            self.store._db.execute("COMMIT")
        self.count += len(rows)

    def known_embeddings(self, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        """Vectors already staged for these chunk texts (earlier parts of the same file)."""
        out: dict[str, np.ndarray] = {}
        unique = list(dict.fromkeys(hashes))
        with self.store._thread_lock:
            for i in range(0, len(unique), 500):
                part = unique[i:i + 500]
                for h, blob in self.store._db.execute(
                        f"SELECT text_hash, embedding FROM {self.name}.chunks WHERE text_hash IN "
                        f"({','.join('?' * len(part))}) GROUP BY text_hash", part):
                    out[h] = np.frombuffer(blob, np.float32)
        return out

    def close(self) -> None:
        self.store._drop_stage(self.name)
