"""The window without a model starts no engine, download worker or monitor thread: the pages other
than the chat are made when first shown. ``gc.freeze()`` runs once at the app's start, after a
collection, and never in a window's constructor."""

from __future__ import annotations

import gc
import threading
import weakref

import psutil
import pytest

from hearthlm.core.settings import Settings


@pytest.fixture
def no_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on a machine without the starter model: the window opens with nothing to load."""
    import hearthlm.core.default_model
    import hearthlm.gui.chat_page

    monkeypatch.setattr(hearthlm.core.default_model, "starter_model_path", lambda: None)
    monkeypatch.setattr(hearthlm.gui.chat_page, "starter_model_path", lambda: None)


def children() -> list[psutil.Process]:
    return psutil.Process().children(recursive=True)


def thread_names() -> set[str]:
    return {t.name for t in threading.enumerate()}


@pytest.fixture
def window(qtbot, no_model):
    from hearthlm.gui.main_window import MainWindow

    before = {p.pid for p in children()}
    win = MainWindow(Settings())
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.children_before = before
    yield win
    win.close()


def test_a_window_without_a_model_starts_no_process_or_background_thread(window, qtbot) -> None:
    qtbot.wait(300)  # anything started "soon after" the window shows would be running by now
    started = [p for p in children() if p.pid not in window.children_before]
    assert started == [], [p.cmdline() for p in started]
    assert not {"hearth-downloads", "hearth-monitor"} & thread_names()
    for name in ("models", "quantize", "docs", "monitor", "server"):
        assert window.lazy_pages.made(name) is None, name
    assert window.docs.ready_store() is None  # the document store is not even opened


def test_a_page_is_made_when_its_tab_is_first_shown(window, qtbot) -> None:
    titles = [window.pages.tabText(i) for i in range(window.pages.count())]
    window.pages.setCurrentIndex(titles.index("Monitor"))
    page = window.lazy_pages.made("monitor")
    assert page is not None and window.pages.currentWidget() is page and page.isVisible()
    qtbot.waitUntil(lambda: "hearth-monitor" in thread_names(), timeout=5000)
    assert [window.pages.tabText(i) for i in range(window.pages.count())] == titles  # same tabs, same order
    assert window.monitor_page is page  # made once


def test_asking_for_a_page_makes_it_in_place_without_showing_it(window) -> None:
    current = window.pages.currentIndex()
    models = window.models_page
    assert window.pages.indexOf(models) == 1 and window.pages.tabText(1) == "Models"
    assert window.pages.currentIndex() == current and window.pages.currentWidget() is window.chat_page
    window.pages.setCurrentWidget(window.models_page)
    assert window.pages.currentWidget() is models
    assert window.lazy_pages.made("docs") is None


def test_the_chat_and_the_documents_page_share_one_store(window, qtbot) -> None:
    shared = window.docs.store()  # as the chat's retrieval job would, before the page exists
    page = window.docs_page
    qtbot.waitUntil(lambda: page.ready_store is not None, timeout=60_000)
    assert page.ready_store is shared and page.embed_service is window.docs.embed_service


def test_a_window_does_not_freeze_the_garbage_collector(qtbot, no_model) -> None:
    from hearthlm.gui.main_window import MainWindow

    frozen = gc.get_freeze_count()
    win = MainWindow(Settings())
    qtbot.addWidget(win)
    try:
        assert gc.get_freeze_count() == frozen
    finally:
        win.close()


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_the_app_freezes_once_at_its_start_after_collecting(qtbot, no_model) -> None:
    from hearthlm.gui import app as gui_app

    gc.disable()  # no automatic collection in between: only the app's own can free the cycle
    garbage = _Cycle()
    gone = weakref.ref(garbage)
    del garbage  # unreachable, but only a collection frees a cycle
    gc.unfreeze()
    try:
        app, window, translators = gui_app.start()
        qtbot.addWidget(window)
        assert gc.get_freeze_count() > 0
        assert gone() is None  # collected before the freeze, not kept for the life of the process
        window.close()
        for translator in translators:  # the other tests' application speaks English
            app.removeTranslator(translator)
    finally:
        from hearthlm.gui import heap

        heap._app_started = False  # the other tests' windows freeze nothing
        gc.unfreeze()
        gc.enable()


def test_pages_made_later_are_frozen_only_in_the_app(qtbot, no_model) -> None:
    """A page made when first shown lives as long as the window: in the app it leaves the collector's
    reach too (a full collection walked chromadb's objects while an answer streamed); a test process
    that makes many windows freezes nothing."""
    from hearthlm.gui import heap
    from hearthlm.gui.main_window import MainWindow

    gc.unfreeze()
    win = MainWindow(Settings())
    qtbot.addWidget(win)
    win.quantize_page  # noqa: B018 (made on first use)
    assert gc.get_freeze_count() == 0
    heap._app_started = True
    try:
        win.monitor_page  # noqa: B018
        assert gc.get_freeze_count() > 0
    finally:
        heap._app_started = False
        gc.unfreeze()
        win.close()
