"""The conversation store's values and errors, shared by the store and its writer and exporter
(kept apart from store.py so that those modules need not import the store that imports them)."""

from __future__ import annotations

import sqlite3
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from ..errors import HearthError
from .store_queue import WriteQueue


class StoreError(HearthError):
    """The conversation store cannot be opened or written, or an id names nothing in it."""


@dataclass(frozen=True)
class Conversation:
    id: str
    title: str  # '' until the first user message names it
    created: float  # Unix time
    updated: float
    model: str | None
    settings: dict[str, Any]
    active_leaf: int | None
    message_count: int


@dataclass(frozen=True)
class Message:
    id: int
    conversation_id: str
    parent_id: int | None
    role: str
    content: str
    created: float
    state: str  # 'complete' | 'streaming' | 'interrupted'
    stats: dict[str, Any] | None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "parent_id": self.parent_id, "role": self.role, "content": self.content,
                "created": self.created, "state": self.state, "stats": self.stats}


def stats_dict(stats: Any) -> dict[str, Any] | None:
    """An answer's stats as a JSON-able dict: from an AnswerStats (``to_dict``), a mapping, or None."""
    if stats is None:
        return None
    return dict(stats.to_dict() if hasattr(stats, "to_dict") else stats)


class WritableStore(Protocol):
    """What an AnswerWriter uses of its ConversationStore (store_writer.py)."""

    _writes: WriteQueue

    def _write(self) -> AbstractContextManager[sqlite3.Connection]: ...

    def _activate(self, c: sqlite3.Connection, conversation_id: str, top: int | None) -> None: ...
