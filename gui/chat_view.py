"""The conversation as the user sees it: messages, and the answer growing as it streams.

Streaming text is inserted at the end of the document (no re-layout of earlier messages), and
the view follows the end only while the user has not scrolled up to read.
"""

from __future__ import annotations

import html

from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QTextBrowser, QWidget


class ChatView(QTextBrowser):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("chatView")
        self.setOpenLinks(False)
        self.document().setDocumentMargin(12)
        self._answer_open = False
        self._welcome = False

    def show_welcome(self) -> None:
        """A hint in the empty view; the first message replaces it."""
        self.setHtml('<div style="color:#888; margin-top:40px" align="center"><p style="font-size:large">'
                     + html.escape(self.tr("Ask the model anything.")) + "</p><p>"
                     + html.escape(self.tr("It runs on this computer: nothing you type leaves it.")) + "</p></div>")
        self._welcome = True

    def _role_label(self, role: str) -> str:
        return {"user": self.tr("You"), "assistant": self.tr("Assistant"),
                "system": self.tr("System")}.get(role, role)

    def _at_bottom(self) -> bool:
        bar = self.verticalScrollBar()
        return bar.value() >= bar.maximum() - 4

    def _append_html(self, markup: str) -> None:
        if self._welcome:
            self.clear()
            self._welcome = False
        follow = self._at_bottom()
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        if not cursor.block().text() == "":
            cursor.insertBlock()  # start a new paragraph; inserted HTML would join the last one
        cursor.insertHtml(markup)
        if follow:
            self.verticalScrollBar().setValue(self.verticalScrollBar().maximum())

    def _header(self, role: str) -> str:
        color = "#2f6feb" if role == "user" else "#b4532a"
        return f'<p style="margin-top:14px"><b style="color:{color}">{html.escape(self._role_label(role))}</b></p>'

    def add_message(self, role: str, text: str) -> None:
        body = html.escape(text).replace("\n", "<br>")
        self._append_html(self._header(role) + f"<p>{body}</p>")

    def begin_answer(self) -> None:
        self._append_html(self._header("assistant") + "<p></p>")
        self._answer_open = True

    def append_answer(self, text: str) -> None:
        follow = self._at_bottom()
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(text)
        if follow:
            self.verticalScrollBar().setValue(self.verticalScrollBar().maximum())

    def end_answer(self, footer: str) -> None:
        self._answer_open = False
        if footer:
            self._append_html(f'<p style="color:#777; font-size:small; margin-bottom:12px">{html.escape(footer)}</p>')

    def add_notice(self, text: str) -> None:
        self._append_html(f'<p style="color:#a15c00"><i>{html.escape(text)}</i></p>')
