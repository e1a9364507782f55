"""The conversation as the user sees it: rendered messages, and the answer growing as it streams.

Finished messages are Markdown rendered to HTML (gui/message_html.py, cached per message). While an
answer streams, its text is inserted as plain text at the end of the document (no re-layout of
earlier messages, no Markdown parse per piece); when it ends, only that message's part of the
document is replaced by its rendered form. The view follows the end only while the user has not
scrolled up to read.

Signals: action(str, int)  a message link was clicked: ("copy"|"edit"|"regen"|"continue"|"prev"|
"next"|"think", message id); code Copy links are handled here.
         sourceClicked(QUrl)  a source under an answer (a file: URL, maybe with #page=N) was clicked
"""

from __future__ import annotations

import html

from typing import Any

from PySide6.QtCore import QTimer, QUrl, Signal
from PySide6.QtGui import QColor, QGuiApplication, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import QTextBrowser, QWidget

from hearthlm.core.chat.reasoning import MARKERS, split_reasoning

from . import icons, theme
from .message_html import MessageView, Rendered, answer_text, header_html, message_html

PROBE_CHARS = 32  # an answer that starts with none of the reasoning markers within this is an answer
ACTIONS = ("copy", "edit", "regen", "continue", "prev", "next", "think")


class ChatView(QTextBrowser):
    action = Signal(str, int)
    sourceClicked = Signal(QUrl)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("chatView")
        self.setAccessibleName(self.tr("Conversation"))
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.document().setDocumentMargin(12)
        self.anchorClicked.connect(self._clicked)
        self._welcome = False
        self._cache: dict[tuple, Rendered] = {}
        self._messages: dict[int, MessageView] = {}
        self._code: dict[int, list[str]] = {}
        self._answer_start = -1  # where the streaming answer's text begins in the document
        self._answer_id: int | None = None
        self._streamed = ""
        self._mode = "answer"
        self._scroll_later = QTimer(self)
        self._scroll_later.setSingleShot(True)
        self._scroll_later.setInterval(0)
        self._scroll_later.timeout.connect(self._scroll_now)
        self.zoom_steps = 0  # Ctrl+= / Ctrl+-: points above (below) the application's font size

    def zoom(self, steps: int) -> None:
        """Grow or shrink the conversation's text by ``steps`` points (kept within -4 .. +16)."""
        steps = max(-4 - self.zoom_steps, min(16 - self.zoom_steps, steps))
        if steps > 0:
            self.zoomIn(steps)
        elif steps < 0:
            self.zoomOut(-steps)
        self.zoom_steps += steps

    # -- whole conversation ------------------------------------------------------------------

    def show_welcome(self) -> None:
        """A hint in the empty view; the first message replaces it."""
        self._messages.clear()
        self.setHtml(f'<div style="color:{theme.colors().muted}; margin-top:40px" align="center"><p style="font-size:large">'
                     + html.escape(self.tr("Ask the model anything.")) + "</p><p>"
                     + html.escape(self.tr("It runs on this computer: nothing you type leaves it.")) + "</p></div>")
        self._welcome = True

    def _render(self, m: MessageView) -> Rendered:
        key = (theme.colors().name, m.id, m.content, m.state, repr(m.stats), m.sibling_index, m.sibling_count, m.last, m.reasoning_open)
        rendered = self._cache.get(key)
        if rendered is None:
            rendered = self._cache[key] = message_html(m)
            if len(self._cache) > 2000:
                self._cache.clear()
        self._code[m.id] = rendered.code
        return rendered

    def show_messages(self, messages: list[MessageView], keep_scroll: bool = False) -> None:
        """Show a conversation's active branch (replacing whatever was shown)."""
        if not messages:
            self.show_welcome()
            return
        bar = self.verticalScrollBar()
        at, follow = bar.value(), self._at_bottom() or not keep_scroll
        self._welcome = False
        self._answer_start, self._answer_id = -1, None
        self._messages = {m.id: m for m in messages}
        self.setHtml("".join(self._render(m).html for m in messages))
        if follow:
            self._scroll_to_end()
        else:
            bar.setValue(at)

    def message(self, message_id: int) -> MessageView | None:
        return self._messages.get(message_id)

    def code_blocks(self, message_id: int) -> list[str]:
        return list(self._code.get(message_id, []))

    # -- appending ---------------------------------------------------------------------------

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
            self._scroll_to_end()

    def _scroll_to_end(self) -> None:
        self._scroll_now()
        # Inserted HTML is laid out lazily: scroll again once the new height is known (a timer owned
        # by the view, so nothing fires after it is gone; one pending scroll at a time).
        self._scroll_later.start()

    def _scroll_now(self) -> None:
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())

    def add_message(self, m: MessageView) -> None:
        self._messages[m.id] = m
        self._append_html(self._render(m).html)

    def begin_answer(self, message_id: int, text: str = "") -> None:
        """Open a streaming answer (``text``: what it already holds, when continuing one)."""
        self._append_html(header_html("assistant"))
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertBlock()
        self._answer_start = cursor.position()
        self._answer_id = message_id
        self._streamed = ""
        self._mode = "probe"  # probe -> thinking -> answer, or probe -> answer
        if text:
            self.append_answer(text)

    def append_answer(self, text: str) -> None:
        """Add streamed text. Reasoning is not streamed into the document: while the model thinks
        the view says so on one line; the answer after it streams as plain text."""
        follow = self._at_bottom()
        self._streamed += text
        if self._mode == "probe":
            head = self._streamed.lstrip()
            if any(head.startswith(o) for o, _c in MARKERS):
                self._mode = "thinking"
                self._insert_plain(self.tr("Thinking…"), italic=True)
            elif len(head) >= PROBE_CHARS or not any(o.startswith(head) for o, _c in MARKERS):
                self._mode = "answer"
                self._insert_plain(self._streamed)
        elif self._mode == "thinking":
            if not split_reasoning(self._streamed).open:
                self._mode = "answer"
                ends = [i + len(c) for _o, c in MARKERS if (i := self._streamed.find(c)) >= 0]
                self._insert_plain("\n" + self._streamed[min(ends):].lstrip() if ends else "")
        else:
            self._insert_plain(text)
        if follow:
            self._scroll_to_end()

    def _insert_plain(self, text: str, italic: bool = False) -> None:
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        if italic:
            fmt = QTextCharFormat()
            fmt.setFontItalic(True)
            fmt.setForeground(QColor(theme.colors().muted))
            cursor.insertText(text, fmt)
            cursor.setCharFormat(QTextCharFormat())
        else:
            cursor.insertText(text, QTextCharFormat())

    def replace_answer(self, m: MessageView) -> None:
        """The streamed answer is whole: replace its plain text (and header) by its rendered form."""
        if self._answer_start < 0:
            self.add_message(m)
            return
        follow = self._at_bottom()
        self._messages[m.id] = m
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._answer_start)
        cursor.movePosition(QTextCursor.MoveOperation.PreviousBlock)  # the header paragraph too
        cursor.movePosition(QTextCursor.MoveOperation.StartOfBlock)
        cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()
        cursor.insertHtml(self._render(m).html)
        self._answer_start, self._answer_id = -1, None
        if follow:
            self._scroll_to_end()

    def add_notice(self, text: str) -> None:
        self._append_html(f'<p style="color:{theme.colors().warn}"><i>{html.escape(text)}</i></p>')

    # -- theme and zoom ----------------------------------------------------------------------

    def loadResource(self, kind: int, resource: QUrl | str) -> Any:
        """The icons of the message links (``icon:<theme>/<name>``), drawn in the link colour."""
        url = resource if isinstance(resource, QUrl) else QUrl(resource)  # Qt passes a QUrl; PySide also takes a str
        if kind == QTextDocument.ResourceType.ImageResource.value and url.scheme() == "icon":
            _theme, _, name = url.path().partition("/")
            return icons.pixmap(name, 24, theme.colors().link)
        return super().loadResource(kind, url)

    def theme_changed(self) -> None:
        """Render what is shown again in the new colours (an answer streaming now is left as is:
        its end renders the whole message anyway)."""
        if self._answer_start >= 0:
            return
        if self._welcome:
            self.show_welcome()
        elif self._messages:
            self.show_messages(list(self._messages.values()), keep_scroll=True)

    # -- links -------------------------------------------------------------------------------

    def _clicked(self, url: QUrl) -> None:
        if url.scheme() == "file":  # only sources are file links (the model's links are not links)
            self.sourceClicked.emit(url)
            return
        kind, _, rest = url.toString().partition(":")
        try:
            if kind == "copycode":
                mid, _, index = rest.partition(":")
                self.copy_code(int(mid), int(index))
            elif kind in ACTIONS:
                if kind == "copy":
                    self.copy_message(int(rest))
                self.action.emit(kind, int(rest))
        except ValueError:
            pass  # not one of ours

    def copy_code(self, message_id: int, index: int) -> None:
        blocks = self._code.get(message_id, [])
        if 0 <= index < len(blocks):
            QGuiApplication.clipboard().setText(blocks[index])

    def copy_message(self, message_id: int) -> None:
        m = self._messages.get(message_id)
        if m is not None:
            QGuiApplication.clipboard().setText(answer_text(m.content) if m.role == "assistant" else m.content)
