"""Errors of the models area; each is one sentence for the user."""

from __future__ import annotations

from typing import Any

from ..errors import HearthError
from ..messages import Msg


class HubError(HearthError):
    """The hub refused or failed a request (search, file list, model card)."""


class DownloadError(HearthError):
    """A download failed. ``transient`` errors are retried with backoff; others wait for the user."""

    def __init__(self, message: str | Msg, /, transient: bool = False, **values: Any) -> None:
        super().__init__(message, **values)
        self.transient = transient


class LibraryError(HearthError):
    """A library request (import, delete, find) could not be done."""
