"""The tokenizer inspector: ids equal llama_tokenize, the pieces give back the text, byte-fallback
pieces are bytes, only the vocabulary is loaded, and the window's child process does the same."""

from __future__ import annotations

import json
import subprocess
import sys

import llama_cpp
import pytest

from hearthlm.core.prompt.pieces import joined, shown
from hearthlm.core.tokens.vocab import Vocab

pytestmark = pytest.mark.engine

TEXTS = {
    "english": "The quick brown fox jumps over the lazy dog, doesn't it?",
    "chinese": "我们今天下午去公园散步，看见了很多花。",
    "emoji": "Party time 🎉🦜 with family 👩‍👩‍👧!",
    "byte_fallback": "Rare glyphs: ꙮ 𓀀 and a bell \x07.",
}


def reference_ids(path, text: str) -> list[int]:
    """llama_tokenize through llama-cpp-python's own Llama class (vocabulary only)."""
    llm = llama_cpp.Llama(str(path), vocab_only=True, verbose=False)
    try:
        return llm.tokenize(text.encode("utf-8"), add_bos=False, special=False)
    finally:
        llm.close()


@pytest.mark.parametrize("which", ["starter", "gemma"])
def test_ids_equal_llama_tokenize_and_pieces_give_back_the_text(which, starter_model, gemma_model):
    path = starter_model if which == "starter" else gemma_model
    with Vocab(path) as vocab:
        for name, text in TEXTS.items():
            result = vocab.tokenize(text)
            assert result.ids == reference_ids(path, text), name
            assert joined(result.pieces) == text, name
            assert result.chars_per_token == pytest.approx(len(text) / len(result.ids))


def test_byte_fallback_pieces_are_shown_as_bytes(gemma_model, starter_model):
    with Vocab(gemma_model) as vocab:
        pieces = vocab.tokenize(TEXTS["byte_fallback"]).pieces
    byte_pieces = [p for p in pieces if p["kind"] == "byte"]
    assert byte_pieces and all(p["text"] is None for p in byte_pieces)
    assert "<0xEA>" in [shown(p) for p in byte_pieces]  # ꙮ is U+A66E: EA 99 AE
    with Vocab(starter_model) as vocab:  # byte-level BPE: a piece holding part of a character
        pieces = vocab.tokenize("我").pieces
    assert any(p["text"] is None and shown(p).startswith("<0x") for p in pieces)


def test_only_the_vocabulary_is_loaded(gemma_model):
    import psutil

    before = psutil.Process().memory_info().rss
    with Vocab(gemma_model) as vocab:
        vocab.tokenize("hello")
        grown = psutil.Process().memory_info().rss - before
    assert grown < 150 * 1024 * 1024  # the weights alone are ~240 MB


def test_the_tokenizer_child_gives_the_same(starter_model, gemma_model):
    from hearthlm.core.tokens.client import TokenizerProcess

    child = TokenizerProcess()
    try:
        for path in (starter_model, gemma_model):
            got = child.tokenize(str(path), TEXTS["chinese"])
            with Vocab(path) as vocab:
                assert got.ids == vocab.tokenize(TEXTS["chinese"]).ids
    finally:
        child.close()


def test_a_damaged_file_is_one_sentence(tmp_path):
    from hearthlm.core.errors import ModelFileError

    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"GGUF" + b"\x03\x00\x00\x00" + b"\xff" * 16)
    with pytest.raises(ModelFileError):
        Vocab(bad)


def test_hearth_tokenize_side_by_side(starter_model, gemma_model):
    text = TEXTS["chinese"]
    run = subprocess.run([sys.executable, "-m", "hearthlm.core.cli", "tokenize", str(starter_model), "-",
                          "--compare", str(gemma_model), "--json"], input=text, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    starter, gemma = json.loads(run.stdout)
    assert starter["ids"] == reference_ids(starter_model, text) and gemma["ids"] == reference_ids(gemma_model, text)
    assert gemma["count"] < starter["count"]  # Gemma's vocabulary holds Chinese words
    plain = subprocess.run([sys.executable, "-m", "hearthlm.core.cli", "tokenize", str(starter_model), "hi there"],
                           capture_output=True, text=True, timeout=120)
    assert plain.returncode == 0 and "2 tokens" in plain.stdout
