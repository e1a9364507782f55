"""The chat page with stored conversations, driven through a real Qt event loop (offscreen), the real
engine and the starter model: edit → regenerate → branches, stop and continue, rendering, search,
reasoning, persistence, per-conversation settings, shortcuts."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from hearthlm.core.settings import Settings
from hearthlm.gui.main_window import MainWindow
from ui_ticks import settle

pytestmark = pytest.mark.engine

LOAD_TIMEOUT_MS = 60_000
ANSWER_TIMEOUT_MS = 120_000


def make_window(qtbot, starter_model, **overrides) -> MainWindow:
    settings = Settings(n_ctx=1024, max_tokens=12, temperature=0.0, n_threads=1, **overrides)
    win = MainWindow(settings, model=str(starter_model))
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.chat.events.loaded, timeout=LOAD_TIMEOUT_MS):
        win.show()
    return win


@pytest.fixture
def window(qtbot, starter_model):
    win = make_window(qtbot, starter_model)
    yield win
    win.close()


def send(qtbot, win: MainWindow, text: str) -> object:
    with qtbot.waitSignal(win.chat.events.answered, timeout=ANSWER_TIMEOUT_MS) as answered:
        win.chat.prompt.setFocus()
        win.chat.prompt.setPlainText(text)
        qtbot.keyClick(win.chat.prompt, Qt.Key.Key_Return)
    settle(win)  # the answer's end is committed on the store's writer thread
    return answered.args[0]


def click(win: MainWindow, link: str) -> None:
    """Click one of the view's links (what anchorClicked delivers for a real click)."""
    assert link in win.chat.view.toHtml(), f"no link {link} in the view"
    win.chat.view.anchorClicked.emit(QUrl(link))
    settle(win)


def path(win: MainWindow):
    settle(win)
    return win.chat.store.path(win.chat.conversation_id)


def test_edit_regenerate_and_switch_branches(qtbot, window):
    send(qtbot, window, "Hello")
    question, first_answer = path(window)
    assert (question.role, question.content, first_answer.role) == ("user", "Hello", "assistant")
    assert first_answer.state == "complete" and first_answer.stats["completion_tokens"] > 0

    # Edit the question: a new branch, the old one kept.
    click(window, f"edit:{question.id}")
    assert window.chat.prompt.toPlainText() == "Hello"
    assert window.chat.edit_label.isVisible()
    send(qtbot, window, "What is the capital of France?")
    edited, second_answer = path(window)
    assert edited.id != question.id and edited.parent_id == question.parent_id
    assert window.chat.store.siblings(edited.id)[:2] == (1, 2)
    shown = window.chat.view.toPlainText()
    assert "What is the capital of France?" in shown and "Hello" not in shown
    assert "‹ 2/2 ›" in shown

    # Back to the first branch, with its own answer.
    click(window, f"prev:{edited.id}")
    assert [m.id for m in path(window)] == [question.id, first_answer.id]
    assert "Hello" in window.chat.view.toPlainText() and "‹ 1/2 ›" in window.chat.view.toPlainText()
    assert window.messages[0] == {"role": "user", "content": "Hello"}

    # Regenerate the answer: a sibling answer, the first one kept.
    with qtbot.waitSignal(window.chat.events.answered, timeout=ANSWER_TIMEOUT_MS):
        click(window, f"regen:{first_answer.id}")
    regenerated = path(window)[-1]
    assert regenerated.id != first_answer.id and regenerated.parent_id == question.id
    assert window.chat.store.siblings(regenerated.id)[:2] == (1, 2)
    click(window, f"prev:{regenerated.id}")
    assert path(window)[-1].id == first_answer.id
    click(window, f"next:{first_answer.id}")
    assert path(window)[-1].id == regenerated.id


def test_stop_then_continue_the_same_answer(qtbot, window):
    window.settings.max_tokens = 2000
    window.settings.repeat_penalty = 1.0  # the model then loops until max_tokens: long enough to stop
    stopped: list[bool] = []

    def stop_on_first_tokens(_text: str) -> None:
        if not stopped:
            stopped.append(True)
            qtbot.mouseClick(window.chat.stop_button, Qt.MouseButton.LeftButton)

    window.chat.events.tokens.connect(stop_on_first_tokens)
    answer = send(qtbot, window, "Tell me a very long story about a dragon.")
    window.chat.events.tokens.disconnect(stop_on_first_tokens)
    assert answer.stats.stop_reason == "cancelled"
    partial = path(window)[-1]
    assert partial.content and partial.stats["stop_reason"] == "cancelled"
    assert "stopped" in window.chat.view.toPlainText()

    window.settings.max_tokens = 10
    with qtbot.waitSignal(window.chat.events.answered, timeout=ANSWER_TIMEOUT_MS) as answered:
        click(window, f"continue:{partial.id}")
    more = answered.args[0].text
    continued = path(window)[-1]
    assert continued.id == partial.id  # the same message, longer
    assert continued.content == partial.content + more and more
    assert continued.stats["completion_tokens"] >= partial.stats["completion_tokens"] + 1
    assert len(path(window)) == 2


def test_markdown_code_and_chinese_render_and_copy(qtbot, window):
    store = window.chat.store
    conv = store.create(title="Rendering")
    q = store.add_message(conv.id, None, "user", "用 Python 写一个函数")
    code = 'def greet(name):\n    return f"你好, {name}"'
    a = store.add_message(conv.id, q.id, "assistant",
                          f"**这是**一个函数：\n\n```python\n{code}\n```\n\n- one\n- two", stats={"completion_tokens": 20})
    window.chat.conversations.refresh()
    window.chat.open_conversation(conv.id)
    html = window.chat.view.toHtml()
    text = window.chat.view.toPlainText()
    assert "这是一个函数" in text and "**" not in text  # Markdown rendered, Chinese kept
    assert "font-weight:" in html  # the bold part
    assert f"copycode:{a.id}:0" in html
    # pygments: 'def'/'return' keywords highlighted, in the light theme's keyword colour (gui/code_style.py)
    from pygments.token import Keyword

    from hearthlm.gui.code_style import accessible_style
    from hearthlm.gui.theme import LIGHT

    keyword = accessible_style(LIGHT.code_style, LIGHT.code_bg).styles[Keyword].split()[-1]
    assert f"color:{keyword}" in html.replace(" ", "")
    click(window, f"copycode:{a.id}:0")
    assert QGuiApplication.clipboard().text() == code
    click(window, f"copy:{q.id}")
    assert QGuiApplication.clipboard().text() == "用 Python 写一个函数"


def test_search_filters_the_side_list(qtbot, window):
    store = window.chat.store
    for title, text in (("Cooking", "a recipe for dumplings"), ("Travel", "trains across Europe"),
                        ("中文", "关于长城的历史")):
        conv = store.create(title=title)
        store.add_message(conv.id, None, "user", text)
    window.chat.conversations.refresh()
    assert set(window.chat.conversations.titles()) >= {"Cooking", "Travel", "中文"}
    window.chat.conversations.focus_search()
    qtbot.keyClicks(window.chat.conversations.search, "dumpling")
    qtbot.waitUntil(lambda: window.chat.conversations.titles() == ["Cooking"], timeout=3000)
    window.chat.conversations.search.setText("长城")
    qtbot.waitUntil(lambda: window.chat.conversations.titles() == ["中文"], timeout=3000)
    window.chat.conversations.search.clear()
    qtbot.waitUntil(lambda: len(window.chat.conversations.titles()) == 3, timeout=3000)


def test_reasoning_is_collapsed_and_not_sent_back(qtbot, window):
    store = window.chat.store
    conv = store.create(title="Thinking")
    q = store.add_message(conv.id, None, "user", "What is 2+2?")
    a = store.add_message(conv.id, q.id, "assistant", "<think>The user wants a sum. 2+2 is 4.</think>\n\nIt is 4.",
                          stats={"completion_tokens": 15, "reasoning_s": 3.2})
    window.chat.conversations.refresh()
    window.chat.open_conversation(conv.id)
    text = window.chat.view.toPlainText()
    assert "Thought for 3 s" in text and "It is 4." in text
    assert "The user wants a sum" not in text  # collapsed
    # The answer goes back without its reasoning; it rides along only for templates that ask for it.
    assert [{k: m[k] for k in ("role", "content")} for m in window.messages] == [
        {"role": "user", "content": "What is 2+2?"}, {"role": "assistant", "content": "It is 4."}]
    assert window.messages[1]["reasoning_content"] == "The user wants a sum. 2+2 is 4."
    click(window, f"think:{a.id}")
    assert "The user wants a sum" in window.chat.view.toPlainText()
    click(window, f"think:{a.id}")
    assert "The user wants a sum" not in window.chat.view.toPlainText()
    # A follow-up goes to the engine without the reasoning; the store keeps it.
    send(qtbot, window, "And 3+3?")
    assert all("<think>" not in m["content"] for m in window.messages)
    assert store.message(a.id).content.startswith("<think>")


def test_conversations_persist_in_a_new_window(qtbot, starter_model):
    first = make_window(qtbot, starter_model)
    send(qtbot, first, "Remember the word lighthouse.")
    conv_id = first.chat.conversation_id
    answer = path(first)[-1].content
    first.close()

    second = make_window(qtbot, starter_model)
    try:
        assert second.chat.conversation_id == conv_id  # the most recent conversation is reopened
        assert "Remember the word lighthouse." in second.chat.conversations.titles()[0]
        shown = second.chat.view.toPlainText()
        assert "Remember the word lighthouse." in shown
        assert answer.split()[0] in shown
        send(qtbot, second, "What was the word?")  # and continues it
        assert len(path(second)) == 4
    finally:
        second.close()


def test_settings_are_saved_per_conversation(qtbot, window):
    send(qtbot, window, "Hi")
    first = window.chat.conversation_id
    panel = window.chat.settings_panel
    panel.fields["temperature"].setValue(1.3)
    panel.fields["seed"].setValue(42)
    panel.system_prompt.setPlainText("You are a pirate.")
    settle(window)
    own = window.chat.store.get(first).settings
    assert own["temperature"] == pytest.approx(1.3) and own["seed"] == 42
    assert own["system_prompt"] == "You are a pirate."
    params = window.chat.session.params()
    assert params.temperature == pytest.approx(1.3) and params.seed == 42
    assert window.messages[0] == {"role": "system", "content": "You are a pirate."}

    # A new chat starts from the defaults and keeps its own.
    qtbot.keyClick(window.chat.prompt, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert window.chat.conversation_id is None
    assert panel.fields["temperature"].value() == pytest.approx(0.0)
    send(qtbot, window, "Hello")
    second = window.chat.conversation_id
    assert second != first and "temperature" not in window.chat.store.get(second).settings

    # Back to the first: its settings come back; a preset fills the system prompt.
    window.chat.open_conversation(first)
    assert panel.fields["temperature"].value() == pytest.approx(1.3)
    assert panel.system_prompt.toPlainText() == "You are a pirate."
    index = panel.preset_combo.findData("Chain of thought")
    panel.preset_combo.setCurrentIndex(index)
    panel.preset_combo.activated.emit(index)
    settle(window)
    assert "<think>" in window.chat.store.get(first).settings["system_prompt"]
    assert panel.save_preset_as("My pirate")
    assert json.loads((window.chat.presets.file).read_text(encoding="utf-8"))["presets"][0]["name"] == "My pirate"


def test_rename_delete_with_confirmation_and_export(qtbot, window, monkeypatch, tmp_path):
    send(qtbot, window, "Hello there")
    conv = window.chat.conversation_id
    window.chat.conversation_actions.rename(conv, "Greetings")
    settle(window)
    assert window.chat.conversations.titles()[0] == "Greetings"
    out = tmp_path / "c.md"
    window.chat.conversation_actions.export(conv, "md", str(out))
    assert "Hello there" in out.read_text(encoding="utf-8")
    window.chat.conversation_actions.export(conv, "json", str(tmp_path / "c.json"))
    assert json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))["title"] == "Greetings"

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    window.chat.conversation_actions.ask_delete(conv)
    assert conv in window.chat.conversations.ids()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    window.chat.conversation_actions.ask_delete(conv)
    settle(window)
    assert conv not in window.chat.conversations.ids()
    assert window.chat.conversation_id is None


def test_keyboard_shortcuts(qtbot, window, monkeypatch):
    shown: list[bool] = []
    monkeypatch.setattr("hearthlm.gui.chat_page.ShortcutsDialog.exec", lambda self: shown.append(True) or 0)
    window.activateWindow()
    window.chat.prompt.setFocus()
    qtbot.keyClick(window.chat.prompt, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is window.chat.conversations.search
    qtbot.keyClick(window.chat.conversations.search, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is window.chat.prompt
    qtbot.keyClick(window.chat.prompt, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is window.chat.conversations.search
    qtbot.keyClick(window.chat.conversations.search, Qt.Key.Key_F1)
    assert shown

    send(qtbot, window, "Hi")
    before = path(window)[-1].id
    with qtbot.waitSignal(window.chat.events.answered, timeout=ANSWER_TIMEOUT_MS):
        qtbot.keyClick(window.chat.prompt, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert path(window)[-1].id != before and window.chat.store.siblings(before)[1] == 2

    # Esc stops an answer.
    window.settings.max_tokens = 2000
    window.settings.repeat_penalty = 1.0
    pressed: list[bool] = []

    def escape(_text: str) -> None:
        if not pressed:
            pressed.append(True)
            qtbot.keyClick(window.chat.prompt, Qt.Key.Key_Escape)

    window.chat.events.tokens.connect(escape)
    answer = send(qtbot, window, "Tell me a long story.")
    window.chat.events.tokens.disconnect(escape)
    assert answer.stats.stop_reason == "cancelled"


HOSTILE = ("{% for m in messages %}{{ m.content.__class__.__mro__[1].__subclasses__() }}"
           "{{ cycler.__init__.__globals__.os.system('touch PWNED') }}{% endfor %}")


def test_a_model_whose_template_escapes_is_refused_told_and_still_chats(qtbot, starter_model, tmp_path, monkeypatch):
    from gguf_files import with_chat_template

    monkeypatch.chdir(tmp_path)
    hostile = with_chat_template(starter_model, tmp_path / "hostile.gguf", HOSTILE)
    win = make_window(qtbot, hostile)
    try:
        assert win.chat.note.isVisible()
        assert "refused" in win.chat.note.text() and "ChatML" in win.chat.note.text()
        send(qtbot, win, "Hello")
        answer = path(win)[-1]
        assert answer.content and "refused" in answer.stats["note"]["template"]
        assert "refused" in win.chat.view.toPlainText()  # under the answer too
        assert not (tmp_path / "PWNED").exists()
        # Choosing a built-in format for this conversation replaces the note.
        index = win.chat.settings_panel.template_combo.findData("chatml")
        win.chat.settings_panel.template_combo.setCurrentIndex(index)
        win.chat.settings_panel.template_combo.activated.emit(index)
        settle(win)
        assert win.chat.store.get(win.chat.conversation_id).settings["template"] == "chatml"
        assert "you chose" in win.chat.note.text()
        send(qtbot, win, "Hello again")
        assert "note" not in path(win)[-1].stats
    finally:
        win.close()


def test_streamed_reasoning_is_not_shown_as_answer_text(qtbot):
    from hearthlm.gui.chat_view import ChatView
    from hearthlm.gui.message_html import MessageView

    view = ChatView()
    qtbot.addWidget(view)
    view.show_messages([MessageView(1, "user", "2+2?")])
    view.begin_answer(2)
    for piece in ("<thi", "nk>The user wants ", "a sum.</th", "ink>\n\nIt is ", "4."):
        view.append_answer(piece)
        if piece == "nk>The user wants ":
            assert "Thinking…" in view.toPlainText() and "user wants" not in view.toPlainText()
    assert view.toPlainText().endswith("Thinking…\nIt is 4.")
    view.replace_answer(MessageView(2, "assistant", "<think>The user wants a sum.</think>\n\nIt is 4.", last=True,
                                    stats={"completion_tokens": 9, "reasoning_s": 1.2}))
    text = view.toPlainText()
    assert "Thought for 1 s" in text and "It is 4." in text and "user wants" not in text and "<think>" not in text


def test_a_conversation_longer_than_the_context_is_trimmed_and_the_user_told(qtbot, window):
    store = window.chat.store
    conv = store.create(title="Long")
    parent = None
    long_text = "This is an older message that takes up room in the context window. " * 12
    for i in range(12):
        parent = store.add_message(conv.id, parent, "user" if i % 2 == 0 else "assistant", long_text).id
    window.chat.conversations.refresh()
    window.chat.open_conversation(conv.id)
    window.settings.max_tokens = 4
    answer = send(qtbot, window, "Hi")
    assert answer.stats.trimmed_messages > 0
    assert answer.stats.prompt_tokens <= 1024
    assert "oldest messages were left out" in window.chat.view.toPlainText()  # under the answer
    assert "/ 1,024 tokens used" in window.chat.context_label.text()
    assert int(window.chat.context_label.text().split()[1].replace(",", "")) <= 1024


def test_a_base_model_without_template_is_named_as_such(qtbot, gemma_model):
    win = MainWindow(Settings(n_ctx=512, n_threads=1), model=str(gemma_model))
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.chat.events.loaded, timeout=LOAD_TIMEOUT_MS):
        win.show()
    try:
        note = win.chat.note
        assert note.isVisible() and "no chat template" in note.text() and "Gemma format" in note.text()
        assert "base model" in note.text()
    finally:
        win.close()


def test_an_unreadable_store_is_told_and_chat_still_works(qtbot, starter_model):
    from hearthlm.core.chat.store import default_store_path

    db = default_store_path()
    db.parent.mkdir(parents=True, exist_ok=True)
    db.write_bytes(b"this is not a SQLite database" * 100)
    win = make_window(qtbot, starter_model)
    try:
        note = win.chat.note
        assert note.isVisible()
        assert "conversation store" in note.text() and "only until Hearth closes" in note.text()
        send(qtbot, win, "Hello")
        assert len(path(win)) == 2
        assert db.read_bytes().startswith(b"this is not")  # the user's file is left alone
    finally:
        win.close()


def test_the_context_meter_follows_the_draft_and_the_streaming_answer(qtbot, window):
    send(qtbot, window, "Hello")
    after_first = window.chat.context_label.text()
    assert "tokens used" in after_first

    # Typing: once the typing pauses the engine counts history + draft.
    with qtbot.waitSignal(window.chat.events.counted, timeout=10_000) as counted:
        window.chat.prompt.setPlainText("Tell me about the sea.")
    count = counted.args[0]
    assert count is not None and not count.over
    assert "≈" in window.chat.context_label.text() and "with this message" in window.chat.context_label.text()
    used_before = int(after_first.split()[1].replace(",", ""))
    assert count.tokens > used_before  # the history plus the new question
    assert window.chat.context_bar.value() == count.tokens

    # A draft longer than the context: said before sending.
    with qtbot.waitSignal(window.chat.events.counted, timeout=10_000) as counted:
        window.chat.prompt.setPlainText("A very long question about many things. " * 150)
    assert counted.args[0].too_long
    assert "this message alone is too long" in window.chat.context_label.text()

    # Clearing the draft goes back to what the conversation uses.
    window.chat.prompt.clear()
    qtbot.waitUntil(lambda: window.chat.context_label.text() == after_first, timeout=5_000)

    # While an answer streams the meter grows with it.
    seen: list[int] = []
    window.chat.events.usage.connect(seen.append)
    answer = send(qtbot, window, "And the mountains?")
    assert seen and seen == sorted(seen)
    assert seen[-1] <= answer.stats.prompt_tokens + answer.stats.completion_tokens + 2
    assert f"{answer.stats.prompt_tokens + answer.stats.completion_tokens:,} / 1,024 tokens used" in window.chat.context_label.text()


def test_the_meter_keeps_the_answers_count_while_its_stats_wait_for_the_store(qtbot, window):
    """Clearing the draft right after an answer, before the store has committed its stats, showed
    "Context: 1,024 tokens" as if nothing had been said (a CI flake of the test above)."""
    import threading

    release = threading.Event()
    seen_first = []

    def hold_the_writer(_text: str) -> None:
        if not seen_first:
            seen_first.append(True)
            window.chat.store.submit(lambda: release.wait(30))  # the answer's end queues behind this

    window.chat.events.tokens.connect(hold_the_writer)
    try:
        with qtbot.waitSignal(window.chat.events.answered, timeout=ANSWER_TIMEOUT_MS) as answered:
            window.chat.prompt.setPlainText("Hello")
            qtbot.keyClick(window.chat.prompt, Qt.Key.Key_Return)
        used = answered.args[0].stats.prompt_tokens + answered.args[0].stats.completion_tokens
        window.chat.session.estimate("")  # what clearing the draft asks
        assert window.chat.context_label.text() == f"Context: {used:,} / 1,024 tokens used"
    finally:
        release.set()
    settle(window)
    window.chat.session.estimate("")
    assert window.chat.context_label.text() == f"Context: {used:,} / 1,024 tokens used"


def test_the_meter_says_old_turns_will_be_dropped_before_sending(qtbot, window):
    store = window.chat.store
    conv = store.create(title="Long")
    parent = None
    for i in range(12):
        parent = store.add_message(conv.id, parent, "user" if i % 2 == 0 else "assistant",
                                   "This is an older message that takes up room in the context window. " * 12).id
    window.chat.conversations.refresh()
    window.chat.open_conversation(conv.id)
    with qtbot.waitSignal(window.chat.events.counted, timeout=10_000) as counted:
        window.chat.prompt.setPlainText("Hi")
    count = counted.args[0]
    assert count.over and not count.too_long
    assert "the oldest turns will be left out to fit" in window.chat.context_label.text()
    answer = send(qtbot, window, "Hi")
    assert answer.stats.trimmed_messages > 0  # what the meter announced


def test_closing_the_window_while_an_answer_streams_keeps_it_and_raises_nothing(qtbot, starter_model):
    win = make_window(qtbot, starter_model)
    win.settings.max_tokens = 400
    win.chat.prompt.setPlainText("Write a long story about a fox who learns to sail.")
    with qtbot.waitSignal(win.chat.events.tokens, timeout=ANSWER_TIMEOUT_MS):
        win.chat.send()
    conversation = win.chat.conversation_id
    win.close()  # pytest-qt fails the test on any exception raised in a slot from here on
    for _ in range(20):  # let late queued signals (the cancelled answer's end) arrive
        qtbot.wait(50)
    from hearthlm.core.chat.store import ConversationStore

    with ConversationStore() as store:
        question, answer = store.path(conversation)
    assert question.role == "user" and answer.role == "assistant"
    assert answer.state == "interrupted" and answer.content  # what had streamed is kept
