"""The Documents page: collections, files dropped in (or chosen), their status, and questions
answered with ranked sources that open the file (at the page, for PDFs).

Indexing and watching run as child processes (gui/docs_runner.py); a query runs on a Job thread.
Nothing here blocks the UI thread longer than a read of the SQLite index: opening the store (which
waits for its lock while another process writes, and rebuilds the vector index after a crash) and
every write that takes the lock run on job threads, with "Waiting for the document store…" shown
meanwhile.
"""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QColor, QDesktopServices, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (QCheckBox, QFileDialog, QHBoxLayout, QHeaderView, QInputDialog, QLabel, QLineEdit,
                               QListWidget, QListWidgetItem, QProgressBar, QPushButton, QSplitter, QTextBrowser,
                               QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from hearthlm.core.docs.embed_service import EmbedService
from hearthlm.core.docs.names import check_collection_name
from hearthlm.core.docs.store import DocStore

from . import icons, theme
from .heap import freeze_new_long_lived
from .new_collection_dialog import NewCollection, NewCollectionDialog
from .detached_job import run_detached
from .docs_cross_language import CrossLanguageBox
from .docs_language_notice import LanguageNotice
from .docs_runner import DocsProcess
from .jobs import Job
from .messages import error_text, tr_msg

ROW_PROBLEM = Qt.ItemDataRole.UserRole + 1  # on a file row's status: "failed" or "skipped"
WAIT_NOTE_MS = 250  # a store job still running after this long says what it waits for
FOLLOW_EVERY_S = 10.0  # a shared collection shown again fetches its server's changes at most this often
FOLLOW_TIMER_MS = 30_000  # …and the one on screen does so this often while it stays there


class DocsPage(QWidget):
    """Signals: indexingFinished(str collection), resultsShown(int count), storeReady() once the
    document store is open."""

    indexingFinished = Signal(str)
    resultsShown = Signal(int)
    storeReady = Signal()
    multilingualRequested = Signal(str)  # the language note's one click (the main window downloads)

    def __init__(self, parent: QWidget | None = None, store: DocStore | None = None,
                 open_store: Callable[[], DocStore] | None = None, embed_service: EmbedService | None = None):
        """``open_store`` and ``embed_service``: the window's, shared with its chat page (gui/shared_docs.py)."""
        super().__init__(parent)
        self.setAcceptDrops(True)
        self._store = store
        self._open_store_with = open_store or DocStore
        self._store_lock = threading.Lock()  # one DocStore, whichever thread asks first
        self._select: str | None = None  # the collection to show once the store is open
        self._watch_wanted = False  # start_watched() asked before the store was open
        self._rows: dict[str, QTreeWidgetItem] = {}  # the file list by path: one lookup per progress event
        self._hint_shown: bool | None = None  # the results area shows the hint (for a collection or none)
        self._runner: DocsProcess | None = None
        self._queue: list[tuple[str, list[str]]] = []
        self._embed_after: list[tuple[str, str]] = []  # re-embeddings that wait for the run before
        self._cross_run: str | None = None  # the collection whose cross-language index the runner fills
        self._cross_after: list[tuple[str, bool]] = []  # a fill stopped to turn the index off: then off
        self._watchers: dict[str, DocsProcess] = {}
        # links not followed (they lead out of their folder), by collection: not in the store, so
        # kept here to stay listed, with their sentence, after the list is refreshed
        self._skipped: dict[str, dict[str, str]] = {}
        self._event_collection: str | None = None
        self._jobs: list[Job] = []
        self._followed: dict[str, float] = {}  # shared collection -> when its server was last followed
        self._no_chinese: dict[str, int] = {}  # collection -> its chunk count when a scan found no Chinese
        self._failure = ""  # the sentence a failed child sent ("failed" event), shown when it ends
        self._follow_timer = QTimer(self)  # what other installations add shows up without a click
        self._follow_timer.setInterval(FOLLOW_TIMER_MS)
        self._follow_timer.timeout.connect(self._follow_current)
        self._follow_timer.start()
        # Questions are embedded in a child process (llama.cpp or onnxruntime never in the window's);
        # the chat page asks through the same one.
        self.embed_service = embed_service or EmbedService()
        self._build()
        if store is None:
            self._open_store()
        else:
            self.refresh()
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance()
        if app is not None:  # child processes end with the app, not as orphans
            app.aboutToQuit.connect(self.shutdown)

    @property
    def store(self) -> DocStore:
        """The store, opened if need be. Opening may wait for its lock (up to two minutes) and
        rebuild the vector index: call this on a job thread, or once ``ready_store`` is set."""
        with self._store_lock:
            if self._store is None:
                self._store = self._open_store_with()
            return self._store

    @property
    def ready_store(self) -> DocStore | None:
        """The store if it is open, else None (never waits: for the UI thread)."""
        return self._store

    def _open_store(self) -> None:
        QTimer.singleShot(WAIT_NOTE_MS, self, self._note_store_waiting)
        run_detached(self, lambda _emit: self.store, lambda _s: self._store_opened(), self._store_failed)

    def _note_store_waiting(self) -> None:
        if self._store is None:
            self.status.setText(self.waiting_text())

    def _show_results_hint(self, has_collection: bool) -> None:
        """The results area, while it shows no search, says how to start or what will show there
        (as its text: QTextEdit's placeholder is drawn on one line, cut at the edge)."""
        if self.results.document().isEmpty() or self._hint_shown is not None:
            self._hint_shown = has_collection
            color = theme.colors().muted
            self.results.setHtml(f'<p style="color:{color}">{html.escape(self._results_hint(has_collection))}</p>')

    def _results_hint(self, has_collection: bool) -> str:
        """What the empty results area says: how to start (no collection yet), or what will show here."""
        if not has_collection:
            return self.tr("No collection yet. Drop files or folders on the area above (or use Add files…): "
                           "they go into a new collection, “My documents”. Then ask it a question here, or "
                           "choose it under the chat's Documents button to get answers with sources.")
        return self.tr("Ask a question above: the passages that answer it show here, each with its file "
                       "and where in it.")

    def waiting_text(self) -> str:
        return self.tr("Waiting for the document store…")

    def _store_opened(self) -> None:
        freeze_new_long_lived()  # chromadb's modules and the store live as long as the app
        if self.status.text() == self.waiting_text():
            self.status.clear()
        self.refresh(select=self._select)
        if self._watch_wanted:
            self.start_watched()
        self.storeReady.emit()

    def _store_failed(self, exc: Any) -> None:
        self.status.setText(error_text(exc))

    # -- layout ----------------------------------------------------------------------------------

    def _build(self) -> None:
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(QLabel(self.tr("Collections")))
        self.collections = QListWidget()
        self.collections.setAccessibleName(self.tr("Collections"))
        lv.addWidget(self.collections, 1)
        row = QHBoxLayout()
        self.new_button = QPushButton(self.tr("New…"))
        icons.set_icon(self.new_button, "add")
        self.delete_button = QPushButton(self.tr("Delete"))
        icons.set_icon(self.delete_button, "delete")
        row.addWidget(self.new_button)
        row.addWidget(self.delete_button)
        lv.addLayout(row)
        self.embedder_label = QLabel()
        self.embedder_label.setWordWrap(True)
        self.embedder_button = QPushButton(self.tr("Embedding model…"))
        lv.addWidget(self.embedder_label)
        lv.addWidget(self.embedder_button)
        self.cross_language = CrossLanguageBox()
        lv.addWidget(self.cross_language)

        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(0, 0, 0, 0)
        self.drop_hint = QLabel(self.tr("Drop files or folders here to add them to the collection"))
        self.drop_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.drop_hint.setObjectName("dropZone")
        theme.style(self.drop_hint)
        self.drop_hint.setMinimumHeight(48)
        self.language_notice = LanguageNotice()
        rv.addWidget(self.language_notice)
        rv.addWidget(self.drop_hint)
        actions = QHBoxLayout()
        self.add_files_button = QPushButton(self.tr("Add files…"))
        icons.set_icon(self.add_files_button, "file")
        self.add_folder_button = QPushButton(self.tr("Add folder…"))
        icons.set_icon(self.add_folder_button, "folder")
        self.remove_button = QPushButton(self.tr("Remove selected"))
        icons.set_icon(self.remove_button, "delete")
        self.watch_box = QCheckBox(self.tr("Watch folders for changes"))
        for w in (self.add_files_button, self.add_folder_button, self.remove_button):
            actions.addWidget(w)
        actions.addStretch(1)
        actions.addWidget(self.watch_box)
        rv.addLayout(actions)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.status = QLabel()
        self.status.setWordWrap(True)
        rv.addWidget(self.progress)
        rv.addWidget(self.status)
        self.files = QTreeWidget()
        self.files.setAccessibleName(self.tr("Files in the collection"))
        self.files.setColumnCount(3)
        self.files.setHeaderLabels([self.tr("File"), self.tr("Chunks"), self.tr("Status")])
        self.files.setRootIsDecorated(False)
        self.files.setSelectionMode(QTreeWidget.SelectionMode.ExtendedSelection)
        self.files.setUniformRowHeights(True)  # no per-row height measuring for thousands of rows
        self.files.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.files.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        # Fit the columns to the rows in view only: by default Qt measures 1,000 rows at every change,
        # and an ingest changes a row per file (the window stalled 150-380 ms at a time, sampled in
        # bench/ui_stall.py --trace, inside QProgressBar.setValue's synchronous repaint).
        self.files.header().setResizeContentsPrecision(0)
        self.files.header().setStretchLastSection(True)
        rv.addWidget(self.files, 2)

        ask = QHBoxLayout()
        self.question = QLineEdit()
        self.question.setAccessibleName(self.tr("Search the collection"))
        self.question.setPlaceholderText(self.tr("Ask the collection a question…"))
        self.search_button = QPushButton(self.tr("Search"))
        icons.set_icon(self.search_button, "search")
        ask.addWidget(self.question, 1)
        ask.addWidget(self.search_button)
        rv.addLayout(ask)
        self.results = QTextBrowser()
        self.results.setAccessibleName(self.tr("Search results"))
        self.results.setOpenLinks(False)  # we open files ourselves (QDesktopServices)
        self.results.setToolTip(self.tr(
            "Each result names the searches that found it and its place in each: by meaning (the "
            "collection's embedder), by its words (keywords), through the question's translation, or "
            "through the cross-language index. A passage several searches rank high comes first."))
        rv.addWidget(self.results, 3)

        split = QSplitter()
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([180, 620])
        layout = QVBoxLayout(self)
        layout.addWidget(split)

        self.collections.currentItemChanged.connect(lambda *_: self._show_collection())
        self.new_button.clicked.connect(self._new_collection)
        self.delete_button.clicked.connect(self._delete_collection)
        self.embedder_button.clicked.connect(self._choose_embedder)
        self.add_files_button.clicked.connect(self._choose_files)
        self.add_folder_button.clicked.connect(self._choose_folder)
        self.remove_button.clicked.connect(self._remove_selected)
        self.watch_box.toggled.connect(self._toggle_watch)
        self.search_button.clicked.connect(self.ask)
        self.question.returnPressed.connect(self.ask)
        self.results.anchorClicked.connect(self.open_source)
        self.language_notice.multilingualRequested.connect(self.multilingualRequested)
        self.cross_language.toggledByUser.connect(self.set_cross_language)
        self.cross_language.resumeRequested.connect(lambda name: self.set_cross_language(name, True))

    # -- collections -----------------------------------------------------------------------------

    def current_collection(self) -> str | None:
        item = self.collections.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def refresh(self, select: str | None = None) -> None:
        select = select or self.current_collection()
        store = self._store
        if store is None:  # still opening: show it once open
            self._select = select or self._select
            return
        self.collections.blockSignals(True)
        self.collections.clear()
        shared = store.shared.all()
        for info in store.list_collections():
            label = self.tr("{name} (shared, {n} files)") if info.name in shared else self.tr("{name} ({n} files)")
            item = QListWidgetItem(label.format(name=info.name, n=info.documents))
            if info.name in shared:
                item.setToolTip(shared[info.name].url)
            item.setData(Qt.ItemDataRole.UserRole, info.name)
            self.collections.addItem(item)
            if info.name == select:
                self.collections.setCurrentItem(item)
        if self.collections.currentItem() is None and self.collections.count():
            self.collections.setCurrentRow(0)
        self.collections.blockSignals(False)
        self._show_collection()

    def _show_collection(self) -> None:
        name = self.current_collection()
        self.files.clear()
        self._rows.clear()
        has = name is not None
        for w in (self.remove_button, self.delete_button, self.search_button, self.watch_box, self.embedder_button):
            w.setEnabled(has)
        self.embedder_label.clear()
        self.cross_language.show_for(None)
        self._show_results_hint(has)
        if name is None:
            return
        store = self._store
        if store is None:
            return
        info = next((c for c in store.list_collections() if c.name == name), None)
        shared = store.shared.config(name) is not None
        if shared:
            self._follow_server(name)
        if info is not None:
            on = info.cross_embedder is not None and (name, False) not in self._cross_after  # not: going off
            self.cross_language.show_for(name, on, info.cross_chunks, info.chunks, shared=shared,
                                         running=self._runner is not None)
            model = info.embedder if not info.embedder.startswith("gguf:") else Path(info.embedder[5:]).name
            self.embedder_label.setText(self.tr("Embedding model: {name}").format(name=model))
            self._check_language(store, name, info.embedder, info.chunks)
        # Rows are made first and added in one call: one model insert instead of one per file (a
        # 2,000-file collection added row by row held the UI thread for ~140 ms).
        items: list[QTreeWidgetItem] = []
        for doc in store.documents(name):
            status = self.tr("indexed") if doc.state == "complete" else short_paths(error_text_or(doc.error), doc.path)
            item = QTreeWidgetItem([Path(doc.path).name, str(doc.chunks) if doc.state == "complete" else "", status])
            item.setToolTip(0, doc.path)
            item.setToolTip(2, status)
            item.setData(0, Qt.ItemDataRole.UserRole, doc.path)
            if doc.state != "complete":
                self._mark(item, "failed")
            items.append(item)
            self._rows[doc.path] = item
        for path, sentence in self._skipped.get(name, {}).items():
            item = QTreeWidgetItem([Path(path).name, "", sentence])
            item.setToolTip(0, path)
            item.setToolTip(2, sentence)
            item.setData(0, Qt.ItemDataRole.UserRole, path)
            item.setForeground(2, Qt.GlobalColor.darkGray)
            items.append(item)
            self._rows[path] = item
        self.files.addTopLevelItems(items)
        watched = any(w for _, _, w in store.folders(name))
        self.watch_box.blockSignals(True)
        self.watch_box.setChecked(watched or name in self._watchers)
        self.watch_box.blockSignals(False)

    def _check_language(self, store: DocStore, name: str, embedder: str, chunks: int) -> None:
        """Chinese text under an English-only embedder: say so, once per collection. The scan
        for Chinese text reads every chunk of an English collection: on a job thread, and not
        again while the collection holds the same chunks it found none in."""
        from hearthlm.core.docs.embedders import is_multilingual

        if self.language_notice.collection != name:
            self.language_notice.hide()
        if is_multilingual(embedder) or self._no_chinese.get(name) == chunks or store.note_shown(f"chinese:{name}"):
            return

        def scanned(yes: bool, n: str = name) -> None:
            if not yes:
                self._no_chinese[n] = chunks
            self._offer_multilingual(n, yes)
        self._run_job(lambda emit: store.holds_chinese(name), scanned)

    def _offer_multilingual(self, name: str, holds_chinese: bool) -> None:
        from hearthlm.core.hub.names import human_size
        from hearthlm.core.hub.recommended import multilingual_embedder

        if not holds_chinese or name != self.current_collection() or self.language_notice.isVisible():
            return
        self.language_notice.show_for(name, human_size(multilingual_embedder()["size"]))
        store = self.store
        self._run_job(lambda emit: store.mark_note_shown(f"chinese:{name}"), lambda _r: None)

    def _new_collection(self) -> str | None:
        choice = NewCollectionDialog.ask(self)
        if choice is None or not choice.name:
            return None
        return self.create_collection(choice)

    def create_collection(self, choice: NewCollection) -> str | None:
        """Make the collection (on a job thread: it may wait for the store's lock, and a shared one
        is created on — or joined from — its server over the network)."""
        try:
            name = check_collection_name(choice.name)
        except Exception as exc:  # a bad name: say so, keep going
            self.status.setText(error_text(exc))
            return None
        from hearthlm.core.docs.embedders import default_embedder, describe

        def make(emit: Any) -> Any:  # takes the store's lock, which an indexing process may hold: a job
            info = self.store.ensure_collection(name, *describe(default_embedder()))
            if choice.cross_language:  # empty: nothing to fill yet, each add fills it after its files
                from hearthlm.core.docs.cross_language import enable

                enable(self.store, name)
            return info

        if choice.server:
            server, token_env = choice.server, choice.token_env

            def make_shared(emit: Any) -> Any:
                return self.store.shared.add(name, server, token_env, *describe(default_embedder()))

            self._run_job(make_shared, lambda _r: self.refresh(select=name),
                          waiting=self.tr("Connecting to {url}…").format(url=server))
        else:
            self._run_job(make, lambda _r: self.refresh(select=name))
        return name

    def _follow_server(self, name: str) -> None:
        """A shared collection just shown: fetch what other installations published since (a job;
        at most every FOLLOW_EVERY_S per collection), then show it. A server that is down costs
        the status line one sentence; the list stays as this installation last saw it."""
        now = time.monotonic()
        if now - self._followed.get(name, -1e9) < FOLLOW_EVERY_S:
            return
        self._followed[name] = now

        def shown(changed: int) -> None:
            if changed and self.current_collection() == name:
                self.refresh(select=name)

        self._run_job(lambda emit: self.store.shared.sync(name, force=True), shown)

    def _follow_current(self) -> None:
        """The follow timer: the shared collection on screen catches up with its server (a job)."""
        name, store = self.current_collection(), self._store
        if name is not None and store is not None and self._runner is None and store.shared.config(name) is not None:
            self._follow_server(name)

    def _delete_collection(self) -> None:
        name = self.current_collection()
        if name is None:
            return
        self._stop_watch(name)
        self._run_job(lambda emit: self.store.delete_collection(name), lambda _r: self.refresh())

    # -- adding files --------------------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt)
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt)
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.add_paths(paths)

    def _choose_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, self.tr("Add files"))
        if files:
            self.add_paths(files)

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Add folder"))
        if folder:
            self.add_paths([folder])

    def add_paths(self, paths: list[str], collection: str | None = None) -> None:
        collection = collection or self.current_collection() or self._default_collection()
        if collection is None:
            return
        self._queue.append((collection, paths))
        self._next_run()

    def _default_collection(self) -> str | None:
        """The collection a drop goes to when none exists: ``hearth docs add`` creates it (in its
        own process, so the window never waits for the store's lock)."""
        return self.tr("My documents")

    def _next_run(self) -> None:
        if self._runner is None and self._cross_after:
            self.set_cross_language(*self._cross_after.pop(0))
            return
        if self._runner is None and self._embed_after:
            self.change_embedder(*self._embed_after.pop(0))
            return
        if self._runner is not None or not self._queue:
            return
        collection, paths = self._queue.pop(0)
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.status.setText(self.tr("Indexing {n} item(s) into {name}…").format(n=len(paths), name=collection))
        self._runner = DocsProcess(["add", collection, *paths])
        self._runner.progressed.connect(self._progress_event)
        self._runner.finished.connect(lambda code, err, c=collection: self._run_finished(c, code, err))
        self._runner.start()

    def _progress_event(self, event: dict[str, Any]) -> None:
        if event.get("event") == "start":
            self._event_collection = event.get("collection")
            self._skipped.pop(self._event_collection or "", None)  # this run says again which links it skips
            self.progress.setRange(0, max(1, event["total"]))
            self.progress.setValue(0)
            self.refresh(select=event.get("collection"))
        elif event.get("event") == "file":
            self.progress.setValue(event["done"] or 0)
            self._show_file_status(event)
        elif event.get("event") == "chunks":  # a large file, part by part: its row says how far it came
            item = self._row(event["path"])
            text = self.tr("{n} chunks so far…").format(n=event["chunks"])
            item.setText(2, text)
            item.setToolTip(2, text)
        elif event.get("event") == "cross":  # after the files: the cross-language index fills
            self._cross_progress(event)
        elif event.get("event") == "retry":  # a shared collection's server failed a batch: said, retried
            from hearthlm.core.messages import Msg

            self.status.setText(tr_msg(Msg.from_json(event.get("message_msg")) or event.get("message", "")))
        elif event.get("event") == "failed":  # the command itself failed: its sentence, to show translated
            from hearthlm.core.messages import Msg

            self._failure = tr_msg(Msg.from_json(event.get("message_msg")) or event.get("message", ""))

    def _show_file_status(self, event: dict[str, Any]) -> None:
        """One row: found by path in a dict, so a folder of N files costs N steps, not N² / 2."""
        path = event["path"]
        item = self._rows.get(path)
        if event["status"] == "removed":
            if item is not None:
                del self._rows[path]
                self.files.takeTopLevelItem(self.files.indexOfTopLevelItem(item))
            return
        item = self._row(path)
        if event["status"] in ("failed", "skipped"):  # skipped: a link out of the folder, not followed
            from hearthlm.core.messages import Msg

            text = short_paths(tr_msg(Msg.from_json(event.get("error_msg")) or event.get("error") or ""), path)
            self._mark(item, event["status"])
            item.setText(1, "")
            if event["status"] == "skipped" and self._event_collection:
                self._skipped.setdefault(self._event_collection, {})[path] = text
        else:
            text = self.tr("indexed") if event["status"] == "added" else self.tr("unchanged")
            item.setText(1, str(event.get("chunks") or 0))
        item.setText(2, text)
        item.setToolTip(2, text)

    @staticmethod
    def _mark(item: QTreeWidgetItem, problem: str) -> None:
        """A failed file's status in the theme's error colour, a skipped one's muted."""
        item.setData(2, ROW_PROBLEM, problem)
        c = theme.colors()
        item.setForeground(2, QColor(c.error if problem == "failed" else c.muted))

    def _file_items(self) -> list[QTreeWidgetItem]:
        """The rows of the files list (topLevelItem is typed Optional; never None in range)."""
        items = [self.files.topLevelItem(i) for i in range(self.files.topLevelItemCount())]
        return [item for item in items if item is not None]

    def theme_changed(self) -> None:
        for item in self._file_items():
            if item.data(2, ROW_PROBLEM):
                self._mark(item, item.data(2, ROW_PROBLEM))
        if self._hint_shown is not None:
            self._show_results_hint(self._hint_shown)

    def _row(self, path: str) -> QTreeWidgetItem:
        item = self._rows.get(path)
        if item is None:
            item = QTreeWidgetItem([Path(path).name, "", ""])
            item.setData(0, Qt.ItemDataRole.UserRole, path)
            item.setToolTip(0, path)
            self.files.addTopLevelItem(item)
            self._rows[path] = item
        return item

    def _failure_text(self, last_error: str) -> str:
        """Why the child failed: the sentence it sent (translated), else its last line on stderr."""
        failure, self._failure = self._failure, ""
        return failure or last_error.removeprefix("hearth: error: ")

    def _run_finished(self, collection: str, code: int, last_error: str) -> None:
        self._runner, self._cross_run = None, None
        self.progress.setVisible(False)
        failed = sum(1 for item in self._file_items() if item.data(2, ROW_PROBLEM) == "failed")
        if (code not in (0, 1) or (code == 1 and failed == 0)) and (last_error or self._failure):  # the child failed
            self.status.setText(self._failure_text(last_error))
        else:
            self.status.setText(self.tr("Done: {n} file(s) could not be read — see the Status column.").format(n=failed)
                                if failed else self.tr("Done."))
        self.refresh(select=collection)
        self.indexingFinished.emit(collection)
        self._next_run()

    def _remove_selected(self) -> None:
        name = self.current_collection()
        paths = [i.data(0, Qt.ItemDataRole.UserRole) for i in self.files.selectedItems()]
        if name and paths:
            self._run_job(lambda emit: self.store.remove_documents(name, paths), lambda _r: self.refresh())

    def _choose_embedder(self) -> None:
        name = self.current_collection()
        if name is None:
            return
        from hearthlm.core.docs.embedders import e5_available

        builtin, gguf = self.tr("MiniLM (built in, English)"), self.tr("A GGUF embedding model…")
        multilingual = self.tr("E5 small (built in, multilingual: Chinese and English)")
        options = ([multilingual] if e5_available() else []) + [builtin, gguf]
        choice, ok = QInputDialog.getItem(self, self.tr("Embedding model"), self.tr("Re-embed {name} with:").format(
            name=name), options, 0, False)
        if not ok:
            return
        spec = "e5" if choice == multilingual else "minilm"
        if choice == gguf:
            path, _ = QFileDialog.getOpenFileName(self, self.tr("Embedding model"), "", "GGUF (*.gguf)")
            if not path:
                return
            spec = f"gguf:{path}"
        self.change_embedder(name, spec)

    def change_embedder(self, collection: str, spec: str, wait: bool = False) -> None:
        """Re-embed every chunk in a child process, with the progress bar. While another run is
        going: with ``wait`` (a download that finished in the background) it runs after that one,
        else the user is asked to wait."""
        if self._runner is not None:
            if wait:
                self._embed_after.append((collection, spec))
            else:
                self.status.setText(self.tr("Wait for the current indexing to finish."))
            return
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.status.setText(self.tr("Re-embedding {name}…").format(name=collection))
        self._runner = DocsProcess(["embedder", collection, spec])
        self._runner.progressed.connect(self._embed_event)
        self._runner.finished.connect(lambda code, err, c=collection: self._run_finished(c, code, err))
        self._runner.start()

    def _embed_event(self, event: dict[str, Any]) -> None:
        if event.get("event") in ("start", "embedded"):
            self.progress.setRange(0, max(1, event["total"]))
            self.progress.setValue(event.get("done", 0))
        elif event.get("event") == "failed":
            self._progress_event(event)

    # -- the cross-language index (gui/docs_cross_language.py) ----------------------------------------

    def set_cross_language(self, collection: str, on: bool) -> None:
        """Turn a collection's cross-language index on and fill it (or on again: fill the rest), or
        off, in a child process with the progress bar. Turning off the index being filled stops that
        fill first; anything else waits for the run going on."""
        if self._runner is not None:
            if not on and self._cross_run == collection:
                self._cross_after.append((collection, False))
                self._runner.stop()  # resumable: what was embedded stays until the index goes
            else:
                self.status.setText(self.tr("Wait for the current indexing to finish."))
                self.cross_language.revert()
            return
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.status.setText(self.cross_language.running_text(collection, on))
        self._cross_run = collection if on else None
        self._runner = DocsProcess(["cross-language", collection] + ([] if on else ["--off"]))
        self._runner.progressed.connect(self._progress_event)
        self._runner.finished.connect(lambda code, err, c=collection, o=on: self._cross_finished(c, o, code, err))
        self._runner.start()
        self.cross_language.started(collection)

    def _cross_progress(self, event: dict[str, Any]) -> None:
        """A ``cross`` event, from a cross-language run or at the end of an add: the bar counts passages."""
        name, done, total = event.get("collection"), event.get("done") or 0, event.get("total") or 0
        self.cross_language.set_progress(name, done, total)
        if self._runner is None:
            return
        if done < total and self._cross_run != name:  # an add's files are done: now the second index
            self._cross_run = name
            self.status.setText(self.cross_language.running_text(name or "", True))
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(done)

    def _cross_finished(self, collection: str, on: bool, code: int, last_error: str) -> None:
        self._runner, self._cross_run = None, None
        self.progress.setVisible(False)
        if code != 0:  # stopped (to turn it off), or the command failed and said why
            self.status.setText(self._failure_text(last_error))
        else:
            self.status.setText(self.cross_language.finished_text(collection, on))
        self.refresh(select=collection)
        self.indexingFinished.emit(collection)
        self._next_run()

    # -- watching ------------------------------------------------------------------------------------

    def _toggle_watch(self, on: bool) -> None:
        name = self.current_collection()
        if name is None:
            return
        store = self._store
        if store is None:
            return
        folders = [p for _, p, _ in store.folders(name)]

        def remember(_emit: Any) -> None:  # takes the store's lock: on a job thread
            for folder in folders:
                store.add_folder(name, folder, watched=on)

        self._run_job(remember, lambda _r: None)
        if on and folders:
            runner = DocsProcess(["watch", name])
            runner.progressed.connect(self._progress_event)
            self._watchers[name] = runner.start()
            self.status.setText(self.tr("Watching {n} folder(s) of {name}.").format(n=len(folders), name=name))
        elif on:
            self.status.setText(self.tr("Add a folder first: only folders can be watched."))
            self.watch_box.blockSignals(True)
            self.watch_box.setChecked(False)
            self.watch_box.blockSignals(False)
        else:
            self._stop_watch(name)

    def _stop_watch(self, name: str) -> None:
        runner = self._watchers.pop(name, None)
        if runner is not None:
            runner.stop()

    def start_watched(self) -> None:
        """Resume the watchers the user left on (called once the window shows, or once the store
        is open if that comes later)."""
        if self._store is None:
            self._watch_wanted = True
            return
        for name, _path, watched in self._store.folders():
            if watched and name not in self._watchers:
                runner = DocsProcess(["watch", name])
                runner.progressed.connect(self._progress_event)
                self._watchers[name] = runner.start()

    # -- asking ----------------------------------------------------------------------------------------

    def ask(self) -> None:
        name, question = self.current_collection(), self.question.text().strip()
        if not name or not question:
            return
        from hearthlm.core.docs.search import search

        self.search_button.setEnabled(False)
        self._hint_shown = None
        searching = self.tr("Searching…")  # not inside an f-string: lupdate would not see it
        self.results.setHtml(f"<p><i>{html.escape(searching)}</i></p>")
        embed = self.embed_service.embed

        due = self.cross_language.tip_due(question)

        def run(emit: Any) -> tuple[list[Any], list[Any], bool]:
            notes: list[Any] = []  # a shared collection's server is down: keywords only, and why
            hits = search(self.store, [name], question, k=8, embed=embed, notes=notes)
            return hits, notes, due and self.store.holds_chinese(name)

        def shown(result: tuple[list[Any], list[Any], bool]) -> None:
            hits, notes, chinese = result
            self._show_results(hits, notes, tip=self.cross_language.tip(name) if chinese else None)

        self._run_job(run, shown, lambda _e: self.search_button.setEnabled(True))

    def _show_results(self, hits: list[Any], notes: list[Any] | None = None, tip: str | None = None) -> None:
        self.search_button.setEnabled(True)
        if notes:
            self.status.setText(" ".join(tr_msg(n) for n in notes))
        elif tip:
            self.status.setText(tip)
        if not hits:
            nothing = self.tr("Nothing in the collection matches the question.")
            self.results.setHtml(f"<p>{html.escape(nothing)}</p>")
            self.resultsShown.emit(0)
            return
        parts = []
        for rank, hit in enumerate(hits, start=1):
            where = (self.tr("page {n}").format(n=hit.page) if hit.page else hit.section or "")
            snippet = " ".join(hit.text.split())
            snippet = snippet[:320] + ("…" if len(snippet) > 320 else "")
            parts.append(
                f'<p style="margin-bottom:10px"><b>[{rank}]</b> <a href="{html.escape(hit.link())}">'
                f"{html.escape(Path(hit.source).name)}</a>"
                + "".join(f' <span style="color:{theme.colors().muted}">· {html.escape(part)}</span>'
                          for part in (where, self.found_by(hit)) if part)
                + f"<br>{html.escape(snippet)}</p>")
        self.results.setHtml("".join(parts))
        self.resultsShown.emit(len(hits))

    def found_by(self, hit: Any) -> str:
        """Which searches found the passage, and its place in each: what its rank is made of (the
        fused score itself means nothing to a reader)."""
        names = {"meaning": self.tr("meaning #{n}"), "words": self.tr("words #{n}"),
                 "translation": self.tr("translation #{n}"), "cross-language": self.tr("cross-language #{n}")}
        ways = [names[way].format(n=rank) for way, rank in hit.places().items()]
        return self.tr("found by {ways}").format(ways=self.tr(", ").join(ways)) if ways else ""

    def open_source(self, url: QUrl) -> None:
        """Open the file in the user's viewer; PDF viewers that support it jump to #page=N."""
        QDesktopServices.openUrl(url)

    # -- plumbing ------------------------------------------------------------------------------------

    def _run_job(self, fn: Any, done: Any, failed: Any = None, waiting: str | None = None) -> None:
        """``fn`` on a job thread (it may wait for the store's lock, or a server); a job still
        running after WAIT_NOTE_MS says so in the status line (``waiting``, by default "Waiting for
        the document store…"), and the line clears when it ends."""
        job = Job(fn, self)
        state = {"noted": False, "over": False}
        waiting = waiting or self.waiting_text()

        def note() -> None:
            if not state["over"]:
                state["noted"] = True
                self.status.setText(waiting)

        def over() -> None:
            state["over"] = True
            if state["noted"] and self.status.text() == waiting:
                self.status.clear()

        def succeeded(result: Any) -> None:
            over()
            done(result)

        def job_failed(exc: BaseException) -> None:
            over()
            self.status.setText(error_text(exc))
            if failed:
                failed(exc)

        def ended() -> None:
            self._jobs.remove(job)
            job.deleteLater()

        job.succeeded.connect(succeeded)
        job.failed.connect(job_failed)
        job.finished.connect(ended)
        self._jobs.append(job)
        QTimer.singleShot(WAIT_NOTE_MS, self, note)
        job.start()

    def shutdown(self) -> None:
        self._follow_timer.stop()
        for name in list(self._watchers):
            self._stop_watch(name)
        if self._runner is not None:
            self._runner.stop()
        for job in list(self._jobs):
            job.wait(10_000)
        self.embed_service.close()

    def closeEvent(self, event: Any) -> None:  # noqa: N802 (Qt)
        self.shutdown()
        super().closeEvent(event)


def short_paths(sentence: str, path: str) -> str:
    """In the table the row already names the file (its tooltip has the path): say the name."""
    return sentence.replace(path, Path(path).name)


def error_text_or(error: Any) -> str:
    return tr_msg(error) if error else ""
