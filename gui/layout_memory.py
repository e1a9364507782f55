"""The window's layout, kept between runs: geometry and state, the last page, and on every page the
splitter sizes, the column widths and the sort order of its lists and tables (QSettings, an INI
file beside settings.json).

Widgets are found by their place: a key is the chain of object names (or class name and position
among same-class siblings) from the page down, so no page has to register its splitters or tables.
A page made later (gui/lazy_tabs.py) is restored when it is made; a page never opened keeps what was
saved for it. UI thread only.
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QHeaderView, QMainWindow, QSplitter, QTableView, QTreeView, QWidget

from hearthlm.core import paths

VERSION = 1  # a saved layout of another version is ignored
WIDTHS_KEPT = "hearthWidthsKept"  # a view whose column widths were restored: not fitted to contents
W = TypeVar("W", bound=QWidget)


def fit_columns(view: QTreeView, first: int = 1) -> None:
    """Columns from ``first`` on fitted to their contents (plus a margin), unless the widths the user
    left at the last close were restored for this view."""
    if view.property(WIDTHS_KEPT):
        return
    for col in range(first, view.model().columnCount()):
        view.resizeColumnToContents(col)
        view.setColumnWidth(col, view.columnWidth(col) + 12)


def layout_path() -> str:
    return str(paths.config_dir() / "layout.ini")


def keyed(page: QWidget, kind: type[W]) -> list[tuple[str, W]]:
    """The page's widgets of a kind, each with a key: its object name, else the kind and its place
    among them (findChildren's order is the order they were made in). Only lists of one kind are
    asked for: walking all widgets would wrap Qt's own children too, which PySide can leave stale."""
    out: list[tuple[str, W]] = []
    for index, widget in enumerate(page.findChildren(kind)):
        out.append((widget.objectName() or f"{kind.__name__}{index}", widget))
    return out


class LayoutMemory:
    def __init__(self, path: str | None = None):
        self.store = QSettings(path or layout_path(), QSettings.Format.IniFormat)
        if self.store.value("version") not in (VERSION, str(VERSION)):
            self.store.clear()
            self.store.setValue("version", VERSION)

    def _bytes(self, key: str) -> QByteArray | None:
        value = self.store.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    # -- the window ---------------------------------------------------------------------------

    def restore_window(self, window: QMainWindow) -> None:
        if (geometry := self._bytes("window/geometry")) is not None:
            window.restoreGeometry(geometry)
        if (state := self._bytes("window/state")) is not None:
            window.restoreState(state)

    def save_window(self, window: QMainWindow) -> None:
        self.store.setValue("window/geometry", window.saveGeometry())
        self.store.setValue("window/state", window.saveState())

    def last_page(self) -> str:
        return str(self.store.value("window/page", "") or "")

    def save_page(self, name: str) -> None:
        self.store.setValue("window/page", name)

    # -- a page's splitters and headers --------------------------------------------------------

    @staticmethod
    def _headers(page: QWidget) -> list[tuple[str, QTreeView | QTableView, QHeaderView]]:
        """The column headers of the page's lists and tables, reached through their views."""
        out: list[tuple[str, QTreeView | QTableView, QHeaderView]] = []
        for key, tree in keyed(page, QTreeView):
            out.append((key, tree, tree.header()))
        for key, table in keyed(page, QTableView):
            out.append((key, table, table.horizontalHeader()))
        return out

    def restore(self, name: str, page: QWidget) -> None:
        for key, splitter in keyed(page, QSplitter):
            if (state := self._bytes(f"pages/{name}/{key}")) is not None:
                splitter.restoreState(state)
        for key, view, header in self._headers(page):
            if (state := self._bytes(f"pages/{name}/{key}/header")) is not None:
                header.restoreState(state)
                view.setProperty(WIDTHS_KEPT, True)
                # the saved sort indicator, applied to the rows too
                if view.isSortingEnabled():
                    view.sortByColumn(header.sortIndicatorSection(), header.sortIndicatorOrder())

    def save(self, name: str, page: QWidget) -> None:
        for key, splitter in keyed(page, QSplitter):
            self.store.setValue(f"pages/{name}/{key}", splitter.saveState())
        for key, _view, header in self._headers(page):
            self.store.setValue(f"pages/{name}/{key}/header", header.saveState())

    def value(self, key: str, default: object = None) -> object:
        return self.store.value(key, default)

    def int_value(self, key: str, default: int = 0) -> int:
        try:
            return int(str(self.store.value(key, default)))
        except ValueError:
            return default

    def set_value(self, key: str, value: object) -> None:
        self.store.setValue(key, value)

    def sync(self) -> None:
        self.store.sync()
