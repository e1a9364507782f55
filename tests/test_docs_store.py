"""The collection store end to end: real files, the real MiniLM embedder, real chromadb and SQLite
in a temporary data directory, real child processes for kills and concurrent writers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

os.environ.setdefault("HEARTH_EMBED_THREADS", "1")

import pytest  # noqa: E402

from docs_samples import write_docx, write_encrypted_pdf, write_pdf, write_sparse, write_zip_bomb_docx  # noqa: E402
from hearthlm.core.docs.ingest import ingest  # noqa: E402
from hearthlm.core.docs.search import build_context, search  # noqa: E402
from hearthlm.core.docs.store import DocStore  # noqa: E402

FACTS = {
    "volcano.md": "# Volcanoes\n\nMount Etna in Sicily is one of the most active volcanoes in Europe; lava flows "
                  "from its summit craters several times a year.",
    "bread.md": "# Baking\n\nSourdough bread rises because wild yeast and lactic acid bacteria ferment the dough "
                "overnight.",
    "熊猫.txt": "大熊猫主要生活在中国四川、陕西和甘肃的山区竹林中。它们每天要吃十几公斤竹子。",
    "长城.txt": "长城是中国古代修建的军事防御工程，东起山海关，西至嘉峪关，全长两万多公里。",
    "tides.md": "# Oceans\n\nTides are caused mainly by the gravitational pull of the Moon on the oceans.",
}


def write_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in FACTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def top_source(store: DocStore, question: str, collection: str = "c") -> str:
    hits = search(store, [collection], question, k=5)
    return Path(hits[0].source).name


@pytest.fixture
def store(tmp_path: Path):
    s = DocStore(tmp_path / "store")
    yield s
    s.close()


@pytest.mark.engine  # runs an embedding model (MiniLM or e5)
def test_mixed_folder_indexes_the_good_files_and_names_each_bad_one(tmp_path: Path, store: DocStore) -> None:
    folder = write_corpus(tmp_path / "docs")
    write_pdf(folder / "manual.pdf", [["Chapter one covers the pump."], ["The red valve releases steam pressure."]])
    write_docx(folder / "report.docx")
    write_encrypted_pdf(folder / "locked.pdf", folder / "manual.pdf")
    (folder / "corrupt.pdf").write_bytes(b"%PDF-1.7\n this is not really a PDF")
    (folder / "empty.md").write_bytes(b"")
    (folder / "binary.txt").write_bytes(os.urandom(4096))
    write_sparse(folder / "huge.txt", 500 * 1024 * 1024)
    write_zip_bomb_docx(folder / "bomb.docx")
    events = []
    results = {Path(r.path).name: r for r in ingest(store, "c", [folder], emit=events.append)}
    failed = {n for n, r in results.items() if r.status == "failed"}
    assert failed == {"locked.pdf", "corrupt.pdf", "empty.md", "binary.txt", "huge.txt", "bomb.docx"}
    assert all(results[n].error and n in str(results[n].error) for n in failed)
    assert {n for n, r in results.items() if r.status == "added"} == {*FACTS, "manual.pdf", "report.docx"}
    assert [e["done"] for e in events if e["event"] == "file"] == list(range(1, len(results) + 1))
    # the panel and `docs list` show each file's own error
    listed = {Path(d.path).name: d for d in store.documents("c")}
    assert "password-protected" in str(listed["locked.pdf"].error)

    # hybrid retrieval: English and Chinese questions find their chunk first
    assert top_source(store, "Which volcano in Sicily is active?") == "volcano.md"
    assert top_source(store, "why does sourdough rise") == "bread.md"
    assert top_source(store, "what causes the tides") == "tides.md"
    assert top_source(store, "大熊猫吃什么") == "熊猫.txt"
    assert top_source(store, "长城有多长") == "长城.txt"
    hit = next(h for h in search(store, ["c"], "red valve steam", k=3) if h.source.endswith("manual.pdf"))
    assert hit.page == 2 and hit.link().endswith("manual.pdf#page=2")
    ctx = build_context(store, "大熊猫吃什么", ["c"], budget_tokens=120)
    assert ctx.hits and Path(ctx.hits[0].source).name == "熊猫.txt" and ctx.prompt.count("[1]") >= 1
    assert ctx.tokens <= 120


@pytest.mark.engine  # runs an embedding model (MiniLM or e5)
def test_re_adding_costs_nothing_changes_are_reindexed_deletions_dropped(tmp_path: Path, store: DocStore,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    folder = write_corpus(tmp_path / "docs")
    assert {r.status for r in ingest(store, "c", [folder])} == {"added"}
    from hearthlm.core.docs.embedders import get_embedder

    embedder = get_embedder("minilm")
    calls = []
    original = embedder.embed
    monkeypatch.setattr(embedder, "embed", lambda texts: calls.append(list(texts)) or original(texts))
    assert {r.status for r in ingest(store, "c", [folder])} == {"unchanged"}
    assert calls == []
    # touched but identical: the hash says unchanged
    os.utime(folder / "bread.md", ns=(time.time_ns(), time.time_ns()))
    assert {r.status for r in ingest(store, "c", [folder])} == {"unchanged"}
    # changed: re-indexed (only its new text is embedded); deleted: dropped
    (folder / "tides.md").write_text(FACTS["tides.md"] + "\n\nSpring tides happen at full and new moon.", "utf-8")
    (folder / "bread.md").unlink()
    results = {Path(r.path).name: r.status for r in ingest(store, "c", [folder])}
    assert results == {"volcano.md": "unchanged", "熊猫.txt": "unchanged", "长城.txt": "unchanged",
                       "tides.md": "added", "bread.md": "removed"}
    assert len(calls) == 1 and len(calls[0]) == 1
    assert "bread.md" not in {Path(h.source).name for h in search(store, ["c"], "sourdough bread", k=10)}
    assert "Spring tides" in search(store, ["c"], "spring tides full moon", k=1)[0].text
    info = store.get_collection("c")
    assert info.documents == 4
    assert store.vector_count(info.name) == info.chunks  # no orphaned vectors


@pytest.mark.engine  # runs an embedding model (MiniLM or e5)
def test_a_folder_that_cannot_be_listed_keeps_its_documents(tmp_path: Path, store: DocStore,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Re-adding a folder while a subfolder cannot be read (permissions, a network share's hiccup):
    its documents are kept, not taken for deleted; once it can be read, nothing was lost."""
    folder = write_corpus(tmp_path / "docs")
    sub = folder / "sub"
    sub.mkdir()
    (folder / "tides.md").rename(sub / "tides.md")
    assert {r.status for r in ingest(store, "c", [folder])} == {"added"}
    real = os.scandir

    def scandir(path="."):
        if Path(path) == sub:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)
    monkeypatch.setattr(os, "scandir", scandir)
    results = {Path(r.path).name: r.status for r in ingest(store, "c", [folder])}
    assert "tides.md" not in results or results["tides.md"] != "removed"
    assert str(sub / "tides.md") in {d.path for d in store.documents("c")}
    monkeypatch.setattr(os, "scandir", real)
    assert {Path(r.path).name: r.status for r in ingest(store, "c", [folder])}["tides.md"] == "unchanged"


@pytest.mark.engine  # runs an embedding model (MiniLM or e5)
def test_a_write_cut_short_is_rolled_back_on_open(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = write_corpus(tmp_path / "docs")
    root = tmp_path / "store"
    with DocStore(root) as s:
        ingest(s, "c", [folder / "volcano.md"])
    # simulate a writer that died after its pending rows were written (the child test kills for real)
    monkeypatch.setenv("HEARTH_DOCS_FAULT", "after-pending")
    s = DocStore(root)
    s._depth = 1  # hold off this process's own recovery until "after the crash"
    s._file_lock.acquire()
    ingest(s, "c", [folder / "bread.md"])
    s._file_lock.release()
    s._depth = 0
    (root / "chroma.dirty").touch()
    pending = s._db.execute("SELECT COUNT(*) FROM documents WHERE state='pending'").fetchone()[0]
    assert pending == 1
    s._index.close()
    s._db.close()
    monkeypatch.delenv("HEARTH_DOCS_FAULT")
    with DocStore(root) as s2:
        assert [Path(d.path).name for d in s2.documents("c")] == ["volcano.md"]
        assert not (root / "chroma.dirty").exists()
        info = s2.get_collection("c")
        assert s2.vector_count(info.name) == info.chunks
        assert top_source(s2, "lava from Etna") == "volcano.md"


CHILD = textwrap.dedent("""
    import json, sys
    from hearthlm.core.docs.store import DocStore
    from hearthlm.core.docs.ingest import ingest
    store = DocStore(sys.argv[1])
    ingest(store, sys.argv[2], sys.argv[3:], emit=lambda e: print(json.dumps(e), flush=True))
    store.close()
""")


def start_child(tmp_path: Path, root: Path, collection: str, *paths: Path, env: dict | None = None
                ) -> subprocess.Popen:
    script = tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    env = {**os.environ, "HEARTH_EMBED_THREADS": "1", **(env or {})}
    return subprocess.Popen([sys.executable, str(script), str(root), collection, *map(str, paths)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def many_files(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"note{i:03d}.md").write_text(
            f"# Note {i}\n\nThe secret code of note {i} is {i * 7919 % 10007}. " + "Filler sentence. " * 30,
            encoding="utf-8")
    return folder


@pytest.mark.engine  # runs an embedding model (MiniLM or e5)
@pytest.mark.parametrize("moment", ["anywhere", "mid-write"])
def test_kill_9_during_ingestion_keeps_every_completed_document(tmp_path: Path, moment: str) -> None:
    folder = many_files(tmp_path / "docs", 40)
    root = tmp_path / "store"
    # mid-write: the child stops between its chromadb write and the commit that completes the
    # second group of files, and is killed there (pending rows, a dirty vector index)
    env = {"HEARTH_DOCS_FAULT": "pause-before-complete:2"} if moment == "mid-write" else {}
    child = start_child(tmp_path, root, "c", folder, env=env)
    completed = []
    for line in child.stdout:
        event = json.loads(line)
        if event.get("status") == "added":
            completed.append(event["path"])
            if len(completed) == 5:
                break
    if moment == "mid-write":
        deadline = time.time() + 120
        while not (root / "paused").exists() and time.time() < deadline:
            time.sleep(0.05)
        assert (root / "paused").exists()
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    if moment == "mid-write":
        import sqlite3

        db = sqlite3.connect(root / "index.sqlite3")
        assert db.execute("SELECT COUNT(*) FROM documents WHERE state = 'pending'").fetchone()[0] > 0
        db.close()
        assert (root / "chroma.dirty").exists()
    with DocStore(root) as store:
        docs = {d.path: d for d in store.documents("c")}
        assert set(completed) <= set(docs)
        assert all(d.state == "complete" for d in docs.values())
        assert not (root / "chroma.dirty").exists()
        info = store.get_collection("c")
        assert store.vector_count(info.name) == info.chunks
        n = int(Path(completed[2]).stem[4:])
        assert search(store, ["c"], f"secret code of note {n}", k=3)[0].source == completed[2]
        # and the rest comes in on the next run, the completed ones unchanged
        results = ingest(store, "c", [folder])
        assert {r.path for r in results if r.status == "unchanged"} >= set(completed)
        assert store.get_collection("c").documents == 40


@pytest.mark.engine  # runs an embedding model (MiniLM or e5)
def test_two_processes_writing_one_store(tmp_path: Path) -> None:
    root = tmp_path / "store"
    a = start_child(tmp_path, root, "shared", many_files(tmp_path / "a", 8))
    b = start_child(tmp_path, root, "shared", write_corpus(tmp_path / "b"))
    for child in (a, b):
        out, err = child.communicate(timeout=240)
        assert child.returncode == 0, err
    with DocStore(root) as store:
        info = store.get_collection("shared")
        assert info.documents == 8 + len(FACTS) and info.failed == 0
        assert store.vector_count(info.name) == info.chunks
        assert top_source(store, "大熊猫吃什么", "shared") == "熊猫.txt"


@pytest.mark.engine  # llama.cpp on the starter model
def test_changing_the_embedder_re_embeds_with_progress(tmp_path: Path, store: DocStore, starter_model: Path) -> None:
    from hearthlm.core.docs.ingest import change_embedder

    ingest(store, "c", [write_corpus(tmp_path / "docs")])
    events = []
    n = change_embedder(store, "c", f"gguf:{starter_model}", events.append)
    info = store.get_collection("c")
    assert n == info.chunks and info.embedder == f"gguf:{starter_model}" and info.dimension == 576
    assert events[0]["event"] == "start" and events[-1]["event"] == "done"
    assert events[-2] == {"event": "embedded", "done": n, "total": n}
    assert store.vector_count(info.name) == n
    assert top_source(store, "长城有多长") == "长城.txt"  # keyword + SmolLM2 vectors


@pytest.mark.engine  # runs an embedding model (MiniLM or e5)
def test_watched_folder_follows_edits(tmp_path: Path, store: DocStore) -> None:
    from hearthlm.core.docs.watch import FolderWatcher

    folder = write_corpus(tmp_path / "docs")
    ingest(store, "c", [folder], watch=True)
    seen = []
    watcher = FolderWatcher(store, "c", [folder], debounce_s=0.3, on_results=seen.extend).start()
    try:
        (folder / "comet.md").write_text("# Comets\n\nHalley's comet returns every 76 years.", "utf-8")
        (folder / "bread.md").unlink()
        deadline = time.time() + 30
        while time.time() < deadline and {r.status for r in seen} != {"added", "removed"}:
            time.sleep(0.2)
    finally:
        watcher.stop()
    assert {(Path(r.path).name, r.status) for r in seen} == {("comet.md", "added"), ("bread.md", "removed")}
    assert top_source(store, "How often does Halley's comet return?") == "comet.md"
    assert store.folders("c") == [("c", str(folder), True)]


OPEN_CHILD = """
import os, sys, time
from hearthlm.core.docs.store import DocStore
for root, go in zip(sys.argv[1::2], sys.argv[2::2]):  # one new store a round
    open(go + "." + str(os.getpid()), "w").close()  # ready
    while not os.path.exists(go):  # all open at the same moment
        time.sleep(0.001)
    with DocStore(root):
        pass
"""


def test_many_processes_opening_a_new_store_at_once(tmp_path: Path) -> None:
    """Switching a new database to WAL needs it to itself, and SQLite answers "database is locked" at
    once, without waiting, to a second process doing the same (seen in a fresh-clone CI run of
    the two-writers test). The switch is made under the store's own file lock."""
    script = tmp_path / "open.py"
    script.write_text(OPEN_CHILD, encoding="utf-8")
    rounds = [(tmp_path / f"store{round_}", tmp_path / f"go{round_}") for round_ in range(3)]
    # the same six processes in every round (one import each, not one per round and store)
    argv = [str(p) for pair in rounds for p in pair]
    children = [subprocess.Popen([sys.executable, str(script), *argv], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True) for _ in range(6)]
    for _root, go in rounds:
        deadline = time.monotonic() + 120
        while len(list(tmp_path.glob(f"{go.name}.*"))) < len(children) and time.monotonic() < deadline:
            failed = [child for child in children if child.poll() not in (None, 0)]
            assert not failed, failed[0].communicate()[1]
            time.sleep(0.01)
        go.touch()
    for child in children:
        _out, err = child.communicate(timeout=240)
        assert child.returncode == 0, err
