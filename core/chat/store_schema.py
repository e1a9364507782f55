"""The conversation store's SQLite schema, its version, and the migrations between versions.

``schema_version`` holds one row: the version this file's tables are at. Opening a store runs, in
one ``BEGIN IMMEDIATE`` transaction, every migration from that version up to ``SCHEMA_VERSION``
(``MIGRATIONS[n]`` turns version n-1 into version n; version 0 is an empty file). A file written by
a newer Hearth (a higher version) is refused rather than guessed at.

Full-text search uses FTS5 with the ``trigram`` tokenizer (SQLite 3.34 or newer), which matches
any substring of three or more characters and so works for Chinese, which has no spaces between
words. Triggers keep the index in step; a message is indexed once it stops streaming, so the
once-a-second commits of a streaming answer do not re-index it every second. The index's external
content is the view ``message_text`` (the messages not streaming), so FTS5's own integrity check and
'rebuild' see exactly what is indexed. Where the tokenizer
is missing the index is not created and search falls back to LIKE.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

SCHEMA_VERSION = 1
TRIGRAM_MIN_SQLITE = (3, 34, 0)
BUSY_TIMEOUT_MS = 15_000

_V1_TABLES = """
CREATE TABLE schema_version (version INTEGER NOT NULL);

CREATE TABLE conversations (
    id          TEXT PRIMARY KEY,                 -- a uuid4, as text
    title       TEXT NOT NULL DEFAULT '',         -- '' until the first user message names it
    created     REAL NOT NULL,                    -- Unix time, seconds
    updated     REAL NOT NULL,
    model       TEXT,                             -- path of the GGUF last used
    settings    TEXT NOT NULL DEFAULT '{}',       -- JSON object: per-conversation settings
    active_leaf INTEGER REFERENCES messages(id) ON DELETE SET NULL
);
CREATE INDEX conversations_updated ON conversations(updated DESC);

CREATE TABLE messages (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused, so a stale id finds nothing
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    parent_id       INTEGER REFERENCES messages(id) ON DELETE CASCADE,  -- NULL: a first message
    role            TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant', 'tool')),
    content         TEXT NOT NULL DEFAULT '',
    created         REAL NOT NULL,
    active_at       REAL NOT NULL,                -- last time this was the conversation's active leaf
    stats           TEXT,                         -- JSON object or NULL
    state           TEXT NOT NULL DEFAULT 'complete'
                    CHECK (state IN ('complete', 'streaming', 'interrupted')),
    writer          TEXT                          -- while streaming: host:pid:start of the writer
);
CREATE INDEX messages_conversation ON messages(conversation_id, id);
CREATE INDEX messages_parent ON messages(parent_id);
CREATE INDEX messages_streaming ON messages(state) WHERE state = 'streaming';
"""

_V1_SEARCH = """
CREATE VIEW message_text AS SELECT id, content FROM messages WHERE state != 'streaming';
CREATE VIRTUAL TABLE message_fts USING fts5(
    content, content='message_text', content_rowid='id', tokenize='trigram');
CREATE VIRTUAL TABLE title_fts USING fts5(title, conversation_id UNINDEXED, tokenize='trigram');

CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages WHEN new.state != 'streaming' BEGIN
    INSERT INTO message_fts(rowid, content) VALUES (new.id, new.content);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages WHEN old.state != 'streaming' BEGIN
    INSERT INTO message_fts(message_fts, rowid, content) VALUES ('delete', old.id, old.content);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF content, state ON messages BEGIN
    -- one trigger, so that the old text leaves the index before the new one enters it
    INSERT INTO message_fts(message_fts, rowid, content)
        SELECT 'delete', old.id, old.content WHERE old.state != 'streaming';
    INSERT INTO message_fts(rowid, content) SELECT new.id, new.content WHERE new.state != 'streaming';
END;

CREATE TRIGGER conversations_fts_insert AFTER INSERT ON conversations BEGIN
    INSERT INTO title_fts(title, conversation_id) VALUES (new.title, new.id);
END;
CREATE TRIGGER conversations_fts_delete AFTER DELETE ON conversations BEGIN
    DELETE FROM title_fts WHERE conversation_id = old.id;
END;
CREATE TRIGGER conversations_fts_update AFTER UPDATE OF title ON conversations BEGIN
    DELETE FROM title_fts WHERE conversation_id = old.id;
    INSERT INTO title_fts(title, conversation_id) VALUES (new.title, new.id);
END;
"""


def trigram_available() -> bool:
    """Whether this SQLite can build the trigram full-text index."""
    if sqlite3.sqlite_version_info < TRIGRAM_MIN_SQLITE:
        return False
    probe = sqlite3.connect(":memory:")
    try:
        probe.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='trigram')")
        return True
    except sqlite3.OperationalError:  # SQLite built without FTS5
        return False
    finally:
        probe.close()


def has_search_index(conn: sqlite3.Connection) -> bool:
    row = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'message_fts'").fetchone()
    return row is not None


def _migrate_to_1(conn: sqlite3.Connection) -> None:
    for statement in _statements(_V1_TABLES):
        conn.execute(statement)
    if trigram_available():
        for statement in _statements(_V1_SEARCH):
            conn.execute(statement)
    conn.execute("INSERT INTO schema_version(version) VALUES (0)")


# MIGRATIONS[n] upgrades a file at version n-1 to version n, inside the open transaction. Add the
# next one as MIGRATIONS[2] and raise SCHEMA_VERSION; never change a released one.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _migrate_to_1}


def _statements(script: str) -> list[str]:
    """Split a script into statements (``executescript`` would commit the open transaction)."""
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        if line.strip().startswith("--") and not current.strip():
            continue
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    if current.strip():
        statements.append(current.strip())
    return statements


def schema_version(conn: sqlite3.Connection) -> int:
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").fetchone()
    if not exists:
        return 0
    row = conn.execute("SELECT version FROM schema_version").fetchone()
    return int(row[0]) if row else 0


def migrate(conn: sqlite3.Connection, target: int | None = None) -> tuple[int, int]:
    """Bring the file up to ``target`` (default SCHEMA_VERSION) inside the caller's transaction.

    Returns (version found, version now). The caller refuses a file newer than it knows.
    """
    target = SCHEMA_VERSION if target is None else target
    found = schema_version(conn)
    version = found
    while version < target:
        MIGRATIONS[version + 1](conn)
        version += 1
        conn.execute("UPDATE schema_version SET version = ?", (version,))
    return found, version


def configure(conn: sqlite3.Connection) -> None:
    """Per-connection settings: WAL (readers never block the writer), NORMAL sync (a killed process
    loses nothing committed; only a power cut can lose the last commits), foreign keys, and a busy
    timeout so that two Hearth processes wait for each other instead of failing."""
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
