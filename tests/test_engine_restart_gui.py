"""The window after its engine died while idle (killed with SIGKILL between two questions): the next
question restarts the engine and is answered; when the restart fails the banner says so in one
sentence, offers Restart and Details, the question is kept once (never piled up), and Restart asks
it again. Real window (pytest-qt, offscreen), real engine processes, the starter model."""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from test_chat_gui import ANSWER_TIMEOUT_MS, LOAD_TIMEOUT_MS, make_window, send
from ui_ticks import settle

pytestmark = pytest.mark.engine


def kill_engine(qtbot, win) -> int:
    pid = win.chat.session.engine_pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    qtbot.waitUntil(lambda: win.chat.session.engine_pid is None, timeout=10_000)  # dead, while idle
    return pid


def ask(qtbot, win, text: str) -> tuple[list, list]:
    """Send ``text``; wait for the answer or the failure. Returns (answers, failures)."""
    answers: list = []
    failures: list = []
    win.chat.events.answered.connect(answers.append)
    win.chat.events.answerFailed.connect(lambda message, crashed: failures.append((message, crashed)))
    win.chat.prompt.setPlainText(text)
    qtbot.keyClick(win.chat.prompt, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(answers or failures), timeout=ANSWER_TIMEOUT_MS)
    qtbot.waitUntil(lambda: not win.chat.session.busy, timeout=10_000)
    settle(win)
    return answers, failures


def turns(win) -> list[tuple[str, str]]:
    settle(win)
    return [(m.role, m.content if m.role == "user" else "") for m in win.chat.store.path(win.chat.conversation_id)]


def test_engine_killed_while_idle_restarts_on_the_next_question(qtbot, starter_model):
    win = make_window(qtbot, starter_model)
    send(qtbot, win, "Hello")
    old = kill_engine(qtbot, win)

    answers, failures = ask(qtbot, win, "Are you back?")
    assert not failures, failures
    assert answers and answers[0].text
    assert win.chat.session.engine_pid not in (None, old)
    assert win.chat.session.engine.keeper.restarts == 1
    assert turns(win) == [("user", "Hello"), ("assistant", ""), ("user", "Are you back?"), ("assistant", "")]
    assert win.chat.store.path(win.chat.conversation_id)[-1].state == "complete"
    assert not win.chat.banner_row.isVisible()
    assert not win.chat.progress.isVisible()
    assert win.chat.session.model_info is not None and win.chat.session.model_info.n_ctx == 1024  # same load params
    win.close()


def test_failed_restart_offers_restart_keeps_the_question_once_and_restart_asks_it(qtbot, starter_model, tmp_path):
    model = tmp_path / "model.gguf"
    shutil.copyfile(starter_model, model)
    win = make_window(qtbot, model)
    chat = win.chat
    send(qtbot, win, "Hello")
    kill_engine(qtbot, win)
    away = model.rename(tmp_path / "elsewhere.gguf")  # the restart cannot load the model again

    answers, failures = ask(qtbot, win, "Are you back?")
    assert not answers and failures
    message, crashed = failures[0]
    assert crashed
    assert message == ("The engine had stopped and could not be restarted with model.gguf: "
                       f"No model file at {model}.")
    assert chat.banner_row.isVisible() and chat.banner.text() == message
    assert chat.restart_button.isVisible()
    assert turns(win) == [("user", "Hello"), ("assistant", ""), ("user", "Are you back?")]

    # Another question while the engine is still down: it goes beside the unanswered one, which
    # stays as the other branch; the branch sent to the model never holds two questions in a row.
    answers, failures = ask(qtbot, win, "Still there?")
    assert failures and failures[0][1]
    assert turns(win) == [("user", "Hello"), ("assistant", ""), ("user", "Still there?")]
    last = win.chat.store.path(chat.conversation_id)[-1]
    assert win.chat.store.siblings(last.id)[:2] == (1, 2)
    assert chat.restart_button.isVisible()

    # Restart with the file still missing: the banner keeps offering Restart.
    with qtbot.waitSignal(win.chat.events.loadFailed, timeout=LOAD_TIMEOUT_MS):
        qtbot.mouseClick(chat.restart_button, Qt.MouseButton.LeftButton)
    assert chat.banner_row.isVisible() and chat.restart_button.isVisible()
    assert "No model file" in chat.banner.text()

    # The file is back: Restart reloads the model and answers the question left unanswered.
    away.rename(model)
    with qtbot.waitSignal(win.chat.events.answered, timeout=ANSWER_TIMEOUT_MS) as answered:
        qtbot.mouseClick(chat.restart_button, Qt.MouseButton.LeftButton)
    assert answered.args[0].text
    settle(win)
    path = win.chat.store.path(chat.conversation_id)
    assert [(m.role, m.content) for m in path[:3]] == [("user", "Hello"), ("assistant", path[1].content),
                                                       ("user", "Still there?")]
    assert path[3].role == "assistant" and path[3].parent_id == last.id and path[3].state == "complete"
    assert len(path) == 4
    assert not chat.banner_row.isVisible()
    win.close()


def test_crash_banner_is_one_sentence_with_the_log_behind_details(qtbot, starter_model):
    win = make_window(qtbot, starter_model)
    chat = win.chat
    win.settings.max_tokens = 2000
    win.settings.repeat_penalty = 1.0  # the model then loops until max_tokens: a long answer to kill
    killed: list[int] = []

    def kill_on_first_tokens(_text: str) -> None:
        if not killed:
            killed.append(win.chat.session.engine_pid)
            os.kill(killed[0], signal.SIGKILL)

    win.chat.events.tokens.connect(kill_on_first_tokens)
    answers, failures = ask(qtbot, win, "Tell me a very long story.")
    win.chat.events.tokens.disconnect(kill_on_first_tokens)
    assert killed and failures and failures[0][1]
    text = chat.banner.text()
    assert text == ("The engine stopped while generating an answer: SIGKILL (being killed, often by the "
                    "system running out of memory).")
    assert chat.restart_button.isVisible() and chat.details_button.isVisible()

    qtbot.mouseClick(chat.details_button, Qt.MouseButton.LeftButton)
    box = chat.banner_row.findChild(QMessageBox, "engineDetails")
    assert box is not None and box.isVisible()
    assert box.text() == text
    details = box.detailedText()
    assert "llama" in details  # llama.cpp's own log lines, e.g. "llama_context: ..." / "sched_reserve: ..."
    assert f"The engine's whole log: {Path(os.environ['HEARTH_HOME'])}" in details and "engine.log" in details
    box.close()

    # The interrupted answer is kept (with Continue); the next question restarts the engine.
    win.settings.max_tokens = 8
    answers, failures = ask(qtbot, win, "Are you back?")
    assert answers and not failures
    assert not chat.banner_row.isVisible()
    win.close()
