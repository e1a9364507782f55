"""What may name a collection. Its own module: the store, the shared collections and the window all
check names, and none of them should import another for it."""

from __future__ import annotations

import re

from . import messages as M
from .errors import StoreError

_NAME = re.compile(r"^[\w][\w \-]{0,59}$", re.UNICODE)


def check_collection_name(name: str) -> str:
    """The name, stripped, or StoreError with the sentence saying why it cannot name a collection.
    Needs no store: the window checks a name before it queues the (possibly waiting) write."""
    name = name.strip()
    if not _NAME.match(name):
        raise StoreError(M.BAD_COLLECTION_NAME, name=name)
    return name
