"""Errors of the documents area; each is one sentence for the user."""

from __future__ import annotations

from ..errors import HearthError


class DocumentError(HearthError):
    """One file could not be read or indexed; the others go on."""


class StoreError(HearthError):
    """The collection store refused a request (unknown collection, busy, bad name)."""


class EmbedderError(HearthError):
    """The embedding model is missing or failed."""
