"""Symbolic links in an added or watched folder: one that leads out of the folder (a file, a
folder) or loops is not followed and costs one sentence; one that stays inside is fine. Real
links in temporary folders, a real store and the real command."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

os.environ.setdefault("HEARTH_EMBED_THREADS", "1")

from hearthlm.core.cli import main  # noqa: E402
from hearthlm.core.docs.ingest import ingest, scan  # noqa: E402
from hearthlm.core.docs.store import DocStore  # noqa: E402


@pytest.fixture
def tree(tmp_path: Path) -> dict[str, Path]:
    """folder/ with a note, links out (a file and a folder), a link inside, a link loop."""
    outside = tmp_path / "outside"
    (outside / "secrets").mkdir(parents=True)
    (outside / "passwd.txt").write_text("root:x:0:0:the zebra password is hunter2\n")
    (outside / "secrets" / "key.txt").write_text("the walrus key is 1234\n")
    folder = tmp_path / "folder"
    (folder / "sub").mkdir(parents=True)
    (folder / "note.txt").write_text("The lighthouse keeper lit the lamp at dusk.\n")
    (folder / "sub" / "inner.txt").write_text("Inner notes about the harbour.\n")
    (folder / "passwd.txt").symlink_to(outside / "passwd.txt")
    (folder / "secrets").symlink_to(outside / "secrets", target_is_directory=True)
    (folder / "alias.txt").symlink_to(folder / "sub" / "inner.txt")  # inside: fine
    (folder / "loop_a.txt").symlink_to(folder / "loop_b.txt")
    (folder / "loop_b.txt").symlink_to(folder / "loop_a.txt")
    return {"folder": folder, "outside": outside}


def test_scan_follows_only_links_that_stay_inside(tree: dict[str, Path]) -> None:
    folder, outside = tree["folder"], tree["outside"]
    found = scan([folder])
    assert sorted(p.name for p in found.files) == ["alias.txt", "inner.txt", "note.txt"]
    skipped = {Path(r.path).name: str(r.error) for r in found.skipped}
    assert set(skipped) == {"passwd.txt", "secrets", "loop_a.txt", "loop_b.txt"}
    assert all(r.status == "skipped" for r in found.skipped)
    assert skipped["passwd.txt"] == (f"{folder / 'passwd.txt'} is a link to {outside / 'passwd.txt'}, outside the "
                                     f"folder {folder}: not followed. Add {outside / 'passwd.txt'} itself to index it.")
    assert str(outside / "secrets") in skipped["secrets"]
    assert skipped["loop_a.txt"] == f"{folder / 'loop_a.txt'} is a link that loops back on itself: not followed."
    # named explicitly, the target is the user's choice
    assert scan([outside / "passwd.txt"]).files == [outside / "passwd.txt"]


@pytest.mark.engine  # runs an embedding model (MiniLM or e5)
def test_ingest_keeps_what_a_link_points_at_out_of_the_collection(tree: dict[str, Path], tmp_path: Path) -> None:
    folder = tree["folder"]
    with DocStore(tmp_path / "store") as store:
        results = ingest(store, "notes", [folder])
        by_name = {Path(r.path).name: r for r in results}
        assert {n for n, r in by_name.items() if r.status == "skipped"} == {"passwd.txt", "secrets", "loop_a.txt",
                                                                         "loop_b.txt"}
        assert {n for n, r in by_name.items() if r.status == "added"} == {"note.txt", "inner.txt", "alias.txt"}
        docs = [d.path for d in store.documents("notes")]
        assert not any("passwd" in p or "secrets" in p for p in docs)
        assert store.keyword_search("notes", "zebra hunter2", 5) == []
        assert store.keyword_search("notes", "walrus", 5) == []


@pytest.mark.engine  # runs an embedding model (MiniLM or e5)
def test_a_link_indexed_before_is_dropped(tree: dict[str, Path], tmp_path: Path) -> None:
    """A collection made before links were checked held the target: the next add removes it."""
    folder = tree["folder"]
    with DocStore(tmp_path / "store") as store:
        ingest(store, "notes", [folder / "passwd.txt"])  # named explicitly: indexed
        assert store.keyword_search("notes", "zebra", 5)
        results = ingest(store, "notes", [folder])
        assert {r.status for r in results if r.path == str(folder / "passwd.txt")} == {"skipped", "removed"}
        assert store.keyword_search("notes", "zebra", 5) == []


@pytest.mark.engine  # runs an embedding model (MiniLM or e5)
def test_cli_says_one_sentence_per_link(tree: dict[str, Path], capsys) -> None:
    folder = tree["folder"]
    code = main(["docs", "add", "notes", str(folder)])
    out, err = capsys.readouterr()
    assert code == 0  # skipped links are not failures
    warnings = [line for line in err.splitlines() if line.startswith("hearth: warning:")]
    assert len(warnings) == 4
    assert any(f"{folder / 'passwd.txt'} is a link to" in w and "not followed" in w for w in warnings)
    assert "note.txt: indexed" in out
    main(["docs", "list", "notes", "--json"])
    paths = [d["path"] for d in json.loads(capsys.readouterr()[0])["documents"]]
    assert not any("passwd" in p or "secrets" in p for p in paths)
    main(["docs", "add", "notes", str(folder), "--json"])
    files = json.loads(capsys.readouterr()[0])["files"]
    assert sorted(Path(f["path"]).name for f in files if f["status"] == "skipped") == [
        "loop_a.txt", "loop_b.txt", "passwd.txt", "secrets"]


@pytest.mark.engine  # runs an embedding model (MiniLM or e5)
def test_a_watched_folder_does_not_follow_a_new_link_out(tree: dict[str, Path], tmp_path: Path) -> None:
    from hearthlm.core.docs.watch import FolderWatcher

    folder, outside = tree["folder"], tree["outside"]
    seen: list = []
    with DocStore(tmp_path / "store") as store:
        ingest(store, "notes", [folder], watch=True)
        watcher = FolderWatcher(store, "notes", [folder], debounce_s=0.3, on_results=seen.extend).start()
        try:
            (folder / "later.txt").symlink_to(outside / "passwd.txt")
            (folder / "fresh.txt").write_text("A fresh note about tides.\n")
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not {"later.txt", "fresh.txt"} <= {Path(r.path).name for r in seen}:
                time.sleep(0.1)
        finally:
            watcher.stop()
        by_name = {Path(r.path).name: r for r in seen}
        assert by_name["later.txt"].status == "skipped" and "not followed" in str(by_name["later.txt"].error)
        assert by_name["fresh.txt"].status == "added"
        assert store.keyword_search("notes", "zebra", 5) == []
