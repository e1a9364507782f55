"""Chunks follow the document's structure, fit the embedder's token limit (counted with its own
tokenizer), overlap when cut for size, and cut Chinese at sentence ends, never mid-character."""

from __future__ import annotations

import os
from itertools import pairwise

os.environ.setdefault("HEARTH_EMBED_THREADS", "1")

import pytest  # noqa: E402

from hearthlm.core.docs.blocks import CODE, HEADING, PARA, Block, ParsedDocument  # noqa: E402
from hearthlm.core.docs.chunking import chunk_document, document_text  # noqa: E402
from hearthlm.core.docs.embedders import get_embedder  # noqa: E402

ZH_SENTENCES = ["人工智能是计算机科学的一个分支。", "它企图了解智能的实质，并生产出一种新的智能机器！",
                "该领域的研究包括机器人、语言识别和图像识别吗？", "“自然语言处理”是其中最活跃的方向。"]


@pytest.fixture(scope="module")
def tok():
    return get_embedder("minilm")


def check_offsets(doc: ParsedDocument, chunks) -> None:
    text, _ = document_text(doc)
    for c in chunks:
        assert text[c.char_start:c.char_end] == c.text


def test_chinese_is_cut_at_sentence_ends(tok) -> None:
    doc = ParsedDocument("text", [Block("".join(ZH_SENTENCES * 6), PARA, None, "总则")])
    chunks = chunk_document(doc, tok, max_tokens=60, overlap=0)
    assert len(chunks) > 3
    for c in chunks:
        assert c.tokens <= 60 and tok.count_tokens([c.text])[0] <= 60
        assert c.text.endswith(("。", "！", "？")), c.text  # whole sentences only
        assert c.section == "总则"
    assert "".join(c.text for c in chunks) == "".join(ZH_SENTENCES * 6)
    check_offsets(doc, chunks)


def test_overlap_repeats_the_last_sentence(tok) -> None:
    sentences = [f"Sentence number {i} talks about topic {i}." for i in range(40)]
    doc = ParsedDocument("text", [Block(" ".join(sentences))])
    chunks = chunk_document(doc, tok, max_tokens=50, overlap=12)
    assert len(chunks) > 3
    for a, b in pairwise(chunks):
        last = a.text.split(". ")[-1].rstrip(".")
        assert b.text.startswith(last), (a.text, b.text)
        assert b.char_start < a.char_end
    check_offsets(doc, chunks)


def test_a_sentence_longer_than_a_chunk_is_cut_by_tokens(tok) -> None:
    doc = ParsedDocument("text", [Block("无标点的长句" * 100)])  # 600 characters without an end mark
    chunks = chunk_document(doc, tok, max_tokens=64, overlap=0)
    assert all(tok.count_tokens([c.text])[0] <= 64 for c in chunks)
    assert "".join(c.text for c in chunks) == "无标点的长句" * 100


def test_a_long_unit_is_tokenized_once_to_count_and_cut(tok, monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunking counts a unit's tokens, then cuts one longer than a chunk: the cut reuses the
    count's encoding (tokenizing twice was half the chunking time of a long single line)."""
    text = "valve pressure engine river low " * 200
    other = "a different line of words " * 200
    fresh = tok.cut_points(text, 128)
    real, encoded = tok._counter, []

    class Counting:  # the tokenizer, counting single encodes (cut_points' own)
        def encode(self, *args, **kwargs):
            encoded.append(args[0])
            return real.encode(*args, **kwargs)

        def __getattr__(self, name):
            return getattr(real, name)

    monkeypatch.setattr(tok, "_counter", Counting())
    assert tok.count_tokens([text, "short"])[0] > 128
    assert tok.cut_points(text, 128) == fresh and encoded == []
    assert len(tok.cut_points(other, 128)) >= 5 and encoded == [other]  # not counted before: encoded


def test_headings_start_chunks_and_pages_are_never_mixed(tok) -> None:
    doc = ParsedDocument("markdown", [
        Block("# Alpha", HEADING, None, "Alpha"), Block("Alpha text.", PARA, None, "Alpha"),
        Block("# Beta", HEADING, None, "Beta"), Block("Beta text.", PARA, None, "Beta"),
        Block("```\ncode line\n```", CODE, None, "Beta"),
    ])
    chunks = chunk_document(doc, tok)
    assert [(c.section, c.text) for c in chunks] == [
        ("Alpha", "# Alpha\n\nAlpha text."), ("Beta", "# Beta\n\nBeta text.\n\n```\ncode line\n```")]
    pdf = ParsedDocument("pdf", [Block("One.", PARA, 1), Block("Two.", PARA, 2), Block("Three.", PARA, 2)])
    assert [(c.page, c.text) for c in chunk_document(pdf, tok)] == [(1, "One."), (2, "Two.\n\nThree.")]


def test_embed_text_carries_the_section(tok) -> None:
    doc = ParsedDocument("markdown", [Block("Just a paragraph about pumps.", PARA, None, "Manual › Pumps")])
    (chunk,) = chunk_document(doc, tok)
    assert chunk.embed_text() == "Manual › Pumps\nJust a paragraph about pumps."
