"""Render the README's Documents page screenshots: a collection of a few files (two of which cannot be
read, as a user's folder has) and a question with its ranked passages, one per file — in English the
question is English, in 简体中文 it is Chinese about English files (found through the dictionary's
words; the cross-language index is for Chinese documents: bench/RESULTS.md, session 14). Writes
docs/documents-<language>.png.

Run:  python packaging/screenshots_documents.py [en|zh_CN]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import shot_app  # packaging/shot_app.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
NAME = "Boiler room"
FILES = {
    "manual.md": "# Steam boiler manual\n\n## Valves\n\nThe red valve releases steam pressure when the gauge "
                 "reads 3 bar. The blue valve lets cold water into the boiler.\n\n## Starting\n\nOpen the "
                 "blue valve, wait for the gauge to rise, then light the burner.",
    "maintenance.md": "# Maintenance log\n\n## March\n\nThe pressure gauge was replaced; the old one read "
                      "0.4 bar too low.\n\n## April\n\nDescaled the heat exchanger and cleaned the burner nozzle.",
    "safety.md": "# Safety rules\n\nNever close every valve while the burner is lit: the pressure has nowhere "
                 "to go. Wear gloves when touching any pipe.",
    "empty.txt": "",
}
QUESTIONS = {"en": "what does the red valve do", "zh_CN": "红色的阀门有什么用？"}


def main(language: str) -> int:
    started = shot_app.start(language)
    if started is None:
        return 2
    app, translators, _model = started  # noqa: F841 (translators kept alive)
    folder = Path(tempfile.mkdtemp(prefix="hearth-shot-docs-"))
    for name, text in FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "photo.txt").write_bytes(bytes(range(256)) * 8)  # binary data under a text name

    from hearthlm.core.docs.ingest import ingest
    from hearthlm.core.docs.store import DocStore

    with DocStore() as store:  # the throwaway HEARTH_HOME's store, as the window will open it
        ingest(store, NAME, [folder])

    from PySide6.QtCore import QTimer

    from hearthlm.gui.docs_page import DocsPage

    page = DocsPage()
    page.resize(1000, 680)
    page.show()
    out = ROOT / "docs" / f"documents-{language}.png"

    def ask() -> None:
        page.refresh(select=NAME)
        page.question.setText(QUESTIONS.get(language, QUESTIONS["en"]))
        page.ask()

    def shown(_count: int) -> None:
        QTimer.singleShot(300, lambda: (page.grab().save(str(out)), print(out), page.shutdown(), app.quit()))

    page.storeReady.connect(lambda: QTimer.singleShot(300, ask))
    page.resultsShown.connect(shown)
    QTimer.singleShot(120_000, app.quit)
    app.exec()
    return 0 if out.exists() else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "en"))
