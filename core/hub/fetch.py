"""``python -m hearthlm.core.hub.fetch``: download the files of one model into the HF cache.

Runs in a child process so that pause and cancel can stop it at once (kill) without leaving a
thread stuck in a socket read. Says "ready" once huggingface_hub is imported, then reads JSON jobs
(each with its token) on stdin, one a line, and for each writes JSON-line events on the protocol
channel (core/child/side.py): ``start``, ``progress`` (at most every 0.2 s), ``verify``,
``file_done``, ``error`` (with a sentence and whether a retry can help), ``done``, and last
``end`` with the job's ``code`` (0: every file is ready) — the process then waits for the next job,
so a retry or the next download does not pay for Python and huggingface_hub again. End of input
ends it; a job that raises anything else ends it too (the queue then starts a fresh one).

Why not plain ``hf_hub_download``: since huggingface_hub 2.x it downloads into a per-call
``<etag>.<random>.incomplete`` file and deletes it on failure, so an interrupted download always
restarts from zero. Here the bytes still come through huggingface_hub (``get_hf_file_metadata``
for the HEAD, ``http_get`` with ``resume_size`` for the GET, which itself resumes a dropped
connection a few times), into the cache's stable ``blobs/<etag>.incomplete``; the sha256 is
computed while writing and checked against the hub's LFS hash; only then does the blob get its
final name, and ``hf_hub_download`` creates the snapshot link exactly as for any other tool.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import queue
import re
import shutil
import stat
import sys
import threading
import time
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from ..child.side import Channel, checkpoint, protect_stdout
from ..messages import Msg, msg
from . import messages as M
from .config import NO_TOKEN, HubToken, token_source
from .names import inside, safe_relative, safe_token

# Smaller pieces than huggingface_hub's 10 MB: on a slow line progress (and the stall check)
# would otherwise move once every 10 MB. Measured in bench/download.py: no cost in throughput.
CHUNK_SIZE = 256 * 1024
PROGRESS_EVERY_S = 0.2
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_SHA1 = re.compile(r"^[0-9a-f]{40}$")


class FetchError(Exception):
    def __init__(self, message: Msg, kind: str, status: int | None = None, retry_after: float | None = None):
        super().__init__(str(message))
        self.message, self.kind, self.status, self.retry_after = message, kind, status, retry_after


def _retry_after(exc: BaseException) -> float | None:
    """Seconds a 429/503 asks us to wait (Retry-After as a number; dates are ignored)."""
    headers = getattr(getattr(exc, "response", None), "headers", None) or {}
    try:
        value = float(headers.get("Retry-After", ""))
    except (TypeError, ValueError):
        return None
    return value if 0 <= value <= 3600 else None


_channel: Channel | None = None  # set by main()


def emit(event: str, **data: Any) -> None:
    assert _channel is not None
    _channel.send(event=event, **data)


class HashingWriter:
    """A file object for ``http_get`` that hashes what it writes and reports progress.

    The hash runs on a thread of its own (hashlib lets go of the GIL), overlapping with the
    network reads, so checking the sha256 costs next to no download time. Supports the calls
    ``http_get`` makes: write, tell, seek + truncate (when a server ignores ``Range`` and sends the
    whole file again, the partial file is cut back and rehashed).
    """

    def __init__(self, handle: BinaryIO, digest: hashlib._Hash, name: str, size: int | None, git_blob: bool):
        self.handle, self.digest, self.name, self.size, self.git_blob = handle, digest, name, size, git_blob
        self.done = handle.tell()
        self._last = 0.0
        self._chunks: queue.Queue[bytes | None] = queue.Queue(maxsize=64)
        self._hasher = threading.Thread(target=self._hash, daemon=True)
        self._hasher.start()

    def _hash(self) -> None:
        while (chunk := self._chunks.get()) is not None:
            self.digest.update(chunk)

    def finish(self) -> hashlib._Hash:
        """Wait for the hash to catch up; returns it."""
        self._chunks.put(None)
        self._hasher.join()
        return self.digest

    def write(self, data: bytes) -> int:
        written = self.handle.write(data)
        self._chunks.put(data)
        self.done += len(data)
        now = time.monotonic()
        if now - self._last >= PROGRESS_EVERY_S:
            self._last = now
            emit("progress", file=self.name, done=self.done, size=self.size)
        return written

    def tell(self) -> int:
        return self.handle.tell()

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.handle.seek(offset, whence)

    def truncate(self, size: int | None = None) -> int:
        self.finish()
        result = self.handle.truncate(size)
        self.handle.flush()
        self.done = self.handle.tell() if size is None else size
        self.digest = _new_digest(self.git_blob, self.size)
        _hash_prefix(self.handle.name, self.done, self.digest)
        self.handle.seek(self.done)
        self._chunks = queue.Queue(maxsize=64)
        self._hasher = threading.Thread(target=self._hash, daemon=True)
        self._hasher.start()
        return result


def _new_digest(git_blob: bool, size: int | None) -> hashlib._Hash:
    if git_blob:  # a plain (non-LFS) git file: its etag is git's blob id, sha1("blob <size>\0" + data)
        digest = hashlib.sha1()
        digest.update(b"blob %d\0" % (size or 0))
        return digest
    return hashlib.sha256()


def _hash_prefix(path: str | os.PathLike, length: int, digest: hashlib._Hash) -> None:
    with open(path, "rb") as handle:
        left = length
        while left > 0:
            block = handle.read(min(8 << 20, left))
            if not block:
                break
            digest.update(block)
            left -= len(block)


def _classify(exc: BaseException, repo: str, name: str, revision: str, token: HubToken,
              endpoint: str) -> FetchError:
    from huggingface_hub import errors as E
    import httpx2

    status = getattr(getattr(exc, "response", None), "status_code", None)
    if isinstance(exc, E.OfflineModeIsEnabled):
        return FetchError(msg(M.OFFLINE), "fatal")
    if isinstance(exc, E.FileMetadataError):
        reason = (str(exc).strip().splitlines() or ["no metadata"])[0].rstrip(".")
        return FetchError(msg(M.NOT_A_HUB, endpoint=endpoint, reason=reason[:200]), "transient")
    if isinstance(exc, E.GatedRepoError) or status in (401, 403):
        if token.value:
            return FetchError(msg(M.TOKEN_REFUSED, source=token_source(token), repo=repo, status=status),
                              "auth", status)
        return FetchError(msg(M.GATED_NO_TOKEN, repo=repo), "auth", status)
    if isinstance(exc, E.RevisionNotFoundError):
        return FetchError(msg(M.REVISION_NOT_FOUND, repo=repo, revision=revision), "notfound", status)
    if isinstance(exc, E.RepositoryNotFoundError):
        return FetchError(msg(M.REPO_NOT_FOUND, repo=repo), "notfound", status)
    if isinstance(exc, E.EntryNotFoundError) or status == 404:
        return FetchError(msg(M.FILE_NOT_FOUND, repo=repo, file=name), "notfound", status)
    if status == 429:
        return FetchError(msg(M.RATE_LIMITED), "transient", status, _retry_after(exc))
    if status is not None and (status >= 500 or status == 408):
        return FetchError(msg(M.HUB_ERROR, repo=repo, status=status), "transient", status, _retry_after(exc))
    if status is not None:
        return FetchError(msg(M.HUB_ERROR, repo=repo, status=status), "fatal", status)
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return FetchError(msg(M.DISK_FULL, file=name, reason=exc.strerror or "disk full"), "fatal")
    if isinstance(exc, (httpx2.HTTPError, ConnectionError, TimeoutError)):
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0].rstrip(".")
        return FetchError(msg(M.HUB_UNREACHABLE, endpoint=endpoint, reason=reason), "transient")
    if isinstance(exc, OSError) and "Consistency check failed" in str(exc):
        # the server closed early once too often: http_get gave up; a fresh attempt resumes
        return FetchError(msg(M.HUB_UNREACHABLE, endpoint=endpoint, reason="the connection ended early"),
                          "transient")
    if isinstance(exc, OSError):
        return FetchError(msg(M.WRITE_FAILED, file=name, reason=exc.strerror or str(exc)), "fatal")
    reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0].rstrip(".")
    return FetchError(msg(M.HUB_UNREACHABLE, endpoint=endpoint, reason=reason), "transient")


def _same_origin(a: str, b: str) -> bool:
    pa, pb = urlsplit(a), urlsplit(b)
    return (pa.scheme, pa.hostname, pa.port) == (pb.scheme, pb.hostname, pb.port)


def _chmod_like_dir(path: Path) -> None:
    """Blobs get the permissions a new file in the cache would get (as huggingface_hub does)."""
    probe = path.parent / f".perm-{os.getpid()}"
    try:
        probe.touch()
        os.chmod(path, stat.S_IMODE(probe.stat().st_mode))
    except OSError:
        pass
    finally:
        probe.unlink(missing_ok=True)


def quarantine(partial: Path, quarantine_dir: Path, repo: str, name: str) -> Path:
    target_dir = quarantine_dir / repo.replace("/", "--")
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / f"{Path(name).name}.{time.strftime('%Y%m%d-%H%M%S')}.bad"
    os.replace(partial, target)
    return target


def fetch_file(job: dict[str, Any], spec: dict[str, Any], token: HubToken) -> str:
    """Download, verify and link one file; returns its path in the snapshot folder."""
    from huggingface_hub import get_hf_file_metadata, hf_hub_download, hf_hub_url
    from huggingface_hub.file_download import http_get, repo_folder_name
    from filelock import FileLock
    from huggingface_hub.utils import build_hf_headers

    repo, revision, endpoint = job["repo"], job.get("revision") or "main", job["endpoint"]
    name = spec["name"]
    cache_dir = Path(job["cache_dir"])
    if not safe_relative(name):
        raise FetchError(msg(M.UNSAFE_NAME, name=name), "unsafe")
    storage = cache_dir / repo_folder_name(repo_id=repo, repo_type="model")

    url = hf_hub_url(repo, name, revision=revision, endpoint=endpoint)
    try:
        meta = get_hf_file_metadata(url, token=token.value or False, endpoint=endpoint)
    except Exception as exc:  # noqa: BLE001
        raise _classify(exc, repo, name, revision, token, endpoint) from exc
    etag, commit = meta.etag, meta.commit_hash
    if not commit or not etag:  # a proxy, a captive portal or a plain web server, not a hub
        header = "X-Repo-Commit" if not commit else "ETag"
        raise FetchError(msg(M.NOT_A_HUB, endpoint=endpoint, reason=f"no {header} header for {name}"), "transient")
    for what, value in (("etag", etag), ("commit", commit)):
        if not safe_token(value):
            raise FetchError(msg(M.UNSAFE_HEADER, what=what, file=name, value=str(value)[:80]), "unsafe")
    expected_sha = (spec.get("sha256") or "").lower() or (etag if _SHA256.match(etag or "") else "")
    git_blob = not expected_sha and bool(_SHA1.match(etag or ""))
    size = meta.size if meta.size is not None else spec.get("size")

    blobs = storage / "blobs"
    blob = inside(blobs, etag)
    pointer = inside(storage / "snapshots" / commit, name)
    if blob is None or pointer is None:
        raise FetchError(msg(M.UNSAFE_NAME, name=name), "unsafe")
    blobs.mkdir(parents=True, exist_ok=True)
    partial = blobs / f"{etag}.incomplete"
    # a blob already there is another download's (another tool's, or an earlier one): not ours to delete
    emit("start", file=name, size=size, commit=commit, partial=str(partial), existing=blob.exists())

    # One writer per blob: two windows, or the window and `hearth models pull` (or huggingface_hub
    # itself, whose lock this is), appending to one .incomplete made a corrupt file that passed.
    # Released before hf_hub_download, which takes the same lock to make the snapshot link.
    lock_path = cache_dir / ".locks" / repo_folder_name(repo_id=repo, repo_type="model") / f"{etag}.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(lock_path)):
        if blob.exists():
            source = blob
        else:
            if partial.exists() and size is not None and partial.stat().st_size > size:
                partial.unlink()  # longer than the file: not ours to resume
            source = partial
        digest = _new_digest(git_blob, size)
        have = source.stat().st_size if source.exists() else 0
        if have:
            emit("verify", file=name, done=have, size=size)
            _hash_prefix(source, have, digest)

        if source is partial and size is not None:
            free = shutil.disk_usage(blobs).free
            if free < size - have:  # say so now, not after filling the disk
                raise FetchError(msg(M.DISK_FULL, file=name, reason=f"{size - have:,} bytes needed, {free:,} free in {blobs}"),
                                 "fatal")
        if source is partial:
            headers = build_hf_headers(token=token.value or False)
            if not _same_origin(url, meta.location):
                headers.pop("authorization", None)  # a signed CDN link: the token stays on the hub
            with open(partial, "ab") as handle:
                writer = HashingWriter(handle, digest, name, size, git_blob)
                emit("progress", file=name, done=have, size=size)
                try:
                    # http_get calls only write, tell, seek and truncate, which HashingWriter has
                    http_get(meta.location, writer,  # type: ignore[arg-type]
                             resume_size=have, headers=headers, expected_size=size,
                             displayed_filename=name)
                except Exception as exc:  # noqa: BLE001
                    raise _classify(exc, repo, name, revision, token, endpoint) from exc
                finally:
                    writer.finish()
                digest = writer.digest
                emit("progress", file=name, done=writer.done, size=size)

        actual = digest.hexdigest()
        wanted = expected_sha or (etag if git_blob else "")
        if wanted and actual != wanted:
            where = quarantine(source, Path(job["quarantine_dir"]), repo, name)
            if pointer.is_symlink() and not pointer.exists():
                pointer.unlink()  # it pointed at the damaged blob
            emit("quarantined", file=name, path=str(where), expected=wanted, actual=actual)
            raise FetchError(msg(M.HASH_MISMATCH, file=name, path=str(where)), "mismatch")
        if source is partial:
            _chmod_like_dir(partial)
            os.replace(partial, blob)

    # The blob is in place: huggingface_hub makes the snapshot link (no bytes are downloaded).
    try:
        path = hf_hub_download(repo, name, revision=commit, cache_dir=cache_dir, endpoint=endpoint,
                               token=token.value or False)
    except Exception as exc:  # noqa: BLE001
        raise _classify(exc, repo, name, revision, token, endpoint) from exc
    _write_ref(storage, revision, commit)
    return path


def _write_ref(storage: Path, revision: str, commit: str) -> None:
    """refs/<branch> -> commit, as huggingface_hub writes it, so that other tools asking for "main"
    offline find the file too (the link above was made by commit, to get exactly the verified blob)."""
    if revision == commit or _SHA1.match(revision):
        return
    ref = inside(storage / "refs", revision)
    if ref is None:
        return
    ref.parent.mkdir(parents=True, exist_ok=True)
    try:
        if ref.exists() and ref.read_text().strip() == commit:
            return
        tmp = ref.with_name(f".{ref.name}.{os.getpid()}")
        tmp.write_text(commit)
        os.replace(tmp, ref)
    except OSError:
        pass  # a read-only or odd cache: the file is still there by commit


def _job_token(data: Any) -> HubToken:
    """The token the queue chose (config.resolve_token) and its source; this process looks for
    none itself (its environment has no HF_TOKEN, and huggingface_hub gets token=False)."""
    if isinstance(data, dict) and data.get("value"):
        return HubToken(str(data["value"]), data.get("source") or "given")
    if isinstance(data, str) and data:
        return HubToken(data, "given")
    return NO_TOKEN


def run(job: dict[str, Any]) -> int:
    from huggingface_hub import constants

    constants.DOWNLOAD_CHUNK_SIZE = CHUNK_SIZE
    token = _job_token(job.pop("token", None))  # sent on stdin: never on a command line others can read
    for spec in job["files"]:
        try:
            path = fetch_file(job, spec, token)
        except FetchError as exc:
            emit("error", file=spec.get("name"), kind=exc.kind, status=exc.status, retry_after=exc.retry_after,
                 message=exc.message.to_json())
            return 3
        emit("file_done", file=spec["name"], path=path, sha256=spec.get("sha256"))
    emit("done")
    return 0


def main() -> None:
    global _channel
    _channel = protect_stdout()
    # huggingface_hub's own progress bars would write to stderr; events are our progress.
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    # Import first, then wait for the job: the queue keeps one such process ready ("spare"), so a
    # download starts without paying for Python and huggingface_hub to load. Only what a download
    # uses: hf_api (~0.07 s of CPU per process) is never needed here.
    import huggingface_hub.file_download  # noqa: F401

    _channel.ready()
    while True:
        line = sys.stdin.readline()
        if not line.strip():
            return  # end of input: a spare that was not needed, or the queue let this worker go
        checkpoint("request")
        code = run(json.loads(line))
        emit("end", code=code)  # the job is over: this process can take the next one


if __name__ == "__main__":
    main()
