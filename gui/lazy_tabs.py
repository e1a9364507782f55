"""Tabs whose pages are made when first shown, or when code first asks for them.

The Models, Quantize, Documents and Monitor pages start threads, child processes and disk scans
(the download queue's worker, the monitor's sampler, the document store). Making them only when
the user opens them lets the window appear sooner, and lets a test that never opens them start
none of that. UI thread only.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import QTabWidget, QWidget

from .heap import freeze_new_long_lived
from .sidebar import NAV_ICON, NAV_NAME


class LazyTabs:
    """Pages of a QTabWidget, each made by its factory the first time its tab becomes current or
    ``page(name)`` is called; the tab's placeholder is then replaced by the page, in place."""

    def __init__(self, tabs: QTabWidget):
        self.tabs = tabs
        self._waiting: dict[str, tuple[QWidget, Callable[[], QWidget]]] = {}
        self._made: dict[str, QWidget] = {}
        self.on_made: list[Callable[[str, QWidget], None]] = []  # (name, page) once a page is made
        tabs.currentChanged.connect(self._on_current)

    def add(self, name: str, title: str, factory: Callable[[], QWidget], icon: str = "") -> None:
        """``icon``: its meaning in gui/icons.py, drawn in the sidebar (gui/sidebar.py)."""
        placeholder = QWidget()
        placeholder.setObjectName(f"{name}Placeholder")
        placeholder.setProperty(NAV_ICON, icon)
        placeholder.setProperty(NAV_NAME, name)
        self.tabs.addTab(placeholder, title)
        self._waiting[name] = (placeholder, factory)

    def made(self, name: str) -> QWidget | None:
        """The page if it has been made, else None (never makes it)."""
        return self._made.get(name)

    def made_pages(self) -> dict[str, QWidget]:
        return dict(self._made)

    def page(self, name: str) -> QWidget:
        """The page, made now if need be."""
        if name in self._made:
            return self._made[name]
        placeholder, factory = self._waiting.pop(name)
        page = factory()
        self._made[name] = page
        for key in (NAV_ICON, NAV_NAME):
            page.setProperty(key, placeholder.property(key))
        index = self.tabs.indexOf(placeholder)
        current = self.tabs.currentIndex()
        title = self.tabs.tabText(index)
        # The swap would report two current-tab changes that are not the user's.
        blocker = QSignalBlocker(self.tabs)
        self.tabs.removeTab(index)
        self.tabs.insertTab(index, page, title)
        self.tabs.setCurrentIndex(current)
        del blocker
        placeholder.deleteLater()
        for hook in self.on_made:
            hook(name, page)
        freeze_new_long_lived()  # the page lives as long as the window
        return page

    def _on_current(self, index: int) -> None:
        shown = self.tabs.widget(index)
        for name, (placeholder, _factory) in list(self._waiting.items()):
            if placeholder is shown:
                self.page(name)
                return
