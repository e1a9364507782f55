"""Render the README's screenshot of a chat answering from a document collection: the real window,
a real collection (a PDF manual and a Chinese note, indexed with MiniLM), the starter model's
live answer with its sources. Offscreen Qt; writes docs/documents-chat-<language>.png.

Run:  python packaging/docs_chat_screenshot.py [en|zh_CN]
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import shot_app  # packaging/shot_app.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # docs_samples.write_pdf: a real PDF with a text layer


def main(language: str) -> int:
    started = shot_app.start(language)
    if started is None:
        return 2
    app, translators, model = started  # noqa: F841 (translators kept alive)
    home = Path(os.environ["HEARTH_HOME"])
    from PySide6.QtCore import QTimer

    from docs_samples import write_pdf
    from hearthlm.core.docs.ingest import ingest
    from hearthlm.core.settings import Settings
    from hearthlm.gui.main_window import MainWindow

    files = home / "files"
    files.mkdir()
    manual = write_pdf(files / "kettle-manual.pdf", [
        ["Kettle K2 - user manual", "Fill the kettle to the MAX line and press the switch."],
        ["Descaling", "Descale the kettle every month: boil water with two spoons of citric acid,",
         "leave it for 15 minutes, then rinse twice."]])
    (files / "笔记.md").write_text("# 厨房笔记\n\n水壶每个月用柠檬酸除垢一次，然后冲洗两遍。\n", encoding="utf-8")

    window = MainWindow(Settings(n_ctx=2048, max_tokens=60, temperature=0.0, n_threads=1), model=str(model))
    ingest(window.docs_page.store, "Manuals", [manual, files / "笔记.md"])
    window.docs_page.refresh()
    window.chat.session.set_collections(["Manuals"])
    window.resize(1280, 820)
    window.show()

    def ask(_info: object) -> None:
        window.chat.prompt.setPlainText("How often should I descale the kettle?" if language == "en"
                                   else "水壶多久除垢一次？")
        window.send()

    def finish() -> None:
        out = ROOT / "docs" / f"documents-chat-{language}.png"
        window.grab().save(str(out))
        print("wrote", out)
        app.quit()

    window.chat.events.loaded.connect(ask)
    window.chat.events.answered.connect(lambda _a: QTimer.singleShot(300, finish))
    window.chat.events.answerFailed.connect(lambda m, _c: (print(m, file=sys.stderr), app.quit()))
    app.exec()
    window.close()
    return 0


if __name__ == "__main__":
    code = main(sys.argv[1] if len(sys.argv) > 1 else "en")
    sys.stdout.flush()
    os._exit(code)  # see bench/ui_stall.py: PySide6 can abort in interpreter teardown
