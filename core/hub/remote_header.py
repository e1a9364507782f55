"""The GGUF header of a file on the hub, read without downloading the file (as gguf-parser does).

Only the header is fetched, with HTTP Range requests through huggingface_hub's session: first
FIRST_BYTES, then more (doubling) while the bounded reader in core/modelfile.py says the header
goes on, up to MAX_HEADER_BYTES (a big vocabulary makes a header of several MB). The reader checks
every count and offset against the file's size from the hub's listing, so a hostile header cannot
make us read or allocate more. The bytes read are cached per repo, revision and file in Hearth's
cache folder, so a second look costs no request.

``remote_fit`` turns the header into the memory estimate's verdict for this machine; when the
header cannot be had, it falls back to the file-size guess and says why.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from collections.abc import Sequence

from ..errors import HearthError, ModelFileError
from ..messages import msg
from ..modelfile import GGUFInfo, HeaderIncomplete, parse_header
from . import messages as M
from .config import endpoint as current_endpoint
from .config import HubToken, as_token
from .names import GGUFEntry, human_size

if TYPE_CHECKING:
    from .fit import Budget, Fit

FIRST_BYTES = 256 * 1024
MAX_HEADER_BYTES = 32 * 1024 * 1024
BRANCH_CACHE_SECONDS = 24 * 3600  # "main" may move; a commit never does
# huggingface_hub's session waits forever by default: a hub that accepts and then stalls would
# leave the fit column "checking…" for good. A header is small: a stall this long is a failure.
CONNECT_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 20.0


class HeaderUnavailable(HearthError):
    """The header could not be fetched or read; the sentence says why."""


def _cache_dir() -> Path:
    from ..paths import cache_dir

    return cache_dir() / "gguf-headers"


def _cache_key(repo: str, revision: str, filename: str) -> str:
    return hashlib.sha256(f"{repo}\n{revision}\n{filename}".encode()).hexdigest()


def _is_commit(revision: str) -> bool:
    return len(revision) == 40 and all(c in "0123456789abcdef" for c in revision.lower())


def _cached(repo: str, revision: str, filename: str, size: int) -> tuple[bytes, int] | None:
    """The cached header and the file's size as the server gave it, for a listing of ``size``."""
    base = _cache_dir() / _cache_key(repo, revision, filename)
    try:
        meta = json.loads(base.with_suffix(".json").read_text(encoding="utf-8"))
        if meta.get("size") != size or meta.get("file") != filename:
            return None
        if not _is_commit(revision) and time.time() - float(meta.get("time", 0)) > BRANCH_CACHE_SECONDS:
            return None
        return base.with_suffix(".bin").read_bytes(), int(meta.get("file_size") or size)
    except (OSError, ValueError, TypeError):
        return None


def _store(repo: str, revision: str, filename: str, size: int, file_size: int, header: bytes) -> None:
    folder = _cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        base = folder / _cache_key(repo, revision, filename)
        tmp = base.with_suffix(".bin.tmp")
        tmp.write_bytes(header)
        os.replace(tmp, base.with_suffix(".bin"))
        base.with_suffix(".json").write_text(json.dumps(
            {"repo": repo, "revision": revision, "file": filename, "size": size, "file_size": file_size,
             "time": time.time()}),
            encoding="utf-8")
    except OSError:
        pass  # a cache that cannot be written only costs a refetch


def _total_of(content_range: str | None) -> int | None:
    """The file size in a ``Content-Range: bytes 0-99/1234`` answer."""
    try:
        total = (content_range or "").rsplit("/", 1)[1]
        return int(total) if total.isdigit() else None
    except IndexError:
        return None


def _fetch_range(url: str, start: int, end: int, token: HubToken, filename: str) -> tuple[bytes, int | None]:
    """Bytes start..end (inclusive) of ``url`` and the file's size if the server says it; never
    reads more than asked, even from a server that ignores Range and sends the whole file."""
    import httpx2
    from huggingface_hub import get_session
    from huggingface_hub.utils import build_hf_headers

    timeout = httpx2.Timeout(READ_TIMEOUT_S, connect=CONNECT_TIMEOUT_S)
    headers = build_hf_headers(token=token.value or False, headers={"Range": f"bytes={start}-{end}"})
    want = end - start + 1
    chunks: list[bytes] = []
    got = 0
    with get_session().stream("GET", url, headers=headers, follow_redirects=True, timeout=timeout) as response:
        if response.status_code not in (200, 206):
            from huggingface_hub.utils import hf_raise_for_status

            response.read()
            hf_raise_for_status(response)
            raise HeaderUnavailable(M.HEADER_NO_RANGE, file=filename, status=response.status_code)
        total = _total_of(response.headers.get("content-range")) if response.status_code == 206 else None
        skip = start if response.status_code == 200 else 0  # Range ignored: the file from byte 0
        for block in response.iter_bytes():
            if skip:
                cut = min(skip, len(block))
                block, skip = block[cut:], skip - cut
            chunks.append(block[: want - got])
            got += len(chunks[-1])
            if got >= want:
                break
    return b"".join(chunks), total


def fetch_header(repo: str, filename: str, size: int, revision: str = "main", token: HubToken | str | None = None,
                 endpoint: str | None = None, max_bytes: int = MAX_HEADER_BYTES,
                 first_bytes: int = FIRST_BYTES) -> GGUFInfo:
    """The checked header of ``filename`` (``size`` bytes in all, from the repo listing).

    Raises HeaderUnavailable (network, hub refusal, header too large) or ModelFileError (damaged).
    """
    from huggingface_hub import hf_hub_url

    from .api import hub_error

    cached = _cached(repo, revision, filename, size)
    if cached is not None:
        try:
            return parse_header(cached[0], cached[1], filename)
        except (HeaderIncomplete, ModelFileError):
            pass  # a damaged cache entry: fetch again
    token = as_token(token)
    endpoint = endpoint or current_endpoint()
    url = hf_hub_url(repo, filename, revision=revision, endpoint=endpoint)
    data = b""
    listed = size
    want = min(first_bytes, size, max_bytes)
    while True:
        try:
            chunk, total = _fetch_range(url, len(data), want - 1, token, filename)
            data += chunk
            if total and total != size:  # the listing's size was approximate (the recommended list)
                size = total
        except HearthError:
            raise
        except Exception as exc:  # noqa: BLE001 (every network failure becomes one sentence)
            raise HeaderUnavailable(hub_error(exc, repo, filename, revision, token, endpoint).msg) from exc
        if len(data) < want:
            raise HeaderUnavailable(M.HEADER_NO_RANGE, file=filename, status="short read")
        try:
            info = parse_header(data, size, filename)
            break
        except HeaderIncomplete as more:
            if more.needed > max_bytes:
                raise HeaderUnavailable(M.HEADER_TOO_BIG, file=filename, limit=human_size(max_bytes)) from None
            want = min(max(more.needed, 2 * len(data)), max_bytes, size)
    _store(repo, revision, filename, listed, size, data[: info.header_bytes])
    return info


def entry_header(repo: str, entry: GGUFEntry, revision: str = "main", **kw: Any) -> GGUFInfo:
    """The header of a model entry; for a split GGUF the first part's metadata with every part's
    tensors (each part has its own header listing its own tensors)."""
    first = fetch_header(repo, entry.files[0], entry.sizes.get(entry.files[0]) or entry.size, revision, **kw)
    for part in entry.files[1:]:
        first.tensors.extend(fetch_header(repo, part, entry.sizes.get(part) or 0, revision, **kw).tensors)
    first.file_size = entry.size
    return first


def remote_fit(repo: str, entry: GGUFEntry, devices: Sequence[Any], budget: Any = None,
               revision: str = "main", n_ctx: int | None = None, **kw: Any) -> Fit:
    """The estimate's verdict for a file on the hub; the file-size guess (with its reason) when
    the header cannot be read. ``budget`` (fit.Budget) is built from ``devices`` when not given."""
    from .fit import estimate_verdict, verdict

    try:
        info = entry_header(repo, entry, revision, **kw)
        return estimate_verdict(info, devices, n_ctx)
    except HearthError as exc:
        reason = exc.msg
    except Exception as exc:  # noqa: BLE001 (a header the estimate cannot use: the guess, with why)
        reason = msg("{error}", error=f"{type(exc).__name__}: {exc}")
    return verdict(entry.size, budget if budget is not None else budget_from(devices)).with_reason(reason)


def budget_from(devices: Sequence[Any]) -> Budget:
    """A fit.Budget (for the file-size guess) from estimate Devices."""
    from .fit import Budget

    cpu = next((d for d in devices if d.kind == "cpu"), None)
    gpus = [d for d in devices if d.kind != "cpu"]
    return Budget(cpu.free_bytes if cpu else 0, cpu.total_bytes if cpu else 0,
                  sum(d.free_bytes for d in gpus), ", ".join(d.name for d in gpus))
