"""A conversation opened in the window is evaluated in the engine while the user reads and types,
so that its first question evaluates only itself (core/chat/session.py ``warm``); the preference
turns it off. Offscreen, the real engine and starter model."""

from __future__ import annotations

import pytest

from test_chat_gui import make_window, send
from ui_ticks import settle

pytestmark = pytest.mark.engine

EARLIER = [("system", "You answer questions about lighthouses and the sea. " * 10),
           ("user", "Why are lighthouses tall?"),
           ("assistant", "So that their light is seen from far out at sea, over the curve of the Earth.")]


def stored_conversation(chat) -> str:
    """A conversation from an earlier run: in the store, never evaluated by this engine."""
    conv = chat.store.create(model=chat.session.model_path, title="Lighthouses")
    parent = None
    for role, text in EARLIER:
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
