"""The Documents page on a real Qt event loop: a real drop, indexing in a real child process,
per-file errors as sentences, a query whose sources open the file at its page."""

from __future__ import annotations

import os
import re
import signal
import warnings
from pathlib import Path

import pytest

os.environ.setdefault("HEARTH_EMBED_THREADS", "1")  # the indexing child processes inherit it

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from docs_samples import shown_docs_page, write_pdf
from hearthlm.gui.docs_page import DocsPage

INDEX_TIMEOUT_MS = 180_000


def drop(widget, paths: list[Path]) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the QPoint overload is the one PySide6 has
        enter = QDragEnterEvent(QPoint(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                                Qt.KeyboardModifier.NoModifier)
    assert QApplication.sendEvent(widget, enter) and enter.isAccepted()
    QApplication.sendEvent(widget, QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime,
                                              Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))


@pytest.fixture
def page(qtbot):
    with shown_docs_page(qtbot) as p:
        yield p


@pytest.mark.engine  # runs an embedding model (MiniLM or e5)
def test_drop_index_query_and_open_source(qtbot, page: DocsPage, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    write_pdf(folder / "manual.pdf", [["Chapter one covers the pump."], ["The red valve releases steam pressure."]])
    (folder / "熊猫.txt").write_text("大熊猫主要生活在中国四川的山区竹林中。", encoding="gb18030")
    (folder / "binary.txt").write_bytes(os.urandom(2048))
    # the empty page says how to start; once there is a collection, what its results area is for
    qtbot.waitUntil(lambda: "My documents" in page.results.toPlainText(), timeout=10_000)
    with qtbot.waitSignal(page.indexingFinished, timeout=INDEX_TIMEOUT_MS) as done:
        drop(page, [folder])
    assert done.args == ["My documents"]
    qtbot.waitUntil(lambda: page.results.toPlainText().startswith("Ask a question above"), timeout=10_000)
    rows = {page.files.topLevelItem(i).text(0): page.files.topLevelItem(i) for i in range(page.files.topLevelItemCount())}
    assert set(rows) == {"manual.pdf", "熊猫.txt", "binary.txt"}
    assert rows["manual.pdf"].text(1) == "2"
    assert rows["binary.txt"].text(2) == "binary.txt looks like binary data, not text."
    assert "could not be read" in page.status.text()
    # the failed row's sentence is in the theme's error colour, and follows a change of theme
    from hearthlm.gui import theme

    assert rows["binary.txt"].foreground(2).color().name() == theme.colors().error
    theme.apply("dark")
    try:
        assert rows["binary.txt"].foreground(2).color().name() == theme.DARK.error
        assert theme.contrast(theme.DARK.error, theme.DARK.base) >= 4.5
        assert theme.DARK.muted.lower() in page.results.toHtml().lower()  # the results area's hint too
    finally:
        theme.apply("light")
    assert rows["binary.txt"].foreground(2).color().name() == theme.LIGHT.error

    page.question.setText("what does the red valve release")
    with qtbot.waitSignal(page.resultsShown, timeout=60_000):
        page.search_button.click()
    assert "manual.pdf" in page.results.toPlainText() and "page 2" in page.results.toPlainText()
    # each result says what found it ("found by meaning #1, words #1"), not a fused score
    first = page.results.toPlainText().splitlines()[0]
    assert re.search(r"found by (meaning|words) #\d", first) and not re.search(r"0\.0\d\d", first)
    # the question was embedded in a child process, and a dead one is replaced by the next question
    child = page.embed_service.pid
    assert child is not None and child != os.getpid()
    os.kill(child, signal.SIGKILL)
    with qtbot.waitSignal(page.resultsShown, timeout=60_000):
        page.search_button.click()
    assert "manual.pdf" in page.results.toPlainText() and page.embed_service.pid not in (None, child)
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)  # no viewer offscreen
    page.results.anchorClicked.emit(QUrl(page.results.toHtml().split('href="')[1].split('"')[0]))
    assert opened and opened[0].toLocalFile() == str(folder / "manual.pdf") and opened[0].fragment() == "page=2"

    # remove a file: it leaves the list and the search
    for i in range(page.files.topLevelItemCount()):
        item = page.files.topLevelItem(i)
        item.setSelected(item.text(0) == "manual.pdf")
    page.remove_button.click()
    qtbot.waitUntil(lambda: page.files.topLevelItemCount() == 2, timeout=30_000)


def test_bad_collection_name_is_a_sentence(qtbot, page: DocsPage, monkeypatch: pytest.MonkeyPatch) -> None:
    from hearthlm.gui.new_collection_dialog import NewCollection, NewCollectionDialog

    monkeypatch.setattr(NewCollectionDialog, "ask", staticmethod(lambda *a, **k: NewCollection("bad/name")))
    assert page._new_collection() is None
    assert "not a valid collection name" in page.status.text()
    assert page.collections.count() == 0


def test_a_failed_run_is_said_in_the_window_s_language(qtbot, page: DocsPage) -> None:
    """The child (hearth docs … --progress) fails as a whole: it sends its sentence with its template,
    so a Chinese window shows it in Chinese (the last English line of its stderr was shown)."""
    from PySide6.QtWidgets import QApplication

    from hearthlm.gui.i18n import install_translators

    app = QApplication.instance()
    translators = install_translators(app, "zh_CN")
    try:
        with qtbot.waitSignal(page.indexingFinished, timeout=INDEX_TIMEOUT_MS):
            page.change_embedder("No such collection", "minilm")
        assert "No such collection" in page.status.text() and "There is no collection" not in page.status.text()
        assert "hearth: error" not in page.status.text()
    finally:
        for translator in translators:
            app.removeTranslator(translator)


@pytest.mark.engine  # llama.cpp on the starter model
def test_change_embedder_shows_progress_and_records_the_model(qtbot, page: DocsPage, tmp_path: Path,
                                                              starter_model: Path) -> None:
    (tmp_path / "a.md").write_text("# Tea\n\nGreen tea is steamed.\n\n# Coffee\n\nBeans are roasted.", "utf-8")
    with qtbot.waitSignal(page.indexingFinished, timeout=INDEX_TIMEOUT_MS):
        page.add_paths([str(tmp_path / "a.md")])
    seen: list[int] = []
    page.progress.valueChanged.connect(seen.append)
    with qtbot.waitSignal(page.indexingFinished, timeout=INDEX_TIMEOUT_MS):
        page.change_embedder("My documents", f"gguf:{starter_model}")
    assert seen and seen[-1] == 2  # two chunks re-embedded
    assert page.embedder_label.text().endswith(starter_model.name)


@pytest.mark.engine  # runs an embedding model (MiniLM or e5)
def test_watch_toggle_follows_a_new_file(qtbot, page: DocsPage, tmp_path: Path) -> None:
    folder = tmp_path / "watched"
    folder.mkdir()
    (folder / "a.md").write_text("# Alpha\n\nThe first note.", "utf-8")
    with qtbot.waitSignal(page.indexingFinished, timeout=INDEX_TIMEOUT_MS):
        page.add_paths([str(folder)])
    events: list[dict] = []
    page.watch_box.setChecked(True)
    assert "My documents" in page._watchers
    page._watchers["My documents"].progressed.connect(events.append)
    qtbot.waitUntil(lambda: any(e.get("event") == "watching" for e in events), timeout=90_000)
    (folder / "b.md").write_text("# Beta\n\nA note written while watched.", "utf-8")
    qtbot.waitUntil(lambda: any(page.files.topLevelItem(i).text(0) == "b.md"
                                for i in range(page.files.topLevelItemCount())), timeout=90_000)
    assert page.store.folders("My documents") == [("My documents", str(folder), True)]
    page.watch_box.setChecked(False)
    assert "My documents" not in page._watchers
    # remembered on a job thread (it takes the store's lock)
    qtbot.waitUntil(lambda: page.store.folders("My documents")[0][2] is False, timeout=30_000)


@pytest.mark.engine  # runs an embedding model (MiniLM or e5)
def test_a_large_file_shows_its_chunks_so_far_while_it_is_indexed(qtbot, page: DocsPage, tmp_path: Path) -> None:
    """A file of more chunks than are embedded at once streams part by part: its row says how many
    chunks are done, so a large file never looks stuck."""
    distinct = [f"Paragraph {k} tells of the valve, the river and the engine {k} times over." for k in range(5)]
    big = tmp_path / "log.md"
    big.write_text("\n\n".join(distinct[i % 5] for i in range(6000)) + "\n", encoding="utf-8")
    seen: list[str] = []
    page.files.model().dataChanged.connect(
        lambda *_: seen.extend(page.files.topLevelItem(i).text(2) for i in range(page.files.topLevelItemCount())))
    with qtbot.waitSignal(page.indexingFinished, timeout=INDEX_TIMEOUT_MS):
        page.add_paths([str(big)])
    so_far = [t for t in seen if t.endswith("chunks so far…")]
    assert so_far, "no progress shown within the file"
    counts = [int(t.split()[0]) for t in so_far]
    assert counts == sorted(counts) and counts[-1] > 64
    (row,) = [page.files.topLevelItem(i) for i in range(page.files.topLevelItemCount())]
    assert row.text(2) == "indexed" and int(row.text(1)) >= counts[-1]
