"""A Hugging Face Hub of our own on 127.0.0.1, for tests and benchmarks.

A real threaded HTTP server implementing the routes huggingface_hub 2.4 calls:

- ``GET /api/models?search=&filter=&sort=&direction=&limit=``  (HfApi.list_models)
- ``GET /api/models/{repo}`` and ``/api/models/{repo}/revision/{rev}`` (HfApi.model_info,
  ``?blobs=True`` adds size, blobId and LFS sha256 of every sibling)
- ``GET /api/models/{repo}/tree/{rev}`` (HfApi.list_repo_tree, with LFS info)
- ``GET /api/whoami-v2`` (huggingface_hub.login checks the token there before storing it)
- ``HEAD``/``GET /{repo}/resolve/{rev}/{path}`` with ``Range``, ``ETag``, ``X-Linked-Etag``,
  ``X-Linked-Size``, ``X-Repo-Commit``; with ``redirect_host`` set, LFS files answer 302 with a
  ``Location`` on another host name (as the real hub redirects to its CDN).

Files are served from disk (a 500 MB file never sits in memory). Faults are injected per file
with :meth:`FakeHub.fail`; each matching request consumes one (``times=None``: every request).
Run it alone with ``python tests/fake_hub.py DIR`` (DIR/owner/name/files…, optional meta.json).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

GOOD_TOKEN = "hf_good_token"
_CHUNK = 256 * 1024


@dataclass
class RepoFile:
    name: str  # as listed; may be hostile ("../x.gguf", "/etc/x.gguf")
    path: Path  # bytes on disk
    lfs: bool = True
    _sha: str | None = None

    @property
    def size(self) -> int:
        return self.path.stat().st_size

    @property
    def sha256(self) -> str:
        if self._sha is None:
            digest = hashlib.sha256()
            with self.path.open("rb") as handle:
                while block := handle.read(1 << 20):
                    digest.update(block)
            self._sha = digest.hexdigest()
        return self._sha

    @property
    def git_oid(self) -> str:
        """git's blob id: of the content for a plain file, of the pointer for an LFS file."""
        if self.lfs:
            return hashlib.sha1(f"blob lfs {self.name}".encode()).hexdigest()
        data = self.path.read_bytes()
        return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()

    @property
    def etag(self) -> str:
        return self.sha256 if self.lfs else self.git_oid


@dataclass
class Repo:
    id: str
    files: dict[str, RepoFile] = field(default_factory=dict)
    sha: str = ""
    gated: bool = False  # needs GOOD_TOKEN
    private: bool = False  # without the token: 401 as if it did not exist
    downloads: int = 0
    likes: int = 0
    last_modified: str = "2025-01-01T00:00:00.000Z"
    license: str | None = "apache-2.0"
    tags: list[str] = field(default_factory=lambda: ["gguf"])

    def __post_init__(self) -> None:
        if not self.sha:
            self.sha = hashlib.sha1(self.id.encode()).hexdigest()


@dataclass
class Fault:
    kind: str  # status | drop | corrupt | slow | stall | norange (ignore Range) | headers (override some)
    method: str = "GET"
    times: int | None = 1
    status: int = 500
    after: int = 0  # bytes sent before a drop/stall
    rate: int = 0  # bytes per second for slow
    retry_after: int | None = None
    headers: dict[str, str | None] | None = None  # for "headers": None removes the header


class FakeHub:
    def __init__(self, root: str | Path | None = None, redirect_host: str | None = None):
        self.repos: dict[str, Repo] = {}
        self.faults: dict[tuple[str, str], list[Fault]] = {}
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.redirect_host = redirect_host
        self._lock = threading.Lock()
        self._store = None
        if root is not None:
            self.load_dir(Path(root))
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.server.daemon_threads = True
        self._thread: threading.Thread | None = None

    # -- content -----------------------------------------------------------------------------
    def add_repo(self, repo_id: str, files: dict[str, Path | bytes] | None = None, **meta: Any) -> Repo:
        repo = Repo(id=repo_id, **meta)
        for name, content in (files or {}).items():
            self.add_file(repo, name, content)
        self.repos[repo_id] = repo
        return repo

    def add_file(self, repo: Repo, name: str, content: Path | bytes, lfs: bool | None = None) -> RepoFile:
        if isinstance(content, bytes):
            if self._store is None:
                import tempfile

                self._store = Path(tempfile.mkdtemp(prefix="fake-hub-"))
            path = self._store / hashlib.sha256(content).hexdigest()
            path.write_bytes(content)
        else:
            path = Path(content)
        entry = RepoFile(name=name, path=path, lfs=name.endswith(".gguf") if lfs is None else lfs)
        repo.files[name] = entry
        return entry

    def load_dir(self, root: Path) -> None:
        for meta_dir in sorted(p for p in root.glob("*/*") if p.is_dir()):
            meta_file = meta_dir / "meta.json"
            meta = json.loads(meta_file.read_text()) if meta_file.exists() else {}
            repo = self.add_repo(f"{meta_dir.parent.name}/{meta_dir.name}", **meta)
            for path in sorted(meta_dir.rglob("*")):
                if path.is_file() and path != meta_file:
                    self.add_file(repo, path.relative_to(meta_dir).as_posix(), path)

    def fail(self, repo_id: str, filename: str, kind: str, **kw: Any) -> None:
        with self._lock:
            self.faults.setdefault((repo_id, filename), []).append(Fault(kind=kind, **kw))

    def take_fault(self, repo_id: str, filename: str, method: str) -> Fault | None:
        with self._lock:
            queue = self.faults.get((repo_id, filename), [])
            for i, fault in enumerate(queue):
                if fault.method in (method, "*"):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            queue.pop(i)
                    return fault
        return None

    # -- server ------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FakeHub:
        # serve_forever polls for shutdown() every poll_interval (0.5 s by default): each test's stop waited for it
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True,
                                        name="fake-hub")
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        if self._store is not None:
            shutil.rmtree(self._store, ignore_errors=True)

    def __enter__(self) -> FakeHub:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def count(self, method: str, fragment: str) -> int:
        return sum(1 for m, p, _ in list(self.requests) if m == method and fragment in p)


def _sibling(f: RepoFile, blobs: bool) -> dict[str, Any]:
    item: dict[str, Any] = {"rfilename": f.name}
    if blobs:
        item.update(size=f.size, blobId=f.git_oid)
        if f.lfs:
            item["lfs"] = {"size": f.size, "sha256": f.sha256, "pointerSize": 134}
    return item


def _model_json(repo: Repo, siblings: bool, blobs: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "_id": repo.sha[:24], "id": repo.id, "modelId": repo.id, "author": repo.id.split("/")[0],
        "sha": repo.sha, "lastModified": repo.last_modified, "createdAt": repo.last_modified,
        "private": repo.private, "gated": "auto" if repo.gated else False, "disabled": False,
        "downloads": repo.downloads, "likes": repo.likes, "tags": repo.tags,
        "library_name": "gguf" if "gguf" in repo.tags else None,
    }
    if siblings:
        data["siblings"] = [_sibling(f, blobs) for f in repo.files.values()]
        data["cardData"] = {"license": repo.license, "tags": repo.tags} if repo.license else {"tags": repo.tags}
    return data


def _handler_for(hub: FakeHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:  # quiet
            pass

        # -- helpers -----------------------------------------------------------------------
        def _send_json(self, data: Any, status: int = 200, headers: dict[str, str] | None = None) -> None:
            body = json.dumps(data).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _error(self, status: int, code: str | None = None, message: str = "", headers: dict | None = None) -> None:
            extra = dict(headers or {})
            if code:
                extra["X-Error-Code"] = code
            if message:
                extra["X-Error-Message"] = message
            self._send_json({"error": message or code or str(status)}, status, extra)

        def _authorized(self, repo: Repo) -> bool:
            if not (repo.gated or repo.private):
                return True
            return self.headers.get("Authorization", "") == f"Bearer {GOOD_TOKEN}"

        def _deny(self, repo: Repo) -> None:
            if repo.private:
                self._error(401, "RepoNotFound", "Invalid username or password.")
            else:
                self._error(403 if self.headers.get("Authorization") else 401, "GatedRepo",
                            "Access to model is restricted. You must have access to it and be authenticated.")

        # -- routes ------------------------------------------------------------------------
        def do_HEAD(self) -> None:  # noqa: N802
            self._route()

        def do_GET(self) -> None:  # noqa: N802
            self._route()

        def _route(self) -> None:
            parts = urlsplit(self.path)
            path = unquote(parts.path)
            query = parse_qs(parts.query)
            hub.requests.append((self.command, path, {k.lower(): v for k, v in self.headers.items()}))
            try:
                if path == "/api/models":
                    return self._search(query)
                if path == "/api/whoami-v2":
                    return self._whoami()
                m = re.fullmatch(r"/api/models/([^/]+/[^/]+)(?:/revision/([^/]+))?", path)
                if m:
                    return self._model_info(m.group(1), query)
                m = re.fullmatch(r"/api/models/([^/]+/[^/]+)/tree/([^/]+)(?:/(.*))?", path)
                if m:
                    return self._tree(m.group(1))
                m = re.fullmatch(r"/([^/]+/[^/]+)/resolve/([^/]+)/(.+)", path)
                if m:
                    return self._resolve(m.group(1), m.group(2), m.group(3), redirected=False)
                m = re.fullmatch(r"/cdn/([^/]+/[^/]+)/([^/]+)/(.+)", path)
                if m:
                    return self._resolve(m.group(1), m.group(2), m.group(3), redirected=True)
                self._error(404, message="no such route")
            except (BrokenPipeError, ConnectionResetError):
                pass

        def _whoami(self) -> None:
            """Any ``hf_…`` token is a valid account (huggingface_hub.login checks this); only
            GOOD_TOKEN was granted the gated repos."""
            auth = self.headers.get("Authorization", "")
            if not auth.startswith("Bearer hf_"):
                return self._error(401, message="Invalid user token.")
            self._send_json({"type": "user", "name": "hearth-tester",
                             "auth": {"type": "access_token", "accessToken": {"displayName": "hearth-tests",
                                                                               "role": "read"}}})

        def _search(self, query: dict[str, list[str]]) -> None:
            search = (query.get("search") or [""])[0].lower()
            filters = query.get("filter", [])
            models = [r for r in hub.repos.values() if search in r.id.lower()
                      and all(f in r.tags for f in filters) and not r.private]
            key = (query.get("sort") or [""])[0]
            if key in ("downloads", "likes"):
                models.sort(key=lambda r: getattr(r, key), reverse=True)
            elif key in ("lastModified", "createdAt"):
                models.sort(key=lambda r: r.last_modified, reverse=True)
            limit = int((query.get("limit") or ["1000"])[0])
            self._send_json([_model_json(r, siblings=False, blobs=False) for r in models[:limit]])

        def _model_info(self, repo_id: str, query: dict[str, list[str]]) -> None:
            repo = hub.repos.get(repo_id)
            if repo is None:
                return self._error(401, "RepoNotFound", "Repository not found")
            fault = hub.take_fault(repo_id, "", "API")
            if fault is not None and fault.kind == "status":
                return self._error(fault.status)
            blobs = (query.get("blobs") or ["false"])[0].lower() == "true"
            self._send_json(_model_json(repo, siblings=True, blobs=blobs))

        def _tree(self, repo_id: str) -> None:
            repo = hub.repos.get(repo_id)
            if repo is None:
                return self._error(401, "RepoNotFound", "Repository not found")
            items = []
            for f in repo.files.values():
                item: dict[str, Any] = {"type": "file", "path": f.name, "size": f.size, "oid": f.git_oid}
                if f.lfs:
                    item["lfs"] = {"oid": f.sha256, "size": f.size, "pointerSize": 134}
                items.append(item)
            self._send_json(items)

        def _resolve(self, repo_id: str, revision: str, filename: str, redirected: bool) -> None:
            repo = hub.repos.get(repo_id)
            if repo is None:
                return self._error(401, "RepoNotFound", "Repository not found")
            if not redirected and not self._authorized(repo):
                return self._deny(repo)
            if revision not in ("main", repo.sha):
                return self._error(404, "RevisionNotFound", "Invalid rev id")
            entry = repo.files.get(filename)
            if entry is None:
                return self._error(404, "EntryNotFound", "Entry not found",
                                   headers={"X-Repo-Commit": repo.sha})
            fault = hub.take_fault(repo_id, filename, self.command)
            if fault is not None and fault.kind == "status":
                headers = {"X-Repo-Commit": repo.sha}
                if fault.retry_after is not None:
                    headers["Retry-After"] = str(fault.retry_after)
                return self._error(fault.status, headers=headers)
            linked = {"X-Repo-Commit": repo.sha, "X-Linked-Size": str(entry.size),
                      "X-Linked-Etag": f'"{entry.etag}"'} if entry.lfs else {"X-Repo-Commit": repo.sha}
            if fault is not None and fault.kind == "headers":
                for key, value in (fault.headers or {}).items():
                    if value is None:
                        linked.pop(key, None)
                    else:
                        linked[key] = value
            if entry.lfs and hub.redirect_host and not redirected:
                port = hub.server.server_address[1]
                target = f"http://{hub.redirect_host}:{port}/cdn/{repo_id}/{repo.sha}/{quote(filename)}"
                self.send_response(302)
                for k, v in {**linked, "Location": target, "ETag": f'"{entry.git_oid}"',
                             "Content-Length": "0"}.items():
                    self.send_header(k, v)
                self.end_headers()
                return
            self._send_file(entry, linked, fault)

        def _send_file(self, entry: RepoFile, linked: dict[str, str], fault: Fault | None) -> None:
            size = entry.size
            start, end = 0, size - 1
            rng = None if fault is not None and fault.kind == "norange" else self.headers.get("Range")
            status = 200
            if rng:
                m = re.fullmatch(r"bytes=(\d+)-(\d*)", rng.strip())
                if m:
                    start = int(m.group(1))
                    # a range past the end is cut at the end, as real servers do (RFC 9110 14.1.2)
                    end = min(int(m.group(2)), size - 1) if m.group(2) else size - 1
                    if start >= size:
                        self.send_response(416)
                        self.send_header("Content-Range", f"bytes */{size}")
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    status = 206
            length = end - start + 1
            self.send_response(status)
            self.send_header("Content-Length", str(length))
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("ETag", f'"{entry.etag}"')
            self.send_header("Content-Type", "application/octet-stream")
            if status == 206:
                self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
            for k, v in linked.items():
                self.send_header(k, v)
            self.end_headers()
            if self.command == "HEAD":
                return
            sent = 0
            with entry.path.open("rb") as handle:
                handle.seek(start)
                while sent < length:
                    step = max(1024, fault.rate // 10) if fault is not None and fault.kind == "slow" else _CHUNK
                    block = handle.read(min(step, length - sent))
                    if not block:
                        break
                    if fault is not None and fault.kind in ("drop", "stall") and sent + len(block) > fault.after:
                        block = block[: max(0, fault.after - sent)]
                        self.wfile.write(block)
                        self.wfile.flush()
                        if fault.kind == "stall":
                            time.sleep(3600)
                        self.close_connection = True
                        self.connection.shutdown(2)
                        return
                    if fault is not None and fault.kind == "corrupt":
                        block = bytes(b ^ 0xFF for b in block[:16]) + block[16:]
                    self.wfile.write(block)
                    sent += len(block)
                    if fault is not None and fault.kind == "slow" and fault.rate:
                        time.sleep(len(block) / fault.rate)

    return Handler


if __name__ == "__main__":  # a hub to point a real client at: python tests/fake_hub.py DIR
    import sys

    with FakeHub(sys.argv[1] if len(sys.argv) > 1 else None) as served:
        print(served.url, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
