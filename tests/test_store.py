"""The conversation store (core/chat/store.py): CRUD, branches, search, export, and durability
when a process is killed while an answer streams or two processes write at once."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from itertools import pairwise
from pathlib import Path

import pytest

from hearthlm.core import messages as M
from hearthlm.core.chat import store_schema
from hearthlm.core.chat.store import ConversationStore, StoreError, default_store_path
from hearthlm.core.engine.protocol import AnswerStats

STATS = {"prompt_tokens": 12, "completion_tokens": 5, "ttft_s": 0.25, "tokens_per_s": 40.0, "stop_reason": "eos"}


@pytest.fixture
def store(tmp_path: Path):
    with ConversationStore(tmp_path / "conversations.db") as s:
        yield s


def chat(store: ConversationStore, *turns: str, title: str = ""):
    """A conversation of alternating user/assistant messages; returns it and the messages."""
    conv = store.create(title=title)
    parent, made = None, []
    for i, text in enumerate(turns):
        message = store.add_message(conv.id, parent, "user" if i % 2 == 0 else "assistant", text,
                                    stats=STATS if i % 2 else None)
        made.append(message)
        parent = message.id
    return store.get(conv.id), made


def raw(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, timeout=15)


def fts_ok(path: Path) -> None:
    with raw(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.execute("INSERT INTO message_fts(message_fts, rank) VALUES ('integrity-check', 1)")
        conn.execute("INSERT INTO title_fts(title_fts, rank) VALUES ('integrity-check', 1)")


# -- the file ------------------------------------------------------------------------------

def test_default_location_is_the_data_dir(hearth_home: Path) -> None:
    with ConversationStore() as store:
        assert store.file == default_store_path() == hearth_home / "data" / "conversations.db"
        assert store.file.is_file()


def test_wal_normal_sync_foreign_keys(store: ConversationStore) -> None:
    conn = store._conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    assert conn.execute("SELECT version FROM schema_version").fetchone()[0] == store_schema.SCHEMA_VERSION
    assert store.has_search_index == (sqlite3.sqlite_version_info >= (3, 34, 0))


def test_migration_hook_runs_once_and_newer_files_are_refused(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "c.db"
    ConversationStore(path).close()
    ran = []

    def to_2(conn: sqlite3.Connection) -> None:
        ran.append(True)
        conn.execute("ALTER TABLE conversations ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0")

    monkeypatch.setitem(store_schema.MIGRATIONS, 2, to_2)
    monkeypatch.setattr(store_schema, "SCHEMA_VERSION", 2)
    with ConversationStore(path) as store:
        store.create("kept")
    ConversationStore(path).close()
    assert ran == [True]
    with raw(path) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchone()[0] == 2
        assert conn.execute("SELECT title, pinned FROM conversations").fetchall() == [("kept", 0)]
    monkeypatch.setattr(store_schema, "SCHEMA_VERSION", 1)
    with pytest.raises(StoreError) as raised:
        ConversationStore(path)
    assert raised.value.msg.template == M.STORE_TOO_NEW and "newer Hearth" in str(raised.value)


def test_a_file_that_is_not_a_database_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "conversations.db"
    path.write_bytes(b"this is not SQLite" * 100)
    with pytest.raises(StoreError) as raised:
        ConversationStore(path)
    assert str(path) in str(raised.value) and "\n" not in str(raised.value)


# -- conversations -------------------------------------------------------------------------

def test_create_get_rename_settings(store: ConversationStore) -> None:
    conv = store.create(model="/models/a.gguf", settings={"temperature": 0.2, "system_prompt": "Be brief."})
    got = store.get(conv.id)
    assert got.id == conv.id and len(conv.id) == 36
    assert (got.title, got.model, got.message_count, got.active_leaf) == ("", "/models/a.gguf", 0, None)
    assert got.settings == {"temperature": 0.2, "system_prompt": "Be brief."}
    assert got.created == got.updated
    store.rename(conv.id, "  Plans  ")
    store.set_model(conv.id, "/models/b.gguf")
    store.set_settings(conv.id, {"top_k": 5})
    got = store.get(conv.id)
    assert (got.title, got.model, got.settings) == ("Plans", "/models/b.gguf", {"top_k": 5})
    with pytest.raises(StoreError, match="No conversation matches nope"):
        store.get("nope")
    with pytest.raises(StoreError):
        store.rename("nope", "x")


def test_list_is_most_recently_updated_first(store: ConversationStore) -> None:
    a, b, c = (store.create(title=t) for t in "abc")
    assert [x.title for x in store.list_conversations()] == ["c", "b", "a"]
    time.sleep(0.01)
    store.add_message(a.id, None, "user", "hello")
    assert [x.title for x in store.list_conversations()] == ["a", "c", "b"]
    store.rename(b.id, "bee")  # renaming is not activity
    assert [x.title for x in store.list_conversations()] == ["a", "c", "bee"]
    assert [x.message_count for x in store.list_conversations()] == [1, 0, 0]
    assert len(store.list_conversations(limit=2)) == 2


def test_title_comes_from_the_first_user_message(store: ConversationStore) -> None:
    conv, _ = chat(store, "  What   is the\ncapital of France? I would like to know it before my trip.", "Paris.")
    assert conv.title == "What is the capital of France? I would…"
    assert len(conv.title) <= 41
    zh, _ = chat(store, "我喜欢在壁炉边读书，尤其是在下雪的冬天晚上，喝一杯热茶，听着木柴噼啪作响的声音，这让我感到非常平静。")
    assert zh.title == "我喜欢在壁炉边读书，尤其是在下雪的冬天晚上，喝一杯热茶，听着木柴噼啪作响的声音…"  # 40, less "，"
    short, _ = chat(store, "Hi")
    assert short.title == "Hi"
    named, _ = chat(store, "Hello there", title="Mine")
    assert named.title == "Mine"
    store.add_message(named.id, None, "user", "a second first message")
    assert store.get(named.id).title == "Mine"


def test_delete_cascades(store: ConversationStore) -> None:
    keep, kept = chat(store, "keep me", "kept answer")
    gone, made = chat(store, "delete me", "deleted answer", "more")
    store.delete(gone.id)
    assert [c.id for c in store.list_conversations()] == [keep.id]
    for message in made:
        with pytest.raises(StoreError, match=f"no message {message.id}"):
            store.message(message.id)
    assert store._conn.execute("SELECT count(*) FROM messages").fetchone()[0] == 2
    assert [m.content for m in store.path(keep.id)] == ["keep me", "kept answer"]
    assert store.search("deleted") == [] and store.search("delete me") == []
    fts_ok(store.file)
    with pytest.raises(StoreError):
        store.delete(gone.id)


def test_resolve_a_unique_prefix(store: ConversationStore) -> None:
    convs = [store.create() for _ in range(40)]
    first = convs[0].id
    assert store.resolve(first) == first
    assert store.resolve(first[:8].upper()) == first
    by_initial: dict[str, list[str]] = {}
    for conv in convs:
        by_initial.setdefault(conv.id[0], []).append(conv.id)
    initial, ids = max(by_initial.items(), key=lambda kv: len(kv[1]))
    assert len(ids) >= 2  # 40 uuids, 16 possible first digits
    with pytest.raises(StoreError) as raised:
        store.resolve(initial)
    assert str(raised.value) == f"{initial} matches {len(ids)} conversations: give more of the id."
    with pytest.raises(StoreError, match="No conversation matches zz"):
        store.resolve("zz")
    with pytest.raises(StoreError):
        store.resolve("%")


# -- messages and branches -----------------------------------------------------------------

def test_messages_keep_role_content_stats_state(store: ConversationStore) -> None:
    conv, (q, a) = chat(store, "Question?", "Answer.")
    assert (q.parent_id, q.role, q.content, q.state, q.stats) == (None, "user", "Question?", "complete", None)
    assert (a.parent_id, a.role, a.stats) == (q.id, "assistant", STATS)
    assert store.get(conv.id).active_leaf == a.id
    with_stats = store.add_message(conv.id, a.id, "assistant", "x", stats=AnswerStats(prompt_tokens=3))
    assert with_stats.stats["prompt_tokens"] == 3 and with_stats.stats["stop_reason"] == "eos"
    with pytest.raises(ValueError):
        store.add_message(conv.id, None, "robot", "beep")


def test_a_parent_must_be_in_the_same_conversation(store: ConversationStore) -> None:
    one, (q1,) = chat(store, "one")
    two, _ = chat(store, "two")
    with pytest.raises(StoreError, match="belongs to another conversation"):
        store.add_message(two.id, q1.id, "assistant", "crossed")
    with pytest.raises(StoreError, match="no message 9999"):
        store.add_message(two.id, 9999, "assistant", "nowhere")
    with pytest.raises(StoreError, match="No conversation"):
        store.begin_answer("nope", None)


def test_edit_regenerate_switch_siblings_path(store: ConversationStore) -> None:
    conv, (q1, a1, q2, a2) = chat(store, "Tell me a joke.", "Joke one.", "Another?", "Joke two.")
    assert [m.id for m in store.path(conv.id)] == [q1.id, a1.id, q2.id, a2.id]
    assert store.siblings(a2.id) == (0, 1, [a2.id])

    # regenerate the last answer: a sibling under the same question, now active
    with store.begin_answer(conv.id, q2.id) as regen:
        regen.append("Joke two, again.")
    assert store.siblings(a2.id) == (0, 2, [a2.id, regen.id])
    assert store.siblings(regen.id) == (1, 2, [a2.id, regen.id])
    assert [m.content for m in store.path(conv.id)] == ["Tell me a joke.", "Joke one.", "Another?", "Joke two, again."]

    # edit the second question: a sibling of q2, with nothing under it yet
    q2b = store.edit_message(q2.id, "One more?")
    assert (q2b.parent_id, q2b.role) == (a1.id, "user")
    assert store.siblings(q2.id) == (0, 2, [q2.id, q2b.id])
    assert [m.id for m in store.path(conv.id)] == [q1.id, a1.id, q2b.id]
    a3 = store.add_message(conv.id, q2b.id, "assistant", "Joke three.")

    # back to the first question's branch: its most recently active leaf (the regenerated answer)
    assert [m.id for m in store.switch(q2.id)] == [q1.id, a1.id, q2.id, regen.id]
    assert [m.id for m in store.switch(a2.id)] == [q1.id, a1.id, q2.id, a2.id]
    assert store.get(conv.id).active_leaf == a2.id
    assert [m.id for m in store.switch(q2b.id)] == [q1.id, a1.id, q2b.id, a3.id]
    # and q2's branch remembers that a2 was chosen last, not the newer regen
    assert [m.id for m in store.switch(q2.id)] == [q1.id, a1.id, q2.id, a2.id]
    # switching at the top keeps the branch below
    assert [m.id for m in store.switch(q1.id)] == [q1.id, a1.id, q2.id, a2.id]

    # edit the very first message: a second root
    root2 = store.edit_message(q1.id, "Tell me a story.")
    assert root2.parent_id is None
    assert store.siblings(q1.id) == (0, 2, [q1.id, root2.id])
    assert [m.id for m in store.path(conv.id)] == [root2.id]
    assert store.children(q1.id) == [a1.id]
    assert len(store.messages(conv.id)) == 8


def test_to_engine_messages(store: ConversationStore) -> None:
    conv, (q, a) = chat(store, "Hi", "Hello!")
    assert store.to_engine_messages(conv.id) == [{"role": "user", "content": "Hi"},
                                                 {"role": "assistant", "content": "Hello!"}]
    store.set_settings(conv.id, {"system_prompt": "You are terse."})
    q2 = store.add_message(conv.id, a.id, "user", "Again")
    writer = store.begin_answer(conv.id, q2.id)
    writer.append("partial")
    assert store.to_engine_messages(conv.id) == [
        {"role": "system", "content": "You are terse."}, {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "Again"}]
    writer.finish(STATS)
    assert store.to_engine_messages(conv.id)[-1] == {"role": "assistant", "content": "partial"}


# -- the streaming writer ------------------------------------------------------------------

def committed(store: ConversationStore, message_id: int) -> tuple[str, str]:
    """What another connection (another process) reads."""
    with raw(store.file) as conn:
        return conn.execute("SELECT content, state FROM messages WHERE id = ?", (message_id,)).fetchone()


def test_writer_buffers_and_commits_at_most_once_per_interval(tmp_path: Path) -> None:
    with ConversationStore(tmp_path / "c.db", commit_interval_s=0.25) as store:
        conv, (q,) = chat(store, "Count.")
        writer = store.begin_answer(conv.id, q.id)
        assert committed(store, writer.id) == ("", "streaming")
        writer.append("one ")
        assert committed(store, writer.id) == ("", "streaming")  # buffered
        start = time.monotonic()
        n = 0
        while time.monotonic() - start < 1.0:
            writer.append(f"{n} ")
            n += 1
            time.sleep(0.005)
        assert 3 <= writer.commits <= 5, writer.commits  # ~1 s / 0.25 s, never one per append
        assert n > 50
        text, state = committed(store, writer.id)
        assert state == "streaming" and writer.text.startswith(text) and len(text) > 0
        time.sleep(0.5)  # no more text: the timer commits the rest within an interval
        assert committed(store, writer.id) == (writer.text, "streaming")
        writer.finish(AnswerStats(prompt_tokens=3, completion_tokens=n, stop_reason="length"))
        message = store.message(writer.id)
        assert (message.content, message.state) == ("one " + "".join(f"{i} " for i in range(n)), "complete")
        assert message.stats["completion_tokens"] == n and message.stats["stop_reason"] == "length"
        writer.interrupt()  # too late: nothing changes
        assert store.message(writer.id).state == "complete"
        with pytest.raises(RuntimeError):
            writer.append("more")


def test_a_timer_that_fires_late_does_not_commit_twice_in_an_interval(tmp_path: Path) -> None:
    """On a loaded machine the interval's timer can fire after append has already queued the commit
    that was due: it must wait out the new interval, not commit again a few ms later (seen as two
    commits 4 ms apart in test_killed_while_streaming_loses_at_most_the_last_second)."""
    with ConversationStore(tmp_path / "c.db", commit_interval_s=0.5) as store:
        conv, (q,) = chat(store, "Count.")
        writer = store.begin_answer(conv.id, q.id)
        writer.append("one ")
        writer.flush()
        assert writer.commits == 1
        writer.append("two ")  # buffered: the next commit is due ~0.5 s after the first
        writer._on_timer()  # what a late timer does now
        time.sleep(0.15)
        assert writer.commits == 1 and committed(store, writer.id) == ("one ", "streaming")
        deadline = time.monotonic() + 5
        while writer.commits < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert committed(store, writer.id) == ("one two ", "streaming")  # the rest, one interval later
        writer.finish()


def test_writer_interrupt_discard_resume(store: ConversationStore) -> None:
    conv, (q, a) = chat(store, "Q", "A")
    with pytest.raises(KeyError):
        with store.begin_answer(conv.id, q.id) as writer:
            writer.append("half an ans")
            raise KeyError("engine died")
    assert (store.message(writer.id).content, store.message(writer.id).state) == ("half an ans", "interrupted")

    resumed = store.resume_answer(writer.id)
    resumed.append("wer.")
    resumed.finish(STATS)
    assert (store.message(writer.id).content, store.message(writer.id).state) == ("half an answer.", "complete")

    store.switch(a.id)
    empty = store.begin_answer(conv.id, q.id)
    assert store.path(conv.id)[-1].id == empty.id
    empty.discard()
    with pytest.raises(StoreError):
        store.message(empty.id)
    assert store.path(conv.id)[-1].id == a.id  # back to the answer chosen before
    assert store.siblings(a.id)[1] == 2


def test_answer_left_streaming_by_a_dead_process_is_interrupted_at_open(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    store = ConversationStore(path, commit_interval_s=0)
    conv, (q,) = chat(store, "Q")
    alive = store.begin_answer(conv.id, q.id)
    alive.append("still writing")
    dead = store.begin_answer(conv.id, q.id)
    dead.append("abandoned")
    dead.flush()  # appends commit on the writer thread: let this one land first
    with raw(path) as conn:  # as if another, since killed, process had written it
        conn.execute("UPDATE messages SET writer = 'otherhost:1:0.00' WHERE id = ?", (dead.id,))
    with ConversationStore(path) as other:
        assert other.message(dead.id).state == "interrupted"
        assert other.message(dead.id).content == "abandoned"
        assert other.message(alive.id).state == "streaming"  # its writer (this process) is alive
        assert [h.message_id for h in other.search("abandoned")] == [dead.id]
    alive.append(", done")
    alive.finish()
    assert store.message(alive.id).content == "still writing, done"
    store.close()
    fts_ok(path)


def test_close_interrupts_open_answers(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "c.db")
    conv, (q,) = chat(store, "Q")
    writer = store.begin_answer(conv.id, q.id)
    writer.append("cut short")
    store.close()
    with ConversationStore(tmp_path / "c.db") as again:
        message = again.message(writer.id)
        assert (message.content, message.state) == ("cut short", "interrupted")


# -- search --------------------------------------------------------------------------------

def test_search_english_and_chinese(store: ConversationStore) -> None:
    fire, (zh_q, zh_a) = chat(store, "我喜欢在壁炉边读书", "在壁炉边读书很温暖。")
    en, (en_q, en_a) = chat(store, "How do I light a fireplace safely?",
                            "Open the damper first, then use dry kindling and small logs.")
    other, _ = chat(store, "Recipe for 100% rye bread", "Mix rye_flour and water.", title="Baking 面包")

    def found(query: str) -> set[tuple[str, int | None]]:
        return {(h.conversation_id, h.message_id) for h in store.search(query)}

    assert found("壁炉") == {(fire.id, None), (fire.id, zh_q.id), (fire.id, zh_a.id)}  # 2 characters: LIKE
    assert found("壁炉边读书") == {(fire.id, None), (fire.id, zh_q.id), (fire.id, zh_a.id)}  # trigram index
    assert found("温暖") == {(fire.id, zh_a.id)}
    assert found("面包") == {(other.id, None)}
    assert found("FIREPLACE") == {(en.id, None), (en.id, en_q.id)}
    assert found("kindling damper") == {(en.id, en_a.id)}  # every word, anywhere
    assert found("damper bread") == set()
    assert found("fire") == {(en.id, None), (en.id, en_q.id)}  # substrings match
    rye_q, rye_a = store.path(other.id)
    assert found("100%") == {(other.id, rye_q.id)}
    assert found("0%") == {(other.id, rye_q.id)}  # LIKE, with % taken literally
    assert found("y%") == set()
    assert found("e_") == {(other.id, rye_a.id)}  # _ is not a wildcard either
    assert found("e_f") == {(other.id, rye_a.id)}
    assert found("   ") == set()
    hit = next(h for h in store.search("damper") if h.message_id == en_a.id)
    assert hit.title == "How do I light a fireplace safely?"
    assert [hit.snippet[s:e] for s, e in hit.highlights] == ["damper"]
    long = store.add_message(en.id, en_a.id, "user", "word " * 100 + "needle " + "word " * 100)
    hit = next(h for h in store.search("needle") if h.message_id == long.id)
    assert len(hit.snippet) < 140 and hit.snippet.startswith("…") and hit.snippet.endswith("…")
    assert [hit.snippet[s:e] for s, e in hit.highlights] == ["needle"]


def test_streaming_text_is_searchable_once_it_ends(store: ConversationStore) -> None:
    conv, (q,) = chat(store, "Q")
    writer = store.begin_answer(conv.id, q.id)
    writer.append("a platypus appears")
    writer.flush()
    assert store.search("platypus") == []
    writer.finish()
    assert [h.message_id for h in store.search("platypus")] == [writer.id]
    store.rename(conv.id, "Monotremes")
    assert [h.message_id for h in store.search("monotreme")] == [None]
    fts_ok(store.file)


def test_search_without_the_trigram_tokenizer_uses_like(tmp_path: Path, monkeypatch) -> None:
    """SQLite older than 3.34 has no trigram tokenizer: no index is built and every word uses LIKE."""
    monkeypatch.setattr(store_schema, "trigram_available", lambda: False)
    with ConversationStore(tmp_path / "old.db") as store:
        assert not store.has_search_index
        conv, (q, a) = chat(store, "我喜欢在壁炉边读书", "Reading by the FIRE.")
        assert {(h.conversation_id, h.message_id) for h in store.search("壁炉边")} == {(conv.id, None), (conv.id, q.id)}
        assert [h.message_id for h in store.search("fire reading")] == [a.id]
        store.delete(conv.id)
        assert store.search("fire") == []


# -- export --------------------------------------------------------------------------------

def test_export_markdown_is_the_active_branch(store: ConversationStore) -> None:
    conv, (q, a) = chat(store, "What is 2+2?", "4", title="Sums")
    store.set_model(conv.id, "/models/tiny-model.gguf")
    regen = store.begin_answer(conv.id, q.id)
    regen.append("Four, of course.")
    regen.interrupt()
    md = store.export(conv.id, "md")
    assert md.startswith("# Sums\n")
    assert "Model: tiny-model.gguf" in md
    assert "## You\n\nWhat is 2+2?" in md and "## Assistant\n\nFour, of course." in md
    assert "(This answer was interrupted.)" in md
    assert "\n4\n" not in md  # the other branch is not in it
    assert "active one of 2 branches" in md
    store.switch(a.id)
    md = store.export(conv.id, "md")
    assert "\n4\n" in md and "Four" not in md
    assert "12 prompt tokens, 5 generated, first token after 0.25 s, 40.0 tokens/s" in md
    zh = store.export(conv.id, "md", tr=lambda t: {M.ROLE_USER: "你", M.ROLE_ASSISTANT: "助手"}.get(t, t))
    assert "## 你\n" in zh and "## 助手\n" in zh


def test_export_json_holds_every_branch(store: ConversationStore) -> None:
    conv, (q, a) = chat(store, "我喜欢在壁炉边读书", "好的")
    q2 = store.edit_message(q.id, "edited")
    data = json.loads(store.export(conv.id, "json"))
    assert data["format"] == "hearth.conversation" and data["version"] == 1
    assert data["id"] == conv.id and data["title"] == "我喜欢在壁炉边读书"
    assert [m["content"] for m in data["messages"]] == ["edited"]
    assert [(m["id"], m["parent_id"], m["content"]) for m in data["tree"]] == [
        (q.id, None, "我喜欢在壁炉边读书"), (a.id, q.id, "好的"), (q2.id, None, "edited")]
    assert data["tree"][1]["stats"] == STATS and data["active_leaf"] == q2.id
    assert "壁炉" in store.export(conv.id, "json")  # not \\u escapes
    with pytest.raises(ValueError):
        store.export(conv.id, "pdf")


# -- several processes ---------------------------------------------------------------------

STREAMER = textwrap.dedent("""
    import sys, time
    from hearthlm.core.chat.store import ConversationStore
    path, conversation, parent = sys.argv[1], sys.argv[2], int(sys.argv[3])
    store = ConversationStore(path)
    writer = store.begin_answer(conversation, parent)
    print("begin", writer.id, flush=True)
    seen, i = writer._last_commit, 0
    while True:
        writer.append(f"<{i:06d}>")
        i += 1
        # when the commit was made (time.monotonic() on the writer thread, set after the text), not when
        # this loop saw it: a loaded machine that deschedules this loop must not make two look 5 ms apart
        when = writer._last_commit
        if when != seen:
            seen = when
            print("commit", len(writer.committed_text), when, flush=True)
        time.sleep(0.004)
""")


def chunks(n_chars: int) -> str:
    return "".join(f"<{i:06d}>" for i in range(n_chars // 8))


@pytest.mark.parametrize("kill_after_s", [2.5, 3.2])
def test_killed_while_streaming_loses_at_most_the_last_second(tmp_path: Path, kill_after_s: float) -> None:
    path = tmp_path / "conversations.db"
    with ConversationStore(path) as store:
        conv, earlier = chat(store, "first question", "first answer", "second question 第二个问题")
        other, other_messages = chat(store, "another conversation", "untouched")
    proc = subprocess.Popen([sys.executable, "-c", STREAMER, str(path), conv.id, str(earlier[-1].id)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(proc.stdout.readline, "")), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 60
        while not any(line.startswith("commit") for line in lines) and time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read()
            time.sleep(0.01)
        time.sleep(kill_after_s)
        kill_time = time.monotonic()  # the system-wide clock the child's commit times are on
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    reader.join(5)
    assert proc.returncode == -signal.SIGKILL
    answer_id = int(lines[0].split()[1])
    commits = [line.split() for line in lines if line.startswith("commit")]
    assert len(commits) >= 2
    printed_chars, last_commit = int(commits[-1][1]), float(commits[-1][2])
    # commits came once a second, so the last one before the kill is at most ~1 s old
    assert kill_time - last_commit < 1.6, (kill_time, last_commit)
    gaps = [float(b[2]) - float(a[2]) for a, b in pairwise(commits)]
    assert min(gaps) > 0.9, gaps

    with raw(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with ConversationStore(path) as store:
        answer = store.message(answer_id)
        assert answer.state == "interrupted"
        assert len(answer.content) >= printed_chars  # everything committed, maybe one commit more
        assert answer.content == chunks(len(answer.content))  # whole chunks, in order, none lost
        assert [(m.id, m.content, m.state) for m in store.path(conv.id)] == [
            *((m.id, m.content, "complete") for m in earlier), (answer_id, answer.content, "interrupted")]
        assert [m.content for m in store.path(other.id)] == ["another conversation", "untouched"]
        assert {h.message_id for h in store.search("<000003>")} == {answer_id}
    fts_ok(path)


WRITER = textwrap.dedent("""
    import sys, time
    from hearthlm.core.chat.store import ConversationStore
    path, conversation, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    store = ConversationStore(path, commit_interval_s=0.02)
    print("ready", flush=True)
    sys.stdin.readline()
    parent, n, end = None, 0, time.monotonic() + seconds
    while time.monotonic() < end:
        parent = store.add_message(conversation, parent, "user", f"child {n}").id
        with store.begin_answer(conversation, parent) as answer:
            for piece in ("child ", "answer ", str(n)):
                answer.append(piece)
                time.sleep(0.002)
        parent = answer.id
        n += 1
    store.close()
    print(n, parent, flush=True)
""")


def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "conversations.db"
    store = ConversationStore(path, commit_interval_s=0.02)
    conv = store.create("shared")
    child = subprocess.Popen([sys.executable, "-c", WRITER, str(path), conv.id, "2.0"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "ready", child.stderr.read()
        child.stdin.write("go\n")
        child.stdin.flush()
        parent, n, end = None, 0, time.monotonic() + 2.0
        while time.monotonic() < end:
            parent = store.add_message(conv.id, parent, "user", f"parent {n}").id
            with store.begin_answer(conv.id, parent) as answer:
                for piece in ("parent ", "answer ", str(n)):
                    answer.append(piece)
                    time.sleep(0.002)
            parent = answer.id
            if n % 20 == 0:
                store.rename(conv.id, f"shared {n}")
            n += 1
        out, err = child.communicate(timeout=60)
    finally:
        child.kill()
    assert child.returncode == 0, err
    child_n, child_leaf = (int(x) for x in out.split())
    assert n > 10 and child_n > 10
    assert len(store.messages(conv.id)) == 2 * (n + child_n)
    store.switch(child_leaf)
    assert [m.content for m in store.path(conv.id)] == [
        text for i in range(child_n) for text in (f"child {i}", f"child answer {i}")]
    store.switch(parent)
    assert [m.content for m in store.path(conv.id)] == [
        text for i in range(n) for text in (f"parent {i}", f"parent answer {i}")]
    assert {m.state for m in store.messages(conv.id)} == {"complete"}
    store.close()
    fts_ok(path)
