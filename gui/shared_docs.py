"""The window's one document store and question-embedding child process, shared by the chat page
and the Documents page (one chromadb client per process and store). Neither is opened here: the
store opens the first time a job thread asks for it, the child on the first question."""

from __future__ import annotations

import threading
from typing import Any


class SharedDocs:
    def __init__(self) -> None:
        from hearthlm.core.docs.embed_service import EmbedService

        self.embed_service = EmbedService()
        self._store: Any = None
        self._lock = threading.Lock()

    def store(self) -> Any:
        """The DocStore, opened if need be: opening may wait for its lock, so job threads only."""
        with self._lock:
            if self._store is None:
                from hearthlm.core.docs.store import DocStore

                self._store = DocStore()
            return self._store

    def ready_store(self) -> Any:
        """The store if it is open, else None (never waits: for the UI thread)."""
        return self._store

    def close(self) -> None:
        self.embed_service.close()
