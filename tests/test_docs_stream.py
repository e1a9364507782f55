"""Large files stream through parsing, chunking, embedding and the store: no text longer than a
bound reaches the tokenizer (a 20 MB line used to be tokenized whole: 3.2 GB), chunks are made
as blocks arrive, and a file with more chunks than a batch is staged on disk part by part and
ends up exactly as a small file would."""

from __future__ import annotations

import os
import random
import sqlite3
from itertools import islice
from pathlib import Path

import pytest

os.environ.setdefault("HEARTH_EMBED_THREADS", "1")

from hearthlm.core.docs import ingest as ingest_module  # noqa: E402
from hearthlm.core.docs.blocks import Block  # noqa: E402
from hearthlm.core.docs.chunking import TOKENIZE_CHARS, chunk_document, document_text, iter_chunks  # noqa: E402
from hearthlm.core.docs.embedders import get_embedder  # noqa: E402
from hearthlm.core.docs.ingest import ingest  # noqa: E402
from hearthlm.core.docs.parse import open_document, parse_file  # noqa: E402
from hearthlm.core.docs.store import DocStore  # noqa: E402
from hearthlm.core.docs.textstream import BLOCK_CHARS  # noqa: E402

WORDS = "river valve engine pressure token vector 数据 模型 query alpha beta gamma delta".split()


class Recording:
    """The real tokenizer, noting the longest text it is handed."""

    def __init__(self) -> None:
        self.model = get_embedder("minilm")
        self.longest = 0

    def count_tokens(self, texts):
        self.longest = max([self.longest, *map(len, texts)])
        return self.model.count_tokens(texts)

    def cut_points(self, text, max_tokens):
        self.longest = max(self.longest, len(text))
        return self.model.cut_points(text, max_tokens)


def one_line_json(path: Path, size: int) -> None:
    rng = random.Random(3)
    parts, n = ["["], 1
    while n < size:
        rec = f'{{"id":{rng.randrange(10**6)},"note":"{" ".join(rng.choice(WORDS) for _ in range(6))}"}},'
        parts.append(rec)
        n += len(rec)
    path.write_text("".join(parts) + "{}]", encoding="utf-8")


def test_a_long_line_reaches_the_tokenizer_in_bounded_pieces(tmp_path: Path) -> None:
    f = tmp_path / "export.json"
    one_line_json(f, 2 * 1024 * 1024)  # one line of 2 MB (20 MB took 3.2 GB before)
    tok = Recording()
    doc = parse_file(f)
    assert max(len(b.text) for b in doc.blocks) <= BLOCK_CHARS
    chunks = chunk_document(doc, tok, max_tokens=128, overlap=16)
    assert tok.longest <= TOKENIZE_CHARS, tok.longest
    text, _ = document_text(doc)
    assert text == f.read_text(encoding="utf-8").rstrip("\n")  # the pieces join back into the line
    for c in chunks[:: max(1, len(chunks) // 50)]:
        assert text[c.char_start:c.char_end] == c.text and c.tokens <= 128
    assert tok.model.count_tokens([chunks[len(chunks) // 2].text])[0] <= 128


def test_chunks_come_as_blocks_arrive() -> None:
    tok = get_embedder("minilm")
    produced = 0

    def blocks():
        nonlocal produced
        rng = random.Random(5)
        for _ in range(2000):
            produced += 1
            yield Block(" ".join(rng.choice(WORDS) for _ in range(150)) + ".")
        raise AssertionError("the whole document was read before the first chunks")

    first = list(islice(iter_chunks(blocks(), tok, 128, 16), 5))
    assert len(first) == 5 and produced < 2000


def test_open_document_streams_text_files(tmp_path: Path) -> None:
    f = tmp_path / "log.txt"
    f.write_text("".join(f"line {i} of the log\n" for i in range(200_000)), encoding="utf-8")  # 4 MB, no blank line
    doc = open_document(f)
    first = next(iter(doc.blocks))
    assert len(first.text) <= BLOCK_CHARS and first.text.startswith("line 0 of the log\nline 1")
    with pytest.raises(TypeError):
        len(doc.blocks)  # an iterator, not a list of the whole file


@pytest.mark.engine  # runs an embedding model (MiniLM or e5)
def test_a_large_file_is_staged_part_by_part_and_ends_up_like_a_small_one(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(7)
    f = tmp_path / "big.md"
    paras = [" ".join(rng.choice(WORDS) for _ in range(40)) + "." for _ in range(100)]  # ~50 chunks
    f.write_text("# Big\n\n" + "\n\n".join(paras) + "\n\nThe final sentence names a zeppelin.\n", encoding="utf-8")
    expected = chunk_document(parse_file(f), get_embedder("minilm"), 128, 16)
    assert len(expected) > 40

    def stored(root: Path) -> list[tuple]:
        with DocStore(root) as store:
            (doc,) = store.documents("c")
            assert doc.state == "complete" and doc.chunks == len(expected)
            rows = store.chunk_rows([i for i, _, _ in store.all_chunk_texts("c")])
            assert store.vector_count("c") == len(expected)
            assert store.keyword_search("c", "zeppelin", 3)
            return [(r.ord, r.text, r.section, r.char_start, r.char_end, r.tokens)
                    for r in sorted(rows.values(), key=lambda r: r.ord)]

    with DocStore(tmp_path / "small") as store:
        assert [r.status for r in ingest(store, "c", [f])] == ["added"]
    monkeypatch.setattr(ingest_module, "STREAM_AFTER", 10)  # the same file, now "large": 5+ parts
    monkeypatch.setattr(ingest_module, "EMBED_GROUP", 8)
    with DocStore(tmp_path / "large") as store:
        staged: list = []
        real_stage = store.stage
        monkeypatch.setattr(store, "stage", lambda: staged.append(real_stage()) or staged[-1])
        results = ingest(store, "c", [f])
        assert [(r.status, r.chunks) for r in results] == [("added", len(expected))]
        assert staged and staged[0].count == len(expected)
        # the staging database is gone once the file is current
        assert [r[1] for r in store._db.execute("PRAGMA database_list")] == ["main"]
    small, large = stored(tmp_path / "small"), stored(tmp_path / "large")
    assert large == small
    assert [t for _, t, *_ in large] == [c.text for c in expected]
    db = sqlite3.connect(tmp_path / "large" / "index.sqlite3")
    assert db.execute("SELECT COUNT(*) FROM documents WHERE state = 'pending'").fetchone() == (0,)
