"""The chat page's questions about one stored conversation: its new title, whether to delete it,
where to export it. Each returns the answer (None: cancelled); the page acts on it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QWidget

from hearthlm.core.chat.store import ConversationStore


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
