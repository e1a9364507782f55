"""The Models page: Find (the hub browser), Downloads (the queue) and Library, as inner tabs.

It owns the DownloadQueue for the window: started when the page is made (so downloads left
unfinished when the app last quit continue), closed when the application quits. The machine's
memory for fit verdicts is asked once, off the UI thread (it loads llama.cpp in a child process):
the devices feed the memory estimate behind each verdict, the budget the file-size fallback.

Signals: useInChat(str path)   forwarded from the library; the main window loads the model
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from hearthlm.core.hub.fit import Budget
from hearthlm.core.hub.queue import DownloadQueue

from .downloads_view import DownloadsView
from .hub_browser import HubBrowser
from .library_view import LibraryView
from .models_common import JobRunner
from .remote_view import RemoteView


class ModelsPage(QWidget):
    useInChat = Signal(str)

    def __init__(self, parent: QWidget | None = None, queue: DownloadQueue | None = None,
                 budget: Budget | None = None, devices: list | None = None):
        super().__init__(parent)
        self.setObjectName("modelsPage")
        self.budget: Budget | None = budget
        self._devices: list | None = devices
        self._jobs = JobRunner(self)
        self.queue = queue or DownloadQueue()
        self.tabs = QTabWidget()
        self.browser = HubBrowser(lambda: self.budget, devices=self.devices)
        self.downloads = DownloadsView(self.queue)
        self.library = LibraryView(devices=self.devices)
        self.remote = RemoteView(self._settings(parent))
        self.tabs.addTab(self.browser, self.tr("Find"))
        self.tabs.addTab(self.downloads, self.tr("Downloads"))
        self.tabs.addTab(self.library, self.tr("Library"))
        self.tabs.addTab(self.remote, self.tr("Remote"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)

        self.browser.downloadRequested.connect(self._download)
        self.downloads.ready.connect(lambda _item: self.library.refresh())
        self.library.useInChat.connect(self.useInChat)
        self.remote.useInChat.connect(self.useInChat)
        chat = getattr(parent, "chat", None)
        if chat is not None and hasattr(chat, "picker"):  # a probe's models become choices in the chat
            self.remote.modelsListed.connect(lambda _name, refs: [chat.picker.add_model(r) for r in refs])
        self._hook_into(parent)
        self.queue.start()
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.queue.close)
        self.destroyed.connect(self.queue.close)
        self.library.refresh()
        if self.budget is None:
            self._measure()

    def _hook_into(self, window: Any) -> None:
        """'Use in chat' loads the model in the window's chat and shows the chat page."""
        # MainWindow connects useInChat to its own use_model: hooking here too loaded the model twice,
        # and the second load found the chat busy and said "Stop the answer first"
        if window is not None and hasattr(window, "load_model") and not hasattr(window, "use_model"):
            def use(path: str) -> None:
                if hasattr(window, "picker"):
                    window.chat.picker.add_model(path, select=True)
                window.load_model(path)
                if hasattr(window, "pages") and hasattr(window, "chat_page"):
                    window.pages.setCurrentWidget(window.chat_page)

            self.useInChat.connect(use)

    @staticmethod
    def _settings(window: Any) -> Any:
        """The window's own settings object (so that its next save keeps the endpoints), else the saved ones."""
        settings = getattr(window, "settings", None)
        if settings is None:
            from hearthlm.core.settings import load_settings

            settings = load_settings()
        return settings

    def devices(self) -> list | None:
        """Memory devices for the estimate (core.hardware.estimate.Device), once known."""
        if self._devices is None and self.budget is not None:
            from hearthlm.core.hub.fit import devices_from_budget

            self._devices = devices_from_budget(self.budget)  # given a budget only: the same memory
        return self._devices

    def _measure(self) -> None:
        def measure() -> tuple[Budget, list]:
            from hearthlm.core.hardware.devices import memory_devices, probed_build
            from hearthlm.core.hub.fit import machine_budget

            devices = memory_devices()
            return machine_budget(devices=probed_build().get("devices") or []), devices

        def got(result: tuple[Budget, list]) -> None:
            self.budget, self._devices = result
            self.browser.refresh_fit()
            self.library.refresh_fit()

        self._jobs.run(measure, got, lambda _sentence: None)

    def _download(self, repo: str, entry: Any, revision: str) -> None:
        self.queue.add(repo, entry, revision=revision)
