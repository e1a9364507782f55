"""The main window: one page per area in tabs down the left side; the chat page first.

The chat page (gui/chat_page.py) is the view of a chat session (core/chat/session.py), which holds
the conversation and the engine: other pages and the tests reach them as ``window.chat.<part>``
and ``window.chat.session``.
"""

from __future__ import annotations

import gc
from typing import Any

from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QTabWidget

from hearthlm.core.settings import Settings, load_settings, take_settings_notice

from .chat_page import ChatPage
from .docs_page import DocsPage
from .messages import tr_msg
from .models_page import ModelsPage
from .monitor_page import MonitorPage
from .quantize_page import QuantizePage


class MainWindow(QMainWindow):
    def __init__(self, settings: Settings | None = None, model: str | None = None):
        super().__init__()
        self.settings = settings or load_settings()
        self.setWindowTitle(self.tr("Hearth"))
        self.resize(1180, 760)
        self._build()
        self._show_settings_notice()
        self.chat.start(model)
        # Python's full garbage collection walks every object (~50,000 by now: Qt wrappers, jinja2,
        # markdown-it, pygments): ~40 ms here, more on a busy machine, and it strikes at random while
        # an answer streams. Objects that live as long as the window are moved out of its reach.
        gc.freeze()

    # -- layout --------------------------------------------------------------------------

    def _build(self) -> None:
        self.statusBar().showMessage(self.tr("No model loaded"))
        self.chat = ChatPage(self.settings, self.statusBar().showMessage)
        # One page per area (chat, models, quantize, documents, monitor) in tabs down the left side.
        self.pages = QTabWidget()
        self.pages.setObjectName("pages")
        self.pages.setTabPosition(QTabWidget.TabPosition.West)
        self.pages.setDocumentMode(True)
        self.chat_page = self.chat
        self.pages.addTab(self.chat, self.tr("Chat"))
        self._add_pages()
        self.setCentralWidget(self.pages)

    def _show_settings_notice(self) -> None:
        """A damaged settings file was set aside at load (core/settings.py): say so once, in a part of
        the status bar that model messages do not replace."""
        note = take_settings_notice()
        if note is None:
            return
        self.settings_notice = QLabel(tr_msg(note))
        self.settings_notice.setObjectName("settingsNotice")
        self.settings_notice.setWordWrap(True)
        self.statusBar().addPermanentWidget(self.settings_notice, 1)

    def _add_pages(self) -> None:
        """The other areas' pages, each a widget of its own module (one line each)."""
        self.models_page = ModelsPage(self)
        self.models_page.useInChat.connect(self.use_model)
        self.pages.addTab(self.models_page, self.tr("Models"))
        self.pages.addTab(QuantizePage(self), self.tr("Quantize"))
        self.docs_page = DocsPage(self)
        # one document store and one question-embedding child process per window
        self.chat.docs.share(lambda: self.docs_page.store, embed=self.docs_page.embed_service.embed,
                                 ready=lambda: self.docs_page.ready_store)
        self.pages.addTab(self.docs_page, self.tr("Documents"))
        self.monitor_page = MonitorPage(self)
        self.pages.addTab(self.monitor_page, self.tr("Monitor"))

    # -- the chat page's actions, by their old names -------------------------------------

    @property
    def messages(self) -> list[dict[str, Any]]:
        return self.chat.session.history()

    def load_model(self, path: str) -> None:
        self.chat.load_model(path)

    def use_model(self, path: str) -> None:
        """A model chosen on another page (the library): select it in the chat and load it."""
        self.pages.setCurrentWidget(self.chat)
        if self.chat.session.busy:
            self.show_error(self.tr("Stop the answer first, then choose the model again."), restart=False)
            return
        self.chat.picker.add_model(path, select=True)
        self.chat.model_chosen(path)

    def send(self) -> None:
        self.chat.send()

    def stop(self) -> None:
        self.chat.stop()

    def show_error(self, message: str, restart: bool) -> None:
        self.chat.show_error(message, restart)

    def hide_error(self) -> None:
        self.chat.hide_error()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.chat.shutdown()
        self.docs_page.shutdown()  # its indexing, watching and embedding children end with the window
        super().closeEvent(event)
