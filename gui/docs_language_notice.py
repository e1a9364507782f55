"""The Documents page's note for a collection that holds Chinese text under an English-only
embedder: its questions reach that text only through shared words and a dictionary's word-by-word
translation. It says so once per collection (remembered in the store) and offers, in one click, to
download the recommended multilingual embedding model (Models → Recommended marks it) and embed the
collection again with it.

Not the built-in e5: with the dictionary's translations, a collection embedded with it scored below
the default on all three question sets of bench/retrieval.py (bench/RESULTS.md, session 9); it
stays a choice of the collection's embedder, not the note's offer.

Signals: multilingualRequested(str collection).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget


class LanguageNotice(QFrame):
    multilingualRequested = Signal(str)

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
        self.action.clicked.connect(self._act)
        self.dismiss.clicked.connect(self.hide)
        self.hide()

    def show_for(self, collection: str, model_size: str) -> None:
        """Say it for ``collection``; ``model_size``: the multilingual model's download, as text."""
        self.collection = collection
        self.text.setText(self.tr(
            "“{name}” holds Chinese text, but its embedding model reads English only: questions reach that "
            "text only through shared words and a dictionary's word-by-word translation. A multilingual "
            "embedding model reads both languages.").format(name=collection))
        self.action.setText(self.tr("Download it ({size}) and embed again").format(size=model_size))
        self.show()

    def _act(self) -> None:
        self.hide()
        if self.collection is not None:
            self.multilingualRequested.emit(self.collection)
