"""Errors of the models area; each is one sentence for the user."""

from __future__ import annotations

from ..errors import HearthError


class HubError(HearthError):
    """The hub refused or failed a request (search, file list, model card)."""


class DownloadError(HearthError):
    """A download failed. ``transient`` errors are retried with backoff; others wait for the user."""

    def __init__(self, message, /, transient: bool = False, **values):
        super().__init__(message, **values)
        self.transient = transient


class LibraryError(HearthError):
    """A library request (import, delete, find) could not be done."""
