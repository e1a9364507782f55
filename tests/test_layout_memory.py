"""The window's layout is kept between runs: geometry, the chat's splitter, the last page, a
lazily made page's splitter, column widths and sort order, and the conversation's zoom."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from hearthlm.core.settings import Settings


@pytest.fixture
def no_model(monkeypatch: pytest.MonkeyPatch) -> None:
    import hearthlm.core.default_model
    import hearthlm.gui.chat_page

    monkeypatch.setattr(hearthlm.core.default_model, "starter_model_path", lambda: None)
    monkeypatch.setattr(hearthlm.gui.chat_page, "starter_model_path", lambda: None)


def open_window(qtbot):
    from hearthlm.gui.main_window import MainWindow

    window = MainWindow(Settings())
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_layout_is_restored_at_the_next_start(qtbot, no_model) -> None:
    first = open_window(qtbot)
    # within the offscreen platform's 800x800 screen: a larger one is fitted to the screen on restore
    first.resize(first.minimumSizeHint().width(), 610)
    first.chat.splitter.setSizes([300, 450, 0])  # a wider conversation list
    chat_sizes = first.chat.splitter.sizes()
    first.chat.view.zoom(3)
    models = first.models_page
    first.pages.setCurrentWidget(models)
    browser_split = models.browser.findChild(type(first.chat.splitter))
    browser_split.setSizes([500, 400])
    browser_sizes = browser_split.sizes()
    tree = models.library.tree
    # the library's first scan fits the columns to their contents: resize after it, as a user would
    qtbot.waitUntil(models.library.refresh_button.isEnabled, timeout=10_000)
    tree.setColumnWidth(2, 211)
    tree.sortByColumn(3, Qt.SortOrder.DescendingOrder)
    qtbot.wait(20)
    size = first.size()
    assert size.height() == 610
    first.close()

    second = open_window(qtbot)
    assert second.size() == size
    assert second.pages.currentIndex() == second.pages.index_of_name("models")
    models = second.lazy_pages.made("models")
    second.pages.setCurrentWidget(second.chat)
    qtbot.wait(20)
    assert second.chat.splitter.sizes() == chat_sizes
    assert second.chat.view.zoom_steps == 3
    assert models is not None  # made at start: it was the last page
    assert models.browser.findChild(type(second.chat.splitter)).sizes() == browser_sizes
    header = models.library.tree.header()
    qtbot.waitUntil(models.library.refresh_button.isEnabled, timeout=10_000)  # its scan is shown
    assert header.sectionSize(2) == 211
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (3, Qt.SortOrder.DescendingOrder)
    second.close()


def test_a_damaged_layout_file_is_ignored(qtbot, no_model, hearth_home) -> None:
    from hearthlm.gui.layout_memory import layout_path

    from pathlib import Path

    Path(layout_path()).parent.mkdir(parents=True, exist_ok=True)
    Path(layout_path()).write_bytes(b"\x00\xffnot an ini [[[\nchat/zoom=lots\n")
    window = open_window(qtbot)
    assert window.chat.view.zoom_steps == 0 and window.pages.currentIndex() == 0
    window.close()
