"""Screenshots of the Models page (hub browser and download queue) against a fake hub on 127.0.0.1.

    QT_QPA_PLATFORM=offscreen python bench/models_screens.py OUTDIR [en|zh_CN]

Nothing reaches the internet: the hub is tests/fake_hub.py holding small real GGUFs.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    lang = sys.argv[2] if len(sys.argv) > 2 else "en"
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="hearth-screens-"))
    os.environ.update(HEARTH_HOME=str(work / "home"), HF_HOME=str(work / "hf"), HOME=str(work / "user"),
                      XDG_DATA_HOME=str(work / "user" / "share"), HF_HUB_DISABLE_TELEMETRY="1")
    os.environ.pop("HF_TOKEN", None)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from fake_hub import FakeHub
    from gguf_files import write_small_gguf

    files = work / "files"
    files.mkdir()
    hub = FakeHub()
    quants = {"Q4_K_M": 15, "Q5_K_M": 17, "Q8_0": 7, "F16": 1}
    qwen = {}
    for q, ft in quants.items():
        qwen[f"qwen2.5-0.5b-instruct-{q.lower()}.gguf"] = write_small_gguf(
            files / f"qwen-{q}.gguf", arch="qwen2", file_type=ft, rows=2048 * (1 + list(quants).index(q)))
    first = write_small_gguf(files / "qwen2.5-7b-instruct-q8_0.gguf", arch="qwen2", split_max_tensors=1, rows=4096)
    qwen["qwen2.5-7b-instruct-q8_0-00001-of-00002.gguf"] = first
    qwen["qwen2.5-7b-instruct-q8_0-00002-of-00002.gguf"] = first.with_name(first.name.replace("00001-of", "00002-of"))
    qwen["README.md"] = (b"---\nlicense: apache-2.0\n---\n# Qwen2.5-0.5B-Instruct-GGUF\n\n"
                         b"Qwen2.5 is the latest series of Qwen large language models. This repo contains the "
                         b"instruction-tuned 0.5B model in GGUF format: multilingual, with support for over 29 "
                         b"languages including Chinese and English, and a context of 32,768 tokens.\n")
    hub.add_repo("Qwen/Qwen2.5-0.5B-Instruct-GGUF", qwen, downloads=254_000, likes=412,
                 last_modified="2025-09-19T00:00:00.000Z", license="apache-2.0")
    big = write_small_gguf(files / "big.gguf", rows=65536, n_tensors=4, file_type=0)  # ~34 MB
    hub.add_repo("bartowski/Qwen2.5-1.5B-Instruct-GGUF", {"Qwen2.5-1.5B-Instruct-Q4_K_M.gguf": big},
                 downloads=88_100, likes=95, last_modified="2025-06-02T00:00:00.000Z")
    hub.add_repo("lmstudio-community/Qwen2.5-Coder-3B-Instruct-GGUF",
                 {"Qwen2.5-Coder-3B-Instruct-Q4_K_M.gguf": qwen["qwen2.5-0.5b-instruct-q4_k_m.gguf"]},
                 downloads=31_500, likes=60, last_modified="2025-11-04T00:00:00.000Z")
    hub.add_repo("meta-llama/Llama-3.2-1B-Instruct-GGUF",
                 {"Llama-3.2-1B-Instruct-Q4_K_M.gguf": qwen["qwen2.5-0.5b-instruct-q4_k_m.gguf"]},
                 downloads=120_000, likes=300, gated=True, license="llama3.2")
    hub.fail("bartowski/Qwen2.5-1.5B-Instruct-GGUF", "Qwen2.5-1.5B-Instruct-Q4_K_M.gguf", "slow",
             rate=1_500_000, times=None)
    hub.start()
    os.environ["HF_ENDPOINT"] = hub.url

    from PySide6.QtWidgets import QApplication

    from hearthlm.core.hub.api import repo_files
    from hearthlm.core.hub.fit import GiB, Budget
    from hearthlm.gui.i18n import install_translators
    from hearthlm.gui.models_page import ModelsPage

    app = QApplication([])
    from hearthlm.gui.fonts import ensure_chinese_font

    ensure_chinese_font()  # as the app's start does
    keep = install_translators(app, lang)  # noqa: F841
    page = ModelsPage(budget=Budget(ram_available=6 * GiB, ram_total=16 * GiB))
    page.resize(1100, 640)
    page.show()

    def pump(seconds: float, until=lambda: False) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end and not until():
            app.processEvents()
            time.sleep(0.02)

    browser = page.browser
    pump(0.3)
    page.grab().save(str(out / f"models-recommended-{lang}.png"))
    browser.query.setText("qwen")
    browser.search()
    pump(10, lambda: browser.results.topLevelItemCount() > 0)
    browser.results.setCurrentItem(browser.results.topLevelItem(0))
    pump(10, lambda: browser.files.topLevelItemCount() > 0)
    browser.files.setCurrentItem(browser.files.topLevelItem(0))
    pump(0.3)
    page.grab().save(str(out / f"models-browser-{lang}.png"))

    queue = page.queue
    queue.token = ""
    ready = queue.add("Qwen/Qwen2.5-0.5B-Instruct-GGUF", repo_files("Qwen/Qwen2.5-0.5B-Instruct-GGUF").entries[0])
    pump(20, lambda: queue.get(ready.id).state == "ready")
    gated = queue.add("meta-llama/Llama-3.2-1B-Instruct-GGUF", repo_files("meta-llama/Llama-3.2-1B-Instruct-GGUF").entries[0])
    pump(20, lambda: queue.get(gated.id).state == "failed")
    paused = queue.add("Qwen/Qwen2.5-0.5B-Instruct-GGUF", repo_files("Qwen/Qwen2.5-0.5B-Instruct-GGUF").entries[2])
    queue.pause(paused.id)
    slow = queue.add("bartowski/Qwen2.5-1.5B-Instruct-GGUF", repo_files("bartowski/Qwen2.5-1.5B-Instruct-GGUF").entries[0])
    pump(30, lambda: queue.get(slow.id).done > 8_000_000)
    page.tabs.setCurrentWidget(page.downloads)
    tree = page.downloads.tree
    tree.setCurrentItem(tree.topLevelItem(1))
    pump(0.5)
    page.grab().save(str(out / f"models-queue-{lang}.png"))
    page.tabs.setCurrentWidget(page.library)
    page.library.refresh()
    pump(5, lambda: page.library.tree.topLevelItemCount() > 0)
    page.grab().save(str(out / f"models-library-{lang}.png"))
    queue.close()
    hub.stop()
    print("saved to", out)


if __name__ == "__main__":
    main()
