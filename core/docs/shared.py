"""Shared collections: the vectors and texts live on a Chroma server (shared_server.py); each
Hearth installation keeps a *mirror* of the published documents in its own store — the same
documents / chunks / FTS5 rows a local collection has, without vectors — so that:

- the file list, the keyword half of hybrid search, and the excerpts shown all read local SQLite;
- the vector half is a query to the server, whose chunk ids map to mirrored chunks (a hit on a
  chunk this installation has not mirrored yet, or of an unpublished document, is dropped);
- with the server down, a question is answered from the mirror by keywords alone, with one
  sentence saying so, and local collections never touch the network.

The mirror follows the server's manifest (``sync``): documents published since are fetched,
documents gone are dropped. Documents this installation publishes are mirrored at once from what
it sent. Network calls happen outside the store's lock; only the mirror's writes take it.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from collections.abc import Iterator, Sequence

import numpy as np

from . import keywords
from . import messages as M
from .chunking import Chunk
from .errors import StoreError
from .names import check_collection_name
from .shared_server import RemoteCollection, ServerConfig, new_uid, normalize_url

if TYPE_CHECKING:
    from .store import DocStore, NewDocument, Staging

SCHEMA = """
CREATE TABLE IF NOT EXISTS shared_collections (name TEXT PRIMARY KEY, url TEXT NOT NULL, token_env TEXT);
CREATE TABLE IF NOT EXISTS shared_docs (doc_id INTEGER PRIMARY KEY, uid TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS shared_docs_uid ON shared_docs (uid);
CREATE TABLE IF NOT EXISTS shared_chunks (chunk_id INTEGER PRIMARY KEY, remote_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS shared_chunks_remote ON shared_chunks (remote_id);
"""
SYNC_EVERY_S = 1.0  # a burst of questions (a chat turn, a typed search) reads the manifest once


class Shared:
    """The shared collections of one DocStore (it owns one of these)."""

    def __init__(self, store: DocStore):
        self.store = store
        self._remotes: dict[str, RemoteCollection] = {}
        self._synced: dict[str, float] = {}

    # -- configuration ------------------------------------------------------------------------------

    def config(self, name: str) -> ServerConfig | None:
        with self.store._reading():
            row = self.store._rdb.execute("SELECT url, token_env FROM shared_collections WHERE name = ?",
                                          (name,)).fetchone()
        return ServerConfig(row[0], row[1]) if row else None

    def all(self) -> dict[str, ServerConfig]:
        with self.store._reading():
            rows = self.store._rdb.execute("SELECT name, url, token_env FROM shared_collections").fetchall()
        return {n: ServerConfig(u, t) for n, u, t in rows}

    def remote(self, name: str) -> RemoteCollection:
        config = self.config(name)
        if config is None:
            raise StoreError(M.NO_COLLECTION, name=name)
        remote = self._remotes.get(name)
        if remote is None or remote.config != config:
            remote = self._remotes[name] = RemoteCollection(config, name)
        return remote

    def add(self, name: str, url: str, token_env: str | None, embedder: str, dimension: int) -> None:
        """Create the collection on the server or join it, and register it here (network)."""

        name = check_collection_name(name)
        store = self.store
        existing = {c.name for c in store.list_collections()}
        if name in existing and self.config(name) is None:
            raise StoreError(M.SHARED_IS_LOCAL, name=name)
        config = ServerConfig(normalize_url(url), token_env or None)
        remote = RemoteCollection(config, name)
        embedder, dimension = remote.create(embedder, dimension)
        with store.locked(), store._txn() as db:
            if name not in existing:
                db.execute("INSERT INTO collections (name, embedder, dimension, created, vector_name) "
                           "VALUES (?, ?, ?, ?, ?)",
                           (name, embedder, dimension, time.time(), "shared"))
            db.execute("INSERT OR REPLACE INTO shared_collections VALUES (?, ?, ?)", (name, config.url, config.token_env))
        self._remotes[name] = remote
        self.sync(name, force=True)

    def forget(self, db: Any, name: str) -> None:
        """Inside the store's delete_collection transaction: the server's copy stays (it is the team's)."""
        db.execute("DELETE FROM shared_collections WHERE name = ?", (name,))
        self._remotes.pop(name, None)

    # -- following the server --------------------------------------------------------------------------

    def sync(self, name: str, force: bool = False) -> int:
        """Bring the mirror up to the server's manifest. Raises StoreError when the server cannot
        be reached. Returns how many documents changed here (mirrored anew or dropped)."""
        if not force and time.monotonic() - self._synced.get(name, -1e9) < SYNC_EVERY_S:
            return 0
        store, remote = self.store, self.remote(name)
        started = time.time()
        published = remote.manifest()
        local = self._local_uids(name)
        new = [uid for uid in published if uid not in local]
        fetched = remote.chunks_of(new) if new else {}
        added = 0
        with store.locked(), store._txn() as db:
            for uid, (doc_id, indexed) in local.items():
                # gone from the manifest — unless mirrored after the manifest was read (our own write)
                if uid not in published and indexed < started:
                    store._delete_document_rows(doc_id)
                    added += 1
            for uid in new:
                rows = fetched.get(uid, [])
                meta = published[uid]
                # never half a document: a published record whose chunks are not all there yet is
                # left for a later sync
                if len(rows) != int(meta.get("chunks", -1)) or self._has_uid(db, uid):
                    continue
                chunks = [(Chunk(text, m.get("page"), m.get("section"), int(m.get("char_start", 0)),
                                 int(m.get("char_end", 0)), int(m.get("tokens", 0))), str(m.get("text_hash", "")), cid)
                          for cid, text, m in rows]
                self._mirror(db, name, uid, meta, chunks)
                added += 1
        self._synced[name] = time.monotonic()
        return added

    def _local_uids(self, name: str) -> dict[str, tuple[int, float]]:
        with self.store._reading():
            rows = self.store._rdb.execute(
                "SELECT s.uid, d.id, d.indexed FROM shared_docs s JOIN documents d ON d.id = s.doc_id "
                "WHERE d.collection = ?", (name,)).fetchall()
        return {uid: (doc_id, indexed) for uid, doc_id, indexed in rows}

    @staticmethod
    def _has_uid(db: Any, uid: str) -> bool:
        return db.execute("SELECT 1 FROM shared_docs WHERE uid = ?", (uid,)).fetchone() is not None

    def _mirror(self, db: Any, name: str, uid: str, meta: dict[str, Any],
                chunks: Sequence[tuple[Chunk, str, str]]) -> int:
        """One published document into the local tables (inside the caller's transaction)."""
        doc_id = db.execute(
            "INSERT INTO documents (collection, path, size, mtime_ns, sha256, kind, state, chunks, indexed) "
            "VALUES (?, ?, ?, ?, ?, ?, 'complete', ?, ?)",
            (name, str(meta.get("path")), meta.get("size"), meta.get("mtime_ns"), meta.get("sha256"),
             meta.get("kind"), len(chunks), time.time())).lastrowid
        db.execute("INSERT INTO shared_docs VALUES (?, ?)", (doc_id, uid))
        for i, (c, h, remote_id) in enumerate(chunks):
            chunk_id = db.execute(
                "INSERT INTO chunks (doc_id, collection, ord, text, page, section, char_start, char_end, tokens, "
                "text_hash, embedding) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                (doc_id, name, i, c.text, c.page, c.section, c.char_start, c.char_end, c.tokens, h)).lastrowid
            db.execute("INSERT INTO chunks_fts (rowid, terms) VALUES (?, ?)",
                       (chunk_id, keywords.index_text(c.embed_text())))
            db.execute("INSERT INTO shared_chunks VALUES (?, ?)", (chunk_id, remote_id))
        self.store._drop_other_versions(name, str(meta.get("path")), doc_id)
        return doc_id

    def prepare_write(self, name: str) -> None:
        """Before an ingestion: the mirror up to date (unchanged files are not sent again), and what
        killed writers left on the server finished or cleared."""
        self.sync(name, force=True)
        self.remote(name).repair()

    # -- writing ---------------------------------------------------------------------------------------

    def _uids_of_path(self, name: str, path: str) -> list[str]:
        with self.store._reading():
            return [r[0] for r in self.store._rdb.execute(
                "SELECT s.uid FROM shared_docs s JOIN documents d ON d.id = s.doc_id "
                "WHERE d.collection = ? AND d.path = ?", (name, path))]

    def publish(self, name: str, docs: Sequence[NewDocument], fault: str | None = None) -> list[int]:
        """Each document up to the server, published, then mirrored here. One document at a time:
        a failure (after the retries) costs the documents not yet published, never half of one."""
        remote, ids = self.remote(name), []
        for doc in docs:
            uid = new_uid()
            rows = ((i, c.text, _chunk_meta(c, h), v)
                    for i, (c, h, v) in enumerate(zip(doc.chunks, doc.hashes, doc.embeddings, strict=True)))
            remote.upload(uid, doc.path, rows)
            ids.append(self._publish(name, uid, doc.path, _doc_meta(doc.path, doc.size, doc.mtime_ns, doc.sha256,
                                                                     doc.kind),
                                     [(c, h, f"{uid}:{i}") for i, (c, h) in enumerate(zip(doc.chunks, doc.hashes,
                                                                                          strict=True))], fault))
        return ids

    def publish_staged(self, name: str, staging: Staging, *, path: str, size: int, mtime_ns: int, sha256: str,
                       kind: str, fault: str | None = None) -> int:
        """A large document's staged chunks, sent in batches as they are read back from disk."""
        remote, uid = self.remote(name), new_uid()
        remote.upload(uid, path, ((o, c.text, _chunk_meta(c, h), v) for o, c, h, v in _staged(self.store, staging)))
        chunks = [(c, h, f"{uid}:{o}") for o, c, h, _v in _staged(self.store, staging)]
        return self._publish(name, uid, path, _doc_meta(path, size, mtime_ns, sha256, kind), chunks, fault)

    def _publish(self, name: str, uid: str, path: str, meta: dict[str, Any],
                 chunks: Sequence[tuple[Chunk, str, str]], fault: str | None) -> int:
        remote = self.remote(name)
        if fault == "shared-pause-before-publish":  # test seam: a kill lands between upload and publish
            (self.store.root / "paused").touch()
            time.sleep(120)
        old = self._uids_of_path(name, path)
        remote.publish(uid, meta, len(chunks))
        remote.unpublish(old)  # the older version of the file leaves every client
        store = self.store
        with store.locked(), store._txn() as db:
            doc_id = self._mirror(db, name, uid, meta, chunks)
            store._bump_generation()
        return doc_id

    def unpublish_paths(self, name: str, paths: Sequence[str]) -> None:
        uids = [u for p in paths for u in self._uids_of_path(name, p)]
        self.remote(name).unpublish(uids)

    # -- searching -------------------------------------------------------------------------------------

    def vector_search(self, name: str, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        """(local chunk id, similarity) from the server's index; chunks not mirrored are left out."""
        hits = self.remote(name).query(vector, k)
        if not hits:
            return []
        with self.store._reading():
            ids = [h for h, _ in hits]
            local = dict(self.store._rdb.execute(
                f"SELECT remote_id, chunk_id FROM shared_chunks WHERE remote_id IN ({','.join('?' * len(ids))})",
                ids).fetchall())
        return [(local[r], score) for r, score in hits if r in local]


def _chunk_meta(c: Chunk, h: str) -> dict[str, Any]:
    return {"page": c.page, "section": c.section, "char_start": c.char_start, "char_end": c.char_end,
            "tokens": c.tokens, "text_hash": h}


def _doc_meta(path: str, size: int, mtime_ns: int, sha256: str, kind: str) -> dict[str, Any]:
    return {"path": path, "name": Path(path).name, "size": size, "mtime_ns": mtime_ns, "sha256": sha256,
            "kind": kind}


def _staged(store: DocStore, staging: Staging) -> Iterator[tuple[int, Chunk, str, np.ndarray]]:
    """(ord, chunk, text hash, vector) of a staged document, read back in slices."""
    last = -1
    while True:
        with store._thread_lock:
            rows = store._db.execute(
                f"SELECT ord, text, page, section, char_start, char_end, tokens, text_hash, embedding "
                f"FROM {staging.name}.chunks WHERE ord > ? ORDER BY ord LIMIT 500", (last,)).fetchall()
        if not rows:
            return
        for o, text, page, section, cs, ce, tokens, h, blob in rows:
            yield o, Chunk(text, page, section, cs, ce, tokens), h, np.frombuffer(blob, np.float32)
        last = rows[-1][0]
