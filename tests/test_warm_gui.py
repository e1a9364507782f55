"""A conversation opened in the window is evaluated in the engine while the user reads and types,
so that its first question evaluates only itself (core/chat/session.py ``warm``); the preference
turns it off. Offscreen, the real engine and starter model."""

from __future__ import annotations

import os
import signal
import threading

import pytest

from test_chat_gui import make_window, send
from ui_ticks import settle

pytestmark = pytest.mark.engine

SYSTEM = "You answer questions about lighthouses and the sea. "
EARLIER = [("system", SYSTEM * 10),
           ("user", "Why are lighthouses tall?"),
           ("assistant", "So that their light is seen from far out at sea, over the curve of the Earth.")]


def stored_conversation(chat, system_repeats: int = 10) -> str:
    """A conversation from an earlier run: in the store, never evaluated by this engine."""
    conv = chat.store.create(model=chat.session.model_path, title="Lighthouses")
    parent = None
    for role, text in [("system", SYSTEM * system_repeats), *EARLIER[1:]]:
        parent = chat.store.add_message(conv.id, parent, role, text).id
    chat.conversations.refresh()
    return conv.id


@pytest.mark.parametrize("prepare", [True, False])
def test_an_opened_conversation_is_prepared_while_the_user_types(qtbot, starter_model, prepare):
    win = make_window(qtbot, starter_model, prepare_conversations=prepare)
    chat = win.chat
    cid = stored_conversation(chat)
    if prepare:
        # (the new chat's warm-up after the load may end first: it is cut short by this one)
        with qtbot.waitSignal(chat.events.warmed, timeout=60_000,
                              check_params_cb=lambda e: e is not None and e["tokens"] > 100) as warmed:
            chat.open_conversation(cid)
        event = warmed.args[0]
        assert event is not None and event["complete"] and event["evaluated"] > 100
    else:
        with qtbot.assertNotEmitted(chat.events.warmed, wait=500):
            chat.open_conversation(cid)
    settle(win)
    answer = send(qtbot, win, "Which is the tallest?")
    if prepare:  # only the question's own text and the assistant's header
        assert answer.stats.prompt_tokens > 130 and answer.stats.evaluated_tokens <= 16
    else:
        assert answer.stats.evaluated_tokens > 130
    win.close()


def test_an_engine_that_dies_while_preparing_loses_nothing(qtbot, starter_model, monkeypatch):
    """The engine killed while it evaluates an opened conversation: the warm-up ends with nothing
    and no error is shown (nobody asked anything), the conversation is as it was, and the next
    question starts a new engine with the model and is answered, as after any idle crash."""
    from hearthlm.core.engine.client import Engine

    win = make_window(qtbot, starter_model, prepare_conversations=True)
    chat = win.chat
    cid = stored_conversation(chat, system_repeats=50)  # ~560 of the test context's 1,024 tokens: seconds here
    before = [(m.role, m.content) for m in chat.store.path(cid)]
    dead = chat.session.engine_pid
    real_warm = Engine.warm

    def warm_then_die(engine, *args, **kwargs):  # on the job's thread: the child dies mid-evaluation
        threading.Timer(0.05, os.kill, (dead, signal.SIGKILL)).start()
        return real_warm(engine, *args, **kwargs)

    monkeypatch.setattr(Engine, "warm", warm_then_die)
    with qtbot.waitSignal(chat.events.warmed, timeout=60_000, check_params_cb=lambda e: e is None):
        chat.open_conversation(cid)
    monkeypatch.setattr(Engine, "warm", real_warm)
    settle(win)
    assert chat.banner_row.isHidden()  # nothing to say: no question was lost
    assert [(m.role, m.content) for m in chat.store.path(cid)] == before
    answer = send(qtbot, win, "Which is the tallest?")
    assert answer.text and chat.session.engine_pid not in (None, dead)
    assert [(m.role, m.content) for m in chat.store.path(cid)][:len(before)] == before
    assert len(chat.store.path(cid)) == len(before) + 2
    win.close()
