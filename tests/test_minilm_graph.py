"""The derived MiniLM graph: same vectors as the packaged model (within a stated cosine), built
once and reused, refused when it drifts, and never in the way when it cannot be made."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from hearthlm.core.docs import minilm_graph
from hearthlm.core.docs.embedders import MiniLMEmbedder
from hearthlm.core.paths import cache_dir

# runs an embedding model (MiniLM or e5): out of the fast tier, which runs no model (README, Developing)
pytestmark = pytest.mark.engine


TEXTS = [
    "Chromadb keeps vectors; SQLite FTS5 keeps the words.",
    "把文件拖进窗口，就能用自己的文档提问。",
    "import numpy as np\nprint(np.arange(10).sum())",
    "short",
    "The quick brown fox jumps over the lazy dog. " * 12,
]


@pytest.fixture(scope="module")
def packaged() -> MiniLMEmbedder:
    return MiniLMEmbedder(packaged_graph=True)


def test_derived_graph_agrees_with_the_packaged_model(packaged: MiniLMEmbedder, hearth_home: Path) -> None:
    """In the run's cache (tests/conftest.py): built here, or by whichever test needed it first (the
    same function, the same key); ~3.5 s of CPU once rather than twice."""
    source = packaged.graph
    cache = cache_dir()
    derived = minilm_graph.fast_graph(source, cache, packaged._probe)
    assert derived != source and derived.parent == cache / minilm_graph.CACHE_FOLDER
    vectors = packaged._embed_with(packaged._open(derived), TEXTS)
    reference = packaged.embed(TEXTS)
    cosine = np.sum(vectors * reference, axis=1)
    assert cosine.min() >= minilm_graph.MIN_COSINE, cosine
    assert cosine.mean() >= 0.99, cosine
    # questions find the same passage with either graph
    questions = ["Where are the vectors and the words stored?", "numpy code that sums a range of numbers",
                 "a fox jumping over a dog"]
    derived_q = packaged._embed_with(packaged._open(derived), questions)
    packaged_q = packaged.embed(questions)
    assert list(np.argmax(derived_q @ vectors.T, axis=1)) == list(np.argmax(packaged_q @ reference.T, axis=1)) == [0, 2, 4]

    # built once: the second call returns the cached file without rebuilding it
    stamp = derived.stat().st_mtime_ns
    again = minilm_graph.fast_graph(source, cache, lambda *_: pytest.fail("rebuilt"))
    assert again == derived and derived.stat().st_mtime_ns == stamp


def test_nan_guards_are_dropped_and_change_nothing(packaged: MiniLMEmbedder, tmp_path: Path) -> None:
    onnx = pytest.importorskip("onnx")
    import onnxruntime as ort

    folded = tmp_path / "folded.onnx"
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
    options.optimized_model_filepath = str(folded)
    ort.InferenceSession(str(packaged.graph), options, providers=["CPUExecutionProvider"])
    model = onnx.load(str(folded))
    assert minilm_graph.drop_softmax_nan_guards(model.graph) == 6  # one per layer
    assert not [n for n in model.graph.node if n.op_type == "IsNaN"]
    onnx.checker.check_model(model)
    unguarded = tmp_path / "unguarded.onnx"
    onnx.save(model, str(unguarded))
    same = packaged._embed_with(packaged._open(unguarded), TEXTS)
    np.testing.assert_allclose(same, packaged.embed(TEXTS), atol=1e-5)
    # the feed-forward down projections (1536 -> 384) are the ones left in float32
    assert len(minilm_graph.projections_to_quantize(model.graph)) == 6 * 5


def test_a_drifting_graph_is_refused_and_remembered(packaged: MiniLMEmbedder, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # the build (~3 s, checked above) is not what this test is about: the probe makes it drift
    monkeypatch.setattr(minilm_graph, "_build", lambda source, tmp: Path(shutil.copy(source, tmp / "fast.onnx")))
    calls = []

    def probe(path: Path, texts: list[str]) -> np.ndarray:
        calls.append(path)
        vectors = packaged.embed(texts)
        return vectors if path == packaged.graph else np.roll(vectors, 1, axis=1)

    assert minilm_graph.fast_graph(packaged.graph, tmp_path, probe) == packaged.graph
    assert not list((tmp_path / minilm_graph.CACHE_FOLDER).glob("*.onnx"))
    calls.clear()
    assert minilm_graph.fast_graph(packaged.graph, tmp_path, probe) == packaged.graph
    assert calls == []  # the refusal is remembered: no second build


def test_failures_and_the_exact_switch_keep_the_packaged_graph(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not a model")
    assert minilm_graph.fast_graph(broken, tmp_path, lambda *_: None) == broken
    assert not list((tmp_path / minilm_graph.CACHE_FOLDER).glob("*.onnx"))
    assert not list((tmp_path / minilm_graph.CACHE_FOLDER).glob(".build-*"))  # no leftovers

    monkeypatch.setenv(minilm_graph.EXACT_ENV, "1")
    assert MiniLMEmbedder().graph.name == "model.onnx"


def test_the_embedder_uses_the_derived_graph_by_default() -> None:
    embedder = MiniLMEmbedder()
    assert embedder.graph.parent.name == minilm_graph.CACHE_FOLDER
    vectors = embedder.embed(TEXTS)
    assert vectors.shape == (len(TEXTS), 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
