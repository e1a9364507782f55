"""A file from the hub, downloaded on the Models page's queue, then an action with its path: the
first-run welcome switches the chat to the chosen model, and the Documents page's language note
re-embeds a collection with the multilingual embedding model. The file is looked up on the hub (its
exact size and sha256) on a worker thread; the action runs when the download is ready (verified),
or at once when the queue already holds it ready; when it cannot be had (the hub cannot be asked,
the download fails or is cancelled), ``failed`` gets one sentence. UI thread."""

from __future__ import annotations

from typing import Any
from collections.abc import Callable

from PySide6.QtCore import QObject

from .messages import tr_msg
from .models_common import JobRunner


class HubFileDownloads(QObject):
    def __init__(self, window: Any):
        super().__init__(window)
        self.window = window
        # download id -> (what to do with its path, what to do with a sentence saying why not)
        self.waiting: dict[str, tuple[Callable[[str], None], Callable[[str], None]]] = {}
        self._jobs = JobRunner(self)
        self._connected = False

    def fetch(self, repo: str, file: str, then: Callable[[str], None],
              failed: Callable[[str], None] | None = None) -> None:
        """Download ``file`` of ``repo``, then ``then(path)``; if it cannot be had, ``failed(sentence)``
        (default: the window's error banner)."""
        from hearthlm.core.hub.api import repo_files

        failed = failed or (lambda sentence: self.window.show_error(sentence, restart=False))
        self._jobs.run(lambda: repo_files(repo), lambda listing: self._queue(file, listing, then, failed), failed)

    def _queue(self, file: str, listing: Any, then: Callable[[str], None], failed: Callable[[str], None]) -> None:
        entry = next((e for e in listing.entries if file in e.files), None)
        if entry is None:
            failed(self.tr("{file} is no longer in {repo} on the hub.").format(file=file, repo=listing.repo))
            return
        page = self.window.models_page
        if not self._connected:
            page.downloads.ready.connect(self._ready)
            page.downloads.stopped.connect(self._stopped)
            self._connected = True
        item = page.queue.add(listing.repo, entry, listing.revision)
        if item.state == "ready" and item.path:  # downloaded before: no "ready" will come again
            then(item.path)
        else:
            self.waiting[item.id] = (then, failed)

    def _ready(self, item: Any) -> None:
        actions = self.waiting.pop(item.id, None) if item.path else None
        if actions is not None:
            actions[0](item.path)

    def _stopped(self, item: Any) -> None:
        actions = self.waiting.pop(item.id, None)
        if actions is not None:
            reason = tr_msg(item.message) if item.message is not None else self.tr("The download was cancelled.")
            actions[1](reason)
