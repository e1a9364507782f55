"""Bring a collection up to date with files and folders: new and changed files are indexed,
unchanged ones cost a stat, deleted ones are dropped, and each bad file gets its own sentence.

Parsing and chunking run on a helper thread while the main thread embeds and writes, and chunks
of several small files are embedded in one batch. Texts whose vectors the collection already has
(the unchanged parts of an edited file, copies of the same text) are not embedded again.
"""

from __future__ import annotations

import hashlib
import os
import queue
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from ..messages import Msg, msg
from . import messages as M
from .chunking import Chunk, chunk_document
from .embedders import DEFAULT_EMBEDDER, Embedder, get_embedder, normalize_name
from .errors import DocumentError
from .guards import MAX_FILE_BYTES
from .parse import is_supported, parse_file
from .store import DocStore, NewDocument, text_hash

Emit = Callable[[dict[str, Any]], None]
SKIP_DIRS = {".git", ".hg", ".svn", "__pycache__", "node_modules", ".venv", "venv", ".tox", ".mypy_cache"}
EMBED_GROUP = 64  # chunks embedded together (across files)…
EMBED_GROUP_FILES = 16  # …from at most this many files, written in one transaction


@dataclass
class FileResult:
    path: str
    status: str  # added | unchanged | failed | removed
    chunks: int = 0
    error: Msg | None = None

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "status": self.status, "chunks": self.chunks,
                "error": str(self.error) if self.error else None,
                # the template and values, so the window can show the sentence translated
                **({"error_msg": self.error.to_json()} if isinstance(self.error, Msg) else {})}


@dataclass
class _Prepared:
    path: Path
    size: int
    mtime_ns: int
    sha256: str
    kind: str = ""
    chunks: list[Chunk] = field(default_factory=list)
    hashes: list[str] = field(default_factory=list)
    error: Msg | None = None


def scan(paths: Iterable[str | Path]) -> tuple[list[Path], list[Path], list[Path]]:
    """(files to consider, folders scanned, named files that no longer exist)."""
    files, folders, missing = [], [], []
    for raw in paths:
        p = Path(raw).expanduser().absolute()
        if p.is_dir():
            folders.append(p)
            for root, dirs, names in os.walk(p):
                dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
                for name in sorted(names):
                    f = Path(root) / name
                    if not name.startswith(".") and is_supported(f):
                        files.append(f)
        elif p.exists() or p.is_symlink():
            files.append(p)
        else:
            missing.append(p)
    return list(dict.fromkeys(files)), folders, missing


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def ingest(store: DocStore, collection: str, paths: Sequence[str | Path], *, embedder: str | None = None,
           emit: Emit | None = None, max_bytes: int = MAX_FILE_BYTES, cancel: threading.Event | None = None,
           watch: bool | None = None) -> list[FileResult]:
    emit = emit or (lambda _e: None)
    existing = {c.name: c for c in store.list_collections()}.get(collection.strip())
    name = existing.embedder if existing else normalize_name(embedder or DEFAULT_EMBEDDER)
    model = get_embedder(name)
    info = store.ensure_collection(collection, model.name, model.dimension)
    collection = info.name

    files, folders, missing = scan(paths)
    for folder in folders:
        store.add_folder(collection, str(folder), watch)
    known = {d.path: d for d in store.documents(collection)}
    results: list[FileResult] = []
    todo: list[Path] = []
    for f in files:
        doc = known.get(str(f))
        try:
            st = f.stat()
        except OSError:
            todo.append(f)  # parse_file says why
            continue
        if doc is not None and doc.size == st.st_size and doc.mtime_ns == st.st_mtime_ns:
            results.append(FileResult(str(f), "unchanged" if doc.state == "complete" else "failed",
                                      doc.chunks, doc.error))
        else:
            todo.append(f)
    # dropped: files gone from a scanned folder, and named files that no longer exist
    seen = {str(f) for f in files}
    gone = [p for p in known if p not in seen and (
        any(Path(p).is_relative_to(folder) for folder in folders) or Path(p) in missing)]
    if gone:
        store.remove_documents(collection, gone)
        results += [FileResult(p, "removed") for p in gone]
    for p in missing:
        if str(p) not in known:
            results.append(FileResult(str(p), "failed", error=msg(M.NOT_FOUND, path=str(p))))
    total = len(results) + len(todo)
    emit({"event": "start", "collection": collection, "total": total, "todo": len(todo)})
    for i, r in enumerate(results):
        emit({"event": "file", "done": i + 1, "total": total, **r.to_json()})
    done = len(results)
    for result in _index(store, collection, model, todo, known, max_bytes, cancel):
        results.append(result)
        done += 1
        emit({"event": "file", "done": done, "total": total, **result.to_json()})
    return results


def _prepare(path: Path, known: dict, model: Embedder, max_bytes: int) -> _Prepared | FileResult:
    try:
        st = path.stat()
        size, mtime = st.st_size, st.st_mtime_ns
    except OSError:
        size = mtime = 0
    item = _Prepared(path, size, mtime, "")
    try:
        from .guards import check_file

        check_file(path, max_bytes)
        item.sha256 = sha256_of(path)
        doc = known.get(str(path))
        if doc is not None and doc.sha256 == item.sha256:
            return FileResult(str(path), "touched" if doc.state == "complete" else "failed-same",
                              doc.chunks, doc.error)  # same bytes, new mtime
        parsed = parse_file(path, max_bytes)
        item.kind = parsed.kind
        item.chunks = chunk_document(parsed, model, min(model.chunk_tokens, model.max_tokens - 8), model.overlap_tokens)
        item.hashes = [text_hash(c.embed_text()) for c in item.chunks]
        if not item.chunks:
            raise DocumentError(M.NO_TEXT, path=str(path))
    except DocumentError as exc:
        item.error = exc.msg
    except OSError as exc:
        item.error = msg(M.CANNOT_READ, path=str(path), reason=exc.strerror or str(exc))
    return item


def _index(store: DocStore, collection: str, model: Embedder, todo: list[Path], known: dict, max_bytes: int,
           cancel: threading.Event | None) -> Iterable[FileResult]:
    prepared: queue.Queue = queue.Queue(maxsize=32)
    stop = threading.Event()

    def producer() -> None:
        for path in todo:
            if stop.is_set() or (cancel is not None and cancel.is_set()):
                break
            prepared.put(_prepare(path, known, model, max_bytes))
        prepared.put(None)

    thread = threading.Thread(target=producer, name="docs-parse", daemon=True)
    thread.start()
    try:
        finished = False
        while not finished:
            group: list[_Prepared] = []
            # gather a group of files whose chunks are embedded in one batch
            while sum(len(g.chunks) for g in group) < EMBED_GROUP and len(group) < EMBED_GROUP_FILES:
                item = prepared.get() if not group else _get_nowait_or_wait(prepared, group)
                if item is None:
                    finished = True
                    break
                if item is _EMPTY:
                    break
                if isinstance(item, FileResult):
                    yield _finish_same(store, collection, item, known)
                elif item.error is not None:
                    store.record_failure(collection, str(item.path), item.error, size=item.size,
                                         mtime_ns=item.mtime_ns, sha256=item.sha256 or None)
                    yield FileResult(str(item.path), "failed", error=item.error)
                else:
                    group.append(item)
            if group:
                yield from _embed_and_store(store, collection, model, group)
            if cancel is not None and cancel.is_set():
                break
    finally:
        stop.set()
        while thread.is_alive():  # unblock a producer waiting on a full queue
            try:
                prepared.get(timeout=0.1)
            except queue.Empty:
                pass


_EMPTY = object()


def _get_nowait_or_wait(q: queue.Queue, group: list) -> Any:
    """The next prepared file if one is ready; else embed what we have rather than idle."""
    try:
        return q.get(timeout=0.05)
    except queue.Empty:
        return _EMPTY


def _finish_same(store: DocStore, collection: str, result: FileResult, known: dict) -> FileResult:
    doc = known[result.path]
    st = Path(result.path).stat()
    store.touch_document(doc.id, st.st_mtime_ns)
    return FileResult(result.path, "unchanged" if result.status == "touched" else "failed", result.chunks,
                      result.error)


def _embed_and_store(store: DocStore, collection: str, model: Embedder, group: list[_Prepared]
                     ) -> Iterable[FileResult]:
    hashes = [h for item in group for h in item.hashes]
    vectors = store.known_embeddings(collection, hashes)
    missing: dict[str, str] = {}
    for item in group:
        for h, c in zip(item.hashes, item.chunks):
            if h not in vectors:
                missing.setdefault(h, c.embed_text())
    if missing:
        computed = model.embed(list(missing.values()))
        vectors.update(zip(missing.keys(), computed))
    fault = os.environ.get("HEARTH_DOCS_FAULT")
    docs = [NewDocument(str(item.path), item.size, item.mtime_ns, item.sha256, item.kind, item.chunks, item.hashes,
                        np.stack([vectors[h] for h in item.hashes])) for item in group]
    # one write for the group: each file is reported only once it is committed
    store.add_documents(collection, docs, _fault=fault)
    for item in group:
        yield FileResult(str(item.path), "added", len(item.chunks))


def change_embedder(store: DocStore, collection: str, embedder: str, emit: Emit | None = None,
                    batch: int = 64) -> int:
    """Re-embed every chunk of a collection with another model; the old vectors serve until the
    new ones are all computed. Returns the number of chunks."""
    emit = emit or (lambda _e: None)
    model = get_embedder(normalize_name(embedder))
    store.get_collection(collection)
    rows = store.all_chunk_texts(collection)
    vectors: dict[int, np.ndarray] = {}
    emit({"event": "start", "collection": collection, "total": len(rows), "embedder": model.name})
    for i in range(0, len(rows), batch):
        part = rows[i:i + batch]
        texts = [Chunk(t, None, s, 0, 0, 0).embed_text() for _, t, s in part]
        for (chunk_id, _, _), vec in zip(part, model.embed(texts)):
            vectors[chunk_id] = vec
        emit({"event": "embedded", "done": min(i + batch, len(rows)), "total": len(rows)})
    store.replace_embedder(collection, model.name, model.dimension, vectors)
    emit({"event": "done", "total": len(rows)})
    return len(rows)
