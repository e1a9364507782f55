"""API keys: made at random, kept only as a hash, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets

PREFIX = "hearth-"


def new_key() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def key_hash(key: str) -> str:
    """SHA-256 of the key: a random 256-bit key needs no slow hash (nothing to guess)."""
    return "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()


def key_matches(given: str | None, stored_hash: str) -> bool:
    """Constant-time comparison of the given key's hash with the stored one."""
    candidate = key_hash(given or "")
    return hmac.compare_digest(candidate.encode(), stored_hash.encode()) and given is not None
