"""Desktop notifications for long jobs that end while the window is in the background (a download,
a quantization, an indexing run): QSystemTrayIcon.showMessage where the desktop has a tray (the
notification service on Linux, the notification centre on Windows and macOS); nothing where it has
none. UI thread only."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication, QSystemTrayIcon, QWidget


class Notifier(QObject):
    def __init__(self, window: QWidget):
        super().__init__(window)
        self.window = window
        self.tray: QSystemTrayIcon | None = None
        self.sent: list[tuple[str, str, bool]] = []  # (title, text, shown by the desktop) for each notice

    def in_background(self) -> bool:
        return not self.window.isActiveWindow() or self.window.isMinimized() or not self.window.isVisible()

    def notify(self, title: str, text: str) -> bool:
        """Tell the user, if the window is in the background; True if the desktop showed it."""
        if not self.in_background():
            return False
        shown = False
        if QSystemTrayIcon.isSystemTrayAvailable() and QSystemTrayIcon.supportsMessages():
            if self.tray is None:
                self.tray = QSystemTrayIcon(QApplication.windowIcon(), self)
                self.tray.setToolTip(self.tr("Hearth"))
                self.tray.messageClicked.connect(self._raise)
            self.tray.show()
            self.tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, 8000)
            shown = True
        self.sent.append((title, text, shown))
        return shown

    def _raise(self) -> None:
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()
