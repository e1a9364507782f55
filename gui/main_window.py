"""The main window: one page per area, chosen in a sidebar (icon and label); the chat page first.

The chat page (gui/chat_page.py) is the view of a chat session (core/chat/session.py), which holds
the conversation and the engine: other pages and the tests reach them as ``window.chat.<part>``
and ``window.chat.session``. The other pages are made when first shown (gui/lazy_tabs.py):
``window.models_page`` and the like make theirs on first use.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMainWindow, QPushButton, QVBoxLayout, QWidget

from hearthlm.core.secrets import move_plain_secrets
from hearthlm.core.settings import Settings, load_settings, take_settings_notice

from . import icons
from .chat_page import ChatPage
from .hub_file_downloads import HubFileDownloads
from .layout_memory import LayoutMemory
from .lazy_tabs import LazyTabs
from .messages import tr_msg
from .notify import Notifier
from .sidebar import NavPages
from .shared_docs import SharedDocs
from .theme import ThemeController



class MainWindow(QMainWindow):
    def __init__(self, settings: Settings | None = None, model: str | None = None):
        super().__init__()
        self.settings = settings or load_settings()
        # a token an older Hearth left in settings.json goes to the keychain (said once, below)
        self._secrets_note = move_plain_secrets(self.settings)
        self.setWindowTitle(self.tr("Hearth"))
        self.theme = ThemeController(self.settings.theme, self)
        self.resize(1180, 760)
        self._build()
        self._restore_layout()
        self._show_settings_notice()
        # A model chosen on another page while the chat was loading one (a first-run download that
        # finished before the starter had loaded): chosen once the load is over.
        self._next_model: str | None = None
        self.chat.session.busy_changed.connect(self._use_next_model)
        self.chat.start(model)

    # -- layout --------------------------------------------------------------------------

    def _build(self) -> None:
        self.statusBar().showMessage(self.tr("No model loaded"))
        self.chat = ChatPage(self.settings, self.statusBar().showMessage)
        # One page per area (chat, models, quantize, documents, monitor), chosen in the sidebar.
        self.pages = NavPages()
        self.chat_page = self.chat
        self.pages.add_page(self.chat, "chat", "chat", self.tr("Chat"))
        self._add_pages()
        # the welcome's Download buttons, and the Documents page's multilingual embedding model
        self.hub_files = HubFileDownloads(self)
        self.chat.first_run.downloadRequested.connect(
            lambda repo, file, _size: self.hub_files.fetch(repo, file, self._chat_with_first_model))
        self.notifier = Notifier(self)  # jobs that end while the window is in the background
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addLayout(self._side_column())
        row.addWidget(self.pages, 1)
        self.setCentralWidget(central)

    def _restore_layout(self) -> None:
        """Geometry, splitters, columns, sort order and the last page, as they were at the last close."""
        self.layout_memory = memory = LayoutMemory()
        memory.restore_window(self)
        # the splitters once the window has its restored size: sizes set before are re-divided
        QTimer.singleShot(0, lambda: memory.restore("chat", self.chat))
        self.chat.view.zoom(memory.int_value("chat/zoom"))
        self.lazy_pages.on_made.append(memory.restore)
        index = self.pages.index_of_name(memory.last_page())
        if index > 0:
            self.pages.setCurrentIndex(index)

    def save_layout(self) -> None:
        memory = self.layout_memory
        memory.save_window(self)
        memory.save_page(self.pages.name_of(self.pages.currentIndex()))
        memory.save("chat", self.chat)
        memory.set_value("chat/zoom", self.chat.view.zoom_steps)
        for name, page in self.lazy_pages.made_pages().items():
            memory.save(name, page)
        memory.sync()

    def _side_column(self) -> QVBoxLayout:
        """The sidebar, and under it the application's preferences."""
        column = QVBoxLayout()
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.pages.sidebar, 1)
        self.preferences_button = QPushButton(self.tr("Preferences"))
        self.preferences_button.setObjectName("preferencesButton")
        icons.set_icon(self.preferences_button, "settings")
        self.preferences_button.setFlat(True)
        self.preferences_button.clicked.connect(self.show_preferences)
        column.addWidget(self.preferences_button)
        return column

    def show_preferences(self) -> Any:
        from .preferences import PreferencesDialog

        dialog = PreferencesDialog(self.settings, self)
        dialog.themeChosen.connect(self.theme.set_choice)
        dialog.open()
        return dialog

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
        self.lazy_pages.add("models", self.tr("Models"), self._make_models_page, icon="models")
        self.lazy_pages.add("quantize", self.tr("Quantize"), self._make_quantize_page, icon="quantize")
        self.lazy_pages.add("docs", self.tr("Documents"), self._make_docs_page, icon="docs")
        self.lazy_pages.add("monitor", self.tr("Monitor"), self._make_monitor_page, icon="monitor")
        self.lazy_pages.add("server", self.tr("Server"), self._make_server_page, icon="server")

    def _make_models_page(self) -> Any:
        from .models_page import ModelsPage

        page = ModelsPage(self)
        page.useInChat.connect(self.use_model)
        page.downloads.ready.connect(lambda item: self.notifier.notify(
            self.tr("Download finished"), self.tr("{model} is ready to use.").format(model=item.name)))
        return page

    def _make_quantize_page(self) -> Any:
        from .quantize_page import QuantizePage

        page = QuantizePage(self)
        page.quantizeFinished.connect(lambda path: self.notifier.notify(
            self.tr("Quantization finished"), self.tr("Wrote {path}.").format(path=path)))
        return page

    def _make_docs_page(self) -> Any:
        from .docs_page import DocsPage

        page = DocsPage(self, open_store=self.docs.store, embed_service=self.docs.embed_service)
        page.multilingualRequested.connect(self.reembed_multilingual)
        page.indexingFinished.connect(lambda name: self.notifier.notify(
            self.tr("Documents indexed"), self.tr("The collection {name} is up to date.").format(name=name)))
        return page

    def _chat_with_first_model(self, path: str) -> None:
        self.chat.first_run.dismissed_now = True
        self.chat.first_run.follow()
        self.use_model(path)

    def reembed_multilingual(self, collection: str) -> None:
        """The Documents page's note, in one click: the recommended multilingual embedding model is
        downloaded (or found already downloaded), then the collection is embedded again with it."""
        from hearthlm.core.hub.names import human_size
        from hearthlm.core.hub.recommended import multilingual_embedder

        model = multilingual_embedder()
        page = self.docs_page
        page.status.setText(self.tr("Downloading {file} ({size}); “{name}” is embedded again with it when it "
                                    "is ready.").format(file=model["file"], size=human_size(model["size"]),
                                                        name=collection))
        self.hub_files.fetch(model["repo"], model["file"],
                             lambda path: page.change_embedder(collection, f"gguf:{path}", wait=True),
                             lambda sentence: page.status.setText(self.tr(
                                 "“{name}” was not embedded again: {reason}").format(name=collection, reason=sentence)))

    def _make_monitor_page(self) -> Any:
        from .monitor_page import MonitorPage

        return MonitorPage(self)

    def _make_server_page(self) -> Any:
        from .server_page import ServerPage

        return ServerPage(self)

    @property
    def server_page(self) -> Any:
        return self.lazy_pages.page("server")

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
        if self.chat.session.answering:
            self.show_error(self.tr("Stop the answer first, then choose the model again."), restart=False)
            return
        if self.chat.session.busy:  # a model still loading (the starter at the first start): this one next
            self._next_model = path
            return
        self.chat.picker.add_model(path, select=True)
        self.chat.model_chosen(path)

    def _use_next_model(self, busy: bool) -> None:
        if not busy and self._next_model is not None:
            path, self._next_model = self._next_model, None
            self.use_model(path)

    def send(self) -> None:
        self.chat.send()

    def stop(self) -> None:
        self.chat.stop()

    def show_error(self, message: str, restart: bool) -> None:
        self.chat.show_error(message, restart)

    def hide_error(self) -> None:
        self.chat.hide_error()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_layout()
        server_page = self.lazy_pages.made("server")
        if server_page is not None:
            from .server_page import ServerPage  # imported already: the page was made

            assert isinstance(server_page, ServerPage)
            server_page.shutdown()  # first: its requests use the chat's engine
        self.chat.shutdown()
        docs_page = self.lazy_pages.made("docs")
        if docs_page is not None:
            from .docs_page import DocsPage  # imported already: the page was made

            assert isinstance(docs_page, DocsPage)
            docs_page.shutdown()  # its indexing and watching children end with the window
        self.docs.close()  # and the embedding child
        super().closeEvent(event)
