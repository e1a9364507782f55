"""Render the README's screenshots: the real window, the starter model, a conversation with code,
Chinese text and a reasoning block (stored as a user would have had it), plus one answer the model
gives live. Offscreen Qt; writes docs/screenshot-en.png and docs/screenshot-zh_CN.png (light theme), or
docs/screenshot-<language>-dark.png with --theme dark. With --pages DIR it also shoots every page of
the sidebar into DIR/<page>-<language>-<theme>.png (to look at each page in both themes).

Run:  python packaging/screenshots.py [en|zh_CN] [--theme light|dark] [--pages DIR]
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
import shot_app  # packaging/shot_app.py, beside this script

ROOT = Path(__file__).resolve().parent.parent

EARLIER = [
    ("user", "用中文解释一下什么是质数。"),
    ("assistant", "**质数**是只能被 1 和它本身整除的大于 1 的整数，例如 2、3、5、7、11。\n\n"
                  "1. 2 是唯一的偶数质数；\n2. 1 不是质数；\n3. 质数有无穷多个（欧几里得证明）。"),
    ("user", "Write a Python function that checks whether a number is prime."),
    ("assistant", "<think>A prime has no divisors but 1 and itself. Trying divisors up to the square root "
                  "is enough, because any larger divisor pairs with a smaller one.</think>\n\n"
                  "Here is a simple version:\n\n```python\ndef is_prime(n: int) -> bool:\n    if n < 2:\n"
                  "        return False\n    i = 2\n    while i * i <= n:\n        if n % i == 0:\n"
                  "            return False\n        i += 1\n    return True\n```\n\n"
                  "It only tries divisors up to **√n**, so `is_prime(97)` needs 8 steps."),
]
STATS = {"prompt_tokens": 210, "completion_tokens": 96, "ttft_s": 0.21, "tokens_per_s": 58.3, "stop_reason": "eos",
         "reasoning_s": 2.4}
OTHERS = ["Trip to Kyoto: a 3-day plan", "周末做饭的菜单", "Explain KV caches simply"]


def main(language: str, theme: str = "light", pages_dir: str = "") -> int:
    started = shot_app.start(language)
    if started is None:
        return 2
    app, translators, model = started  # noqa: F841 (translators kept alive)
    from PySide6.QtCore import QTimer, QUrl

    from hearthlm.core.settings import Settings
    from hearthlm.gui.main_window import MainWindow

    settings = Settings(n_ctx=2048, max_tokens=20, temperature=0.0, n_threads=1, theme=theme)
    window = MainWindow(settings, model=str(model))
    store = window.chat.store
    for title in OTHERS:
        other = store.create(title=title)
        store.add_message(other.id, None, "user", title)
    conv = store.create(model=str(model))
    parent = None
    for role, text in EARLIER:
        parent = store.add_message(conv.id, parent, role, text, stats=STATS if role == "assistant" else None).id
    window.chat.conversations.refresh()
    window.chat.open_conversation(conv.id)
    window.resize(1280, 860)
    window.show()
    if language != "en":
        window.chat.settings_button.setChecked(True)

    def ask(_info: object) -> None:
        window.chat.prompt.setPlainText("Thanks! 谢谢！")
        window.send()

    def done(_answer: object) -> None:
        QTimer.singleShot(300, finish)

    def finish() -> None:
        if language != "en":  # show the reasoning opened in this one
            thought = window.chat.store.path(conv.id)[3]
            window.chat.view.anchorClicked.emit(QUrl(f"think:{thought.id}"))
            app.processEvents()
            window.chat.view.verticalScrollBar().setValue(window.chat.view.verticalScrollBar().maximum())
            app.processEvents()
        window.chat.prompt.setPlainText("" if language == "en" else "再写一个更快的版本")
        suffix = "" if theme == "light" else f"-{theme}"
        out = ROOT / "docs" / f"screenshot-{language}{suffix}.png"
        window.grab().save(str(out))
        print("wrote", out)
        if pages_dir:
            shoot_pages(window, Path(pages_dir), f"{language}-{theme}")
        app.quit()

    window.chat.events.loaded.connect(ask)
    window.chat.events.answered.connect(done)
    window.chat.events.answerFailed.connect(lambda m, _c: (print(m, file=sys.stderr), app.quit()))
    app.exec()
    window.close()
    return 0


def shoot_pages(window, folder: Path, suffix: str) -> None:
    """Every page of the sidebar, shown and grabbed once it has had time to fill."""
    from PySide6.QtCore import QEventLoop, QTimer

    folder.mkdir(parents=True, exist_ok=True)
    for index in range(window.pages.count()):
        window.pages.setCurrentIndex(index)
        loop = QEventLoop()
        QTimer.singleShot(1500, loop.quit)  # the page's first scan or sample
        loop.exec()
        name = window.pages.name_of(index) or str(index)
        out = folder / f"{name}-{suffix}.png"
        window.grab().save(str(out))
        print("wrote", out)
    window.pages.setCurrentIndex(0)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("language", nargs="?", default="en", choices=["en", "zh_CN"])
    parser.add_argument("--theme", default="light", choices=["light", "dark"])
    parser.add_argument("--pages", default="", help="also shoot every page into this folder")
    args = parser.parse_args()
    code = main(args.language, args.theme, args.pages)
    sys.stdout.flush()
    os._exit(code)  # see bench/ui_stall.py: PySide6 can abort in interpreter teardown
