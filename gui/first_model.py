"""From the first-run welcome to a chat with the downloaded model: the chosen file is looked up on
the hub (its exact size and sha256), queued on the Models page's download queue, and when it is
ready (verified) the chat switches to it. UI thread; the hub is asked on a worker thread."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject

from .models_common import JobRunner


class FirstModelDownloads(QObject):
    def __init__(self, window: Any):
        super().__init__(window)
        self.window = window
        self.waiting: set[str] = set()  # download ids to switch to when ready
        self._jobs = JobRunner(self)
        self._connected = False
        window.chat.first_run.downloadRequested.connect(self.request)

    def request(self, repo: str, file: str, _size: int) -> None:
        from hearthlm.core.hub.api import repo_files

        self._jobs.run(lambda: repo_files(repo), lambda listing: self._queue(file, listing),
                       lambda sentence: self.window.show_error(sentence, restart=False))

    def _queue(self, file: str, listing: Any) -> None:
        entry = next((e for e in listing.entries if file in e.files), None)
        if entry is None:
            self.window.show_error(self.tr("{file} is no longer in {repo} on the hub.").format(
                file=file, repo=listing.repo), restart=False)
            return
        page = self.window.models_page
        if not self._connected:
            page.downloads.ready.connect(self._ready)
            self._connected = True
        self.waiting.add(page.queue.add(listing.repo, entry, listing.revision).id)

    def _ready(self, item: Any) -> None:
        if item.id in self.waiting and item.path:
            self.waiting.discard(item.id)
            self.window.chat.first_run.dismissed_now = True
            self.window.chat.first_run.follow()
            self.window.use_model(item.path)
