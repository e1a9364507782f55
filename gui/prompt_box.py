"""The prompt box: Enter sends, Shift+Enter starts a new line.

Signals: submitted()
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QPlainTextEdit, QWidget


class PromptBox(QPlainTextEdit):
    submitted = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("promptBox")
        self.setAccessibleName(self.tr("Message to the model"))
        self.setPlaceholderText(self.tr("Ask anything… (Enter sends, Shift+Enter for a new line)"))
        self.setTabChangesFocus(True)
        self.setMaximumHeight(96)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                self.insertPlainText("\n")
            else:
                self.submitted.emit()
            return
        super().keyPressEvent(event)

    def take_text(self) -> str:
        text = self.toPlainText().strip()
        if text:
            self.clear()
        return text
