"""The tokenizer inspector: paste a text, see its tokens for one model or two side by side —
coloured pieces with their ids, byte pieces as bytes, the count and characters per token.

Tokenizing runs in the tokenizer child (core/tokens/client.py, vocabularies only, never weights)
on a job thread; the UI thread only shows results.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QFileDialog, QGridLayout, QHBoxLayout, QLabel,
                               QPlainTextEdit, QPushButton, QTextBrowser, QVBoxLayout, QWidget)

from hearthlm.core.tokens import messages as TM
from hearthlm.core.tokens.client import TokenizerProcess

from .detached_job import run_detached
from .messages import error_text, tr_msg
from .token_html import pieces_html

TYPING_DELAY_MS = 300


class TokenizerDialog(QDialog):
    """Two columns; the second model is optional ("none")."""

    @classmethod
    def open_for(cls, page: Any, models: list[tuple[str, str]] | None = None) -> TokenizerDialog:
        """Shown beside the chat page (not modal); ``models`` default to its picker's."""
        combo = page.picker.combo
        if models is None:
            models = [(combo.itemText(i), combo.itemData(i)) for i in range(combo.count()) if combo.itemData(i)]
        dialog = cls(models, page, current=page.session.model_path)
        dialog.setModal(False)
        dialog.show()
        return dialog

    def __init__(self, models: list[tuple[str, str]], parent: QWidget | None = None, current: str | None = None):
        super().__init__(parent)
        self.setObjectName("tokenizerDialog")
        self.setWindowTitle(self.tr("Tokenizer"))
        self.resize(980, 620)
        self.process = TokenizerProcess()
        self.results: list[Any] = [None, None]
        self._pending = 0
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Text")))
        self.text = QPlainTextEdit()
        self.text.setObjectName("tokenizerText")
        self.text.setPlaceholderText(self.tr("Paste or type a text to see its tokens"))
        self.text.setMaximumHeight(140)
        layout.addWidget(self.text)
        options = QHBoxLayout()
        self.show_ids = QCheckBox(self.tr("Show token ids"))
        options.addWidget(self.show_ids)
        options.addStretch(1)
        layout.addLayout(options)
        grid = QGridLayout()
        self.pickers: list[QComboBox] = []
        self.views: list[QTextBrowser] = []
        self.summaries: list[QLabel] = []
        for column in range(2):
            picker = QComboBox()
            picker.setObjectName(f"tokenizerModel{column}")
            if column == 1:
                picker.addItem(self.tr("(no second model)"), "")
            for name, path in models:
                picker.addItem(name, path)
            open_button = QPushButton(self.tr("Open GGUF…"))
            open_button.clicked.connect(lambda _c=False, p=picker: self._open_file(p))
            row = QHBoxLayout()
            row.addWidget(picker, 1)
            row.addWidget(open_button)
            grid.addLayout(row, 0, column)
            view = QTextBrowser()
            view.setObjectName(f"tokenizerView{column}")
            grid.addWidget(view, 1, column)
            summary = QLabel()
            summary.setObjectName(f"tokenizerSummary{column}")
            grid.addWidget(summary, 2, column)
            self.pickers.append(picker)
            self.views.append(view)
            self.summaries.append(summary)
            picker.currentIndexChanged.connect(lambda _i: self.refresh())
        if current:
            index = self.pickers[0].findData(current)
            if index >= 0:
                self.pickers[0].setCurrentIndex(index)
        layout.addLayout(grid, 1)
        self.timer = QTimer(self, singleShot=True, interval=TYPING_DELAY_MS)
        self.timer.timeout.connect(self.refresh)
        self.text.textChanged.connect(self.timer.start)
        self.show_ids.toggled.connect(lambda _on: self._show_all())

    def _open_file(self, picker: QComboBox) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Model"), "", self.tr("GGUF files (*.gguf)"))
        if path:
            picker.addItem(Path(path).name, path)
            picker.setCurrentIndex(picker.count() - 1)

    def refresh(self) -> None:
        """Tokenize the text with the chosen models, on a job thread."""
        text = self.text.toPlainText()
        jobs = [(i, p.currentData()) for i, p in enumerate(self.pickers) if p.currentData()]
        self.results = [None, None]
        if len(self.pickers) > 1 and not self.pickers[1].currentData():
            self.views[1].clear()
            self.summaries[1].clear()
        if not jobs:
            return
        process = self.process
        self._pending += 1
        ticket = self._pending

        def work(_emit: Any) -> list[tuple[int, Any]]:  # on a job thread
            out: list[tuple[int, Any]] = []  # (column, its Tokenized or the exception)
            for column, path in jobs:
                try:
                    out.append((column, process.tokenize(path, text)))
                except Exception as exc:
                    out.append((column, exc))
            return out

        def done(found: list[tuple[int, Any]]) -> None:
            if ticket != self._pending:
                return  # the text changed meanwhile: a newer result follows
            for column, result in found:
                self.results[column] = result
            self._show_all()

        run_detached(self, work, done, lambda exc: self.summaries[0].setText(error_text(exc)))

    def _show_all(self) -> None:
        for column, result in enumerate(self.results):
            if result is None:
                continue
            if isinstance(result, BaseException):
                self.views[column].clear()
                self.summaries[column].setText(error_text(result))
                continue
            self.views[column].setHtml(pieces_html(result.pieces, self.show_ids.isChecked()))
            self.summaries[column].setText(tr_msg(_summary(result)))

    def done(self, code: int) -> None:
        # The child ends after the request it is on (a long pasted text, a first vocabulary): it is
        # told and reaped on a job, so closing the dialog never waits for it.
        process, app = self.process, QCoreApplication.instance()
        if app is None:
            process.close()
        else:
            run_detached(app, lambda _emit: process.close(), lambda _result: None, lambda _exc: None)
        super().done(code)


def _summary(result: Any) -> Any:
    from hearthlm.core.messages import msg

    return msg(TM.TOKEN_SUMMARY, count=len(result.pieces), chars=len(result.text), ratio=result.chars_per_token)
