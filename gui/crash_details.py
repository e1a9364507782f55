"""The Details behind a crash banner: the engine's last log lines, in a dialog the user can copy
from. The banner itself says one sentence; llama.cpp's log lines only help someone digging in."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox, QWidget


def show_details(parent: QWidget, sentence: str, details: str) -> QMessageBox:
    """Open (not exec: the window keeps running) a dialog with ``sentence``, ``details`` under
    its Show Details button."""
    title = QCoreApplication.translate("CrashDetails", "Engine details")
    box = QMessageBox(QMessageBox.Icon.Warning, title, sentence, QMessageBox.StandardButton.Close, parent)
    box.setObjectName("engineDetails")
    box.setDetailedText(details)
    box.open()
    return box
