"""Hearth's core: everything a user can do, as plain Python. Never imports Qt."""

from __future__ import annotations

import functools


@functools.cache
def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("hearthlm")
    except metadata.PackageNotFoundError:  # running from a source tree that is not installed
        return "0.0.0+source"


def __getattr__(name: str) -> str:
    # ``__version__`` is looked up when asked for: importlib.metadata costs every process that
    # imports the core ~40 ms (each download, ingest and engine child, every `hearth` command)
    if name == "__version__":
        return _version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
