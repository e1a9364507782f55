"""``hearth gui --ask TEXT``: open the real window, ask one question in it, print the answer as JSON
on stdout and close — how a packaged install is checked end to end (tests/test_bundle.py)."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QTimer


def ask_once(app: Any, window: Any, question: str, timeout_s: float = 300) -> int:
    result: dict[str, Any] = {}

    def ask(_info: object) -> None:
        window.chat.prompt.setPlainText(question)
        window.send()

    def done(answer: Any) -> None:
        result.update(answer=str(getattr(answer, "text", "") or ""), ok=True)
        app.quit()

    def failed(message: Any, _crashed: bool = False) -> None:
        result.update(error=str(message), ok=False)
        app.quit()

    def late() -> None:
        result.update(error=f"no answer within {timeout_s:.0f} s", ok=False)
        app.quit()

    window.chat.events.loaded.connect(ask)
    window.chat.events.answered.connect(done)
    window.chat.events.answerFailed.connect(failed)
    window.chat.events.loadFailed.connect(failed)
    QTimer.singleShot(int(timeout_s * 1000), late)
    app.exec()
    result["model"] = window.chat.session.model_path
    window.close()
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return 0 if result.get("ok") else 1
