"""The chat never waits for the conversation store on the UI thread. Another connection (as
``hearth chat --conversation`` in another process) holds the file's write lock: sending a question
and ending an answer keep the event loop turning, the status line says it is waiting, and both
are committed, in order and whole, once the lock is free."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from hearthlm.core.settings import Settings
from hearthlm.gui.main_window import MainWindow
from ui_ticks import MAX_GAP_MS, Ticks

pytestmark = pytest.mark.engine

HOLD_S = 3.0


def hold_write_lock(path: Path, seconds: float) -> threading.Thread:
    """A write transaction on another connection, kept open for ``seconds`` (sleeping: no GIL)."""
    held = threading.Event()

    def run() -> None:
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE conversations SET updated = updated")
        held.set()
        time.sleep(seconds)
        conn.execute("COMMIT")
        conn.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    held.wait()
    return thread


def test_send_and_answer_end_while_another_writer_holds_the_file(qtbot, starter_model) -> None:
    settings = Settings(n_ctx=1024, max_tokens=24, temperature=0.0, n_threads=1, repeat_penalty=1.0)
    win = MainWindow(settings, model=str(starter_model))
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.chat.events.loaded, timeout=60_000):
        win.show()
    statuses: list[str] = []
    win.statusBar().messageChanged.connect(statuses.append)
    try:
        # 1. the question is written while the file is locked
        holder = hold_write_lock(win.chat.store.file, HOLD_S)
        with Ticks() as ticks:
            win.chat.prompt.setPlainText("Name a color.")
            win.chat.send()
            assert win.chat.store.list_conversations() == []  # not written yet, and the window went on
            qtbot.waitUntil(lambda: not holder.is_alive(), timeout=int(HOLD_S * 1000) + 10_000)
        assert ticks.max_gap_ms() <= MAX_GAP_MS, f"the event loop stalled {ticks.max_gap_ms():.0f} ms"
        assert "Waiting for the conversation store…" in statuses
        with qtbot.waitSignal(win.chat.answerSaved, timeout=120_000):
            pass
        first = [(m.role, m.state) for m in win.chat.store.path(win.chat.conversation_id)]
        assert first == [("user", "complete"), ("assistant", "complete")]

        # 2. the answer ends while the file is locked: its end is committed once the lock is free
        holder: list[threading.Thread] = []
        win.chat.events.tokens.connect(lambda _t: holder or holder.append(hold_write_lock(win.chat.store.file, HOLD_S)))
        win.chat.prompt.setPlainText("Tell me a story.")
        with qtbot.waitSignal(win.chat.events.answered, timeout=120_000) as answered:
            win.chat.send()
        with Ticks() as ticks:
            with qtbot.waitSignal(win.chat.answerSaved, timeout=int(HOLD_S * 1000) + 20_000):
                pass
        assert holder and not holder[0].is_alive()
        assert ticks.max_gap_ms() <= MAX_GAP_MS, f"the event loop stalled {ticks.max_gap_ms():.0f} ms"
        last = win.chat.store.path(win.chat.conversation_id)[-1]
        assert last.state == "complete" and last.content == answered.args[0].text
        assert last.stats["completion_tokens"] == answered.args[0].stats.completion_tokens
    finally:
        win.close()
