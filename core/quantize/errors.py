"""Errors of the quantize area (quantization, importance matrix, perplexity)."""

from __future__ import annotations

from ..errors import HearthError


class QuantizeError(HearthError):
    """A quantization, importance-matrix or perplexity job could not be done."""


class QuantizeCancelled(QuantizeError):
    """The user cancelled the job; nothing it was writing is left behind."""
