"""Render the README's screenshot of the Server page: the real window with the starter model, the
server started on 127.0.0.1 and a few real requests from the ``openai`` client (a chat, a stream,
an embedding, one refused for a wrong model) in its log. Offscreen Qt; writes
docs/server-<language>.png.

Run:  python packaging/server_screenshot.py [en|zh_CN]
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path
import shot_app  # packaging/shot_app.py, beside this script

ROOT = Path(__file__).resolve().parent.parent


def clients(base: str, model: str, done: threading.Event) -> None:
    """What a few tools would send (off the UI thread)."""
    import openai

    client = openai.OpenAI(base_url=base, api_key="unused", max_retries=0)
    try:
        client.chat.completions.create(model=model, messages=[{"role": "user", "content": "Hi"}], max_tokens=12)
        for _ in client.chat.completions.create(model=model, messages=[{"role": "user", "content": "Name a color."}],
                                               max_tokens=16, stream=True):
            pass
        client.embeddings.create(model="minilm", input=["hello", "world"])
        try:
            client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "Hi"}])
        except openai.NotFoundError:
            pass
    finally:
        done.set()


def main(language: str) -> int:
    started = shot_app.start(language)
    if started is None:
        return 2
    app, translators, model = started  # noqa: F841 (translators kept alive)
    from PySide6.QtCore import QTimer

    from hearthlm.core.settings import Settings
    from hearthlm.gui.main_window import MainWindow

    window = MainWindow(Settings(n_ctx=2048, max_tokens=60, temperature=0.0, n_threads=1), model=str(model))
    window.resize(1280, 820)
    window.show()
    done = threading.Event()

    def start(_info: object) -> None:
        page = window.server_page
        window.pages.setCurrentWidget(page)
        page.port.setValue(0)
        page.switch.click()
        threading.Thread(target=clients, args=(page.server.address, "SmolLM2-135M-Instruct.Q4_1", done),
                         daemon=True).start()
        wait()

    def wait() -> None:
        if not done.is_set():
            QTimer.singleShot(200, wait)
            return
        QTimer.singleShot(1500, finish)  # the log rows and the clients list (refreshed each second)

    def finish() -> None:
        out = ROOT / "docs" / f"server-{language}.png"
        window.grab().save(str(out))
        print("wrote", out)
        window.server_page.shutdown()
        app.quit()

    window.chat.events.loaded.connect(start)
    app.exec()
    window.close()
    return 0


if __name__ == "__main__":
    code = main(sys.argv[1] if len(sys.argv) > 1 else "en")
    sys.stdout.flush()
    os._exit(code)  # see bench/ui_stall.py: PySide6 can abort in interpreter teardown
