"""The application's preferences (not one conversation's): the colour theme, applied at once.

Signals: themeChosen(str)  "system", "light" or "dark", already saved in the settings file.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QWidget

from hearthlm.core.settings import Settings, load_settings, save_settings

from .theme import THEMES


class PreferencesDialog(QDialog):
    themeChosen = Signal(str)

    def __init__(self, settings: Settings, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("preferences")
        self.setWindowTitle(self.tr("Preferences"))
        self.setMinimumWidth(360)
        self.settings = settings
        form = QFormLayout(self)
        self.theme_box = QComboBox()
        self.theme_box.setObjectName("themeChoice")
        labels = {"system": self.tr("System (follows the desktop)"), "light": self.tr("Light"), "dark": self.tr("Dark")}
        for name in THEMES:
            self.theme_box.addItem(labels[name], name)
        self.theme_box.setCurrentIndex(max(0, self.theme_box.findData(settings.theme)))
        theme_label = QLabel(self.tr("&Theme:"))
        theme_label.setBuddy(self.theme_box)
        form.addRow(theme_label, self.theme_box)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.theme_box.currentIndexChanged.connect(self._theme_changed)

    def _theme_changed(self) -> None:
        choice = str(self.theme_box.currentData())
        self.settings.theme = choice
        stored = load_settings()  # other keys as the file has them now (another page may have saved)
        stored.theme = choice
        save_settings(stored)
        self.themeChosen.emit(choice)
