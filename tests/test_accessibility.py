"""Accessibility: Tab walks through every page of the window (as a keyboard user would, by key
presses), reaching its controls without getting stuck, and every control reached has an accessible
name (what a screen reader says). The conversation zooms with Ctrl+= / Ctrl+-, and the app's font
follows the system's."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QFont
from PySide6.QtWidgets import QApplication, QWidget

from hearthlm.core.settings import Settings

MAX_STEPS = 150


@pytest.fixture
def window(qtbot, monkeypatch):
    import hearthlm.core.default_model
    import hearthlm.gui.chat_page
    from hearthlm.gui.main_window import MainWindow

    monkeypatch.setattr(hearthlm.core.default_model, "starter_model_path", lambda: None)
    monkeypatch.setattr(hearthlm.gui.chat_page, "starter_model_path", lambda: None)
    win = MainWindow(Settings())
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=3000)
    yield win
    win.close()


def accessible_name(widget: QWidget) -> str:
    iface = QAccessible.queryAccessibleInterface(widget)
    return iface.text(QAccessible.Text.Name).strip() if iface is not None else ""


def describe(widget: QWidget) -> str:
    chain = []
    node = widget
    while node is not None and len(chain) < 4:
        chain.append(f"{type(node).__name__}({node.objectName()})")
        node = node.parentWidget()
    return " < ".join(chain)


def tab_walk(qtbot, start: QWidget) -> list[QWidget]:
    """Press Tab from ``start`` until the focus comes back to it: the widgets focused, in order."""
    start.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is start, timeout=2000)
    seen: list[QWidget] = [start]
    for _ in range(MAX_STEPS):
        current = QApplication.focusWidget()
        qtbot.keyClick(current, Qt.Key.Key_Tab)
        now = QApplication.focusWidget()
        assert now is not None, f"Tab from {describe(current)} left nothing focused"
        assert now is not current, f"Tab is trapped in {describe(current)}"
        if now is start:
            return seen
        seen.append(now)
    raise AssertionError(f"Tab never came back to the start: {[describe(w) for w in seen[-5:]]}")


def test_tab_walks_every_page_and_every_control_has_a_name(window, qtbot) -> None:
    from PySide6.QtWidgets import QTabWidget

    problems = []
    window.chat.settings_button.setChecked(True)  # the conversation's settings panel too
    views = []
    for index in range(window.pages.count()):
        window.pages.setCurrentIndex(index)
        page = window.pages.currentWidget()
        qtbot.wait(100)  # the page made and laid out
        inner = [t for t in page.findChildren(QTabWidget) if t.isVisible()]
        views += [(index, page, None, 0)] if not inner else [(index, page, inner[0], i) for i in range(inner[0].count())]
    for index, page, tabs, tab in views:
        window.pages.setCurrentIndex(index)
        if tabs is not None:
            tabs.setCurrentIndex(tab)
        qtbot.wait(50)
        walked = tab_walk(qtbot, window.pages.sidebar)
        for widget in walked:
            if not accessible_name(widget):
                problems.append(f"{window.pages.tabText(index)}: {describe(widget)}")
        # every visible control that takes Tab is on the walk (none unreachable by keyboard)
        focusable = [w for w in page.findChildren(QWidget)
                     if w.isVisible() and w.isEnabled() and w.focusPolicy() & Qt.FocusPolicy.TabFocus
                     and w.focusProxy() is None]
        missed = [describe(w) for w in focusable if w not in walked]
        if focusable:
            assert [w for w in walked if page.isAncestorOf(w)], f"Tab never reaches the {window.pages.tabText(index)} page"
        assert not missed, f"not reachable with Tab on {window.pages.tabText(index)}: {missed}"
    assert not sorted(set(problems)), "controls without an accessible name:\n" + "\n".join(sorted(set(problems)))


def test_chat_page_tab_order_reads_top_to_bottom(window, qtbot) -> None:
    chat = window.chat
    walked = tab_walk(qtbot, window.pages.sidebar)
    order = [w for w in (chat.picker, chat.conversations.new_button, chat.view, chat.prompt, chat.send_button)
             if w in walked or any(w.isAncestorOf(x) for x in walked)]

    def first_index(target: QWidget) -> int:
        return next(i for i, w in enumerate(walked) if w is target or target.isAncestorOf(w))

    positions = [first_index(w) for w in order]
    assert len(order) == 5 and positions == sorted(positions), [describe(w) for w in order]


def test_ctrl_plus_and_minus_zoom_the_conversation(window, qtbot) -> None:
    view = window.chat.view
    size = view.font().pointSizeF()
    window.chat.prompt.setFocus()
    qtbot.keyClick(window.chat.prompt, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window.chat.prompt, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert view.font().pointSizeF() == size + 2 and view.zoom_steps == 2
    qtbot.keyClick(window.chat.prompt, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert view.font().pointSizeF() == size + 1
    qtbot.keyClick(window.chat.prompt, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert view.font().pointSizeF() == size and view.zoom_steps == 0


def test_the_system_font_size_is_followed(qtbot, monkeypatch) -> None:
    """No widget pins its own point size: a larger application font (the system's) makes the
    window's text larger, the conversation included."""
    import hearthlm.core.default_model
    import hearthlm.gui.chat_page
    from hearthlm.gui.main_window import MainWindow

    monkeypatch.setattr(hearthlm.core.default_model, "starter_model_path", lambda: None)
    monkeypatch.setattr(hearthlm.gui.chat_page, "starter_model_path", lambda: None)
    app = QApplication.instance()
    original = app.font()
    big = QFont(original)
    big.setPointSizeF(original.pointSizeF() * 1.5)
    app.setFont(big)
    try:
        win = MainWindow(Settings())
        qtbot.addWidget(win)
        for widget in (win.chat.view, win.chat.prompt, win.chat.send_button, win.pages.sidebar):
            assert widget.font().pointSizeF() == pytest.approx(big.pointSizeF()), describe(widget)
        win.close()
    finally:
        app.setFont(original)
