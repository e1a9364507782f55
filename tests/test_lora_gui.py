"""The window's LoRA settings (applied live, named in the stats line), the tokenizer inspector and
the prompt inspector, offscreen with the real engine and the starter model."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from hearthlm.core.tokens.vocab import Vocab
from lora_samples import write_adapter, write_peft
from test_chat_gui import ANSWER_TIMEOUT_MS, make_window, send
from ui_ticks import settle

pytestmark = pytest.mark.engine


@pytest.fixture
def window(qtbot, starter_model):
    win = make_window(qtbot, starter_model)
    yield win
    win.close()


def test_adapters_apply_live_and_the_stats_line_names_them(qtbot, window, tmp_path):
    chat = window.chat
    send(qtbot, window, "Name a colour.")
    base_text = chat.store.path(chat.conversation_id)[-1].content
    adapter = write_adapter(tmp_path / "pirate.gguf", seed=4)
    chat.settings_button.setChecked(True)
    box = chat.settings_panel.adapters
    engine = chat.session.engine.engine
    loaded_before = engine.model.load_s, engine.pid
    with qtbot.waitSignal(_applied(chat), timeout=30_000):
        box.attach(str(adapter))
    assert engine.adapters == [{"path": str(adapter.resolve()), "scale": 1.0}]
    assert (engine.model.load_s, engine.pid) == loaded_before  # no reload, same engine
    # The conversation so far is evaluated under the adapter while the user types: once it is in
    # the cache, the next question evaluates only itself.
    session = chat.session
    draft = session.draft_messages("Name a colour.")
    qtbot.waitUntil(lambda: (engine.inspect_prompt(draft, session.params(), adapters=engine.adapters)
                             or {}).get("cached", 0) > 0, timeout=30_000)
    answer = send(qtbot, window, "Name a colour.")
    assert [a["name"] for a in answer.stats.adapters] == ["pirate.gguf"]
    assert 0 < answer.stats.evaluated_tokens < answer.stats.prompt_tokens
    last = chat.store.path(chat.conversation_id)[-1]
    assert last.content != base_text
    assert "LoRA: pirate.gguf ×1" in chat.view.toPlainText()
    # The scale box (0..2) applies at once too.
    with qtbot.waitSignal(_applied(chat), timeout=30_000):
        box.rows[0].spin.setValue(0.5)
    assert engine.adapters[0]["scale"] == 0.5
    # Detaching: the next answer is the base model's again.
    with qtbot.waitSignal(_applied(chat), timeout=30_000):
        box.rows[0].remove.click()
    assert engine.adapters == []
    assert chat.session.own_settings().get("lora") is None


def _applied(chat):
    """The session's adapters_applied as a Qt signal (for qtbot.waitSignal)."""
    from PySide6.QtCore import QObject, Signal

    class Relay(QObject):
        fired = Signal(object)

    relay = Relay(chat)
    chat.session.adapters_applied.connect(relay.fired.emit)
    return relay.fired


def test_an_adapter_for_another_architecture_cannot_be_chosen(qtbot, window, tmp_path):
    box = window.chat.settings_panel.adapters
    assert box.architecture == "llama"
    found = [{"name": "ok.gguf", "path": str(tmp_path / "ok.gguf"), "architecture": "llama", "alpha": 16.0},
             {"name": "qwen.gguf", "path": str(tmp_path / "qwen.gguf"), "architecture": "qwen2", "alpha": 8.0}]
    box.show_menu(found, popup=False)
    actions = {a.toolTip(): a for a in box.menu.actions() if a.toolTip()}
    assert actions[found[0]["path"]].isEnabled()
    assert not actions[found[1]["path"]].isEnabled() and "qwen2" in actions[found[1]["path"]].text()


def test_a_peft_folder_is_converted_for_the_loaded_model_and_attached(qtbot, window, tmp_path, monkeypatch):
    """Add LoRA adapter… → Convert a PEFT adapter folder…: converted on a job thread for the loaded
    model into the library's adapters folder, attached and applied; a folder llama.cpp cannot take
    is one sentence under the button and nothing is attached."""
    from pathlib import Path

    from PySide6.QtWidgets import QFileDialog

    from hearthlm.core.hub.library import list_models
    from hearthlm.core.lora.convert import adapters_dir

    chat = window.chat
    box = chat.settings_panel.adapters
    assert box.base == chat.session.model_path
    chosen = [write_peft(tmp_path / "pirate-lora")]
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(chosen[0])))
    box.show_menu([], popup=False)
    action = next(a for a in box.menu.actions() if a.text() == "Convert a PEFT adapter folder…")
    assert action.isEnabled()
    with qtbot.waitSignal(_applied(chat), timeout=60_000):
        action.trigger()
    converted = adapters_dir() / f"pirate-lora-for-{Path(chat.session.model_path).stem}.gguf"
    assert converted.is_file() and [row.path for row in box.rows] == [str(converted)]
    assert box.note.text().startswith("Converted ") and box.add_button.isEnabled()
    listed = [m for m in list_models() if m.path == str(converted)]
    assert [(m.kind, m.source, m.architecture) for m in listed] == [("lora", "converted", "llama")]
    chosen[0] = write_peft(tmp_path / "new-tokens", lm_head=True)
    action.trigger()
    qtbot.waitUntil(lambda: "lm_head" in box.note.text(), timeout=30_000)
    assert len(box.rows) == 1 and box.add_button.isEnabled()
    assert sorted(p.name for p in adapters_dir().iterdir()) == [converted.name]  # nothing half-written
    from hearthlm.gui import theme

    assert box.note.styleSheet() == f"QLabel#errorNote {{ color: {theme.LIGHT.error}; }}"
    theme.apply("dark")  # the sentence's error colour follows the theme
    try:
        assert box.note.styleSheet() == f"QLabel#errorNote {{ color: {theme.DARK.error}; }}"
    finally:
        theme.apply("light")
    # the user opens another conversation while a conversion runs: it is kept in the library, and
    # attached to neither (the one it was asked for is no longer shown)
    other = chat.store.create(model=chat.session.model_path, title="Another")
    chat.conversations.refresh()
    chosen[0] = write_peft(tmp_path / "later")
    action.trigger()
    chat.open_conversation(other.id)
    qtbot.waitUntil(lambda: box.add_button.isEnabled(), timeout=60_000)
    assert "it is in the library" in box.note.text() and box.rows == []
    assert (adapters_dir() / f"later-for-{Path(chat.session.model_path).stem}.gguf").is_file()
    chat.settings_panel.reset_button.click()  # "Use the defaults" keeps what the adapters are for
    assert (box.architecture, box.base, box.owner) == ("llama", chat.session.model_path, other.id)


def test_a_wrong_adapter_is_one_sentence_in_the_banner(qtbot, window, tmp_path):
    chat = window.chat
    qwen = write_adapter(tmp_path / "qwen.gguf", arch="qwen2")
    chat.settings_panel.adapters.attach(str(qwen))
    qtbot.waitUntil(lambda: chat.banner.isVisible(), timeout=30_000)
    assert "qwen2" in chat.banner.text()
    assert send(qtbot, window, "Hi").text  # the engine answers on


def test_tokenizer_dialog_side_by_side(qtbot, window, starter_model, gemma_model):
    dialog = window.chat.open_tokenizer([("SmolLM2", str(starter_model)), ("Gemma 3", str(gemma_model))])
    qtbot.addWidget(dialog)
    dialog.pickers[1].setCurrentIndex(dialog.pickers[1].findData(str(gemma_model)))
    text = "我们今天下午去公园散步。"
    dialog.text.setPlainText(text)
    qtbot.waitUntil(lambda: all(r is not None for r in dialog.results), timeout=60_000)
    for column, path in ((0, starter_model), (1, gemma_model)):
        with Vocab(path) as vocab:
            ids = vocab.tokenize(text).ids
        assert dialog.results[column].ids == ids
        assert f"{len(ids)} tokens" in dialog.summaries[column].text()
    assert "&lt;0x" in dialog.views[0].toHtml() or "<0x" in dialog.views[0].toPlainText()  # byte pieces
    # closed while its child tokenizes a long text: the window does not wait for the child
    import time

    dialog.text.setPlainText("The quick brown fox jumps over the lazy dog. 我们今天下午去公园散步。" * 20_000)
    qtbot.waitUntil(dialog.process._lock.locked, timeout=10_000)  # asked, not answered yet
    child = dialog.process._child
    started = time.monotonic()
    dialog.close()
    assert time.monotonic() - started < 0.5
    qtbot.waitUntil(lambda: child is None or child.proc is None or child.proc.poll() is not None, timeout=60_000)
    from hearthlm.gui.detached_job import _running

    qtbot.waitUntil(lambda: not _running, timeout=60_000)  # the close and the tokenizing job have ended


def test_prompt_inspector_counts_what_the_next_answer_evaluates(qtbot, window):
    chat = window.chat
    send(qtbot, window, "Name a fruit.")
    chat.prompt.setPlainText("And a vegetable?")
    dialog = chat.open_prompt_inspector()
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.shown is not None, timeout=30_000)
    shown = dialog.shown
    assert "<|im_start|>" in dialog.view.toPlainText() and "And a vegetable?" in dialog.view.toPlainText()
    assert str(shown["tokens"]) in dialog.summary.text()
    with qtbot.waitSignal(chat.events.answered, timeout=ANSWER_TIMEOUT_MS) as answered:
        qtbot.keyClick(chat.prompt, Qt.Key.Key_Return)
    settle(window)
    stats = answered.args[0].stats
    assert shown["tokens"] == stats.prompt_tokens
    assert shown["tokens"] - shown["cached"] == stats.evaluated_tokens
    dialog.close()


def test_the_library_view_shows_adapters_and_does_not_load_them(qtbot):
    from hearthlm.core.hub.library import LocalModel
    from hearthlm.gui.library_view import LibraryView

    view = LibraryView()
    qtbot.addWidget(view)
    model = LocalModel("tiny.gguf", "/x/tiny.gguf", "user", architecture="llama", quantization="Q4_1")
    adapter = LocalModel("pirate.gguf", "/x/pirate.gguf", "user", architecture="llama", kind="lora",
                         lora_alpha=16.0, lora_rank=8)
    view._show([model, adapter])
    row = view.tree.topLevelItem(1)
    assert row.text(4) == "LoRA, rank 8" and row.text(6) == "α 16"
    view.tree.setCurrentItem(row)
    assert not view.use_button.isEnabled()
    view.tree.setCurrentItem(view.tree.topLevelItem(0))
    assert view.use_button.isEnabled()


def test_prompt_inspector_shows_the_documents_excerpts(qtbot, starter_model, tmp_path):
    """With a collection attached, the inspector searches it for the draft as sending would: the
    excerpts are in the shown prompt and its count is the answer's prompt_tokens."""
    import os

    os.environ.setdefault("HEARTH_EMBED_THREADS", "1")
    from docs_samples import write_pdf
    from hearthlm.core.docs.ingest import ingest

    valve = "The red valve releases steam pressure."
    folder = tmp_path / "docs"
    folder.mkdir()
    manual = write_pdf(folder / "manual.pdf", [["Chapter one covers the pump and its filter."], [valve]])
    win = make_window(qtbot, starter_model)
    try:
        assert [r.status for r in ingest(win.docs_page.store, "Manuals", [manual])] == ["added"]
        chat = win.chat
        chat.session.set_collections(["Manuals"])
        settle(win)
        chat.prompt.setPlainText("What does the red valve release?")
        dialog = chat.open_prompt_inspector()
        qtbot.addWidget(dialog)
        qtbot.waitUntil(lambda: dialog.shown is not None, timeout=60_000)
        assert valve in dialog.shown["text"] and "manual.pdf" in dialog.shown["text"]
        with qtbot.waitSignal(chat.events.answered, timeout=ANSWER_TIMEOUT_MS) as answered:
            qtbot.keyClick(chat.prompt, Qt.Key.Key_Return)
        settle(win)
        assert answered.args[0].stats.prompt_tokens == dialog.shown["tokens"]
        dialog.close()
    finally:
        win.close()
