"""The red banner above a conversation: one sentence, and when it fits, **Details** (an engine's
last log lines, in a dialog) and **Restart engine**.

Signals:
    restartRequested()
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QPushButton, QWidget

from . import icons, theme


class ErrorBanner(QWidget):
    restartRequested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel()
        self.label.setObjectName("banner")
        theme.style(self.label)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details_button = QPushButton(self.tr("Details"))
        icons.set_icon(self.details_button, "details")
        self.details_button.setFlat(True)
        self.restart_button = QPushButton(self.tr("Restart engine"))
        icons.set_icon(self.restart_button, "restart")
        row.addWidget(self.label, 1)
        row.addWidget(self.details_button)
        row.addWidget(self.restart_button)
        self.details = ""
        self.details_button.clicked.connect(self.show_details)
        self.restart_button.clicked.connect(self.restartRequested.emit)
        self.setVisible(False)

    def show_error(self, message: str, restart: bool, details: str = "") -> None:
        self.label.setText(message)
        self.details = details
        self.details_button.setVisible(bool(details))
        self.restart_button.setVisible(restart)
        self.setVisible(True)

    def show_details(self) -> QMessageBox:
        """Open (not exec: the window keeps running) the sentence with the details under its Show
        Details button, where they can be read and copied."""
        title = QCoreApplication.translate("CrashDetails", "Engine details")
        box = QMessageBox(QMessageBox.Icon.Warning, title, self.label.text(), QMessageBox.StandardButton.Close, self)
        box.setObjectName("engineDetails")
        box.setDetailedText(self.details)
        box.open()
        return box
