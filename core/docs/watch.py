"""Watched folders: filesystem events (watchdog) collected and, once the folder has been quiet for
``debounce_s``, the touched files are brought up to date with ingest() — an editor's save burst
(temp file, rename, write) becomes one re-index."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from collections.abc import Callable, Sequence

from .ingest import FileResult, ingest
from .parse import is_supported
from .store import DocStore

DEBOUNCE_S = 1.5


class FolderWatcher:
    def __init__(self, store: DocStore, collection: str, folders: Sequence[str | Path], *,
                 debounce_s: float = DEBOUNCE_S, on_results: Callable[[list[FileResult]], None] | None = None):
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer

        self.store, self.collection, self.debounce_s = store, collection, debounce_s
        self.folders = [Path(f).expanduser().absolute() for f in folders]
        self.on_results = on_results or (lambda _r: None)
        self._pending: set[str] = set()
        self._last_event = 0.0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        watcher = self

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event) -> None:  # type: ignore[no-untyped-def]
                if event.is_directory or event.event_type in ("opened", "closed_no_write"):
                    return
                for p in (getattr(event, "src_path", None), getattr(event, "dest_path", None)):
                    if p and is_supported(Path(p)) and not Path(p).name.startswith("."):
                        watcher._note(str(p))

        self._observer = Observer()
        for folder in self.folders:
            self._observer.schedule(Handler(), str(folder), recursive=True)
        self._thread = threading.Thread(target=self._loop, name="docs-watch", daemon=True)

    def _note(self, path: str) -> None:
        with self._lock:
            self._pending.add(path)
            self._last_event = time.monotonic()

    def start(self) -> FolderWatcher:
        self._observer.start()
        self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.wait(0.2):
            with self._lock:
                ready = self._pending and time.monotonic() - self._last_event >= self.debounce_s
                paths = sorted(self._pending) if ready else []
                if ready:
                    self._pending.clear()
            if paths:
                # a link created in a watched folder obeys the folder's link rule
                results = ingest(self.store, self.collection, paths, roots=self.folders)
                # a file created and deleted within the burst was never indexed: not worth a line
                self.on_results([r for r in results if not (r.status == "failed" and not Path(r.path).exists())])

    def stop(self) -> None:
        self._stop.set()
        self._observer.stop()
        self._observer.join(timeout=5)
        self._thread.join(timeout=30)
