"""The record of what Hearth downloaded into the shared Hugging Face cache.

Only files listed here may be deleted by Hearth: the cache is shared with other tools, and a model
another tool fetched is not ours to remove. Stored as JSON in the data folder, written atomically.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from .. import paths
from ..jsonfile import read_json, write_json_atomic

_lock = threading.Lock()


def ledger_path() -> Path:
    folder = paths.data_dir() / "hub"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "downloaded.json"


def entries() -> list[dict[str, Any]]:
    data = read_json(ledger_path(), [])
    return [e for e in data if isinstance(e, dict) and isinstance(e.get("files"), list)] if isinstance(data, list) else []


def record(repo: str, name: str, commit: str, files: list[dict[str, Any]]) -> dict[str, Any]:
    """Remember a verified download (replacing an older record of the same repo and model)."""
    entry = {"repo": repo, "name": name, "commit": commit, "files": files, "added": time.time()}
    with _lock:
        kept = [e for e in entries() if not (e["repo"] == repo and e["name"] == name)]
        write_json_atomic(ledger_path(), kept + [entry])
    return entry


def forget(repo: str, name: str) -> None:
    with _lock:
        write_json_atomic(ledger_path(), [e for e in entries() if not (e["repo"] == repo and e["name"] == name)])


def owned_paths() -> set[str]:
    return {str(Path(f["path"])) for e in entries() for f in e["files"] if f.get("path")}


def remove_cached_file(pointer: Path) -> None:
    """Remove one file from the HF cache: its snapshot link, and its blob unless another link uses it."""
    blob = pointer.resolve() if pointer.is_symlink() else None
    pointer.unlink(missing_ok=True)
    if blob is None or not blob.exists():
        return
    repo_dir = next((p for p in blob.parents if p.name == "blobs"), None)
    if repo_dir is not None:
        for link in repo_dir.parent.glob("snapshots/*/**/*"):
            if link.is_symlink() and link.resolve() == blob:
                return  # still used by another revision or file
    blob.unlink(missing_ok=True)
    # drop empty snapshot folders left behind
    for parent in pointer.parents:
        if parent.name == "snapshots" or parent == parent.parent:
            break
        try:
            parent.rmdir()
        except OSError:
            break
