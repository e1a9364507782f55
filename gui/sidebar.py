"""The window's navigation: a sidebar of pages, each an icon and a label.

``NavPages`` is the QTabWidget that holds the pages (its own tab bar hidden); any page added to it
(``add_page``, or LazyTabs) shows in the ``Sidebar`` beside it, in the same order, with the icon
named by the page's ``hearthNavIcon`` property (gui/icons.py). Pages from other areas only call
``add_page`` (or ``LazyTabs.add(..., icon=...)``): the sidebar follows. UI thread only.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QListWidgetItem, QTabWidget, QWidget

from . import icons, theme

NAV_ICON = "hearthNavIcon"
NAV_NAME = "hearthNavName"
ICON_ROLE = Qt.ItemDataRole.UserRole


class NavPages(QTabWidget):
    """The pages; their tabs are drawn by a Sidebar instead of a tab bar."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("pages")
        self.setDocumentMode(True)
        self.tabBar().setVisible(False)
        # The hidden tab bar is the tab widget's focus proxy: Tab would stop at it for ever.
        self.tabBar().setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setFocusProxy(None)  # type: ignore[arg-type]  # Qt takes nullptr (no proxy); the stub omits None
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.sidebar = Sidebar(self)

    def add_page(self, widget: QWidget, name: str, icon: str, label: str) -> int:
        widget.setProperty(NAV_ICON, icon)
        widget.setProperty(NAV_NAME, name)
        return self.addTab(widget, label)

    def name_of(self, index: int) -> str:
        widget = self.widget(index)
        return str(widget.property(NAV_NAME) or "") if widget is not None else ""

    def index_of_name(self, name: str) -> int:
        for i in range(self.count()):
            if self.name_of(i) == name:
                return i
        return -1

    def tabInserted(self, index: int) -> None:
        super().tabInserted(index)
        self.sidebar.sync_soon()

    def tabRemoved(self, index: int) -> None:
        super().tabRemoved(index)
        self.sidebar.sync_soon()


class Sidebar(QListWidget):
    """One row per page of a NavPages: choosing a row shows the page."""

    def __init__(self, pages: NavPages):
        super().__init__()
        self.pages = pages
        self.setObjectName("sidebar")
        theme.style(self)
        self.setAccessibleName(self.tr("Pages"))
        self.setIconSize(QSize(20, 20))
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSpacing(2)
        self.setFixedWidth(150)
        self._timer = QTimer(self, singleShot=True, interval=0)
        self._timer.timeout.connect(self.sync)
        self.currentRowChanged.connect(self._chosen)
        pages.currentChanged.connect(self._follow)

    def sync_soon(self) -> None:
        """After pages are added, removed or swapped (LazyTabs swaps with signals blocked)."""
        self.sync()
        self._timer.start()

    def sync(self) -> None:
        self.blockSignals(True)
        try:
            while self.count() > self.pages.count():
                self.takeItem(self.count() - 1)
            for i in range(self.pages.count()):
                item = self.item(i)
                if item is None:
                    item = QListWidgetItem()
                    self.addItem(item)
                text = self.pages.tabText(i)
                widget = self.pages.widget(i)
                name = str(widget.property(NAV_ICON) or "") if widget is not None else ""
                if item.text() != text:
                    item.setText(text)
                if item.data(ICON_ROLE) != name:  # the icon drawn: a swap redraws nothing
                    item.setData(ICON_ROLE, name)
                    item.setIcon(icons.icon(name) if name else icons.icon("add"))
                item.setToolTip(text)
                item.setSizeHint(QSize(0, 34))  # one height, whatever the style's padding
            self.setCurrentRow(self.pages.currentIndex())
        finally:
            self.blockSignals(False)

    def refresh_icons(self) -> None:
        for i in range(self.count()):
            item = self.item(i)
            name = item.data(ICON_ROLE)
            if name:
                item.setIcon(icons.icon(str(name)))

    def _chosen(self, row: int) -> None:
        if 0 <= row < self.pages.count() and row != self.pages.currentIndex():
            self.pages.setCurrentIndex(row)

    def _follow(self, index: int) -> None:
        if self.currentRow() != index:
            self.blockSignals(True)
            self.setCurrentRow(index)
            self.blockSignals(False)
