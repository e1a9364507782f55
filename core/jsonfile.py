"""Small JSON files (settings, records, queues) that a crash or a full disk never leaves half-written."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


def write_json_atomic(target: Path, data: Any, indent: int = 1) -> None:
    """Write to a temp file in the same folder, fsync, then rename over ``target``."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=indent, ensure_ascii=False)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_json(target: Path, default: Any) -> Any:
    """The file's data, or ``default`` when it is missing or unreadable. A file that is there but is
    not JSON (cut short, edited by hand) is first copied aside (keep_damaged): the next write
    replaces it, and what it held must not go with it."""
    try:
        text = target.read_text(encoding="utf-8")
    except OSError:
        return default
    try:
        return json.loads(text)
    except ValueError:
        keep_damaged(target)
        return default


def keep_damaged(target: Path) -> Path | None:
    """A copy of ``target`` beside it, ``<name>.damaged-<first 8 hex of its sha256>`` (the same
    damage copied once however often it is read); None when it cannot be made."""
    import hashlib
    import shutil

    try:
        digest = hashlib.sha256(target.read_bytes()).hexdigest()[:8]
        copy = target.with_name(f"{target.name}.damaged-{digest}")
        if not copy.exists():
            shutil.copy2(target, copy)
        return copy
    except OSError:
        return None
