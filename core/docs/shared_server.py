"""A shared collection's side on a Chroma server (``chroma run``, or chromadb's own token-checking
server behind the same API): the network half of core/docs/shared.py.

Each Hearth collection is two chromadb collections on the server:

- ``<base>``: the chunks. id ``<doc uid>:<ord>``, the vector, the text (chroma's ``document``),
  and metadata (path, ord, page, section, offsets, ``pending``).
- ``<base>-docs``: the manifest, one record per *published* document (uid, path, size, mtime,
  sha256, kind, chunk count, publish time). A document exists for the other clients only once
  its manifest record does — one record write, which chroma makes atomically.

Writing a document: its chunks go up first, marked ``pending`` (batches retried, ids fixed, so a
retry of a batch that did land is harmless); then its manifest record; then its chunks are marked
live. Readers take documents only from the manifest, and vector queries ask for live chunks only,
so a writer killed anywhere in between leaves nothing half visible: pending chunks without a
manifest record are garbage (``repair`` deletes them after a grace period), and a published
document whose chunks are still pending is finished by ``repair``.

Nothing here takes the local store's lock; every call may block on the network (job threads and
child processes only, never the UI thread).
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
import time
import uuid
from dataclasses import dataclass
from functools import partial
from typing import Any
from collections.abc import Callable, Iterable, Sequence
from urllib.parse import urlsplit

from ..messages import Msg, msg
from . import messages as M
from .errors import StoreError

CONNECT_TIMEOUT_S = 5.0
# A stalled server (it accepts, never answers) costs a question this long before the keyword-only
# answer; uploads are cut into batches small enough (UPLOAD_BATCH) to fit in it on a slow link.
REQUEST_TIMEOUT_S = 20.0
UPLOAD_BATCH = 256
# Failed batches are tried again after these pauses (~15 s in all: a server restarting comes back
# within it); HEARTH_SHARED_RETRY_SCALE shortens them for tests that want the failure itself.
RETRY_PAUSES_S = (0.5, 1.0, 2.0, 4.0, 8.0)
ORPHAN_GRACE_S = 3600.0  # pending chunks older than this, of no published document, were abandoned
SCHEMA_TAG = "hearth-shared-1"
PAGE = 1000


@dataclass(frozen=True)
class ServerConfig:
    """Where a shared collection lives. The token itself is never stored: only the name of the
    environment variable that holds it (keychain storage belongs to the secrets store)."""

    url: str
    token_env: str | None = None

    @property
    def parts(self) -> tuple[str, int, bool]:
        return parse_url(self.url)

    def token(self) -> str | None:
        if not self.token_env:
            return None
        value = os.environ.get(self.token_env, "").strip()
        if not value:
            raise StoreError(M.SHARED_TOKEN_ENV_UNSET, env=self.token_env, url=self.url)
        return value

    def headers(self) -> dict[str, str]:
        token = self.token()
        # chromadb's token auth reads "Authorization: Bearer" by default, and so do reverse proxies
        return {"Authorization": f"Bearer {token}"} if token else {}


def parse_url(url: str) -> tuple[str, int, bool]:
    """(host, port, ssl) of ``http[s]://HOST[:PORT]``; a bare ``HOST:PORT`` means http."""
    raw = url.strip()
    if "://" not in raw:
        raw = "http://" + raw
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        raise StoreError(M.SHARED_BAD_URL, url=url) from None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/") \
            or parts.query or parts.username:
        raise StoreError(M.SHARED_BAD_URL, url=url)
    ssl = parts.scheme == "https"
    return parts.hostname, port or (443 if ssl else 8000), ssl


def normalize_url(url: str) -> str:
    host, port, ssl = parse_url(url)
    return f"{'https' if ssl else 'http'}://{host}:{port}"


def remote_name(name: str) -> str:
    """The chromadb collection of a Hearth collection: readable where the name allows (chroma wants
    [A-Za-z0-9._-]) and made unique by a hash of the exact name."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-_")[:40] or "c"
    return f"hearth-{slug}-{hashlib.sha1(name.encode('utf-8')).hexdigest()[:8]}"


# -- errors ------------------------------------------------------------------------------------------

class Transient(Exception):
    """A failure worth trying again (the server is down, restarting, or answered 5xx)."""


def _is_transient(exc: BaseException) -> bool:
    import httpx

    if isinstance(exc, StoreError):  # from connect(): a server still down (or restarting) is worth a retry
        return exc.msg.template == M.SHARED_UNREACHABLE

    if isinstance(exc, (httpx.TransportError, ConnectionError, socket.timeout, TimeoutError)):
        return True
    if isinstance(exc, ValueError) and "Could not connect" in str(exc):
        return True
    text = str(exc).lower()
    return any(s in text for s in ("503", "502", "504", "service unavailable", "bad gateway", "internal error"))


def classify(exc: BaseException, config: ServerConfig) -> StoreError:
    """One sentence for what went wrong with the server."""
    if isinstance(exc, StoreError):
        return exc
    from chromadb.errors import ChromaAuthError

    if isinstance(exc, ChromaAuthError) or "401" in str(exc) or "403" in str(exc) or "Forbidden" in str(exc):
        if config.token_env:
            return StoreError(M.SHARED_TOKEN_REFUSED, url=config.url, env=config.token_env)
        return StoreError(M.SHARED_TOKEN_NEEDED, url=config.url)
    if _is_transient(exc):
        return StoreError(M.SHARED_UNREACHABLE, url=config.url, reason=_reason(exc))
    return StoreError(M.SHARED_FAILED, url=config.url, reason=_reason(exc))


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if "Connection refused" in text or "Could not connect" in text:
        return "connection refused"
    return text[:200]


# Told each time a failed request is about to be tried again: (the sentence, the pause in seconds).
# `hearth docs add` prints it (or, as a child of the window, sends it as a "retry" event).
on_retry: Callable[[Msg, float], None] | None = None


def retrying(config: ServerConfig, fn: Callable[[], Any], pauses: Sequence[float] | None = None) -> Any:
    """``fn()``, tried again after each pause while it fails transiently; then its sentence."""
    scale = float(os.environ.get("HEARTH_SHARED_RETRY_SCALE", "1") or 1)
    pauses = RETRY_PAUSES_S if pauses is None else pauses
    for attempt in range(len(pauses) + 1):
        try:
            return fn()
        except Exception as exc:
            if not _is_transient(exc) or attempt == len(pauses):
                raise classify(exc, config) from exc
            pause = pauses[attempt] * scale
            if on_retry is not None:
                on_retry(msg(M.SHARED_RETRYING, error=classify(exc, config).msg, seconds=pause), pause)
            time.sleep(pause)
    raise AssertionError("unreachable")


# -- the connection ------------------------------------------------------------------------------------

def _probe(config: ServerConfig) -> None:
    """A heartbeat with a short timeout before chromadb's own client (which waits without limit)
    is made: a server that is down or black-holed costs seconds, not minutes."""
    import httpx

    host, port, ssl = config.parts
    url = f"{'https' if ssl else 'http'}://{host}:{port}/api/v2/heartbeat"
    try:
        httpx.get(url, timeout=httpx.Timeout(CONNECT_TIMEOUT_S), headers=config.headers()).raise_for_status()
    except StoreError:
        raise
    except Exception as exc:
        raise classify(exc, config) from None


def connect(config: ServerConfig) -> Any:
    """A chromadb HttpClient for the server (network: not on the UI thread)."""
    _probe(config)
    import chromadb
    import httpx
    from chromadb.config import Settings

    host, port, ssl = config.parts
    try:
        client = chromadb.HttpClient(host=host, port=port, ssl=ssl, headers=config.headers(),
                                     settings=Settings(anonymized_telemetry=False))
        client.list_collections(limit=1)  # the heartbeat needs no token; this does
    except Exception as exc:
        raise classify(exc, config) from None
    # chromadb's httpx client waits forever; a stalled server must end in a sentence instead
    session = getattr(getattr(client, "_server", None), "_session", None)
    if session is not None:
        session.timeout = httpx.Timeout(REQUEST_TIMEOUT_S, connect=CONNECT_TIMEOUT_S)
    return client


class RemoteCollection:
    """One shared collection on the server. Methods block on the network and raise StoreError."""

    def __init__(self, config: ServerConfig, name: str):
        self.config, self.name, self.base = config, name, remote_name(name)
        self._client: Any = None
        self._chunks: Any = None
        self._manifest: Any = None

    def _open(self) -> None:
        if self._chunks is None:
            client = connect(self.config)
            self._chunks = client.get_collection(self.base, embedding_function=None)
            self._manifest = client.get_collection(self.base + "-docs", embedding_function=None)
            self._client = client

    def create(self, embedder: str, dimension: int) -> tuple[str, int]:
        """Make the collection on the server, or join it: (embedder, dimension) as the server has
        them — every client embeds with the model the collection was made with."""
        try:
            client = connect(self.config)
            meta = {"hearth": SCHEMA_TAG, "name": self.name, "embedder": embedder, "dimension": dimension}
            self._chunks = client.get_or_create_collection(self.base, embedding_function=None, metadata=meta,
                                                           configuration={"hnsw": {"space": "cosine"}})
            self._manifest = client.get_or_create_collection(self.base + "-docs", embedding_function=None,
                                                             metadata={"hearth": SCHEMA_TAG, "name": self.name})
            self._client = client
            have = self._chunks.metadata or {}
            return str(have.get("embedder", embedder)), int(have.get("dimension", dimension))
        except Exception as exc:
            raise classify(exc, self.config) from None

    def _call(self, fn: Callable[[], Any]) -> Any:
        def once() -> Any:
            self._open()
            try:
                return fn()
            except Exception as exc:
                if _is_transient(exc):
                    self._chunks = None  # reconnect (the server may have restarted)
                raise
        return retrying(self.config, once)

    def _call_once(self, fn: Callable[[], Any]) -> Any:
        """No retries: for reads a user waits on (a query with the server down answers at once)."""
        try:
            self._open()
            return fn()
        except Exception as exc:
            self._chunks = None
            raise classify(exc, self.config) from None

    # -- reading --------------------------------------------------------------------------------------

    def manifest(self) -> dict[str, dict[str, Any]]:
        """The published documents: uid -> metadata, newest version per path only."""
        def read() -> dict[str, dict[str, Any]]:
            out: dict[str, dict[str, Any]] = {}
            offset = 0
            while True:
                page = self._manifest.get(include=["metadatas"], limit=PAGE, offset=offset)
                for uid, meta in zip(page["ids"], page["metadatas"], strict=True):
                    out[uid] = dict(meta or {})
                if len(page["ids"]) < PAGE:
                    return out
                offset += PAGE
        docs = self._call_once(read)
        newest: dict[str, tuple[float, str]] = {}
        for uid, meta in docs.items():
            key = (float(meta.get("published", 0)), uid)
            path = str(meta.get("path"))
            if path not in newest or key > newest[path]:
                newest[path] = key
        return {uid: docs[uid] for _, uid in newest.values()}

    def chunks_of(self, uids: Sequence[str]) -> dict[str, list[tuple[str, str, dict[str, Any]]]]:
        """(chunk id, text, metadata) of these documents, in order, by document uid."""
        out: dict[str, list[tuple[str, str, dict[str, Any]]]] = {u: [] for u in uids}
        for k in range(0, len(uids), 50):
            part = list(uids[k:k + 50])
            where: dict[str, Any] = {"doc": part[0]} if len(part) == 1 else {"doc": {"$in": part}}
            offset = 0
            while True:
                page = self._call_once(partial(self._chunk_page, where, offset))
                for cid, text, meta in zip(page["ids"], page["documents"], page["metadatas"], strict=True):
                    out[str(meta["doc"])].append((cid, text or "", dict(meta)))
                if len(page["ids"]) < PAGE * 5:
                    break
                offset += PAGE * 5
        for rows in out.values():
            rows.sort(key=lambda r: int(r[2].get("ord", 0)))
        return out

    def _chunk_page(self, where: dict[str, Any], offset: int) -> Any:
        return self._chunks.get(where=where, include=["documents", "metadatas"], limit=PAGE * 5, offset=offset)

    def query(self, vector: Any, k: int) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of live chunks, best first. One try: the caller falls back
        to keywords when the server is down."""
        import numpy as np

        def run() -> list[tuple[str, float]]:
            n = self._chunks.count()
            if n == 0:
                return []
            res = self._chunks.query(query_embeddings=np.asarray(vector, np.float32)[None, :], n_results=min(k, n),
                                     where={"pending": False}, include=["distances"])
            return [(str(i), 1.0 - float(d)) for i, d in zip(res["ids"][0], res["distances"][0], strict=True)]
        return self._call_once(run)

    # -- writing --------------------------------------------------------------------------------------

    def max_batch(self) -> int:
        self._call(lambda: None)
        return max(1, min(int(self._client.get_max_batch_size()), UPLOAD_BATCH))

    def upload(self, uid: str, path: str, rows: Iterable[tuple[int, str, dict[str, Any], Any]],
               on_batch: Callable[[int], None] | None = None) -> int:
        """Send one document's chunks (ord, text, metadata, vector) as pending, in batches, each
        retried. Returns the number sent."""
        import numpy as np

        batch, sent, part = self.max_batch(), 0, []
        now = time.time()

        def flush(part: list) -> None:
            ids = [f"{uid}:{o}" for o, *_ in part]
            metas = [{**_clean(m), "doc": uid, "ord": o, "path": path, "pending": True, "written": now}
                     for o, _t, m, _v in part]
            vectors = np.stack([np.asarray(v, np.float32) for *_, v in part])
            self._call(lambda: self._chunks.upsert(ids=ids, embeddings=vectors, documents=[t for _, t, _, _ in part],
                                                   metadatas=metas))

        for row in rows:
            part.append(row)
            if len(part) == batch:
                flush(part)
                sent += len(part)
                part = []
                if on_batch:
                    on_batch(sent)
        if part:
            flush(part)
            sent += len(part)
        return sent

    def publish(self, uid: str, meta: dict[str, Any], chunks: int) -> None:
        """The document becomes visible to every client (one manifest record), then its chunks live."""
        record = {**_clean(meta), "chunks": chunks, "published": time.time(), "by": socket.gethostname()[:60]}
        self._call(lambda: self._manifest.upsert(ids=[uid], embeddings=[[1.0]], metadatas=[record]))
        self._go_live(uid, chunks)

    def _go_live(self, uid: str, chunks: int) -> None:
        batch = self.max_batch()
        for k in range(0, chunks, batch):
            ids = [f"{uid}:{o}" for o in range(k, min(chunks, k + batch))]
            self._call(partial(self._mark_live, ids))

    def _mark_live(self, ids: list[str]) -> None:
        self._chunks.update(ids=ids, metadatas=[{"pending": False}] * len(ids))

    def unpublish(self, uids: Sequence[str]) -> None:
        """Documents leave the manifest (at once, for every client), then their chunks go."""
        if not uids:
            return
        self._call(lambda: self._manifest.delete(ids=list(uids)))
        for uid in uids:
            self._call(partial(self._delete_chunks_of, uid))

    def _delete_chunks_of(self, uid: str) -> None:
        self._chunks.delete(where={"doc": uid})

    def repair(self) -> tuple[int, int]:
        """Finish what killed writers left: chunks of published documents made live, chunks of
        documents never published (older than the grace period) deleted. (finished, deleted)"""
        def pending() -> dict[str, Any]:
            return self._chunks.get(where={"pending": True}, include=["metadatas"])
        rows = self._call(pending)
        if not rows["ids"]:
            return 0, 0
        published = self._call(lambda: self._manifest.get(
            ids=list({str(m["doc"]) for m in rows["metadatas"]}), include=["metadatas"]))
        live = dict(zip(published["ids"], published["metadatas"], strict=True))
        cutoff = time.time() - ORPHAN_GRACE_S
        finished = {str(m["doc"]) for m in rows["metadatas"] if str(m["doc"]) in live}
        orphans = [i for i, m in zip(rows["ids"], rows["metadatas"], strict=True)
                   if str(m["doc"]) not in live and float(m.get("written", 0)) < cutoff]
        for uid in finished:
            self._go_live(uid, int(live[uid].get("chunks", 0)))
        if orphans:
            self._call(lambda: self._chunks.delete(ids=orphans))
        return len(finished), len(orphans)

    def pending_count(self) -> int:
        return len(self._call(lambda: self._chunks.get(where={"pending": True}, include=[]))["ids"])


def _clean(meta: dict[str, Any]) -> dict[str, Any]:
    """chroma metadata takes str/int/float/bool, never None."""
    return {k: v for k, v in meta.items() if v is not None}


def new_uid() -> str:
    return uuid.uuid4().hex
