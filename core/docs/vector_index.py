"""chromadb as the document store's vector index: one chromadb collection per Hearth collection,
named by the store (``vector_name``), ids = chunk ids.

The index is never the record — SQLite is (store.py) — so it may be thrown away and refilled at any
time. chromadb is not process-safe: the store calls this only while it holds its file lock, and a
``generation`` value that every writer changes tells a client opened earlier that another process
wrote, so it reopens to see those vectors.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any
from collections.abc import Callable, Iterable, Sequence

import numpy as np


class VectorIndex:
    def __init__(self, folder: Path, generation: Callable[[], str]):
        self.folder = folder
        self._generation = generation  # the store's current write generation
        self._client: Any = None
        self._seen: str | None = None  # the generation our client was opened at (or wrote)
        # chromadb's collection handles by name, for as long as the client lives: asking the client
        # for one costs ~1.4 ms, a tenth of a whole question's search at 10,000 chunks
        self._handles: dict[str, Any] = {}

    def client(self) -> Any:
        generation = self._generation()
        if self._client is not None and generation != self._seen:
            self.close()  # another process wrote: reopen to see its vectors
        if self._client is None:
            import chromadb
            from chromadb.config import Settings

            self._client = chromadb.PersistentClient(path=str(self.folder), settings=Settings(anonymized_telemetry=False))
            self._seen = generation
        return self._client

    def wrote(self, generation: str) -> None:
        """Our own write moved the generation on: our client already sees it."""
        if self._client is not None:
            self._seen = generation

    def close(self) -> None:
        if self._client is not None:
            from chromadb.api.shared_system_client import SharedSystemClient

            SharedSystemClient.clear_system_cache()
            self._client = None
        self._handles.clear()

    def wipe(self) -> None:
        """Delete every vector (before a refill from SQLite): never load a half-written index."""
        self.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _collection(self, vector_name: str) -> Any:
        client = self.client()  # first: a client reopened for another process's write forgets the handles
        handle = self._handles.get(vector_name)
        if handle is None:
            handle = self._handles[vector_name] = client.get_or_create_collection(
                vector_name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}})
        return handle

    def upsert(self, vector_name: str, rows: Iterable[tuple[int, np.ndarray]]) -> None:
        """Add (chunk id, vector) pairs, in chromadb's largest batches."""
        collection, batch = self._collection(vector_name), self.client().get_max_batch_size()
        part: list[tuple[int, np.ndarray]] = []
        for row in rows:
            part.append(row)
            if len(part) == batch:
                self._upsert(collection, part)
                part = []
        if part:
            self._upsert(collection, part)

    @staticmethod
    def _upsert(collection: Any, part: list[tuple[int, np.ndarray]]) -> None:
        collection.upsert(ids=[str(i) for i, _ in part], embeddings=np.stack([np.asarray(v, np.float32) for _, v in part]))

    def delete(self, vector_name: str, ids: Sequence[int]) -> None:
        if not ids:
            return
        collection, batch = self._collection(vector_name), self.client().get_max_batch_size()
        for k in range(0, len(ids), batch):
            collection.delete(ids=[str(i) for i in ids[k:k + batch]])

    def drop(self, vector_name: str) -> None:
        self._handles.pop(vector_name, None)
        try:
            self.client().delete_collection(vector_name)
        except Exception:  # not there (never filled): nothing to drop
            pass

    def count(self, vector_name: str) -> int:
        return self._collection(vector_name).count()

    def query(self, vector_name: str, vectors: Sequence[np.ndarray], k: int) -> list[list[tuple[int, float]]]:
        """For each vector, (chunk id, cosine similarity), best first: one request to chromadb for all."""
        res = self._collection(vector_name).query(query_embeddings=np.stack([np.asarray(v, np.float32) for v in vectors]),
                                                   n_results=k, include=["distances"])
        return [[(int(i), 1.0 - float(d)) for i, d in zip(ids, distances, strict=True)]
                for ids, distances in zip(res["ids"], res["distances"], strict=True)]
