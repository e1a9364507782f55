"""The Documents page says once when a collection holds Chinese text under an English-only
embedder, and in one click downloads the multilingual embedding model and embeds the collection
again with it (real child processes, a hub on 127.0.0.1)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HEARTH_EMBED_THREADS", "1")  # the indexing child processes inherit it

from hearthlm.gui.docs_page import DocsPage  # noqa: E402

INDEX_TIMEOUT_MS = 180_000


def make_page(qtbot) -> DocsPage:
    page = DocsPage()
    qtbot.addWidget(page)
    page.show()
    return page


@pytest.mark.engine  # the starter model stands in for the multilingual embedding model
def test_chinese_under_minilm_is_said_once_and_fixed_in_one_click(qtbot, hub, starter_model: Path, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """One click downloads the recommended multilingual embedding model from the hub (a local one
    here, serving the starter GGUF under that name: llama.cpp embeds with it too) and embeds the
    collection again with it."""
    from hearthlm.core.hub.recommended import multilingual_embedder
    from hearthlm.core.settings import Settings
    from hearthlm.gui.main_window import MainWindow

    monkeypatch.setenv("HEARTH_DOCS_EMBEDDER", "minilm")  # the collection starts English-only
    model = multilingual_embedder()
    hub.add_repo(model["repo"], {model["file"]: starter_model}, license="apache-2.0")
    (tmp_path / "熊猫.txt").write_text("大熊猫主要生活在中国四川的山区竹林中。", encoding="utf-8")
    (tmp_path / "tea.md").write_text("# Tea\n\nGreen tea is steamed.", encoding="utf-8")
    window = MainWindow(Settings(n_ctx=1024, n_threads=1))
    qtbot.addWidget(window)
    window.show()
    page = window.docs_page
    window.pages.setCurrentWidget(page)
    with qtbot.waitSignal(page.indexingFinished, timeout=INDEX_TIMEOUT_MS):
        page.add_paths([str(tmp_path / "tea.md")])
    qtbot.wait(300)
    assert not page.language_notice.isVisible()  # English only: nothing to say
    with qtbot.waitSignal(page.indexingFinished, timeout=INDEX_TIMEOUT_MS):
        page.add_paths([str(tmp_path / "熊猫.txt")])
    qtbot.waitUntil(page.language_notice.isVisible, timeout=10_000)
    assert "My documents" in page.language_notice.text.text()
    assert "English only" in page.language_notice.text.text()
    assert "639.2 MB" in page.language_notice.action.text()  # the size of the recommended file
    with qtbot.waitSignal(page.indexingFinished, timeout=INDEX_TIMEOUT_MS):
        page.language_notice.action.click()  # one click: download, then embed again with it
    embedder = page.store.get_collection("My documents").embedder
    assert embedder.startswith("gguf:") and embedder.endswith(model["file"])
    assert Path(embedder[5:]).read_bytes()[:4] == b"GGUF"
    assert page.embedder_label.text().endswith(model["file"])
    assert not page.language_notice.isVisible()
    assert page.store.get_collection("My documents").documents == 2  # both files, embedded again
    window.close()


@pytest.mark.engine  # runs an embedding model (MiniLM or e5)
def test_the_note_is_not_repeated_after_it_was_shown(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEARTH_DOCS_EMBEDDER", "minilm")
    (tmp_path / "长城.txt").write_text("长城东起山海关，西至嘉峪关。", encoding="utf-8")
    page = make_page(qtbot)
    try:
        with qtbot.waitSignal(page.indexingFinished, timeout=INDEX_TIMEOUT_MS):
            page.add_paths([str(tmp_path / "长城.txt")])
        qtbot.waitUntil(page.language_notice.isVisible, timeout=10_000)
        page.language_notice.dismiss.click()
        qtbot.waitUntil(lambda: page.store.note_shown("chinese:My documents"), timeout=10_000)
    finally:
        page.shutdown()
    again = make_page(qtbot)
    try:
        qtbot.waitUntil(lambda: again.current_collection() == "My documents", timeout=10_000)
        qtbot.wait(500)
        assert not again.language_notice.isVisible()
    finally:
        again.shutdown()


def test_recommended_marks_the_multilingual_embedding_model(qtbot) -> None:
    from hearthlm.gui.hub_browser import HubBrowser

    browser = HubBrowser(lambda: None)
    qtbot.addWidget(browser)
    names = [browser.results.topLevelItem(i).text(0) for i in range(browser.results.topLevelItemCount())]
    marked = [n for n in names if "multilingual" in n]
    assert marked == ["Qwen/Qwen3-Embedding-0.6B-GGUF  ·  for documents, multilingual (Chinese and English)"]
    assert any(n.endswith("·  for documents") for n in names)  # the English-only one keeps its plain mark


@pytest.mark.engine  # the starter model as the new embedder
def test_a_reembedding_asked_during_indexing_runs_after_it(qtbot, tmp_path: Path, starter_model: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A download that finishes while files are being indexed re-embeds once that run ends,
    instead of being refused ("wait for the current indexing")."""
    monkeypatch.setenv("HEARTH_DOCS_EMBEDDER", "minilm")
    for i in range(3):
        (tmp_path / f"note{i}.md").write_text(f"# Note {i}\n\n" + "The harbour lamp is lit at dusk. " * 40,
                                               encoding="utf-8")
    page = make_page(qtbot)
    finished: list[str] = []
    page.indexingFinished.connect(finished.append)
    try:
        page.add_paths([str(tmp_path)])
        qtbot.waitUntil(lambda: page._runner is not None, timeout=30_000)
        page.change_embedder("My documents", f"gguf:{starter_model}", wait=True)
        assert "Wait" not in page.status.text()
        qtbot.waitUntil(lambda: len(finished) == 2, timeout=INDEX_TIMEOUT_MS)
        info = page.store.get_collection("My documents")
        assert info.embedder == f"gguf:{starter_model}"
        assert info.documents == 3
    finally:
        page.shutdown()


def test_a_failed_download_says_why_on_the_documents_page(qtbot, hub, model_files) -> None:
    """The one click's download fails (wrong bytes from the hub): the Documents page says so, in
    one sentence, instead of "Downloading…" for ever; the collection keeps its embedder."""
    from hearthlm.core.hub.recommended import multilingual_embedder
    from hearthlm.core.settings import Settings
    from hearthlm.gui.main_window import MainWindow

    model = multilingual_embedder()
    hub.add_repo(model["repo"], {model["file"]: model_files["single"]}, license="apache-2.0")
    hub.fail(model["repo"], model["file"], "corrupt", times=None)
    window = MainWindow(Settings(n_ctx=1024, n_threads=1))
    qtbot.addWidget(window)
    window.show()
    page = window.docs_page
    window.reembed_multilingual("My documents")
    assert "Downloading" in page.status.text()
    qtbot.waitUntil(lambda: "was not embedded again" in page.status.text(), timeout=60_000)
    assert "sha256" in page.status.text() or "quarantine" in page.status.text()
    assert not window.hub_files.waiting
    window.close()
