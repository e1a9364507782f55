"""Conversations, kept in SQLite: ``paths.data_dir() / "conversations.db"``.

Messages form a tree. Editing a user message or regenerating an answer adds a *sibling* (a new
message under the same parent); each conversation remembers its *active leaf*, and the active
branch is the path from the root down to it.

    store = ConversationStore()                       # or ConversationStore(path) in tests
    conv = store.create(model="/models/x.gguf")
    q = store.add_message(conv.id, None, "user", "Hello")          # becomes the active leaf
    with store.begin_answer(conv.id, q.id) as answer:               # a streaming AnswerWriter
        for piece in pieces:
            answer.append(piece)                      # buffered; committed at most once a second
        answer.finish(stats)                          # state 'complete' (leaving the block with an
                                                      # exception marks it 'interrupted')
    store.to_engine_messages(conv.id)                 # [{"role", "content"}] of the active branch
    store.edit_message(q.id, "Hi")                    # a sibling of q: a new branch, now active
    store.siblings(q.id)                              # (0, 2, [q.id, edited.id]): show ‹ 1/2 ›
    store.switch(q.id)                                # back to q's branch (its most recent leaf)

Writes are short ``BEGIN IMMEDIATE`` transactions with a busy timeout, so the window and the
``hearth`` command can use one file at the same time; the file is in WAL mode, so reads never wait.
Every write runs on the store's writer thread (store_queue.py), in order, on its own connection;
reads use another connection and never wait behind a write that waits for the file's lock. The
write methods return once committed; ``submit(fn)`` runs ``fn`` (which may call them) on the writer
thread and returns a Future at once, so a window never waits for another process's write.
A killed process loses at most the last second of the answer it was streaming: an answer left
'streaming' by a process that no longer runs is marked 'interrupted' when a store is opened. The
store may be used from several threads.

Errors a user may see are ``StoreError`` (a ``HearthError``) with one sentence.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
import weakref
from concurrent.futures import Future
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar
from collections.abc import Callable, Iterator, Mapping

from .. import messages as M
from .. import paths
from . import store_schema as schema
from .reasoning import split_reasoning
from .store_export import default_title, export_json, export_markdown
from .store_queue import WriteQueue
from .store_search import SearchHit, search
from .store_types import Conversation, Message, StoreError, stats_dict
from .store_writer import AnswerWriter, writer_alive, writer_tag

STORE_FILE = "conversations.db"
COMMIT_INTERVAL_S = 1.0
SYSTEM_PROMPT_KEY = "system_prompt"  # in a conversation's settings: sent first by to_engine_messages
ROLES = ("system", "user", "assistant", "tool")


def default_store_path() -> Path:
    return paths.data_dir() / STORE_FILE


_CONV_COLUMNS = ("c.id, c.title, c.created, c.updated, c.model, c.settings, c.active_leaf, "
                 "(SELECT count(*) FROM messages m WHERE m.conversation_id = c.id)")
_MSG_COLUMNS = "id, conversation_id, parent_id, role, content, created, state, stats"


def _conversation(row: tuple) -> Conversation:
    settings = json.loads(row[5]) if row[5] else {}
    return Conversation(row[0], row[1], row[2], row[3], row[4], settings if isinstance(settings, dict) else {},
                        row[6], row[7])


def _message(row: tuple) -> Message:
    return Message(row[0], row[1], row[2], row[3], row[4], row[5], row[6], json.loads(row[7]) if row[7] else None)


T = TypeVar("T")


def _on_writer(method: Callable[..., T]) -> Callable[..., T]:
    """Run a write method on the store's writer thread and return once it is committed."""
    @wraps(method)
    def on_writer(self: ConversationStore, *args: Any, **kw: Any) -> T:
        return self._writes.run(lambda: method(self, *args, **kw))
    return on_writer


class ConversationStore:
    def __init__(self, path: str | Path | None = None, *, commit_interval_s: float = COMMIT_INTERVAL_S,
                 background_open: bool = False):
        """``background_open``: return without waiting to mark the answers orphaned by a killed
        process (the writer thread does it first; for a window, which must not wait for the file)."""
        self.background_open = background_open
        self.file = Path(path) if path is not None else default_store_path()
        self.commit_interval_s = commit_interval_s
        self._lock = threading.RLock()  # the write connection (used on the writer thread)
        self._read_lock = threading.Lock()  # the read connection
        self._writes = WriteQueue()
        self._writers: weakref.WeakSet[AnswerWriter] = weakref.WeakSet()
        self._conn: sqlite3.Connection | None = None
        self._rconn: sqlite3.Connection | None = None
        self._open()

    # -- opening, transactions, errors ----------------------------------------------------------

    def _open(self) -> None:
        """A file already at this version opens without waiting for its write lock: marking the
        orphaned answers is the writer thread's first write. Creating or migrating it waits."""
        try:
            in_memory = str(self.file) == ":memory:"
            if not in_memory:
                self.file.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(self.file, timeout=schema.BUSY_TIMEOUT_MS / 1000,
                                         isolation_level=None, check_same_thread=False)
            schema.configure(self._conn)
            # reads get their own connection (WAL: they see every commit and never wait for the
            # write lock); an in-memory database exists only on its one connection
            if in_memory:
                self._rconn, self._read_lock = self._conn, self._lock  # type: ignore[assignment]
            else:
                self._rconn = sqlite3.connect(self.file, timeout=schema.BUSY_TIMEOUT_MS / 1000,
                                              isolation_level=None, check_same_thread=False)
                self._rconn.execute(f"PRAGMA busy_timeout = {schema.BUSY_TIMEOUT_MS}")
            with self._read_lock:
                found = schema.schema_version(self._rconn)
            if found > schema.SCHEMA_VERSION:
                raise StoreError(M.STORE_TOO_NEW, path=str(self.file), version=found,
                                 supported=schema.SCHEMA_VERSION)
            if found < schema.SCHEMA_VERSION:
                self._writes.run(self._migrate)
            (self._writes.submit if self.background_open else self._writes.run)(self._mark_orphans)
            with self._read_lock:
                self.has_search_index = schema.has_search_index(self._rconn)
        except (sqlite3.Error, OSError) as exc:
            self.close()
            raise StoreError(M.STORE_UNREADABLE, path=str(self.file), reason=str(exc)) from exc
        except BaseException:
            self.close()
            raise

    def _migrate(self) -> None:  # on the writer thread
        with self._write() as c:
            found = schema.schema_version(c)
            if found > schema.SCHEMA_VERSION:
                raise StoreError(M.STORE_TOO_NEW, path=str(self.file), version=found,
                                 supported=schema.SCHEMA_VERSION)
            schema.migrate(c)

    def _mark_orphans(self) -> None:  # on the writer thread
        try:
            with self._write() as c:
                self._mark_orphaned_answers(c)
        except StoreError:
            if not self.background_open:
                raise
            # busy for the whole timeout: the next open marks them (reads already skip them)

    def _mark_orphaned_answers(self, c: sqlite3.Connection) -> None:
        """An answer left 'streaming' by a process that is gone (killed, crashed) is 'interrupted'."""
        for message_id, tag in c.execute("SELECT id, writer FROM messages WHERE state = 'streaming'").fetchall():
            if not writer_alive(tag):
                c.execute("UPDATE messages SET state = 'interrupted', writer = NULL WHERE id = ?", (message_id,))

    def close(self) -> None:
        """Interrupt answers still streaming (their text so far is kept), let every submitted write
        finish, then close the file."""
        for writer in list(self._writers):
            try:
                writer.interrupt()
            except StoreError:  # still busy after the timeout: its text was committed up to the last second
                pass
        self._writes.close()
        with self._lock, self._read_lock:
            if self._rconn is not None and self._rconn is not self._conn:
                self._rconn.close()
            self._rconn = None
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def submit(self, fn: Callable[[], T]) -> Future[T]:
        """Run ``fn()`` on the writer thread, after the writes before it; returns at once. ``fn`` may
        call the write methods (they run in place there). For a window that must not wait."""
        return self._writes.submit(fn)

    def __enter__(self) -> ConversationStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _error(self, exc: sqlite3.Error) -> StoreError:
        if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
            return StoreError(M.STORE_BUSY, path=str(self.file), seconds=schema.BUSY_TIMEOUT_MS / 1000)
        return StoreError(M.STORE_FAILED, path=str(self.file), reason=str(exc))

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction. BEGIN IMMEDIATE takes the file's write lock at once (waiting up to
        the busy timeout for another process), so a transaction never fails half-way on a lock."""
        with self._lock:
            conn = self._connection()
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise self._error(exc) from exc
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise self._error(exc) from exc
                raise

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError(M.STORE_FAILED, path=str(self.file), reason="the store is closed")
        return self._conn

    def _query(self, sql: str, params: tuple = ()) -> list[tuple]:
        """A read, on the read connection: never waits for a write."""
        with self._read_lock:
            if self._rconn is None:
                raise StoreError(M.STORE_FAILED, path=str(self.file), reason="the store is closed")
            try:
                return self._rconn.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise self._error(exc) from exc

    # -- conversations ------------------------------------------------------------------------

    @_on_writer
    def create(self, title: str = "", model: str | None = None, settings: Mapping[str, Any] | None = None
               ) -> Conversation:
        """A new, empty conversation. With no title, the first user message names it."""
        cid, now = str(uuid.uuid4()), time.time()
        with self._write() as c:
            c.execute("INSERT INTO conversations(id, title, created, updated, model, settings) VALUES (?,?,?,?,?,?)",
                      (cid, title.strip(), now, now, model, json.dumps(dict(settings or {}), ensure_ascii=False)))
        return self.get(cid)

    def get(self, conversation_id: str) -> Conversation:
        rows = self._query(f"SELECT {_CONV_COLUMNS} FROM conversations c WHERE c.id = ?", (conversation_id,))
        if not rows:
            raise StoreError(M.NO_CONVERSATION, id=conversation_id)
        return _conversation(rows[0])

    def list_conversations(self, limit: int | None = None) -> list[Conversation]:
        """Every conversation, the most recently updated first."""
        return [_conversation(r) for r in self._query(
            f"SELECT {_CONV_COLUMNS} FROM conversations c ORDER BY c.updated DESC, c.rowid DESC LIMIT ?",
            (-1 if limit is None else limit,))]

    def resolve(self, id_or_prefix: str) -> str:
        """The full id of the one conversation whose id is, or starts with, ``id_or_prefix``."""
        key = id_or_prefix.strip().lower()
        if not key:
            raise StoreError(M.NO_CONVERSATION, id=repr(id_or_prefix))
        rows = self._query("SELECT id FROM conversations WHERE substr(id, 1, ?) = ? LIMIT 3", (len(key), key))
        ids = [r[0] for r in rows]
        if key in ids:
            return key
        if not ids:
            raise StoreError(M.NO_CONVERSATION, id=id_or_prefix)
        if len(ids) > 1:
            count = self._query("SELECT count(*) FROM conversations WHERE substr(id, 1, ?) = ?", (len(key), key))[0][0]
            raise StoreError(M.AMBIGUOUS_CONVERSATION, id=id_or_prefix, count=count)
        return ids[0]

    @_on_writer
    def _update(self, conversation_id: str, sql: str, params: tuple) -> None:
        with self._write() as c:
            if c.execute(f"UPDATE conversations SET {sql} WHERE id = ?", (*params, conversation_id)).rowcount == 0:
                raise StoreError(M.NO_CONVERSATION, id=conversation_id)

    def rename(self, conversation_id: str, title: str) -> None:
        self._update(conversation_id, "title = ?", (title.strip(),))

    def set_model(self, conversation_id: str, model: str | None) -> None:
        self._update(conversation_id, "model = ?", (model,))

    def set_settings(self, conversation_id: str, settings: Mapping[str, Any]) -> None:
        """Replace the conversation's settings (any JSON-able dict)."""
        self._update(conversation_id, "settings = ?", (json.dumps(dict(settings), ensure_ascii=False),))

    @_on_writer
    def delete(self, conversation_id: str) -> None:
        """Delete the conversation and all its messages."""
        with self._write() as c:
            if c.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,)).rowcount == 0:
                raise StoreError(M.NO_CONVERSATION, id=conversation_id)

    # -- messages -----------------------------------------------------------------------------

    def _check_parent(self, c: sqlite3.Connection, conversation_id: str, parent_id: int | None) -> None:
        if not c.execute("SELECT 1 FROM conversations WHERE id = ?", (conversation_id,)).fetchone():
            raise StoreError(M.NO_CONVERSATION, id=conversation_id)
        if parent_id is not None:
            row = c.execute("SELECT conversation_id FROM messages WHERE id = ?", (parent_id,)).fetchone()
            if row is None:
                raise StoreError(M.NO_MESSAGE, id=parent_id)
            if row[0] != conversation_id:
                raise StoreError(M.WRONG_PARENT, parent=parent_id, id=conversation_id)

    def _insert(self, c: sqlite3.Connection, conversation_id: str, parent_id: int | None, role: str,
                content: str, stats: Any, state: str, writer: str | None) -> int:
        if role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}, not {role!r}")
        self._check_parent(c, conversation_id, parent_id)
        now = time.time()
        stats_json = json.dumps(stats_dict(stats), ensure_ascii=False) if stats is not None else None
        message_id = c.execute(
            "INSERT INTO messages(conversation_id, parent_id, role, content, created, active_at, stats, state, writer)"
            " VALUES (?,?,?,?,?,?,?,?,?)",
            (conversation_id, parent_id, role, content, now, now, stats_json, state, writer)).lastrowid
        c.execute("UPDATE conversations SET active_leaf = ?, updated = ? WHERE id = ?",
                  (message_id, now, conversation_id))
        if role == "user":
            c.execute("UPDATE conversations SET title = ? WHERE id = ? AND title = ''",
                      (default_title(content), conversation_id))
        assert message_id is not None
        return message_id

    @_on_writer
    def add_message(self, conversation_id: str, parent_id: int | None, role: str, content: str, *,
                    stats: Any = None, state: str = "complete") -> Message:
        """Add a message under ``parent_id`` (None: a first message); it becomes the active leaf."""
        with self._write() as c:
            message_id = self._insert(c, conversation_id, parent_id, role, content, stats, state, None)
        return self.message(message_id)

    def edit_message(self, message_id: int, content: str) -> Message:
        """Editing keeps the original: the new text is a sibling (same parent, same role), now active."""
        old = self.message(message_id)
        return self.add_message(old.conversation_id, old.parent_id, old.role, content)

    @_on_writer
    def begin_answer(self, conversation_id: str, parent_id: int | None, role: str = "assistant") -> AnswerWriter:
        """Start a streaming answer under ``parent_id`` (regenerating: under the same parent as the
        earlier answer, which stays as a sibling). Returns its writer; ``writer.id`` is the message id."""
        with self._write() as c:
            message_id = self._insert(c, conversation_id, parent_id, role, "", None, "streaming", writer_tag())
        return self._writer(message_id, conversation_id, parent_id, "")

    @_on_writer
    def resume_answer(self, message_id: int) -> AnswerWriter:
        """Append to an earlier answer (to continue a stopped or interrupted one)."""
        old = self.message(message_id)
        with self._write() as c:
            c.execute("UPDATE messages SET state = 'streaming', writer = ? WHERE id = ?", (writer_tag(), message_id))
        return self._writer(message_id, old.conversation_id, old.parent_id, old.content)

    def _writer(self, message_id: int, conversation_id: str, parent_id: int | None, text: str) -> AnswerWriter:
        writer = AnswerWriter(self, message_id, conversation_id, parent_id, text, self.commit_interval_s)
        self._writers.add(writer)
        return writer

    def message(self, message_id: int) -> Message:
        rows = self._query(f"SELECT {_MSG_COLUMNS} FROM messages WHERE id = ?", (message_id,))
        if not rows:
            raise StoreError(M.NO_MESSAGE, id=message_id)
        return _message(rows[0])

    def messages(self, conversation_id: str) -> list[Message]:
        """Every message of the conversation, every branch, in the order they were written."""
        self.get(conversation_id)
        return [_message(r) for r in self._query(
            f"SELECT {_MSG_COLUMNS} FROM messages WHERE conversation_id = ? ORDER BY id", (conversation_id,))]

    # -- branches -----------------------------------------------------------------------------

    def path(self, conversation_id: str) -> list[Message]:
        """The active branch, from the first message to the active leaf."""
        leaf = self.get(conversation_id).active_leaf
        if leaf is None:
            with self._read_lock:
                if self._rconn is None:
                    raise StoreError(M.STORE_FAILED, path=str(self.file), reason="the store is closed")
                leaf = self._latest_leaf(self._rconn, conversation_id, None)
            if leaf is None:
                return []
        return self._path_to(leaf)

    def _path_to(self, leaf: int) -> list[Message]:
        rows = self._query(
            "WITH RECURSIVE up(id, depth) AS (SELECT ?, 0 UNION ALL "
            " SELECT m.parent_id, up.depth + 1 FROM messages m JOIN up ON m.id = up.id WHERE m.parent_id IS NOT NULL)"
            f" SELECT {', '.join('m.' + c for c in _MSG_COLUMNS.split(', '))}"
            " FROM up JOIN messages m ON m.id = up.id ORDER BY up.depth DESC", (leaf,))
        return [_message(r) for r in rows]

    def siblings(self, message_id: int) -> tuple[int, int, list[int]]:
        """(index, count, ids) of the message among its siblings, oldest first; ``ids[index]`` is the
        message itself, so a UI shows ‹ index+1/count ›."""
        msg = self.message(message_id)
        ids = [r[0] for r in self._query(
            "SELECT id FROM messages WHERE conversation_id = ? AND parent_id IS ? ORDER BY id",
            (msg.conversation_id, msg.parent_id))]
        return ids.index(message_id), len(ids), ids

    def children(self, message_id: int) -> list[int]:
        return [r[0] for r in self._query("SELECT id FROM messages WHERE parent_id = ? ORDER BY id", (message_id,))]

    def _latest_leaf(self, c: sqlite3.Connection, conversation_id: str, top: int | None) -> int | None:
        """The leaf under ``top`` (None: anywhere in the conversation) that was active most recently
        (a leaf never switched to counts from when it was written)."""
        subtree = ("WITH RECURSIVE sub(id) AS (SELECT ? UNION ALL SELECT m.id FROM messages m JOIN sub ON m.parent_id = sub.id)"
                   " SELECT m.id FROM messages m WHERE m.id IN sub" if top is not None else
                   "SELECT m.id FROM messages m WHERE m.conversation_id = ?")
        row = c.execute(subtree + " AND NOT EXISTS (SELECT 1 FROM messages k WHERE k.parent_id = m.id)"
                        " ORDER BY m.active_at DESC, m.id DESC LIMIT 1",
                        (top if top is not None else conversation_id,)).fetchone()
        return row[0] if row else None

    @_on_writer
    def switch(self, message_id: int) -> list[Message]:
        """Make the branch through ``message_id`` active, down to the leaf under it that was active most
        recently. Returns the new active branch."""
        msg = self.message(message_id)
        with self._write() as c:
            self._activate(c, msg.conversation_id, message_id)
        return self.path(msg.conversation_id)

    def _activate(self, c: sqlite3.Connection, conversation_id: str, top: int | None) -> None:
        leaf = self._latest_leaf(c, conversation_id, top)
        c.execute("UPDATE messages SET active_at = ? WHERE id = ?", (time.time(), leaf))
        c.execute("UPDATE conversations SET active_leaf = ? WHERE id = ?", (leaf, conversation_id))

    # -- for the engine, search and export ----------------------------------------------------

    def to_engine_messages(self, conversation_id: str, *, keep_last_reasoning: bool = False) -> list[dict[str, str]]:
        """The active branch as the engine takes it: [{"role", "content"}, ...]. The settings' system
        prompt (``SYSTEM_PROMPT_KEY``) comes first when the branch does not start with one; answers
        still streaming and empty answers are left out. Answers go without their reasoning in
        ``content`` (see reasoning.py; the store keeps it); the reasoning rides along as
        ``reasoning_content``/``thinking`` for the templates that ask for it — except the last one with ``keep_last_reasoning``, for
        continuing an answer that stopped while it was still thinking."""
        conv = self.get(conversation_id)
        out = [{"role": m.role, "content": m.content} for m in self.path(conversation_id)
               if m.state != "streaming" and (m.content or m.role == "user")]
        for i, m in enumerate(out):
            if m["role"] == "assistant" and not (keep_last_reasoning and i == len(out) - 1):
                split = split_reasoning(m["content"])
                if split.reasoning or split.open:
                    m["content"] = split.answer
                    # Templates that want reasoning back (Qwen3, DeepSeek-R1: reasoning_content;
                    # gpt-oss: thinking) read it from these; every other template ignores them.
                    if split.reasoning:
                        m["reasoning_content"] = m["thinking"] = split.reasoning
        system = conv.settings.get(SYSTEM_PROMPT_KEY)
        if isinstance(system, str) and system.strip() and not (out and out[0]["role"] == "system"):
            out.insert(0, {"role": "system", "content": system})
        return out

    def search(self, query: str, limit: int = 50) -> list[SearchHit]:
        """Titles, then messages (any branch), containing every word of ``query``. Words of three
        characters or more use the trigram index (Chinese included); shorter ones use LIKE."""
        return search(self._query, self.has_search_index, query, limit)

    def export(self, conversation_id: str, fmt: str = "md", tr: Callable[[str], str] | None = None) -> str:
        """The conversation as text. "md": the active branch, as Markdown (``tr`` translates the
        headings' templates from messages.py; English without it). "json": everything, every branch."""
        conv = self.get(conversation_id)
        path = self.path(conversation_id)
        if fmt == "md":
            leaves = self._query("SELECT count(*) FROM messages m WHERE conversation_id = ? AND NOT EXISTS "
                                 "(SELECT 1 FROM messages k WHERE k.parent_id = m.id)", (conversation_id,))[0][0]
            return export_markdown(conv, path, leaves, tr)
        if fmt == "json":
            return export_json(conv, path, self.messages(conversation_id))
        raise ValueError(f"export format must be 'md' or 'json', not {fmt!r}")
