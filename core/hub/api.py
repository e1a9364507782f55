"""Search the hub for GGUF models, list a repo's GGUF files, and summarise its model card.

Runs on whatever thread calls it (blocking HTTP through huggingface_hub's HfApi).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from . import messages as M
from .config import endpoint as current_endpoint
from .config import HubToken, as_token, hub_cache_dir, token_source
from .errors import HubError
from .names import GGUFEntry, group_gguf_files

if TYPE_CHECKING:
    from huggingface_hub import HfApi

SORTS: dict[str, Literal["downloads", "likes", "last_modified"]] = {
    "downloads": "downloads", "likes": "likes", "recent": "last_modified"}
_REPO_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass
class ModelSummary:
    id: str
    downloads: int = 0
    likes: int = 0
    last_modified: str = ""
    gated: bool = False
    tags: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


@dataclass
class RepoFiles:
    repo: str
    revision: str  # the commit the listing is from
    license: str | None
    gated: bool
    entries: list[GGUFEntry]
    unsafe: list[str]  # names refused (outside the repo folder)

    def to_dict(self) -> dict[str, Any]:
        return {"repo": self.repo, "revision": self.revision, "license": self.license, "gated": self.gated,
                "files": [e.to_dict() for e in self.entries], "refused": self.unsafe}

    def find(self, name: str) -> GGUFEntry | None:
        for entry in self.entries:
            if name in (entry.name, *entry.files):
                return entry
        return None


def check_repo_id(repo: str) -> str:
    if not _REPO_RE.match(repo or "") or ".." in repo:
        raise HubError(M.BAD_REPO_ID, repo=repo)
    return repo


def _api(token: HubToken, endpoint: str | None) -> HfApi:
    from huggingface_hub import HfApi

    # never token=None: huggingface_hub would then pick a token itself, and a refusal could not
    # say which one it was
    return HfApi(endpoint=endpoint or current_endpoint(), token=token.value or False)


def _resolvable(endpoint: str) -> None:
    """Raise OSError at once when the hub's host name does not resolve (no network): the search's
    own retries (huggingface_hub's backoff: 1+2+4+8+8 s) made an offline search take 23 s. Not with
    a proxy, which may resolve names this machine cannot."""
    import socket
    from urllib.parse import urlsplit

    if any(os.environ.get(k) for k in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY",
                                       "all_proxy")):
        return
    parts = urlsplit(endpoint)
    if parts.hostname:
        socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80),
                           type=socket.SOCK_STREAM)


def token_refused(repo: str, status: int | None, token: HubToken) -> HubError:
    return HubError(M.TOKEN_REFUSED, source=token_source(token), repo=repo, status=status)


def hub_error(exc: BaseException, repo: str, filename: str | None = None, revision: str = "main",
              token: HubToken | str | None = "", endpoint: str | None = None) -> HubError:
    """One sentence for whatever huggingface_hub or the network raised (``token``: the one sent)."""
    from huggingface_hub import errors as E
    import httpx2

    token = as_token(token)
    status = getattr(getattr(exc, "response", None), "status_code", None)
    if isinstance(exc, E.OfflineModeIsEnabled):
        return HubError(M.OFFLINE)
    if isinstance(exc, E.GatedRepoError) or (status in (401, 403) and not isinstance(exc, E.RepositoryNotFoundError)):
        if token.value:
            return token_refused(repo, status, token)
        return HubError(M.GATED_NO_TOKEN, repo=repo)
    if isinstance(exc, E.RepositoryNotFoundError):
        return token_refused(repo, status, token) if token.value and status in (401, 403) \
            else HubError(M.REPO_NOT_FOUND, repo=repo)
    if isinstance(exc, E.RevisionNotFoundError):
        return HubError(M.REVISION_NOT_FOUND, repo=repo, revision=revision)
    if isinstance(exc, E.EntryNotFoundError) or (status == 404 and filename):
        return HubError(M.FILE_NOT_FOUND, repo=repo, file=filename or "?")
    if status == 429:
        return HubError(M.RATE_LIMITED)
    if status is not None:
        return HubError(M.HUB_ERROR, repo=repo, status=status)
    if isinstance(exc, (httpx2.HTTPError, OSError)):
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return HubError(M.HUB_UNREACHABLE, endpoint=endpoint or current_endpoint(), reason=reason.rstrip("."))
    return HubError(M.HUB_UNREACHABLE, endpoint=endpoint or current_endpoint(), reason=str(exc).rstrip("."))


def search_models(query: str = "", sort: str = "downloads", limit: int = 30,
                  token: HubToken | str | None = None, endpoint: str | None = None) -> list[ModelSummary]:
    """GGUF models whose name contains ``query``, most downloaded / liked / recent first.

    ``token``: None uses Settings, then HF_TOKEN, then the stored login (config.resolve_token)."""
    token = as_token(token)
    try:
        _resolvable(endpoint or current_endpoint())
        found = _api(token, endpoint).list_models(
            search=query or None, filter="gguf", sort=SORTS.get(sort, "downloads"), limit=limit)
        results = []
        for info in found:
            modified = info.last_modified.isoformat() if info.last_modified else ""
            results.append(ModelSummary(id=info.id, downloads=info.downloads or 0, likes=info.likes or 0,
                                        last_modified=modified, gated=bool(info.gated), tags=list(info.tags or [])))
        return results
    except Exception as exc:  # noqa: BLE001 (every failure becomes one sentence)
        raise hub_error(exc, repo=query or "search", token=token, endpoint=endpoint) from exc


def repo_files(repo: str, revision: str = "main", token: HubToken | str | None = None,
               endpoint: str | None = None) -> RepoFiles:
    """Every GGUF of ``repo`` with size, LFS sha256 and quantization; split parts as one entry."""
    check_repo_id(repo)
    token = as_token(token)
    try:
        info = _api(token, endpoint).model_info(repo, revision=revision, files_metadata=True)
    except Exception as exc:  # noqa: BLE001
        raise hub_error(exc, repo=repo, revision=revision, token=token, endpoint=endpoint) from exc
    listing = [(s.rfilename, s.size, s.lfs.sha256 if s.lfs else None) for s in info.siblings or []]
    entries, unsafe = group_gguf_files(listing)
    license_ = None
    if info.card_data is not None:
        license_ = getattr(info.card_data, "license", None) or None
    if license_ is None:
        license_ = next((t.split(":", 1)[1] for t in info.tags or [] if t.startswith("license:")), None)
    return RepoFiles(repo=repo, revision=info.sha or revision, license=license_, gated=bool(info.gated),
                     entries=entries, unsafe=unsafe)


def card_summary(repo: str, revision: str = "main", token: HubToken | str | None = None,
                 endpoint: str | None = None, max_chars: int = 1200) -> dict[str, Any]:
    """The model card's license and its first paragraphs of prose (no front matter, no tables).

    The README goes into the shared cache like any hub file; a repo without one gives empty text.
    """
    from huggingface_hub import hf_hub_download
    from huggingface_hub import errors as E
    from huggingface_hub.repocard import ModelCard

    check_repo_id(repo)
    token = as_token(token)
    try:
        path = hf_hub_download(repo, "README.md", revision=revision, token=token.value or False,
                               endpoint=endpoint or current_endpoint(), cache_dir=hub_cache_dir())
    except E.EntryNotFoundError:
        return {"license": None, "summary": ""}
    except Exception as exc:  # noqa: BLE001
        raise hub_error(exc, repo=repo, filename="README.md", token=token, endpoint=endpoint) from exc
    card = ModelCard.load(path, ignore_metadata_errors=True)
    license_ = getattr(card.data, "license", None)
    return {"license": license_, "summary": summarise_markdown(card.text, max_chars)}


def summarise_markdown(text: str, max_chars: int = 1200) -> str:
    """Prose paragraphs of a card, skipping headings, HTML, tables, images and code blocks."""
    keep: list[str] = []
    in_code = False
    for block in re.split(r"\n\s*\n", text):
        stripped = block.strip()
        if stripped.startswith("```"):
            in_code = not in_code if stripped.count("```") % 2 else in_code
            continue
        if in_code or not stripped or stripped[0] in "#<|!" or stripped.startswith("[!"):
            continue
        keep.append(" ".join(stripped.split()))
        if sum(map(len, keep)) >= max_chars:
            break
    summary = "\n\n".join(keep)
    return summary if len(summary) <= max_chars else summary[: max_chars - 1].rstrip() + "…"
