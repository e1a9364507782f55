"""The side list of stored conversations: new, search, and a context menu to rename, export, delete.

It shows what a ConversationStore holds and says what the user asked for; the chat page does the
changes. Searching uses the store's full-text search (titles and every message, any branch).

Signals:
    selected(str)          a conversation was chosen (its id)
    newRequested()
    renameRequested(str)   deleteRequested(str)   exportRequested(str, str: "md"|"json")
"""

from __future__ import annotations

import time

from PySide6.QtCore import QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QHBoxLayout, QLineEdit, QListWidget, QListWidgetItem, QMenu, QPushButton,
                               QVBoxLayout, QWidget)

from hearthlm.core.chat.store import ConversationStore

from . import icons
from .messages import error_text

ID_ROLE = Qt.ItemDataRole.UserRole


class ConversationList(QWidget):
    selected = Signal(str)
    newRequested = Signal()
    renameRequested = Signal(str)
    deleteRequested = Signal(str)
    exportRequested = Signal(str, str)

    def __init__(self, store: ConversationStore, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.new_button = QPushButton(self.tr("New chat"))
        icons.set_icon(self.new_button, "add")
        self.new_button.setObjectName("newChat")
        top.addWidget(self.new_button)
        layout.addLayout(top)
        self.search = QLineEdit()
        self.search.setAccessibleName(self.tr("Search conversations"))
        self.search.setObjectName("conversationSearch")
        self.search.setPlaceholderText(self.tr("Search conversations"))
        self.search.setClearButtonEnabled(True)
        layout.addWidget(self.search)
        self.list = QListWidget()
        self.list.setAccessibleName(self.tr("Conversations"))
        self.list.setObjectName("conversationList")
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.setWordWrap(True)
        self.list.setSpacing(2)
        layout.addWidget(self.list, 1)
        self._current: str | None = None
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(150)
        self._debounce.timeout.connect(self.refresh)
        self.new_button.clicked.connect(self.newRequested.emit)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.list.itemClicked.connect(self._clicked)
        self.list.itemActivated.connect(self._clicked)
        self.list.customContextMenuRequested.connect(self._menu)

    # -- contents ----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Fill the list: every conversation, or the ones matching the search box."""
        query = self.search.text().strip()
        self.list.blockSignals(True)
        self.list.clear()
        try:
            if query:
                seen: set[str] = set()
                for hit in self.store.search(query):
                    if hit.conversation_id in seen:
                        continue
                    seen.add(hit.conversation_id)
                    self._add(hit.conversation_id, hit.title or self.tr("Untitled"), hit.snippet)
                if not seen:
                    item = QListWidgetItem(self.tr("Nothing found"))
                    item.setFlags(Qt.ItemFlag.NoItemFlags)
                    self.list.addItem(item)
            else:
                for conv in self.store.list_conversations():
                    self._add(conv.id, conv.title or self.tr("New chat"), _when(conv.updated))
        except Exception as exc:  # a store error: say it in the list, keep the window working
            item = QListWidgetItem(error_text(exc))
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.list.addItem(item)
        self.list.blockSignals(False)
        self.mark_current(self._current)

    def _add(self, conversation_id: str, title: str, detail: str) -> None:
        item = QListWidgetItem(title)
        item.setData(ID_ROLE, conversation_id)
        item.setToolTip(f"{title}\n{detail}" if detail else title)
        self.list.addItem(item)

    def ids(self) -> list[str]:
        return [self.list.item(i).data(ID_ROLE) for i in range(self.list.count()) if self.list.item(i).data(ID_ROLE)]

    def titles(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count()) if self.list.item(i).data(ID_ROLE)]

    def mark_current(self, conversation_id: str | None) -> None:
        self._current = conversation_id
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.data(ID_ROLE) == conversation_id and conversation_id is not None:
                self.list.blockSignals(True)
                self.list.setCurrentItem(item)
                self.list.blockSignals(False)
                return
        self.list.clearSelection()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    # -- user ------------------------------------------------------------------------------

    def _clicked(self, item: QListWidgetItem) -> None:
        cid = item.data(ID_ROLE)
        if cid:
            self.selected.emit(cid)

    def _menu(self, pos: QPoint) -> None:
        item = self.list.itemAt(pos)
        cid = item.data(ID_ROLE) if item is not None else None
        if not cid:
            return
        menu = QMenu(self)
        for label, handler in ((self.tr("Rename…"), lambda: self.renameRequested.emit(cid)),
                               (self.tr("Export as Markdown…"), lambda: self.exportRequested.emit(cid, "md")),
                               (self.tr("Export as JSON…"), lambda: self.exportRequested.emit(cid, "json")),
                               (self.tr("Delete…"), lambda: self.deleteRequested.emit(cid))):
            action = QAction(label, menu)
            action.triggered.connect(handler)
            menu.addAction(action)
        menu.exec(self.list.viewport().mapToGlobal(pos))


def _when(timestamp: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(timestamp))
