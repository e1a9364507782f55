"""Remote models in the window (offscreen): chosen in the chat's model picker and answered through a
local OpenAI-compatible fake over real HTTP; the Models page's Remote section adds, tests, lists and
removes endpoints; a remote dying mid-answer is said in the banner. A screenshot of the Remote
section is written for a person to look at (tests/artifacts is not kept; see packaging/screenshots)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from fake_openai import FakeOpenAI, Reply
from hearthlm.core.remote.endpoints import add_endpoint
from hearthlm.core.settings import Settings, load_settings
from hearthlm.gui.main_window import MainWindow
from remote_transcripts import MODELS, OLLAMA_VERSION, PIECES, vllm
from ui_ticks import settle

REF = "remote:box/Qwen/Qwen3-8B"
TWO_MODELS = {"object": "list", "data": MODELS["vllm"]["data"] + [{"id": "meta-llama/Llama-3.1-8B-Instruct",
                                                                   "object": "model", "owned_by": "vllm"}]}


@pytest.fixture
def fake():
    with FakeOpenAI() as server:
        server.route("GET", "/v1/models", json=TWO_MODELS)
        server.route("POST", "/v1/chat/completions", sse=vllm(reasoning=True))
        yield server


def remote_window(qtbot, fake, start_with: str = "remote:box/meta-llama/Llama-3.1-8B-Instruct") -> MainWindow:
    settings = Settings(max_tokens=32)
    add_endpoint(settings, "box", fake.url, timeout_s=10)
    settings.remotes["box"]["models"] = [m["id"] for m in TWO_MODELS["data"]]  # as a probe left them
    window = MainWindow(settings, model=start_with)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.chat.events.loaded, timeout=30_000):
        window.show()
    return window


def test_a_remote_model_chosen_in_the_picker_answers_in_the_window(qtbot, fake):
    window = remote_window(qtbot, fake)
    try:
        combo = window.chat.picker.combo
        index = combo.findData(REF)
        assert index >= 0 and combo.itemText(index) == "Qwen/Qwen3-8B on box (remote)"
        with qtbot.waitSignal(window.chat.events.loaded, timeout=30_000) as loaded:
            combo.setCurrentIndex(index)
            combo.activated.emit(index)
        assert loaded.args[0].path == REF
        assert "on box (remote)" in window.statusBar().currentMessage()
        with qtbot.waitSignal(window.chat.events.answered, timeout=30_000):
            window.chat.prompt.setPlainText("Capital of France?")
            qtbot.keyClick(window.chat.prompt, Qt.Key.Key_Return)
        settle(window)
        shown = window.chat.view.toPlainText()
        assert "".join(PIECES) in shown and "Capital of France?" in shown
        assert fake.chat_requests()[-1]["json"]["model"] == "Qwen/Qwen3-8B"
        conversation = window.chat.store.get(window.chat.conversation_id)
        assert conversation.model == REF
        answer = window.chat.store.path(conversation.id)[-1]
        assert answer.state == "complete" and answer.stats["completion_tokens"] == 9
    finally:
        window.chat.session.shutdown()
        window.close()


def test_a_remote_dying_mid_answer_is_said_in_the_banner(qtbot, fake):
    fake.route("POST", "/v1/chat/completions", Reply(sse=vllm(), drop_after=4))
    window = remote_window(qtbot, fake, start_with=REF)
    try:
        with qtbot.waitSignal(window.chat.events.answerFailed, timeout=30_000):
            window.chat.prompt.setPlainText("Capital of France?")
            qtbot.keyClick(window.chat.prompt, Qt.Key.Key_Return)
        settle(window)
        assert "closed the connection in the middle of the answer" in window.chat.banner.text()
        answer = window.chat.store.path(window.chat.conversation_id)[-1]
        assert answer.state == "interrupted" and answer.content == "".join(PIECES[:3])
    finally:
        window.chat.session.shutdown()
        window.close()


def test_the_remote_section_adds_tests_uses_and_removes_an_endpoint(qtbot, fake, tmp_path):
    fake.route("GET", "/api/version", json=OLLAMA_VERSION)
    window = MainWindow(Settings(), model="remote:none/x")  # nothing to load: the window opens anyway
    qtbot.addWidget(window)
    window.show()
    try:
        window.pages.setCurrentIndex(window.pages.count() - 4)  # the Models page
        page = window.lazy_pages.page("models")
        remote = page.remote
        page.tabs.setCurrentWidget(remote)
        remote.add_button.click()
        remote.name_edit.setText("box")
        remote.url_edit.setText(fake.root)  # no path: /v1 is added
        remote.key_edit.setText("sk-gui-secret-42")
        with qtbot.waitSignal(remote.modelsListed, timeout=30_000):
            remote.save_button.click()
        assert remote.key_edit.text() == ""
        top = remote.tree.topLevelItem(0)
        assert top.text(0) == "box" and top.text(1) == fake.url and top.text(2) == "Ollama" and top.childCount() == 2
        assert "key stored" in top.text(3)
        assert fake.requests[0]["headers"]["Authorization"] == "Bearer sk-gui-secret-42"
        assert window.chat.picker.combo.findData(REF) >= 0  # offered in the chat at once
        saved = load_settings().remotes["box"]
        assert saved["models"] == [m["id"] for m in TWO_MODELS["data"]] and "sk-gui-secret-42" not in str(saved)
        assert "sk-gui-secret-42" not in Path(os.environ["HEARTH_HOME"], "config", "settings.json").read_text()
        qtbot.waitUntil(lambda: "readable only by you" in remote.store_label.text(), timeout=10_000)  # found on a job

        shot = tmp_path / "remote-section.png"
        assert page.grab().save(str(shot))
        os.environ.get("HEARTH_SCREENSHOT_DIR") and page.grab().save(
            str(Path(os.environ["HEARTH_SCREENSHOT_DIR"]) / "remote-section.png"))

        assert remote.select_model(REF)
        with qtbot.waitSignal(window.chat.events.loaded, timeout=30_000):
            remote.use_button.click()
        assert window.pages.currentWidget() is window.chat
        assert window.chat.picker.current_path() == REF and not window.chat.banner_row.isVisible()

        remote.tree.setCurrentItem(remote.tree.topLevelItem(0))
        remote.remove_button.click()
        assert remote.tree.topLevelItemCount() == 0 and "box" not in load_settings().remotes
    finally:
        window.chat.session.shutdown()
        window.close()


def test_the_remote_section_saves_its_endpoint_and_nothing_else(qtbot):
    """The window adds an endpoint after a terminal changed a setting and added another endpoint:
    both stay (the window used to write the whole copy it read at start, undoing them)."""
    import subprocess
    import sys

    from hearthlm.gui.remote_view import RemoteView

    view = RemoteView(load_settings())  # what the window read when it started
    qtbot.addWidget(view)

    def hearth(*args: str) -> None:
        done = subprocess.run([sys.executable, "-m", "hearthlm.core.cli", *args], capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stderr
    hearth("settings", "set", "temperature", "0.2")
    hearth("remote", "add", "gpu", "http://127.0.0.1:9/v1")
    view.test = lambda name: None  # no probe: nothing listens there
    view.name_edit.setText("lab")
    view.url_edit.setText("http://127.0.0.1:8/v1")
    view._add()
    saved = load_settings()
    assert saved.temperature == 0.2 and set(saved.remotes) == {"gpu", "lab"}
    assert set(view.settings.remotes) == {"gpu", "lab"}  # and the window now knows the terminal's
    view.tree.setCurrentItem(next(view.tree.topLevelItem(i) for i in range(view.tree.topLevelItemCount())
                                  if view.tree.topLevelItem(i).text(0) == "lab"))
    view._remove()
    assert set(load_settings().remotes) == {"gpu"} and load_settings().temperature == 0.2
