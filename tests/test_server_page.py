"""The window's Server page: start/stop, the address, a key shown once and stored hashed, the
request log and clients, and one engine for the chat and the server (the model in memory once)."""

from __future__ import annotations

import json
import threading
import time

import httpx
import psutil
import pytest

from hearthlm.core.paths import config_dir
from test_chat_gui import make_window, send

pytestmark = pytest.mark.engine


def engine_processes(window=None) -> list[int]:
    """Engine processes of this test process, less those that ran before ``window`` was made (the
    session's shared engine of other test modules)."""
    earlier = getattr(window, "engines_before", set())
    return [p.pid for p in psutil.Process().children(recursive=True)
            if "hearthlm.core.engine.worker" in " ".join(p.cmdline()) and p.pid not in earlier]


def request_off_ui(qtbot, fn):
    """Run an HTTP call on a thread while the Qt loop keeps turning; its result."""
    box: dict = {}
    thread = threading.Thread(target=lambda: box.update(result=fn()))
    thread.start()
    qtbot.waitUntil(lambda: not thread.is_alive(), timeout=120_000)
    return box["result"]


@pytest.fixture
def window(qtbot, starter_model):
    before = set(engine_processes())
    win = make_window(qtbot, starter_model)
    win.engines_before = before
    yield win
    win.close()


def test_server_page_serves_the_chats_model_with_the_chats_engine(qtbot, window):
    page = window.server_page
    window.pages.setCurrentWidget(page)
    page.port.setValue(0)
    assert not page.copy_button.isEnabled()  # no address to copy while it is off
    page.switch.click()
    assert page.server is not None and page.server.running, page.status.text()
    address = page.address.text()
    assert address.startswith("http://127.0.0.1:") and address.endswith("/v1") and page.copy_button.isEnabled()
    chat_engine = window.chat.session.engine_pid
    assert [page.models.item(i).text() for i in range(page.models.count())] == ["SmolLM2-135M-Instruct.Q4_1"]

    body = {"model": "SmolLM2-135M-Instruct.Q4_1", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 4,
            "temperature": 0}
    r = request_off_ui(qtbot, lambda: httpx.post(address + "/chat/completions", json=body, timeout=120))
    assert r.status_code == 200 and r.json()["choices"][0]["message"]["content"]
    # one engine process, the chat's: the model is loaded once
    assert engine_processes(window) == [chat_engine]

    qtbot.waitUntil(lambda: page.log.rowCount() >= 1, timeout=5000)
    row = [page.log.item(0, c).text() for c in range(page.log.columnCount())]
    assert row[1].startswith("127.0.0.1:") and row[2] == "SmolLM2-135M-Instruct.Q4_1" and row[5] == "200"
    assert int(row[3]) > 0
    qtbot.waitUntil(lambda: page.clients.count() == 1, timeout=3000)

    # the chat keeps working while the server runs
    window.pages.setCurrentWidget(window.chat)
    assert send(qtbot, window, "Hello").text
    assert engine_processes(window) == [chat_engine]

    # stopping while a client streams: off at once, the server winds down on a job (uvicorn waits up
    # to 2 s for the stream) while the window goes on
    body = {"model": "SmolLM2-135M-Instruct.Q4_1", "prompt": "1, 2, 3, 4, 5,", "max_tokens": 900,
            "temperature": 0, "stream": True}
    streaming = threading.Event()

    def hold() -> None:
        try:
            with httpx.stream("POST", address + "/completions", json=body, timeout=120) as r:
                for _line in r.iter_lines():
                    streaming.set()
        except httpx.HTTPError:
            pass
    holder = threading.Thread(target=hold)
    holder.start()
    qtbot.waitUntil(streaming.is_set, timeout=30_000)
    started = time.monotonic()
    page.switch.click()
    assert time.monotonic() - started < 0.5
    assert page.server is None and page.address.text() == "" and not page.copy_button.isEnabled()

    def refused() -> bool:
        try:
            httpx.get(address + "/models", timeout=5)
        except httpx.ConnectError:
            return True
        return False
    qtbot.waitUntil(refused, timeout=15_000)
    holder.join(60)
    assert window.chat.session.engine_pid == chat_engine  # stopping the server leaves the chat's engine


def test_a_new_key_is_shown_once_and_stored_hashed(qtbot, window):
    page = window.server_page
    page.port.setValue(0)
    key = page.new_key_button.click() or page.key_dialog.key.text()
    assert key.startswith("hearth-") and page.require_key.isChecked()
    stored = (config_dir() / "server.json").read_text()
    assert key not in stored and json.loads(stored)["key_hash"].startswith("sha256:")
    page.key_dialog.close()
    page.switch.click()
    address = page.address.text()
    no_key = request_off_ui(qtbot, lambda: httpx.get(address + "/models", timeout=30))
    with_key = request_off_ui(qtbot, lambda: httpx.get(address + "/models", timeout=30,
                                                       headers={"Authorization": f"Bearer {key}"}))
    assert no_key.status_code == 401 and with_key.status_code == 200
    page.switch.click()


def test_listening_on_the_network_without_a_key_is_refused_in_one_sentence(qtbot, window):
    page = window.server_page
    page.host.setText("0.0.0.0")
    page.require_key.setChecked(False)
    page.port.setValue(0)
    page.switch.click()
    assert page.server is None and not page.switch.isChecked()
    assert "without an API key" in page.status.text()


def test_the_chats_engine_dying_on_a_server_request_is_restarted_for_the_next(qtbot, window):
    import os
    import signal

    page = window.server_page
    page.port.setValue(0)
    page.switch.click()
    address = page.address.text()
    old = window.chat.session.engine_pid
    threading.Timer(1.0, os.kill, (old, signal.SIGKILL)).start()
    body = {"model": "SmolLM2-135M-Instruct.Q4_1", "prompt": "1, 2, 3, 4, 5,", "max_tokens": 900, "temperature": 0}
    with qtbot.waitSignal(window.chat.events.loaded, timeout=60_000):  # the chat reloads its model
        r = request_off_ui(qtbot, lambda: httpx.post(address + "/completions", json=body, timeout=120))
    assert r.status_code == 500 and r.json()["error"]["code"] == "engine_crashed"
    assert window.chat.session.engine_pid not in (None, old)
    body["max_tokens"] = 2
    r = request_off_ui(qtbot, lambda: httpx.post(address + "/completions", json=body, timeout=120))
    assert r.status_code == 200
    assert engine_processes(window) == [window.chat.session.engine_pid]
    page.switch.click()
