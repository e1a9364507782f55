"""Pause and Cancel never wait on the UI thread: with the download queue's lock held by another
thread (its download thread busy), the window keeps turning, the row says "Pausing…", and the
pause lands once the lock is free. A real download from the local hub, slowed down."""

from __future__ import annotations

import threading
import time

from hearthlm.core.hub.queue import DownloadQueue
from hearthlm.gui.downloads_view import DownloadsView
from ui_ticks import MAX_GAP_MS, Ticks

HOLD_S = 1.0  # 4x MAX_GAP_MS: a UI thread that waited for the lock would fail at once


def _hold(lock: threading.Condition, seconds: float) -> threading.Thread:
    held = threading.Event()

    def run() -> None:
        with lock:
            held.set()
            time.sleep(seconds)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    held.wait()
    return thread


def test_pause_and_cancel_do_not_wait_on_the_ui_thread(qtbot, hub, hf_env, model_files) -> None:  # noqa: F811
    from hearthlm.core.hub.api import repo_files

    size = model_files["big"].stat().st_size
    hub.fail("acme/big-GGUF", "tiny-big-F32.gguf", "slow", rate=size // 20, times=None)
    queue = DownloadQueue(cache_dir=hf_env, backoff=0.05).start()
    view = DownloadsView(queue)
    qtbot.addWidget(view)
    view.show()
    try:
        item = queue.add("acme/big-GGUF", repo_files("acme/big-GGUF").entries[0])
        qtbot.waitUntil(lambda: queue.get(item.id).done > 0, timeout=20_000)
        tree = view.tree
        tree.setCurrentItem(tree.topLevelItem(0))
        qtbot.waitUntil(view.pause_button.isEnabled, timeout=5_000)

        holder = _hold(queue._cond, HOLD_S)
        with Ticks() as ticks:
            view.pause_button.click()
            assert tree.topLevelItem(0).text(4) == "Pausing…"
            assert not view.pause_button.isEnabled() and not view.cancel_button.isEnabled()
            qtbot.waitUntil(lambda: tree.topLevelItem(0).text(4) == "Paused", timeout=HOLD_S * 1000 + 15_000)
        assert not holder.is_alive()  # it paused only once the lock was free
        assert ticks.max_gap_ms() <= MAX_GAP_MS, f"the event loop stalled {ticks.max_gap_ms():.0f} ms"
        assert queue.get(item.id).state == "paused" and view.resume_button.isEnabled()

        view.resume_button.click()
        qtbot.waitUntil(lambda: queue.get(item.id).state == "downloading", timeout=20_000)
        qtbot.waitUntil(view.cancel_button.isEnabled, timeout=5_000)
        holder = _hold(queue._cond, HOLD_S)
        with Ticks() as ticks:
            view.cancel_button.click()
            assert tree.topLevelItem(0).text(4) == "Cancelling…"
            qtbot.waitUntil(lambda: tree.topLevelItem(0).text(4) == "Cancelled", timeout=HOLD_S * 1000 + 15_000)
        assert not holder.is_alive()
        assert ticks.max_gap_ms() <= MAX_GAP_MS, f"the event loop stalled {ticks.max_gap_ms():.0f} ms"
        assert queue.get(item.id).done == 0 and not queue.get(item.id).partials  # its bytes are gone
    finally:
        queue.close()
