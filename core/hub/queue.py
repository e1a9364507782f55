"""The download queue: bytes, speed, ETA; pause, resume, cancel; retry with backoff; survives restarts.

Each download runs ``python -m hearthlm.core.hub.fetch`` in a child process (see fetch.py): pause
and cancel kill it at once, and the bytes already written stay in the cache's
``blobs/<etag>.incomplete`` so that resume (also after the app restarts) continues from there.
A worker whose job ended cleanly (finished, or failed with its sentence) is kept, loaded, for the
next attempt or download; one that was killed, crashed or was started with another environment
is never reused.
A split GGUF is one download: it is ready only when every part is downloaded and verified.

Threads: ``start()`` runs a scheduler thread and one thread per running download. Listeners
(``subscribe``) are called on those threads with a copy of the changed ``Download``; the GUI turns
them into Qt signals. The queue file lives in the data folder and is written atomically.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections import deque
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any
from collections.abc import Callable, Iterator

from ..child.process import ChildGone, ChildNotReady, ChildProcess
from ..jsonfile import read_json, write_json_atomic
from .. import paths
from ..messages import Msg, msg
from . import ledger
from . import messages as M
from .config import endpoint as current_endpoint
from .config import HubToken, as_token, hub_cache_dir
from .errors import DownloadError
from .names import GGUFEntry

READY_TIMEOUT_S = 60.0
ACTIVE = ("queued", "downloading", "retrying", "verifying")
FINISHED = ("ready", "failed", "cancelled")


@dataclass
class Download:
    id: str
    repo: str
    name: str  # the model as listed (a file, or a split set)
    files: list[dict[str, Any]]  # {"name", "size", "sha256"} per part, in order
    revision: str = "main"
    state: str = "queued"  # queued | downloading | verifying | retrying | paused | ready | failed | cancelled
    done: int = 0
    total: int = 0
    speed: float = 0.0  # bytes per second, over the last few seconds
    eta: float | None = None  # seconds
    attempts: int = 0
    error: dict | None = None  # a Msg as JSON: why it failed (or why it is retrying)
    commit: str = ""
    finished: dict[str, str] = field(default_factory=dict)  # part name -> path in the snapshot folder
    partials: dict[str, str] = field(default_factory=dict)  # part name -> .incomplete path
    # parts that were in the shared cache before this download (another tool's, or an earlier
    # download's): cancelling never deletes them
    existing: list[str] = field(default_factory=list)
    quarantined: list[str] = field(default_factory=list)
    created: float = field(default_factory=time.time)

    @property
    def message(self) -> Msg | None:
        return Msg.from_json(self.error) if self.error else None

    @property
    def paths(self) -> list[str]:
        return [self.finished[f["name"]] for f in self.files if f["name"] in self.finished]

    @property
    def path(self) -> str | None:
        """The file to load: the first part (llama.cpp finds the other parts next to it)."""
        return self.paths[0] if self.paths and self.state == "ready" else None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["message"] = str(self.message) if self.error else None
        data["path"] = self.path
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Download:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


class _Speed:
    """Bytes per second over a sliding window of a few seconds."""

    def __init__(self, window: float = 3.0):
        self.window = window
        self.samples: deque[tuple[float, int]] = deque()  # (time, bytes done)

    def add(self, done: int) -> float:
        now = time.monotonic()
        self.samples.append((now, done))
        while len(self.samples) > 2 and now - self.samples[0][0] > self.window:
            self.samples.popleft()
        (t0, d0), (t1, d1) = self.samples[0], self.samples[-1]
        return (d1 - d0) / (t1 - t0) if t1 > t0 and d1 >= d0 else 0.0


class DownloadQueue:
    def __init__(self, store: Path | None = None, *, cache_dir: Path | None = None, endpoint: str | None = None,
                 token: HubToken | str | None = None, max_parallel: int = 1, retries: int = 6,
                 backoff: float = 2.0, backoff_max: float = 120.0, quarantine_dir: Path | None = None,
                 spare: bool = True):
        self.store = store or (paths.data_dir() / "hub" / "queue.json")
        self.store.parent.mkdir(parents=True, exist_ok=True)
        self.cache_dir = Path(cache_dir) if cache_dir else hub_cache_dir()
        self.endpoint = endpoint
        self.token = token  # None: looked up for each attempt (Settings, HF_TOKEN, stored login)
        self.max_parallel, self.retries = max_parallel, retries
        self.backoff, self.backoff_max = backoff, backoff_max
        self.quarantine_dir = quarantine_dir or (paths.data_dir() / "hub" / "quarantine")
        self._items: dict[str, Download] = {}
        self._procs: dict[str, ChildProcess] = {}
        self._stops: dict[str, threading.Event] = {}
        self._running: set[str] = set()
        self._listeners: list[Callable[[Download], None]] = []
        self._cond = threading.Condition()
        self._closing = False
        self._scheduler: threading.Thread | None = None
        self._spare: ChildProcess | None = None
        # False: no worker is started ahead of the first download (tests: one process fewer each);
        # a worker that ended its job cleanly is kept for the next one either way
        self.keep_spare = spare
        self._retry_after: dict[str, float | None] = {}
        self._last_save = 0.0
        self._load()

    # -- state ---------------------------------------------------------------------------------
    def _load(self) -> None:
        saved = read_json(self.store, [])
        for data in saved if isinstance(saved, list) else []:  # valid JSON of another shape: nothing
            try:
                item = Download.from_dict(data)
            except (TypeError, AttributeError, KeyError, ValueError):
                continue
            if item.state in ("downloading", "retrying", "verifying"):
                item.state = "queued"  # the app stopped mid-download: continue where it was
            item.speed, item.eta = 0.0, None
            self._items[item.id] = item

    def _save(self, force: bool = True) -> None:
        now = time.monotonic()
        if not force and now - self._last_save < 2.0:
            return
        self._last_save = now
        with self._cond:
            data = [asdict(i) for i in self._items.values()]
        write_json_atomic(self.store, data)

    def items(self) -> list[Download]:
        with self._cond:
            return [Download.from_dict(asdict(i)) for i in self._items.values()]

    def get(self, download_id: str) -> Download:
        with self._cond:
            item = self._items.get(download_id)
            if item is None:
                raise DownloadError(M.NO_SUCH_DOWNLOAD, id=download_id)
            return Download.from_dict(asdict(item))

    def subscribe(self, listener: Callable[[Download], None]) -> None:
        self._listeners.append(listener)

    def _changed(self, item: Download, save: bool = True) -> None:
        self._save(force=save)
        with self._cond:  # a consistent copy: the download thread and the UI both change items
            copy = Download.from_dict(asdict(item))
        for listener in list(self._listeners):
            try:
                listener(copy)
            except Exception:  # noqa: BLE001 (a listener's bug must not stop a download)
                pass
        with self._cond:
            self._cond.notify_all()

    # -- user actions -------------------------------------------------------------------------
    def add(self, repo: str, entry: GGUFEntry, revision: str = "main") -> Download:
        """Queue ``entry`` (all its parts); an unfinished download of the same model is reused."""
        with self._cond:
            for item in self._items.values():
                if item.repo == repo and item.name == entry.name and item.state not in ("failed", "cancelled"):
                    if item.state == "ready" and not all(Path(p).exists() for p in item.paths):
                        # deleted since (library): download it again
                        item.state, item.finished, item.done, item.error = "queued", {}, 0, None
                    if item.state == "paused":
                        item.state = "queued"
                    break
            else:
                files: list[dict[str, Any]] = [{"name": f, "size": entry.sizes.get(f), "sha256": entry.sha256.get(f)}
                                               for f in entry.files]
                item = Download(id=uuid.uuid4().hex[:12], repo=repo, name=entry.name, files=files,
                                revision=revision, total=sum(f["size"] or 0 for f in files))
                self._items[item.id] = item
        self._changed(item)
        return self.get(item.id)

    def pause(self, download_id: str) -> None:
        self._stop(download_id, "paused")

    def resume(self, download_id: str) -> None:
        with self._cond:
            item = self._items.get(download_id)
            if item is None:
                raise DownloadError(M.NO_SUCH_DOWNLOAD, id=download_id)
            if item.state in ("paused", "failed", "cancelled"):
                item.state, item.error, item.attempts = "queued", None, 0
        self._changed(item)

    def cancel(self, download_id: str) -> None:
        """Stop and delete what was downloaded for it (partial files and finished parts)."""
        with self._cond:
            if download_id in self._items and self._items[download_id].state == "ready":
                return  # finished: delete it from the library instead
        self._stop(download_id, "cancelled")
        with self._cond:
            item = self._items[download_id]
            partials = list(item.partials.values())
            finished = [path for part, path in item.finished.items() if part not in item.existing]
            item.partials, item.finished, item.done = {}, {}, 0
        for path in partials:
            Path(path).unlink(missing_ok=True)
        owned = ledger.owned_paths()
        for path in finished:
            if path not in owned:
                ledger.remove_cached_file(Path(path))
        self._changed(item)

    def remove(self, download_id: str) -> None:
        """Take a finished, failed, paused or cancelled download off the list. A ready model stays
        in the library; the partial bytes of an unfinished one are deleted (nothing could resume them)."""
        with self._cond:
            item = self._items.get(download_id)
            if item is None or item.state in ACTIVE:
                return
            del self._items[download_id]
            partials = list(item.partials.values()) if item.state != "ready" else []
        for path in partials:
            Path(path).unlink(missing_ok=True)
        self._save()

    def _stop(self, download_id: str, state: str) -> None:
        with self._cond:
            item = self._items.get(download_id)
            if item is None:
                raise DownloadError(M.NO_SUCH_DOWNLOAD, id=download_id)
            if item.state in ("ready",) and state == "paused":
                return
            if item.state == "ready" and state == "cancelled":
                return
            item.state, item.speed, item.eta = state, 0.0, None
            stop = self._stops.get(download_id)
            proc = self._procs.get(download_id)
        if stop is not None:
            stop.set()
        if proc is not None:
            proc.kill()
        self._changed(item)
        # wait for the worker thread to let go of the files
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with self._cond:
                if download_id not in self._running:
                    break
                self._cond.wait(0.05)

    # -- running -------------------------------------------------------------------------------
    def start(self) -> DownloadQueue:
        if self._scheduler is None:
            self._closing = False
            self._keep_spare()
            self._scheduler = threading.Thread(target=self._schedule, name="hearth-downloads", daemon=True)
            self._scheduler.start()
        return self

    def close(self) -> None:
        """Stop running downloads, keeping them queued for the next start (their bytes stay)."""
        with self._cond:
            self._closing = True
            procs = list(self._procs.values())
            for stop in self._stops.values():
                stop.set()
            self._cond.notify_all()
        for proc in procs:
            proc.kill()
        if self._scheduler is not None:
            self._scheduler.join(timeout=10)
            self._scheduler = None
        for download_id in list(self._running):  # let the download threads see their process end
            deadline = time.monotonic() + 5
            while download_id in self._running and time.monotonic() < deadline:
                time.sleep(0.02)
        self._drop_spare()
        with self._cond:
            for item in self._items.values():
                if item.state in ("downloading", "retrying", "verifying"):
                    item.state = "queued"
        self._save()

    def wait(self, download_id: str, timeout: float | None = None) -> Download:
        """Block until the download is ready, failed, cancelled or paused (or the timeout passes)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while self._items[download_id].state not in (*FINISHED, "paused"):
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    break
                self._cond.wait(0.2 if left is None else min(left, 0.2))
        return self.get(download_id)

    def _schedule(self) -> None:
        while True:
            with self._cond:
                if self._closing:
                    return
                waiting = [i for i in self._items.values() if i.state == "queued" and i.id not in self._running]
                if waiting and len(self._running) < self.max_parallel:
                    item = min(waiting, key=lambda i: i.created)
                    self._running.add(item.id)
                    self._stops[item.id] = threading.Event()
                    threading.Thread(target=self._run, args=(item.id,), daemon=True,
                                     name=f"download-{item.id}").start()
                    continue
                self._cond.wait(0.5)

    def _run(self, download_id: str) -> None:
        try:
            self._attempts(download_id)
        finally:
            with self._cond:
                self._running.discard(download_id)
                self._procs.pop(download_id, None)
                self._stops.pop(download_id, None)
                self._cond.notify_all()

    def _attempts(self, download_id: str) -> None:
        stop = self._stops[download_id]
        while not stop.is_set():
            with self._cond:
                item = self._items[download_id]
                before = item.done
            outcome = self._one_attempt(item, stop)
            if stop.is_set() or outcome is None:
                return
            kind, message = outcome
            with self._cond:
                if item.done > before:
                    item.attempts = 0  # it made progress: a fresh series of retries
                item.attempts += 1
                attempt = item.attempts
            if kind != "transient":
                self._finish(item, "failed", message)
                return
            if attempt > self.retries:
                self._finish(item, "failed", msg(M.GAVE_UP, reason=message, attempts=self.retries))
                return
            delay = min(self.backoff_max, self.backoff * 2 ** (attempt - 1))
            asked = self._retry_after.pop(download_id, None)
            if asked is not None:  # the hub said how long to wait (Retry-After)
                delay = min(self.backoff_max, max(delay, asked))
            with self._cond:
                item.state, item.speed, item.eta = "retrying", 0.0, None
                item.error = msg(M.RETRYING, reason=message, seconds=round(delay, 1), attempt=attempt,
                                 attempts=self.retries).to_json()
            self._changed(item)
            if stop.wait(delay):
                return

    def _finish(self, item: Download, state: str, message: Msg | None = None) -> None:
        with self._cond:
            if item.state in ("paused", "cancelled"):
                return
            item.state, item.speed, item.eta = state, 0.0, None
            item.error = message.to_json() if message is not None else None
        self._changed(item)

    def _job(self, item: Download) -> dict[str, Any]:
        return {"repo": item.repo, "revision": item.revision, "endpoint": self.endpoint or current_endpoint(),
                "cache_dir": str(self.cache_dir), "quarantine_dir": str(self.quarantine_dir),
                "files": [f for f in item.files if f["name"] not in item.finished]}

    def _one_attempt(self, item: Download, stop: threading.Event) -> tuple[str, Msg] | None:
        """Run the fetch process once. None when it finished (ready) or was stopped."""
        token = as_token(self.token)
        with self._cond:
            if stop.is_set():
                return None
            item.state, item.error = "downloading", None
            proc = self._take_worker()
            self._procs[item.id] = proc
        self._changed(item)
        try:
            proc.send({**self._job(item), "token": token.to_json()})
        except OSError:
            pass  # it has gone: _follow reports how
        ended = False
        try:
            outcome, ended = self._follow(item, proc, stop)
            return outcome
        finally:
            self._let_go(item.id, proc, ended and not stop.is_set())
            self._keep_spare()

    # -- worker processes ---------------------------------------------------------------------------
    @staticmethod
    def _worker_env() -> dict[str, str]:
        env = dict(os.environ)
        for name in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"):
            env.pop(name, None)  # the job carries the token to use (or none)
        env["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
        env.setdefault("PYTHONUNBUFFERED", "1")  # as ChildProcess adds it: compared in _usable
        return env

    def _spawn(self) -> ChildProcess:
        return ChildProcess("hearthlm.core.hub.fetch", env=self._worker_env(), name="fetch",
                            log_path=paths.log_dir() / "downloads.log").start(ready_timeout=None)

    def _usable(self, proc: ChildProcess | None) -> bool:
        """Alive, and started with the environment a new worker would get now (HF_HUB_OFFLINE, proxies,
        timeouts are read from it)."""
        return proc is not None and proc.alive and proc.env == self._worker_env()

    def _take_worker(self) -> ChildProcess:
        """The waiting process if it is usable (already loaded), else a new one. Call with the lock held."""
        proc, self._spare = self._spare, None
        if proc is not None and self._usable(proc):
            return proc
        if proc is not None:
            proc.kill()
        return self._spawn()

    def _let_go(self, download_id: str, proc: ChildProcess, reusable: bool) -> None:
        """After an attempt: a worker that ended its job cleanly waits for the next job (unless one is
        waiting already); any other is ended. Pause and cancel have killed theirs."""
        spare: ChildProcess | None = None
        with self._cond:
            if self._procs.get(download_id) is proc:
                del self._procs[download_id]
            keep = reusable and not self._closing and not self._usable(self._spare) and self._usable(proc)
            if keep:
                spare, self._spare = self._spare, proc
        if keep:
            if spare is not None:
                spare.kill()
        elif reusable:
            proc.close(timeout=5)  # end of input: it exits by itself
        else:
            proc.kill()

    def _keep_spare(self) -> None:
        """Have one loaded worker process waiting, so the next download starts at once."""
        with self._cond:
            if self.keep_spare and not self._closing and not self._usable(self._spare):
                if self._spare is not None:
                    self._spare.kill()
                self._spare = self._spawn()

    def _drop_spare(self) -> None:
        with self._cond:
            spare, self._spare = self._spare, None
        if spare is not None:
            spare.close(timeout=5)  # an empty job: it exits by itself

    def _follow(self, item: Download, proc: ChildProcess,
                stop: threading.Event) -> tuple[tuple[str, Msg] | None, bool]:
        """(None when ready or stopped, else why it failed; whether the worker ended the job cleanly
        and waits for the next)."""
        error: tuple[str, Msg] | None = None
        speed = _Speed()
        base = sum(f["size"] or 0 for f in item.files if f["name"] in item.finished)
        rc: int | None = None
        for event in _events(proc, stop):
            kind = event.get("event")
            if kind == "end":
                rc = event.get("code") if isinstance(event.get("code"), int) else 1
                break
            with self._cond:
                if stop.is_set():  # paused or cancelled meanwhile: a line read late must not undo that
                    continue
                if kind == "start":
                    item.commit = event.get("commit") or item.commit
                    if event.get("existing") and event["file"] not in item.existing:
                        item.existing.append(event["file"])
                    if event.get("partial"):
                        item.partials[event["file"]] = event["partial"]
                    for f in item.files:
                        if f["name"] == event["file"] and event.get("size") is not None:
                            f["size"] = event["size"]
                    item.total = sum(f["size"] or 0 for f in item.files)
                elif kind in ("progress", "verify"):
                    item.done = base + int(event.get("done") or 0)
                    item.state = "verifying" if kind == "verify" else "downloading"
                    if kind == "progress":
                        item.speed = speed.add(item.done)
                        item.eta = (item.total - item.done) / item.speed if item.speed > 0 else None
                elif kind == "quarantined":
                    item.quarantined.append(event["path"])
                elif kind == "file_done":
                    item.finished[event["file"]] = event["path"]
                    item.partials.pop(event["file"], None)
                    base = sum(f["size"] or 0 for f in item.files if f["name"] in item.finished)
                    item.done = base
                elif kind == "error":
                    error = (event.get("kind") or "fatal",
                             Msg.from_json(event.get("message")) or msg(M.WORKER_DIED, detail="?"))
                    item_wait = event.get("retry_after")
                    self._retry_after[item.id] = float(item_wait) if isinstance(item_wait, (int, float)) else None
            self._changed(item, save=kind not in ("progress", "verify"))
        ended = rc is not None
        if rc is None:  # the process itself ended (crashed, killed, or stopped by pause/cancel)
            rc = proc.reap()
            if rc is None:
                rc = 1
        if stop.is_set():
            return None, ended
        if rc == 0 and len(item.finished) == len(item.files):
            ledger.record(item.repo, item.name, item.commit,
                          [{"name": f["name"], "path": item.finished[f["name"]], "sha256": f.get("sha256"),
                            "size": f.get("size")} for f in item.files])
            self._finish(item, "ready")
            return None, ended
        if error is not None:
            return error, ended
        detail = f"exit status {rc}" if rc >= 0 else f"signal {-rc}"
        return ("transient", msg(M.WORKER_DIED, detail=detail)), ended


def _events(proc: ChildProcess, stop: threading.Event) -> Iterator[dict[str, Any]]:
    """The fetch process's events until it ends (or does not become ready: it is then killed)."""
    try:
        if not proc.wait_ready(READY_TIMEOUT_S, stop=stop.is_set):
            return
        while True:
            yield proc.next_event()
    except (ChildGone, ChildNotReady):
        return
