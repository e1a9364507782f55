"""A file from the hub, downloaded on the Models page's queue, then an action with its path: the
first-run welcome switches the chat to the chosen model, and the Documents page's language note
re-embeds a collection with the multilingual embedding model. The file is looked up on the hub (its
exact size and sha256) on a worker thread; the action runs when the download is ready (verified),
or at once when the queue already holds it ready. UI thread."""

from __future__ import annotations

from typing import Any
from collections.abc import Callable

from PySide6.QtCore import QObject

from .models_common import JobRunner


class HubFileDownloads(QObject):
    def __init__(self, window: Any):
        super().__init__(window)
        self.window = window
        self.waiting: dict[str, Callable[[str], None]] = {}  # download id -> what to do with its path
        self._jobs = JobRunner(self)
        self._connected = False

    def fetch(self, repo: str, file: str, then: Callable[[str], None]) -> None:
        """Download ``file`` of ``repo`` (a failure is said in the window's banner), then ``then(path)``."""
        from hearthlm.core.hub.api import repo_files

        self._jobs.run(lambda: repo_files(repo), lambda listing: self._queue(file, listing, then),
                       lambda sentence: self.window.show_error(sentence, restart=False))

    def _queue(self, file: str, listing: Any, then: Callable[[str], None]) -> None:
        entry = next((e for e in listing.entries if file in e.files), None)
        if entry is None:
            self.window.show_error(self.tr("{file} is no longer in {repo} on the hub.").format(
                file=file, repo=listing.repo), restart=False)
            return
        page = self.window.models_page
        if not self._connected:
            page.downloads.ready.connect(self._ready)
            self._connected = True
        item = page.queue.add(listing.repo, entry, listing.revision)
        if item.state == "ready" and item.path:  # downloaded before: no "ready" will come again
            then(item.path)
        else:
            self.waiting[item.id] = then

    def _ready(self, item: Any) -> None:
        then = self.waiting.pop(item.id, None) if item.path else None
        if then is not None:
            then(item.path)
