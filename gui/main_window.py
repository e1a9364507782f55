"""The main window: one page per area in tabs down the left side; the chat page first.

The chat page (gui/chat_page.py) is the view of a chat session (core/chat/session.py), which holds
the conversation and the engine: other pages and the tests reach them as ``window.chat.<part>``
and ``window.chat.session``. The other pages are made when first shown (gui/lazy_tabs.py):
``window.models_page`` and the like make theirs on first use.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QTabWidget

from hearthlm.core.secrets import move_plain_secrets
from hearthlm.core.settings import Settings, load_settings, take_settings_notice

from .chat_page import ChatPage
from .lazy_tabs import LazyTabs
from .messages import tr_msg
from .shared_docs import SharedDocs



class MainWindow(QMainWindow):
    def __init__(self, settings: Settings | None = None, model: str | None = None):
        super().__init__()
        self.settings = settings or load_settings()
        # a token an older Hearth left in settings.json goes to the keychain (said once, below)
        self._secrets_note = move_plain_secrets(self.settings)
        self.setWindowTitle(self.tr("Hearth"))
        self.resize(1180, 760)
        self._build()
        self._show_settings_notice()
        self.chat.start(model)

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
        notes = [n for n in (take_settings_notice(), self._secrets_note) if n is not None]
        if not notes:
            return
        self.settings_notice = QLabel(" ".join(tr_msg(n) for n in notes))
        self.settings_notice.setObjectName("settingsNotice")
        self.settings_notice.setWordWrap(True)
        self.statusBar().addPermanentWidget(self.settings_notice, 1)

    def _add_pages(self) -> None:
        """The other areas' pages, each a widget of its own module, made when first shown."""
        # one document store and one question-embedding child process per window, shared by the
        # chat and the Documents page whichever comes first
        self.docs = SharedDocs()
        self.chat.docs.share(self.docs.store, embed=self.docs.embed_service.embed, ready=self.docs.ready_store)
        self.lazy_pages = LazyTabs(self.pages)
        self.lazy_pages.add("models", self.tr("Models"), self._make_models_page)
        self.lazy_pages.add("quantize", self.tr("Quantize"), self._make_quantize_page)
        self.lazy_pages.add("docs", self.tr("Documents"), self._make_docs_page)
        self.lazy_pages.add("monitor", self.tr("Monitor"), self._make_monitor_page)

    def _make_models_page(self) -> Any:
        from .models_page import ModelsPage

        page = ModelsPage(self)
        page.useInChat.connect(self.use_model)
        return page

    def _make_quantize_page(self) -> Any:
        from .quantize_page import QuantizePage

        return QuantizePage(self)

    def _make_docs_page(self) -> Any:
        from .docs_page import DocsPage

        return DocsPage(self, open_store=self.docs.store, embed_service=self.docs.embed_service)

    def _make_monitor_page(self) -> Any:
        from .monitor_page import MonitorPage

        return MonitorPage(self)

    @property
    def models_page(self) -> Any:
        return self.lazy_pages.page("models")

    @property
    def quantize_page(self) -> Any:
        return self.lazy_pages.page("quantize")

    @property
    def docs_page(self) -> Any:
        return self.lazy_pages.page("docs")

    @property
    def monitor_page(self) -> Any:
        return self.lazy_pages.page("monitor")

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
        docs_page = self.lazy_pages.made("docs")
        if docs_page is not None:
            docs_page.shutdown()  # its indexing and watching children end with the window
        self.docs.close()  # and the embedding child
        super().closeEvent(event)
