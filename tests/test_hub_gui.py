"""The Models page against a hub on 127.0.0.1, through a real (offscreen) Qt event loop."""

from __future__ import annotations

from pathlib import Path

import pytest

from hearthlm.core.hub.fit import GiB, Budget
from hearthlm.core.hub.queue import DownloadQueue
from hearthlm.gui.models_common import JobRunner
from hearthlm.gui.models_page import ModelsPage


@pytest.fixture
def page(qtbot, hub, hf_env, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home" / "share"))
    queue = DownloadQueue(cache_dir=hf_env, backoff=0.05)
    widget = ModelsPage(queue=queue, budget=Budget(ram_available=8 * GiB, ram_total=16 * GiB))
    qtbot.addWidget(widget)
    widget.resize(1000, 640)
    widget.show()
    yield widget
    queue.close()
    JobRunner.wait_all()


def _rows(tree):
    return [[tree.topLevelItem(i).text(c) for c in range(tree.columnCount())] for i in range(tree.topLevelItemCount())]


def test_recommended_first_then_search_and_model_page(qtbot, page):
    browser = page.browser
    recommended = _rows(browser.results)
    assert len(recommended) >= 5 and all(r[2] in ("Fits", "May be slow", "Won't fit") for r in recommended)
    browser.query.setText("acme")
    browser.sort.setCurrentIndex(browser.sort.findData("likes"))
    browser.search()
    qtbot.waitUntil(lambda: browser.results.topLevelItemCount() == 3, timeout=10_000)
    assert _rows(browser.results)[0][0] == "acme/big-GGUF"
    browser.open_repo("acme/tiny-GGUF")
    qtbot.waitUntil(lambda: browser.files.topLevelItemCount() == 2, timeout=10_000)
    files = _rows(browser.files)
    assert [f[0] for f in files] == ["tiny-chat-Q8_0.gguf", "tiny-split-Q4_K_M.gguf"]
    assert files[1][2:] == ["Q4_K_M", "2", "Fits"]
    assert "mit" in browser.meta.text() and "A tiny model" in browser.summary.text()


def test_hub_errors_show_as_sentences(qtbot, page):
    page.browser.open_repo("acme/nope")
    qtbot.waitUntil(lambda: "no model acme/nope" in page.browser.status.text(), timeout=10_000)
    page.browser.open_repo("evil/traversal-GGUF")
    qtbot.waitUntil(lambda: page.browser.files.topLevelItemCount() == 1, timeout=10_000)
    assert "2 file names were refused" in page.browser.status.text()


def test_download_from_the_page_then_use_in_chat(qtbot, page, hf_env):
    browser = page.browser
    browser.open_repo("acme/tiny-GGUF")
    qtbot.waitUntil(lambda: browser.files.topLevelItemCount() == 2, timeout=10_000)
    browser.files.setCurrentItem(browser.files.topLevelItem(1))
    assert browser.download_button.isEnabled()
    with qtbot.waitSignal(page.downloads.ready, timeout=30_000):
        browser.download_button.click()
    rows = _rows(page.downloads.tree)
    assert rows[0][0] == "acme/tiny-GGUF · tiny-split-Q4_K_M.gguf" and rows[0][4] == "Ready (verified)"
    qtbot.waitUntil(lambda: page.library.tree.topLevelItemCount() == 2, timeout=10_000)  # and the starter
    rows = _rows(page.library.tree)
    (row,) = [i for i, r in enumerate(rows) if r[1] == "Hearth"]
    assert rows[row][4] == "Q4_K_M" and rows[row][7] == "no"
    assert [r[1] for r in rows if r[0] == "SmolLM2-135M-Instruct.Q4_1.gguf"] == ["Installed with Hearth"]
    page.library.tree.setCurrentItem(page.library.tree.topLevelItem(1 - row))
    assert not page.library.delete_button.isEnabled()  # the starter stays, and the details say why
    assert "The starter model, installed with Hearth: it stays" in page.library.detail.text()
    page.library.tree.setCurrentItem(page.library.tree.topLevelItem(row))
    assert page.library.delete_button.isEnabled()
    with qtbot.waitSignal(page.useInChat, timeout=2_000) as used:
        page.library.use_button.click()
    assert Path(used.args[0]).exists() and hf_env in Path(used.args[0]).parents


def test_failed_download_shows_why_and_can_be_resumed(qtbot, page, hub):
    from hearthlm.core.hub.api import repo_files

    entry = repo_files("acme/gated-GGUF").entries[0]
    page.queue.token = ""
    item = page.queue.add("acme/gated-GGUF", entry)
    qtbot.waitUntil(lambda: page.queue.get(item.id).state == "failed", timeout=20_000)
    qtbot.waitUntil(lambda: _rows(page.downloads.tree) and _rows(page.downloads.tree)[0][4] == "Failed",
                    timeout=5_000)
    page.downloads.tree.setCurrentItem(page.downloads.tree.topLevelItem(0))
    assert "HF_TOKEN" in page.downloads.detail.text()
    assert page.downloads.resume_button.isEnabled() and not page.downloads.pause_button.isEnabled()


def test_pause_and_resume_buttons(qtbot, page, hub, model_files):
    from hearthlm.core.hub.api import repo_files

    size = model_files["big"].stat().st_size
    hub.fail("acme/big-GGUF", "tiny-big-F32.gguf", "slow", rate=size // 6)
    item = page.queue.add("acme/big-GGUF", repo_files("acme/big-GGUF").entries[0])
    qtbot.waitUntil(lambda: page.queue.get(item.id).done > 0, timeout=20_000)
    tree = page.downloads.tree
    qtbot.waitUntil(lambda: tree.topLevelItemCount() == 1, timeout=5_000)
    tree.setCurrentItem(tree.topLevelItem(0))
    qtbot.waitUntil(page.downloads.pause_button.isEnabled, timeout=5_000)
    page.downloads.pause_button.click()
    qtbot.waitUntil(lambda: tree.topLevelItem(0).text(4) == "Paused", timeout=5_000)
    assert page.downloads.resume_button.isEnabled()
    with qtbot.waitSignal(page.downloads.ready, timeout=30_000):
        page.downloads.resume_button.click()
    assert page.queue.get(item.id).state == "ready"


def test_token_button_keeps_the_token_out_of_settings(qtbot, page, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    from hearthlm.core.hub.config import token
    from hearthlm.core.secrets import hf_token
    from hearthlm.core.settings import load_settings, settings_path

    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("  hf_abc  ", True)))
    page.browser.token_button.click()
    qtbot.waitUntil(lambda: page.browser.status.text() == "Token saved.", timeout=10_000)  # keychain on jobs
    assert hf_token() == "hf_abc" and token() == "hf_abc" and page.browser.token_button.isEnabled()
    assert load_settings().hf_token == ""
    assert not settings_path().exists() or "hf_abc" not in settings_path().read_text()
