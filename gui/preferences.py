"""The application's preferences (not one conversation's): the colour theme, applied at once, the
language of the window (from the next start: every label is made in it once), and whether an opened
conversation is prepared in the engine while the user types.

Signals: themeChosen(str)  "system", "light" or "dark", already saved in the settings file.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QWidget

from hearthlm.core.errors import HearthError
from hearthlm.core.settings import Settings, save_setting

from . import theme
from .messages import tr_msg
from .i18n import LANGUAGE_NAMES, pick_language, ui_language
from .theme import THEMES

# Said in the language chosen, which the window does not speak yet.
NEXT_START = {"en": "English from the next time Hearth starts.", "zh_CN": "下次启动 Hearth 时改用简体中文。"}


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
        self.language_box = QComboBox()
        self.language_box.setObjectName("languageChoice")
        # Each language by its own name, so that a user who cannot read the current one finds theirs.
        self.language_box.addItem(self.tr("System ({language})").format(language=LANGUAGE_NAMES[pick_language()]), "")
        for code, name in LANGUAGE_NAMES.items():
            self.language_box.addItem(name, code)
        self.language_box.setCurrentIndex(max(0, self.language_box.findData(settings.language)))
        language_label = QLabel(self.tr("&Language:"))
        language_label.setBuddy(self.language_box)
        form.addRow(language_label, self.language_box)
        self.language_note = QLabel()
        self.language_note.setObjectName("hint")
        self.language_note.setWordWrap(True)
        theme.style(self.language_note)
        self.language_note.setVisible(False)
        form.addRow(self.language_note)
        self.prepare_box = QCheckBox(self.tr("&Prepare a conversation when it opens"))
        self.prepare_box.setObjectName("prepareConversations")
        self.prepare_box.setToolTip(self.tr(
            "Read the conversation's history into the model while you type, so that the answer to your "
            "next question starts at once. Uses the processor for a few seconds after a conversation "
            "opens or a model loads."))
        self.prepare_box.setChecked(settings.prepare_conversations)
        form.addRow(self.prepare_box)
        self.save_note = QLabel()  # a choice that could not be saved says why
        self.save_note.setObjectName("errorNote")
        self.save_note.setWordWrap(True)
        theme.style(self.save_note)
        self.save_note.setVisible(False)
        form.addRow(self.save_note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.theme_box.currentIndexChanged.connect(self._theme_changed)
        self.language_box.currentIndexChanged.connect(self._language_changed)
        self.prepare_box.toggled.connect(self._prepare_changed)

    def _theme_changed(self) -> None:
        choice = str(self.theme_box.currentData())
        self._save("theme", choice)
        self.themeChosen.emit(choice)

    def _language_changed(self) -> None:
        code = str(self.language_box.currentData())
        self._save("language", code)
        shown = pick_language(code)
        self.language_note.setText("" if shown == ui_language() else NEXT_START[shown])
        self.language_note.setVisible(bool(self.language_note.text()))

    def _prepare_changed(self, on: bool) -> None:
        self._save("prepare_conversations", bool(on))

    def _save(self, key: str, value: object) -> None:
        setattr(self.settings, key, value)  # this session follows the choice either way
        try:
            save_setting(key, value)
        except HearthError as exc:
            self.save_note.setText(tr_msg(exc.msg))
            self.save_note.setVisible(True)
