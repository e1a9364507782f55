"""The prompt inspector: the exact prompt the engine will evaluate for the open conversation (and
the draft, if any) — template rendered, special tokens highlighted, the system prompt, the
documents' excerpts, the history after the context policy — with its token count, and the part
the KV cache already holds underlined (why a follow-up turn is fast).

The session asks the engine (ChatSession.inspect); the result arrives on the UI thread.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QCheckBox, QDialog, QHBoxLayout, QLabel, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from .token_html import CACHED_BORDER, SPECIAL, pieces_html


class PromptInspector(QDialog):
    @classmethod
    def open_for(cls, page: Any) -> PromptInspector:
        """Shown beside the chat page (not modal), for its open conversation and its draft."""
        dialog = cls(page.session, page.prompt.toPlainText().strip(), page)
        dialog.setModal(False)
        dialog.show()
        dialog.refresh()
        return dialog

    def __init__(self, session: Any, draft: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("promptInspector")
        self.setWindowTitle(self.tr("Prompt inspector"))
        self.resize(900, 640)
        self.session, self.draft = session, draft
        self.shown: dict[str, Any] | None = None
        layout = QVBoxLayout(self)
        self.summary = QLabel()
        self.summary.setObjectName("promptSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        legend = QLabel(self.tr('<span style="color:{special}; font-weight:bold">Special tokens</span> · '
                                '<u style="color:{cached}">already in the KV cache</u> (not evaluated again) · '
                                'the rest is evaluated before the answer').format(special=SPECIAL, cached=CACHED_BORDER))
        layout.addWidget(legend)
        self.view = QTextBrowser()
        self.view.setObjectName("promptView")
        layout.addWidget(self.view, 1)
        row = QHBoxLayout()
        self.show_ids = QCheckBox(self.tr("Show token ids"))
        self.refresh_button = QPushButton(self.tr("Refresh"))
        row.addWidget(self.show_ids)
        row.addStretch(1)
        row.addWidget(self.refresh_button)
        layout.addLayout(row)
        self.show_ids.toggled.connect(lambda _on: self._show())
        self.refresh_button.clicked.connect(self.refresh)
        session.inspected.connect(self._inspected)

    def refresh(self) -> None:
        self.summary.setText(self.tr("Rendering the prompt…"))
        if not self.session.inspect(self.draft):
            self.summary.setText(self.tr("Load a model to see the prompt it would get."))

    def _inspected(self, shown: dict[str, Any] | None) -> None:
        self.shown = shown
        self._show()

    def _show(self) -> None:
        shown = self.shown
        if shown is None:
            self.summary.setText(self.tr("The engine could not show the prompt."))
            return
        cached = int(shown["cached"])
        text = self.tr("{tokens} tokens in a context of {n_ctx}: {cached} already in the KV cache, {todo} to "
                       "evaluate.").format(tokens=shown["tokens"], n_ctx=shown["n_ctx"], cached=cached,
                                           todo=shown["tokens"] - cached)
        if shown.get("trimmed"):
            text += " " + self.tr("{count} older messages are left out to fit the context.").format(count=shown["trimmed"])
        self.summary.setText(text)
        self.view.setHtml(f'<div style="font-size:13px">{pieces_html(shown["pieces"], self.show_ids.isChecked(), cached)}</div>')

    def done(self, code: int) -> None:
        try:
            self.session.inspected.disconnect(self._inspected)
        except (ValueError, RuntimeError):
            pass
        super().done(code)
