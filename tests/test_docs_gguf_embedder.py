"""A GGUF embedder is pooled as its model declares (Qwen3-Embedding: the last token; BERT-style
models: mean or CLS), and by the mean when it declares nothing (a chat model used as an embedder).
Real llama.cpp on the starter model, and on a copy of it that declares last-token pooling."""

from __future__ import annotations

from pathlib import Path

import gguf
import llama_cpp
import numpy as np
import pytest

from hearthlm.core.docs.embedders import LlamaEmbedder, gguf_pooling
from hearthlm.core.docs.errors import EmbedderError
from hearthlm.core.modelfile import read_gguf

from gguf_files import with_metadata

TEXTS = ["The lamp is lit at sunset.", "大熊猫生活在四川的竹林里。"]


@pytest.fixture(scope="module")
def last_pooled(starter_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("pooling") / "starter-last.gguf"
    return with_metadata(starter_model, dest, {
        "llama.pooling_type": (gguf.GGUFValueType.UINT32, int(llama_cpp.LLAMA_POOLING_TYPE_LAST))})


def _reference(path: Path, pooling: int) -> np.ndarray:
    """llama.cpp's own pooled embeddings, normalized, with the pooling given outright."""
    llm = llama_cpp.Llama(str(path), embedding=True, n_ctx=512, n_batch=512, n_ubatch=512,
                          pooling_type=pooling, n_threads=1, verbose=False)
    try:
        vectors = np.asarray(llm.embed(TEXTS, normalize=False), np.float32)
    finally:
        llm.close()
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def _hearths(path: Path) -> np.ndarray:
    """TEXTS as Hearth's GGUF embedder embeds them."""
    embedder = LlamaEmbedder(path, threads=1)
    try:
        return embedder.embed(TEXTS)
    finally:
        embedder.close()


@pytest.mark.engine
def test_a_model_that_declares_no_pooling_is_mean_pooled(starter_model: Path) -> None:
    assert gguf_pooling(read_gguf(starter_model)) == llama_cpp.LLAMA_POOLING_TYPE_MEAN
    np.testing.assert_allclose(_hearths(starter_model), _reference(starter_model, llama_cpp.LLAMA_POOLING_TYPE_MEAN), atol=1e-4)


@pytest.mark.engine
def test_a_declared_last_token_pooling_is_used(last_pooled: Path) -> None:
    assert gguf_pooling(read_gguf(last_pooled)) == llama_cpp.LLAMA_POOLING_TYPE_LAST
    got = _hearths(last_pooled)
    last = _reference(last_pooled, llama_cpp.LLAMA_POOLING_TYPE_LAST)
    mean = _reference(last_pooled, llama_cpp.LLAMA_POOLING_TYPE_MEAN)
    np.testing.assert_allclose(got, last, atol=1e-4)
    assert np.abs(got - mean).max() > 0.05  # the two poolings differ: the test would see the wrong one


def test_a_damaged_file_is_one_sentence(tmp_path: Path) -> None:
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"GGUF" + b"\x00" * 10)
    with pytest.raises(EmbedderError) as caught:
        LlamaEmbedder(bad)
    assert "\n" not in str(caught.value)


@pytest.fixture(scope="module")
def named_qwen3(starter_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The starter under Qwen3-Embedding's name: a model that wants an instruction before questions."""
    dest = tmp_path_factory.mktemp("named") / "model.gguf"
    return with_metadata(starter_model, dest, {"general.name": (gguf.GGUFValueType.STRING, "Qwen3-Embedding-0.6B")})


@pytest.mark.engine
def test_questions_get_the_models_instruction_and_passages_do_not(named_qwen3: Path, starter_model: Path) -> None:
    from hearthlm.core.docs.embedders import get_embedder, query_embedder_name, query_instruction

    instruction = query_instruction(read_gguf(named_qwen3))
    assert instruction.startswith("Instruct: ") and instruction.endswith("\nQuery:")
    name = f"gguf:{named_qwen3}"
    passages, questions = get_embedder(name), get_embedder(query_embedder_name(name))
    assert passages is not questions and questions.dimension == passages.dimension
    np.testing.assert_allclose(questions.embed(["Where do pandas live?"]),
                               passages.embed([instruction + "Where do pandas live?"]), atol=1e-5)
    assert np.abs(questions.embed(["Where do pandas live?"]) - passages.embed(["Where do pandas live?"])).max() > 0.01
    # a model that wants none: the question side is the passage side itself
    assert query_instruction(read_gguf(starter_model)) == ""
    plain = f"gguf:{starter_model}"
    assert get_embedder(query_embedder_name(plain)) is get_embedder(plain)
