"""Bring a collection up to date with files and folders: new and changed files are indexed,
unchanged ones cost a stat, deleted ones are dropped, and each bad file gets its own sentence.

Parsing and chunking run on a helper thread while the main thread embeds and writes, and chunks
of several small files are embedded in one batch. A large file streams: its blocks are parsed, cut
into chunks, embedded EMBED_GROUP at a time and staged on disk as they come (a bounded queue
between the threads), so memory stays flat whatever its size or the length of its lines. Texts whose vectors the collection already has
(the unchanged parts of an edited file, copies of the same text) are not embedded again.
"""

from __future__ import annotations

import errno
import hashlib
import os
import queue
import threading
from dataclasses import dataclass, field
from pathlib import Path
from itertools import chain, islice
from typing import Any
from collections.abc import Callable, Iterable, Iterator, Sequence

import numpy as np

from ..messages import Msg, msg
from . import messages as M
from .chunking import Chunk, iter_chunks
from .embedders import Embedder, default_embedder, get_embedder, normalize_name
from .errors import DocumentError, StoreError
from .guards import COUNT_FIRST_BYTES, MAX_FILE_BYTES, MAX_FILE_CHUNKS
from .parse import is_supported, open_document
from .store import DocStore, NewDocument, Staging, text_hash

Emit = Callable[[dict[str, Any]], None]
SKIP_DIRS = {".git", ".hg", ".svn", "__pycache__", "node_modules", ".venv", "venv", ".tox", ".mypy_cache"}
EMBED_GROUP = 64  # chunks embedded together (across files)…
EMBED_GROUP_FILES = 16  # …from at most this many files, written in one transaction
STREAM_AFTER = 512  # a file with more chunks is embedded and staged part by part, never whole in memory


@dataclass
class FileResult:
    path: str
    status: str  # added | unchanged | failed | removed | skipped (a link not followed)
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


@dataclass
class Scan:
    files: list[Path]  # files to consider
    folders: list[Path]  # folders walked
    missing: list[Path]  # named files that no longer exist
    skipped: list[FileResult]  # links that lead out of their folder (or loop), one sentence each
    unreadable: list[Path] = field(default_factory=list)  # folders the walk could not list (permissions, I/O)


def _link_escape(path: Path, folder: Path, folder_real: str) -> Msg | None:
    """Why ``path``, found under ``folder``, is not followed: a link whose target lies outside the
    folder (a collection may be searched from a local server: /etc/passwd must not leak in), or a
    link loop. None when it resolves inside the folder."""
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return msg(M.LINK_LOOP, path=str(path))
    target = os.path.realpath(path)  # a dangling link still names where it points
    if target == folder_real or target.startswith(folder_real.rstrip(os.sep) + os.sep):
        return None
    return msg(M.LINK_OUTSIDE, path=str(path), target=target, folder=str(folder))


def scan(paths: Iterable[str | Path], roots: Sequence[str | Path] = ()) -> Scan:
    """Walk the folders among ``paths`` (links are followed only where they stay inside the folder
    given) and collect the named files. A named file under one of ``roots`` (a watched folder)
    obeys the same link rule as one found by the walk."""
    out = Scan([], [], [], [])

    def skip(path: Path, why: Msg) -> None:
        out.skipped.append(FileResult(str(path), "skipped", error=why))

    for raw in paths:
        p = Path(raw).expanduser().absolute()
        if p.is_dir():
            out.folders.append(p)
            real = os.path.realpath(p)
            # os.walk never descends into a linked folder; a folder it cannot list is noted, so that
            # its documents are not taken for deleted
            for root, dirs, names in os.walk(p, onerror=lambda e: out.unreadable.append(Path(e.filename))):
                kept = []
                for d in sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith(".")):
                    sub = Path(root) / d
                    if not sub.is_symlink():
                        kept.append(d)
                    elif (why := _link_escape(sub, p, real)) is not None:
                        skip(sub, why)
                    # a linked folder that stays inside is walked under its real path anyway
                dirs[:] = kept
                for name in sorted(names):
                    f = Path(root) / name
                    if name.startswith(".") or not is_supported(f):
                        continue
                    if f.is_symlink() and (why := _link_escape(f, p, real)) is not None:
                        skip(f, why)
                    else:
                        out.files.append(f)
        elif p.exists() or p.is_symlink():
            folder = next((Path(r) for r in roots if p.is_relative_to(r)), None)
            why = _link_escape(p, folder, os.path.realpath(folder)) if folder is not None else None
            if why is not None:
                skip(p, why)
            else:
                out.files.append(p)
        else:
            out.missing.append(p)
    out.files = list(dict.fromkeys(out.files))
    return out


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def ingest(store: DocStore, collection: str, paths: Sequence[str | Path], *, embedder: str | None = None,
           emit: Emit | None = None, max_bytes: int = MAX_FILE_BYTES, cancel: threading.Event | None = None,
           watch: bool | None = None, roots: Sequence[str | Path] = ()) -> list[FileResult]:
    """``roots``: the watched folders that named ``paths`` come from (their link rule applies)."""
    emit = emit or (lambda _e: None)
    existing = {c.name: c for c in store.list_collections()}.get(collection.strip())
    name = existing.embedder if existing else normalize_name(embedder or default_embedder())
    model = get_embedder(name)
    info = store.ensure_collection(collection, model.name, model.dimension)
    collection = info.name
    if store.shared.config(collection) is not None:  # network: the mirror first, so unchanged files are not sent
        store.shared.prepare_write(collection)

    found = scan(paths, roots)
    files, folders, missing = found.files, found.folders, found.missing
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
    skipped = {r.path for r in found.skipped}  # a link indexed before links were checked goes too
    gone = [p for p in known if p not in seen and not any(Path(p).is_relative_to(u) for u in found.unreadable) and (
        any(Path(p).is_relative_to(folder) for folder in folders) or Path(p) in missing or p in skipped)]
    if gone:
        store.remove_documents(collection, gone)
        results += [FileResult(p, "removed") for p in gone]
    for p in missing:
        if str(p) not in known:
            results.append(FileResult(str(p), "failed", error=msg(M.NOT_FOUND, path=str(p))))
    results += found.skipped
    total = len(results) + len(todo)
    emit({"event": "start", "collection": collection, "total": total, "todo": len(todo)})
    for i, r in enumerate(results):
        emit({"event": "file", "done": i + 1, "total": total, **r.to_json()})
    done = len(results)

    def part(path: Path, chunks: int) -> None:
        # a large file is indexed part by part: say how far it has come, not only when it is done
        emit({"event": "chunks", "path": str(path), "chunks": chunks, "done": done, "total": total})

    for result in _index(store, collection, model, todo, known, max_bytes, cancel, part):
        results.append(result)
        done += 1
        emit({"event": "file", "done": done, "total": total, **result.to_json()})
    if info.cross_embedder is not None:  # after the files: they are searchable while it fills
        from . import cross_language

        cross_language.fill(store, collection, emit, stop=cancel.is_set if cancel else None)
    return results


def _prepare(path: Path, known: dict, model: Embedder, max_bytes: int) -> Iterator[_Prepared | FileResult | _Part]:
    """What the indexer needs for one file: a FileResult (same bytes as before), a _Prepared
    (all its chunks, or the sentence why not) or — for a file with more than STREAM_AFTER chunks —
    its chunks in _Parts as they are made, the last one marked, so no file is ever whole in memory.
    A failure after some parts is a _Prepared with the error."""
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
            yield FileResult(str(path), "touched" if doc.state == "complete" else "failed-same",
                             doc.chunks, doc.error)  # same bytes, new mtime
            return
        if size >= COUNT_FIRST_BYTES:
            for _chunk in _limited(_chunks(open_document(path, max_bytes), model), path):
                pass  # counted only: the file is cut again below, as it is embedded
        parsed = open_document(path, max_bytes)
        item.kind = parsed.kind
        chunks = _chunks(parsed, model)
        item.chunks = list(islice(chunks, STREAM_AFTER + 1))
        if len(item.chunks) > STREAM_AFTER:
            first, item.chunks = item.chunks, []
            for part in _batches(_limited(chain(first, chunks), path), EMBED_GROUP):
                yield _Part(item, part, [text_hash(c.embed_text()) for c in part])
            yield _Part(item, [], [], last=True)
            return
        item.hashes = [text_hash(c.embed_text()) for c in item.chunks]
        if not item.chunks:
            raise DocumentError(M.NO_TEXT, path=str(path))
    except DocumentError as exc:
        item.error = exc.msg
        item.chunks = []
    except OSError as exc:
        item.error = msg(M.CANNOT_READ, path=str(path), reason=exc.strerror or str(exc))
        item.chunks = []
    yield item


def _chunks(parsed: Any, model: Embedder) -> Iterator[Chunk]:
    return iter_chunks(parsed.blocks, model, min(model.chunk_tokens, model.max_tokens - 8), model.overlap_tokens)


def _limited(chunks: Iterable[Chunk], path: Path) -> Iterator[Chunk]:
    """The chunks, or a DocumentError once there are more than MAX_FILE_CHUNKS of them."""
    for n, chunk in enumerate(chunks, 1):
        if n > MAX_FILE_CHUNKS:
            raise DocumentError(M.TOO_MANY_PASSAGES, path=str(path), limit=f"{MAX_FILE_CHUNKS:,}")
        yield chunk


def _batches(items: Iterable[Chunk], n: int) -> Iterator[list[Chunk]]:
    it = iter(items)
    while batch := list(islice(it, n)):
        yield batch


def _index(store: DocStore, collection: str, model: Embedder, todo: list[Path], known: dict, max_bytes: int,
           cancel: threading.Event | None, on_part: Callable[[Path, int], None] | None = None
           ) -> Iterable[FileResult]:
    """``on_part(path, chunks so far)`` after each part of a large file is embedded and staged."""
    prepared: queue.Queue = queue.Queue(maxsize=32)  # bounded: a fast parser cannot run ahead in memory
    stop = threading.Event()

    def producer() -> None:
        for path in todo:
            for item in _prepare(path, known, model, max_bytes):
                if stop.is_set() or (cancel is not None and cancel.is_set()):
                    break
                prepared.put(item)
            if stop.is_set() or (cancel is not None and cancel.is_set()):
                break
        prepared.put(None)

    thread = threading.Thread(target=producer, name="docs-parse", daemon=True)
    thread.start()
    stream: _Stream | None = None
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
                if isinstance(item, _Part):  # a large file: embedded and staged part by part
                    stream = stream or _Stream(store, collection, model, item.item)
                    stream.add(item)
                    if on_part is not None and item.chunks:
                        on_part(item.item.path, stream.staging.count)
                    if item.last:
                        yield stream.commit()
                        stream = None
                    if cancel is not None and cancel.is_set():
                        break
                elif isinstance(item, FileResult):
                    yield _finish_same(store, collection, item, known)
                elif item.error is not None:
                    if stream is not None:  # it failed after some of its parts: drop what was staged
                        stream.close()
                        stream = None
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
        if stream is not None:
            stream.close()
        stop.set()
        while thread.is_alive():  # unblock a producer waiting on a full queue
            try:
                prepared.get(timeout=0.1)
            except queue.Empty:
                pass


@dataclass
class _Part:
    item: _Prepared  # the file (size, mtime, sha256, kind)
    chunks: list[Chunk]
    hashes: list[str]
    last: bool = False


class _Stream:
    """A large file being indexed: each part is embedded (texts the collection already has are
    not) and staged on disk; the file becomes current, all at once, with its last part."""

    def __init__(self, store: DocStore, collection: str, model: Embedder, item: _Prepared):
        self.store, self.collection, self.model, self.item = store, collection, model, item
        self.staging = store.stage()

    def add(self, part: _Part) -> None:
        if part.chunks:
            vectors = _vectors(self.store, self.collection, self.model, part.chunks, part.hashes, self.staging)
            self.staging.add(part.chunks, part.hashes, [vectors[h] for h in part.hashes])

    def commit(self) -> FileResult:
        item = self.item
        try:
            self.store.commit_staged(self.collection, self.staging, path=str(item.path), size=item.size,
                                     mtime_ns=item.mtime_ns, sha256=item.sha256, kind=item.kind,
                                     _fault=os.environ.get("HEARTH_DOCS_FAULT"))
            return FileResult(str(item.path), "added", self.staging.count)
        finally:
            self.close()

    def close(self) -> None:
        self.staging.close()


def _vectors(store: DocStore, collection: str, model: Embedder, chunks: Sequence[Chunk], hashes: Sequence[str],
             staging: Staging | None = None) -> dict[str, np.ndarray]:
    """A vector for each hash: reused where the collection has the text already (or an earlier
    part of the same large file has), else embedded."""
    vectors = store.known_embeddings(collection, hashes)
    if staging is not None and len(vectors) < len(hashes):
        vectors.update(staging.known_embeddings([h for h in hashes if h not in vectors]))
    missing: dict[str, str] = {}
    for h, c in zip(hashes, chunks, strict=True):
        if h not in vectors:
            missing.setdefault(h, c.embed_text())
    if missing:
        vectors.update(zip(missing.keys(), model.embed(list(missing.values())), strict=True))
    return vectors


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
    vectors = _vectors(store, collection, model, [c for item in group for c in item.chunks],
                       [h for item in group for h in item.hashes])
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
    info = store.get_collection(collection)
    shared = store.shared.config(info.name)
    if shared is not None:  # other installations embed questions with the collection's model
        raise StoreError(M.SHARED_EMBEDDER_DIFFERS, name=info.name, url=shared.url, embedder=info.embedder)
    rows = store.all_chunk_texts(collection)
    vectors: dict[int, np.ndarray] = {}
    emit({"event": "start", "collection": collection, "total": len(rows), "embedder": model.name})
    for i in range(0, len(rows), batch):
        part = rows[i:i + batch]
        texts = [Chunk(t, None, s, 0, 0, 0).embed_text() for _, t, s in part]
        for (chunk_id, _, _), vec in zip(part, model.embed(texts), strict=True):
            vectors[chunk_id] = vec
        emit({"event": "embedded", "done": min(i + batch, len(rows)), "total": len(rows)})
    store.replace_embedder(collection, model.name, model.dimension, vectors)
    emit({"event": "done", "total": len(rows)})
    return len(rows)
