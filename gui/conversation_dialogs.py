"""The conversation list's rename, delete and export: the questions (the new title, whether to
delete, where to export; None: cancelled) and ``ConversationActions``, which asks them and acts
through the chat page's session; any store or disk error is one sentence in the page's banner."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QWidget

from hearthlm.core.chat.store import ConversationStore

from .messages import error_text


def ask_title(parent: QWidget, store: ConversationStore, conversation_id: str) -> str | None:
    title, ok = QInputDialog.getText(parent, QCoreApplication.translate("ChatPage", "Rename conversation"),
                                     QCoreApplication.translate("ChatPage", "Title:"),
                                     text=store.get(conversation_id).title)
    return title if ok else None


def confirm_delete(parent: QWidget, store: ConversationStore, conversation_id: str) -> bool:
    title = store.get(conversation_id).title or QCoreApplication.translate("ChatPage", "New chat")
    answer = QMessageBox.question(
        parent, QCoreApplication.translate("ChatPage", "Delete conversation"),
        QCoreApplication.translate("ChatPage", "Delete “{title}” and all its messages? This cannot be undone.")
        .format(title=title))
    return answer == QMessageBox.StandardButton.Yes


def ask_export_path(parent: QWidget, store: ConversationStore, conversation_id: str, fmt: str) -> str | None:
    title = store.get(conversation_id).title or "conversation"
    safe = "".join(ch if ch.isalnum() or ch in " -_" else "_" for ch in title).strip() or "conversation"
    filters = (QCoreApplication.translate("ChatPage", "Markdown (*.md)") if fmt == "md"
               else QCoreApplication.translate("ChatPage", "JSON (*.json)"))
    path, _ = QFileDialog.getSaveFileName(parent, QCoreApplication.translate("ChatPage", "Export conversation"),
                                          str(Path.home() / f"{safe}.{fmt}"), filters)
    return path or None


class ConversationActions:
    """What the conversation list asks of the chat page (``page``: its session, store and banner)."""

    def __init__(self, page: Any):
        self.page = page

    def rename(self, conversation_id: str, title: str) -> None:
        self.page.session.rename(conversation_id, title)

    def delete(self, conversation_id: str) -> None:
        if not self.page.session.delete(conversation_id):
            self.page._status(QCoreApplication.translate("ChatPage", "Stop the answer before deleting its conversation."))

    def export(self, conversation_id: str, fmt: str, path: str) -> None:
        text = self.page.store.export(conversation_id, fmt, tr=lambda t: QCoreApplication.translate("core", t))
        Path(path).write_text(text, encoding="utf-8")

    def ask_rename(self, conversation_id: str) -> None:
        title = ask_title(self.page, self.page.store, conversation_id)
        if title is not None:
            self._guard(lambda: self.rename(conversation_id, title))

    def ask_delete(self, conversation_id: str) -> None:
        if confirm_delete(self.page, self.page.store, conversation_id):
            self._guard(lambda: self.delete(conversation_id))

    def ask_export(self, conversation_id: str, fmt: str) -> None:
        path = ask_export_path(self.page, self.page.store, conversation_id, fmt)
        if path:
            self._guard(lambda: self.export(conversation_id, fmt, path))

    def _guard(self, action: Callable[[], None]) -> None:
        try:
            action()
        except Exception as exc:  # a store or disk error: one sentence, nothing else changes
            self.page.show_error(error_text(exc), restart=False)
