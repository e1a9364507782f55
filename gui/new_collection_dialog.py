"""The "New collection" dialog: a name, and where the collection lives — on this computer, or on
a Chroma server shared with other Hearth installations (core/docs/shared.py) — and, for one on this
computer, whether it keeps a cross-language index (gui/docs_cross_language.py; off by default: it
helps Chinese questions about Chinese documents and lowers those about English ones, and what the
collection will hold is not known yet). It only asks; the page creates the collection on a job thread (a server
is a network call)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout,
                               QWidget)


@dataclass
class NewCollection:
    name: str
    server: str | None = None  # http[s]://HOST:PORT of a Chroma server, or None: this computer
    token_env: str | None = None  # the environment variable that holds the server's token
    cross_language: bool = False  # keep a cross-language index (never for a shared collection)


class NewCollectionDialog(QDialog):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("New collection"))
        self.name = QLineEdit()
        self.cross_language = QCheckBox(self.tr(
            "Cross-language search (for Chinese documents: Chinese questions find their passages by meaning; "
            "indexing about ten times slower)"))
        self.shared = QCheckBox(self.tr("Keep it on a Chroma server, shared with other Hearth installations"))
        self.server = QLineEdit()
        self.server.setPlaceholderText("http://192.168.1.20:8000")
        self.token_env = QLineEdit()
        self.token_env.setPlaceholderText("CHROMA_TOKEN")
        hint = QLabel(self.tr("The token itself is not stored: give the name of the environment variable "
                              "that holds it (leave empty for a server without a token)."))
        hint.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("Name:"), self.name)
        form.addRow(self.cross_language)
        form.addRow(self.shared)
        form.addRow(self.tr("Server:"), self.server)
        form.addRow(self.tr("Token variable:"), self.token_env)
        form.addRow(hint)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.shared.toggled.connect(self._update)
        self.name.textChanged.connect(self._update)
        self.server.textChanged.connect(self._update)
        self._update()

    def _update(self) -> None:
        on = self.shared.isChecked()
        self.server.setEnabled(on)
        self.token_env.setEnabled(on)
        self.cross_language.setEnabled(not on)  # a shared collection lives on its server: no such index
        ok = bool(self.name.text().strip()) and (not on or bool(self.server.text().strip()))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)

    def choice(self) -> NewCollection:
        if not self.shared.isChecked():
            return NewCollection(self.name.text().strip(), cross_language=self.cross_language.isChecked())
        return NewCollection(self.name.text().strip(), self.server.text().strip(),
                             self.token_env.text().strip() or None)

    @classmethod
    def ask(cls, parent: QWidget | None = None) -> NewCollection | None:
        dialog = cls(parent)
        return dialog.choice() if dialog.exec() == QDialog.DialogCode.Accepted else None
