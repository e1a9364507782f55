"""The first window, driven through a real Qt event loop (offscreen) and the real engine."""

from __future__ import annotations

import os
import re
import signal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from hearthlm.core.settings import Settings
from hearthlm.gui.main_window import MainWindow
from ui_ticks import settle

pytestmark = pytest.mark.engine

LOAD_TIMEOUT_MS = 60_000
ANSWER_TIMEOUT_MS = 120_000


@pytest.fixture
def window(qtbot, starter_model):
    settings = Settings(n_ctx=1024, max_tokens=24, temperature=0.0)
    win = MainWindow(settings, model=str(starter_model))
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.chat.events.loaded, timeout=LOAD_TIMEOUT_MS):
        win.show()
    yield win
    win.close()


def send(qtbot, win: MainWindow, text: str) -> None:
    win.chat.prompt.setFocus()
    qtbot.keyClicks(win.chat.prompt, text)
    qtbot.keyClick(win.chat.prompt, Qt.Key.Key_Return)


def test_default_model_is_selected_and_loaded(window, starter_model):
    assert window.chat.picker.current_path() == str(starter_model)
    assert window.chat.session.model_info is not None
    # the status line names it as the picker does, not by the file's own "Smollm2 135M 8k Lc100K Mix1 Ep2"
    assert window.statusBar().currentMessage().startswith(window.chat.picker.combo.currentText() + " · Q4_1 · ")
    assert window.chat.picker.combo.currentText() == "SmolLM2 135M Instruct (starter)"


def test_typed_prompt_streams_into_the_view(qtbot, window):
    chunks: list[str] = []
    window.chat.events.tokens.connect(chunks.append)
    with qtbot.waitSignal(window.chat.events.answered, timeout=ANSWER_TIMEOUT_MS) as answered:
        send(qtbot, window, "Name three colors.")
        assert window.chat.prompt.toPlainText() == ""  # Enter sent it
        qtbot.waitUntil(window.chat.stop_button.isEnabled, timeout=30_000)  # once the question is stored
    answer = answered.args[0]
    streamed = "".join(chunks)
    assert streamed and streamed == answer.text
    # Coalesced: fewer updates than tokens reach the view.
    assert len(chunks) <= answer.stats.completion_tokens
    settle(window)  # the answer's end is committed, then rendered
    shown = window.chat.view.toPlainText()
    assert "Name three colors." in shown
    # The finished answer is shown as rendered Markdown (list numbers are list formatting, not text).
    assert all(word in shown for word in re.findall(r"[A-Za-z]{3,}", streamed))
    assert window.messages == [
        {"role": "user", "content": "Name three colors."},
        {"role": "assistant", "content": streamed},
    ]
    assert not window.chat.stop_button.isEnabled()
    assert window.chat.send_button.isEnabled()


def test_shift_enter_is_a_newline_not_a_send(qtbot, window):
    window.chat.prompt.setFocus()
    qtbot.keyClicks(window.chat.prompt, "line one")
    qtbot.keyClick(window.chat.prompt, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(window.chat.prompt, "line two")
    assert window.chat.prompt.toPlainText() == "line one\nline two"
    assert window.messages == []


def test_stop_button_cancels_the_answer(qtbot, window):
    window.settings.max_tokens = 2000
    window.settings.repeat_penalty = 1.0  # the model then loops until max_tokens: long enough to stop
    clicked: list[bool] = []

    def stop_on_first_tokens(_text: str) -> None:
        if not clicked:
            clicked.append(True)
            qtbot.mouseClick(window.chat.stop_button, Qt.MouseButton.LeftButton)

    window.chat.events.tokens.connect(stop_on_first_tokens)
    with qtbot.waitSignal(window.chat.events.answered, timeout=ANSWER_TIMEOUT_MS) as answered:
        send(qtbot, window, "Tell me a very long story about a dragon and a knight.")
    window.chat.events.tokens.disconnect(stop_on_first_tokens)
    assert clicked
    answer = answered.args[0]
    assert answer.stats.stop_reason == "cancelled"
    assert answer.stats.completion_tokens < 2000
    settle(window)
    assert window.messages[-1]["role"] == "assistant"


def test_bad_model_file_shows_a_sentence_and_the_window_keeps_working(qtbot, window, tmp_path):
    bad = tmp_path / "notes.gguf"
    bad.write_text("this is not a model")
    with qtbot.waitSignal(window.chat.events.loadFailed, timeout=LOAD_TIMEOUT_MS):
        window.load_model(str(bad))
    assert window.chat.banner_row.isVisible()
    assert "not a GGUF model file" in window.chat.banner.text()
    # The model that was loaded still answers.
    with qtbot.waitSignal(window.chat.events.answered, timeout=ANSWER_TIMEOUT_MS):
        send(qtbot, window, "Hello")
    settle(window)
    assert window.messages[-1]["role"] == "assistant"
    assert not window.chat.banner_row.isVisible()


def test_missing_and_folder_paths_are_refused(qtbot, window, tmp_path):
    for path, words in ((tmp_path / "gone.gguf", "No model file"), (tmp_path, "is a folder")):
        with qtbot.waitSignal(window.chat.events.loadFailed, timeout=LOAD_TIMEOUT_MS):
            window.load_model(str(path))
        assert words in window.chat.banner.text()


def test_engine_crash_keeps_the_conversation_and_restarts(qtbot, window):
    with qtbot.waitSignal(window.chat.events.answered, timeout=ANSWER_TIMEOUT_MS):
        send(qtbot, window, "Hello")
    settle(window)
    before = [dict(m) for m in window.messages]

    # Without a repeat penalty this model loops greedily until max_tokens: a long answer to kill.
    window.settings.max_tokens = 2000
    window.settings.repeat_penalty = 1.0
    killed: list[int] = []

    def kill_on_first_tokens(_text: str) -> None:
        if not killed:
            killed.append(window.chat.session.engine_pid)
            os.kill(killed[0], signal.SIGKILL)

    window.chat.events.tokens.connect(kill_on_first_tokens)
    with qtbot.waitSignal(window.chat.events.answerFailed, timeout=ANSWER_TIMEOUT_MS) as failed:
        send(qtbot, window, "Tell me a very long story.")
    window.chat.events.tokens.disconnect(kill_on_first_tokens)
    assert killed
    message, crashed = failed.args
    assert crashed
    assert "SIGKILL" in message
    assert window.chat.banner_row.isVisible() and window.chat.restart_button.isVisible()
    assert window.messages[: len(before)] == before
    assert window.messages[len(before)] == {"role": "user", "content": "Tell me a very long story."}

    with qtbot.waitSignal(window.chat.events.loaded, timeout=LOAD_TIMEOUT_MS):
        qtbot.mouseClick(window.chat.restart_button, Qt.MouseButton.LeftButton)
    window.settings.max_tokens = 16
    with qtbot.waitSignal(window.chat.events.answered, timeout=ANSWER_TIMEOUT_MS):
        send(qtbot, window, "Are you back?")
    settle(window)
    assert window.messages[-1]["role"] == "assistant"


def test_chinese_translation_is_applied(qtbot, starter_model, tmp_path):
    from hearthlm.gui.i18n import install_translators

    app = QApplication.instance()
    translators = install_translators(app, "zh_CN")
    try:
        assert translators, "the zh_CN translation did not load"
        win = MainWindow(Settings(n_ctx=512), model=str(starter_model))
        qtbot.addWidget(win)
        assert win.chat.send_button.text() == "发送"
        assert win.chat.stop_button.text() == "停止"
        assert "Enter" in win.chat.prompt.placeholderText() and "发送" in win.chat.prompt.placeholderText()
        with qtbot.waitSignal(win.chat.events.loaded, timeout=LOAD_TIMEOUT_MS):
            pass
        # The core's sentences are translated too.
        bad = tmp_path / "notes.gguf"
        bad.write_text("not a model")
        with qtbot.waitSignal(win.chat.events.loadFailed, timeout=LOAD_TIMEOUT_MS):
            win.load_model(str(bad))
        assert win.chat.banner.text() == "notes.gguf 不是 GGUF 模型文件（开头没有 GGUF 标识）。"
        win.close()
    finally:
        for translator in translators:
            app.removeTranslator(translator)


def test_a_model_used_from_the_library_loads_in_the_chat(qtbot, window, gemma_model):
    window.pages.setCurrentWidget(window.models_page)
    with qtbot.waitSignal(window.chat.events.loaded, timeout=LOAD_TIMEOUT_MS):
        window.models_page.useInChat.emit(str(gemma_model))
    assert window.pages.currentWidget() is window.chat_page
    assert window.chat.picker.current_path() == str(gemma_model)
    assert window.chat.session.model_path == str(gemma_model)
