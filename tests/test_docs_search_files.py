"""A list of results shows one passage per file while other files match (k places to look, not k
pieces of one file), and fills up with further passages of the same files when too few match; a
chat's excerpts keep up to two of one file. Real SQLite + chromadb store in a temp dir; the
question's vector is given (no embedder needed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hearthlm.core.docs.chunking import Chunk
from hearthlm.core.docs.search import build_context, search
from hearthlm.core.docs.store import DocStore, NewDocument, text_hash

QUESTION = "lighthouse lamp"
NEAR, CLOSE, FAR = [1.0, 0.0, 0.0, 0.0], [0.8, 0.6, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0]


def _doc(path: str, texts: list[str], vectors: list[list[float]]) -> NewDocument:
    chunks, start = [], 0
    for text in texts:
        chunks.append(Chunk(text=text, page=None, section=None, char_start=start, char_end=start + len(text), tokens=10))
        start += len(text) + 1
    return NewDocument(path=path, size=start, mtime_ns=0, sha256="0" * 64, kind="text", chunks=chunks,
                       hashes=[text_hash(t) for t in texts], embeddings=np.array(vectors, np.float32))


def _embed(_name, texts):
    return np.array([NEAR for _ in texts], np.float32)


@pytest.fixture
def store(tmp_path: Path):
    s = DocStore(tmp_path)
    s.ensure_collection("many", "minilm", 4)
    s.add_documents("many", [
        _doc("/d/keeper.md", ["The lighthouse lamp burns oil.", "The lighthouse lamp is cleaned at dawn.",
                              "A lighthouse lamp turns on a float of mercury."], [NEAR, NEAR, NEAR]),
        _doc("/d/coast.md", ["Every lighthouse on this coast is white."], [CLOSE]),
        _doc("/d/ships.md", ["Ships read the lamp of the lighthouse from afar."], [CLOSE]),
        _doc("/d/bread.md", ["Knead the dough for ten minutes."], [FAR]),
    ])
    s.ensure_collection("one", "minilm", 4)
    s.add_documents("one", [_doc("/d/keeper.md", ["The lighthouse lamp burns oil.", "The lighthouse lamp is cleaned at dawn.",
                                                  "A lighthouse lamp turns on a float of mercury."], [NEAR, NEAR, NEAR])])
    yield s
    s.close()


def files(hits) -> list[str]:
    return [Path(h.source).name for h in hits]


def test_a_list_shows_one_passage_per_file_while_other_files_match(store) -> None:
    hits = search(store, ["many"], QUESTION, k=3, embed=_embed)
    assert files(hits) == ["keeper.md", "coast.md", "ships.md"] or files(hits) == ["keeper.md", "ships.md", "coast.md"]
    # two per file (the chat's cap) gives the best file twice and leaves a matching file out
    two = files(search(store, ["many"], QUESTION, k=3, embed=_embed, per_document=2, fill=False))
    assert two.count("keeper.md") == 2 and len(set(two)) == 2


def test_a_list_fills_up_with_passages_of_the_same_files_when_few_match(store) -> None:
    hits = search(store, ["one"], QUESTION, k=3, embed=_embed)
    assert files(hits) == ["keeper.md"] * 3 and len({h.chunk_id for h in hits}) == 3
    # more files: every file that matches, and the best file's next passage, all in rank order
    hits = search(store, ["many"], QUESTION, k=5, embed=_embed)
    assert set(files(hits)) == {"keeper.md", "coast.md", "ships.md", "bread.md"} and files(hits).count("keeper.md") == 2
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_a_chats_excerpts_keep_two_of_one_file(store) -> None:
    context = build_context(store, QUESTION, ["many"], budget_tokens=2000, k=3, embed=_embed)
    assert files(context.hits).count("keeper.md") == 2
