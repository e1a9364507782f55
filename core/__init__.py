"""Hearth's core: everything a user can do, as plain Python. Never imports Qt."""

from importlib import metadata as _metadata

try:
    __version__ = _metadata.version("hearthlm")
except _metadata.PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+source"
