"""A collection's cross-language index: every chunk embedded a second time by a multilingual model
(the built-in e5), so that a Chinese question also finds English passages by meaning, not only
through the dictionary's word-by-word translation (glossary.py). search.py asks it for questions
that hold Chinese, as one more list in the fusion.

Measured before it was built (bench/retrieval_lab.py, option ``product+cjke5``; bench/RESULTS.md,
session 11): hit@5 on set B 0.908 -> 0.929 (Chinese questions 0.875 -> 0.938), set C 0.867 -> 0.883
(Chinese 0.857 -> 0.905), set D 0.882 -> 0.912, set A unchanged at 1.000; MRR up on B, C and D; one
question of set B falls from rank 1 to 2. The cost is the second embedding: e5 is ~9x slower than
MiniLM per chunk on a CPU. So it is a collection's choice, not the default, and it is filled after
the chunks are indexed, batch by batch, never in the way of ingestion: a collection is searchable
at once and its Chinese questions gain as the index fills. Filling resumes where it stopped (only
chunks without a vector are embedded) and a chunk's vector is reused for the same text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .chunking import Chunk
from .embedders import MULTILINGUAL_EMBEDDER, get_embedder
from .store import DocStore

CROSS_EMBEDDER = MULTILINGUAL_EMBEDDER
BATCH = 32  # chunks per embedding call and per store write: a stop loses at most this much work

Emit = Callable[[dict[str, Any]], None]


def fill(store: DocStore, collection: str, emit: Emit | None = None, stop: Callable[[], bool] | None = None) -> int:
    """Embed the chunks that have no cross-language vector yet; returns how many got one. Events:
    ``cross`` with ``done`` / ``total`` (chunks of the collection that have their vector)."""
    emit = emit or (lambda _e: None)
    info = store.get_collection(collection)
    embedder = info.cross_embedder
    if embedder is None:
        return 0
    model = None
    added = 0
    done, total = info.cross_chunks, info.chunks
    emit({"event": "cross", "collection": collection, "done": done, "total": total})
    while not (stop and stop()):
        todo = store.cross_todo(collection, BATCH)
        if not todo:
            break
        known = store.known_cross_vectors(collection, [h for *_, h in todo])
        missing = [row for row in todo if row[3] not in known]
        if missing:
            model = model or get_embedder(embedder)
            texts = [Chunk(text, None, section, 0, 0, 0).embed_text() for _, text, section, _ in missing]
            known.update({h: vec for (*_, h), vec in zip(missing, model.embed(texts), strict=True)})
        kept = store.add_cross_vectors(collection, embedder, [(i, h, known[h]) for i, _, _, h in todo])
        if kept == 0:  # every chunk of the batch went meanwhile (ask again), or the index was switched
            # off, or the collection deleted: then there is nothing left to fill
            if {c.name: c.cross_embedder for c in store.list_collections()}.get(collection) != embedder:
                break
            continue
        added += kept
        done, total = done + kept, max(total, done + kept)
        emit({"event": "cross", "collection": collection, "done": done, "total": total})
    return added


def enable(store: DocStore, collection: str, on: bool = True) -> None:
    store.set_cross_language(collection, CROSS_EMBEDDER if on else None)
