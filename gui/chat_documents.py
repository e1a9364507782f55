"""The chat's Documents button: attach document collections to the open conversation.

A menu of checkable collections (read from the document store when it opens: a quick SQLite read
that never waits for an ingestion; while the store itself is still opening the menu says so) and
the "Answering from: …" line shown above the prompt.

Signals: collectionsChosen(list)  the collections now checked, in the store's order
"""

from __future__ import annotations

import threading
from typing import Any
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QMenu, QSizePolicy, QToolButton, QWidget

from hearthlm.core.chat.session import COLLECTIONS_KEY  # noqa: F401 (its users import it from here)

from . import theme
from .detached_job import run_detached
from .messages import error_text


class DocumentsButton(QToolButton):
    collectionsChosen = Signal(list)

    def __init__(self, store: Callable[[], Any], parent: QWidget | None = None):
        """``store()``: the open document store, or None while it is opening (it must not wait)."""
        super().__init__(parent)
        self.setObjectName("documentsButton")
        self._store = store
        self._chosen: list[str] = []
        self.setText(self.tr("Documents"))
        self.setToolTip(self.tr("Answer from document collections (indexed on the Documents page)"))
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)  # as wide as Send
        self.menu_ = QMenu(self)
        self.menu_.aboutToShow.connect(self.fill_menu)
        self.setMenu(self.menu_)

    def set_chosen(self, names: list[str]) -> None:
        self._chosen = list(names)
        self.setText(self.tr("Documents ({n})").format(n=len(names)) if names else self.tr("Documents"))

    def fill_menu(self) -> None:
        """The collections, each checkable; attached ones that no longer exist stay listed (checked)
        so they can be detached."""
        self.menu_.clear()
        try:
            store = self._store()
            if store is None:
                self.menu_.addAction(self.tr("Waiting for the document store…")).setEnabled(False)
            names = [c.name for c in store.list_collections()] if store is not None else []
        except Exception as exc:  # an unreadable store: say it in the menu
            self.menu_.addAction(error_text(exc)).setEnabled(False)
            names = []
        names += [n for n in self._chosen if n not in names]
        if not names:
            self.menu_.addAction(self.tr("No collections yet: add documents on the Documents page.")).setEnabled(False)
        for name in names:
            action = self.menu_.addAction(name)
            action.setCheckable(True)
            action.setChecked(name in self._chosen)
            action.toggled.connect(lambda on, n=name: self._toggled(n, on))
        if self._chosen:
            self.menu_.addSeparator()
            self.menu_.addAction(self.tr("Detach all")).triggered.connect(lambda: self._emit([]))

    def _toggled(self, name: str, on: bool) -> None:
        chosen = [n for n in self._chosen if n != name] + ([name] if on else [])
        self._emit(chosen)

    def _emit(self, names: list[str]) -> None:
        self.set_chosen(names)
        self.collectionsChosen.emit(list(names))


class AnsweringFromLabel(QLabel):
    """'Answering from: Manuals, 笔记' — hidden while the conversation has no collections."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("answeringFrom")
        theme.style(self)
        self.setWordWrap(True)
        self.setVisible(False)

    def show_collections(self, names: list[str]) -> None:
        self.setText(self.tr("Answering from: {names}").format(names=", ".join(names)))
        self.setVisible(bool(names))


class ChatDocsSource:
    """Where the chat's documents come from: the Documents page's store and question-embedding
    child (shared once the window has that page), else a store and child of the chat's own.
    ``retrieve`` is the chat session's retrieval (it runs on a worker thread)."""

    def __init__(self, owner: QObject):
        self._owner = owner
        self._provider: Callable[[], Any] | None = None
        self._ready: Callable[[], Any] | None = None
        self._embed: Callable[..., Any] | None = None
        self._store: Any = None
        self._lock = threading.Lock()
        self._opening = False
        self._embed_service: Any = None  # made only when there is no Documents page to share

    def share(self, provider: Callable[[], Any], embed: Callable[..., Any] | None = None,
              ready: Callable[[], Any] | None = None) -> None:
        """Share the Documents page's store (one chromadb client per process and store) and the
        child process that embeds questions (``embed``: see core.docs.search.Embed). ``provider``
        may wait for the store (job threads only); ``ready`` returns it only if it is open."""
        self._provider, self._ready, self._embed = provider, ready, embed

    def store(self) -> Any:
        """Job threads only: opening the store may wait for its lock (see store_now)."""
        if self._provider is not None:
            return self._provider()
        with self._lock:
            if self._store is None:
                from hearthlm.core.docs.store import DocStore

                self._store = DocStore()
            return self._store

    def store_now(self) -> Any:
        """The UI thread's way: the document store if it is open, else None (it opens on a job)."""
        if self._ready is not None:
            return self._ready()
        if self._store is None and not self._opening:
            self._opening = True
            run_detached(self._owner, lambda _emit: self.store(), lambda _s: None,
                         lambda _e: setattr(self, "_opening", False))
        return self._store

    def _embedder(self) -> Callable[..., Any]:
        if self._embed is not None:
            return self._embed
        with self._lock:
            if self._embed_service is None:
                from hearthlm.core.docs.embed_service import EmbedService

                self._embed_service = EmbedService()  # starts its child on the first question
            return self._embed_service.embed

    def retrieve(self, names: list[str], question: str, **budget: Any) -> Any:
        """The chat session's retrieval (core/docs/chat_context.py), on a worker thread. It never
        raises: the question alone, with the reason, when the store cannot even be opened."""
        from hearthlm.core.docs import messages as DM
        from hearthlm.core.docs.chat_context import ChatDocs, retrieve
        from hearthlm.core.messages import msg

        try:
            return retrieve(self.store(), names, question, embed=self._embedder(), **budget)
        except Exception as exc:
            return ChatDocs(question, note=msg(DM.CHAT_DOCS_FAILED, reason=getattr(exc, "msg", None) or str(exc)))

    def close(self) -> None:
        if self._embed_service is not None:
            self._embed_service.close()
