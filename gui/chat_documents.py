"""The chat's Documents button: attach document collections to the open conversation.

A menu of checkable collections (read from the document store when it opens: a quick SQLite read
that never waits for an ingestion; while the store itself is still opening the menu says so) and
the "Answering from: …" line shown above the prompt.

Signals: collectionsChosen(list)  the collections now checked, in the store's order
"""

from __future__ import annotations

from typing import Any
from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QMenu, QSizePolicy, QToolButton, QWidget

from .messages import error_text

COLLECTIONS_KEY = "collections"  # in a conversation's settings: the names of its collections


class DocumentsButton(QToolButton):
    collectionsChosen = Signal(list)

    def __init__(self, store: Callable[[], Any], parent: QWidget | None = None):
        """``store()``: the open document store, or None while it is opening (it must not wait)."""
        super().__init__(parent)
        self.setObjectName("documentsButton")
        self._store = store
        self._chosen: list[str] = []
        self.setText(self.tr("Documents"))
        self.setToolTip(self.tr("Answer from document collections (indexed on the Documents page)"))
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)  # as wide as Send
        self.menu_ = QMenu(self)
        self.menu_.aboutToShow.connect(self.fill_menu)
        self.setMenu(self.menu_)

    def set_chosen(self, names: list[str]) -> None:
        self._chosen = list(names)
        self.setText(self.tr("Documents ({n})").format(n=len(names)) if names else self.tr("Documents"))

    def fill_menu(self) -> None:
        """The collections, each checkable; attached ones that no longer exist stay listed (checked)
        so they can be detached."""
        self.menu_.clear()
        try:
            store = self._store()
            if store is None:
                self.menu_.addAction(self.tr("Waiting for the document store…")).setEnabled(False)
            names = [c.name for c in store.list_collections()] if store is not None else []
        except Exception as exc:  # an unreadable store: say it in the menu
            self.menu_.addAction(error_text(exc)).setEnabled(False)
            names = []
        names += [n for n in self._chosen if n not in names]
        if not names:
            self.menu_.addAction(self.tr("No collections yet: add documents on the Documents page.")).setEnabled(False)
        for name in names:
            action = self.menu_.addAction(name)
            action.setCheckable(True)
            action.setChecked(name in self._chosen)
            action.toggled.connect(lambda on, n=name: self._toggled(n, on))
        if self._chosen:
            self.menu_.addSeparator()
            self.menu_.addAction(self.tr("Detach all")).triggered.connect(lambda: self._emit([]))

    def _toggled(self, name: str, on: bool) -> None:
        chosen = [n for n in self._chosen if n != name] + ([name] if on else [])
        self._emit(chosen)

    def _emit(self, names: list[str]) -> None:
        self.set_chosen(names)
        self.collectionsChosen.emit(list(names))


class AnsweringFromLabel(QLabel):
    """'Answering from: Manuals, 笔记' — hidden while the conversation has no collections."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("answeringFrom")
        self.setWordWrap(True)
        self.setStyleSheet("QLabel#answeringFrom { color: #1f5c3a; }")
        self.setVisible(False)

    def show_collections(self, names: list[str]) -> None:
        self.setText(self.tr("Answering from: {names}").format(names=", ".join(names)))
        self.setVisible(bool(names))
