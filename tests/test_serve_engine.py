"""The server and its engine under several clients, disconnects and crashes (issue 14: concurrency
tests), against a real ``hearth serve`` with the starter model."""

from __future__ import annotations

import json
import os
import signal
import threading
import time

import httpx
import pytest

from serve_helpers import ServeProcess, wait_gone

pytestmark = pytest.mark.engine

QUESTIONS = ["Name three colors.", "What is 2 + 2?", "Say hello in French.", "Name a large animal."]


@pytest.fixture(scope="module")
def server(tmp_path_factory, starter_model):
    with ServeProcess(tmp_path_factory.mktemp("home"), "--model", str(starter_model), "--threads", "1",
                      "--ctx", "1024", "--parallel", "4") as s:
        yield s


@pytest.fixture(scope="module")
def model(server):
    return server.info["models"][0]["id"]


def stream(server, body: dict, record: dict | None = None) -> str:
    """The streamed answer's text; ``record`` gets the times of the first and last piece."""
    pieces = []
    with httpx.Client(base_url=server.url, timeout=300) as c, \
            c.stream("POST", "/v1/chat/completions", json={**body, "stream": True}) as r:
        assert r.status_code == 200
        for line in r.iter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            event = json.loads(line[6:])
            assert "error" not in event, event
            for choice in event["choices"]:
                text = choice["delta"].get("content") or ""
                if text and record is not None:
                    record.setdefault("first", time.monotonic())
                pieces.append(text)
    if record is not None:
        record["last"] = time.monotonic()
    return "".join(pieces)


def body(model: str, question: str, max_tokens: int = 32) -> dict:
    return {"model": model, "messages": [{"role": "user", "content": question}], "max_tokens": max_tokens,
            "temperature": 0}


def run_together(server, model, records=None) -> list[str]:
    answers: list[str | None] = [None] * len(QUESTIONS)
    errors: list[BaseException] = []

    def one(i: int) -> None:
        try:
            answers[i] = stream(server, body(model, QUESTIONS[i]), records[i] if records else None)
        except BaseException as exc:
            errors.append(exc)
    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(QUESTIONS))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert not errors, errors
    return answers  # type: ignore[return-value]


def test_four_clients_at_once_each_get_the_answer_they_get_alone(server, model):
    alone = [stream(server, body(model, q)) for q in QUESTIONS]
    assert len(set(alone)) == len(alone)
    assert run_together(server, model) == alone


def test_four_streams_are_answered_at_the_same_time(server, model):
    records: list[dict] = [{} for _ in QUESTIONS]
    run_together(server, model, records)
    # every stream had its first piece before any stream ended
    assert max(r["first"] for r in records) < min(r["last"] for r in records)


def _open_and_drop(server, model, max_tokens: int) -> None:
    with httpx.Client(base_url=server.url, timeout=120) as c, \
            c.stream("POST", "/v1/completions", json={"model": model, "prompt": "1, 2, 3, 4, 5,", "stream": True,
                                                     "max_tokens": max_tokens, "temperature": 0}) as r:
        assert r.status_code == 200
        for line in r.iter_lines():
            if line.startswith("data: ") and '"text": ""' not in line:
                break  # the first piece of text: hang up


def test_a_client_that_disconnects_cancels_its_generation_at_once(server, model):
    import psutil

    _open_and_drop(server, model, 1000)  # counting on: would not stop by itself for 1,000 tokens
    (pid,) = server.engine_pids()
    engine = psutil.Process(pid)
    time.sleep(0.3)
    before = sum(engine.cpu_times()[:2])
    time.sleep(2.0)
    # idle: a generation still running would keep a core busy (~2 s of CPU time here)
    assert sum(engine.cpu_times()[:2]) - before < 0.5
    r = httpx.post(f"{server.url}/v1/completions", json={"model": model, "prompt": "Hello", "max_tokens": 1},
                   timeout=300)
    assert r.status_code == 200


def test_fifty_disconnects_leave_the_engines_memory_flat(server, model):
    import psutil

    _open_and_drop(server, model, 200)
    (pid,) = server.engine_pids()
    before = psutil.Process(pid).memory_info().rss
    for _ in range(50):
        _open_and_drop(server, model, 200)
    after = psutil.Process(pid).memory_info().rss
    assert server.engine_pids() == [pid]
    assert after - before < 32 * 1024 * 1024, (before, after)
    assert stream(server, body(model, QUESTIONS[0], 8))


def test_killing_the_engine_mid_stream_gives_an_error_event_and_the_next_request_is_served(server, model):
    stream(server, body(model, "Hi", 2))  # loaded
    (pid,) = server.engine_pids()
    events = []
    with httpx.Client(base_url=server.url, timeout=120) as c, \
            c.stream("POST", "/v1/completions", json={"model": model, "prompt": "1, 2, 3, 4, 5,", "stream": True,
                                                     "max_tokens": 1000, "temperature": 0}) as r:
        assert r.status_code == 200
        killed = False
        for line in r.iter_lines():
            if not line.startswith("data: "):
                continue
            events.append(line[6:])
            if not killed and '"text": ""' not in line:
                os.kill(pid, signal.SIGKILL)
                killed = True
    assert events[-1] == "[DONE]"
    error = json.loads(events[-2])["error"]
    assert error["type"] == "server_error" and error["code"] == "engine_crashed"
    wait_gone(pid)
    assert stream(server, body(model, QUESTIONS[1], 8))
    assert server.engine_pids() and server.engine_pids() != [pid]


def test_an_engine_crash_gives_500_and_the_next_request_works(server, model):
    import openai

    client = openai.OpenAI(base_url=server.base, api_key="x", max_retries=0)
    client.completions.create(model=model, prompt="Hi", max_tokens=1)
    (pid,) = server.engine_pids()
    threading.Timer(1.0, os.kill, (pid, signal.SIGKILL)).start()
    with pytest.raises(openai.InternalServerError) as info:
        client.completions.create(model=model, prompt="1, 2, 3, 4, 5,", max_tokens=1000, temperature=0)
    assert info.value.status_code == 500 and info.value.body["code"] == "engine_crashed"
    wait_gone(pid)
    assert client.completions.create(model=model, prompt="Hello", max_tokens=4).choices[0].text is not None


class HeldStream:
    """A stream kept open (answering) until ``hang_up()``."""

    def __init__(self, server, model: str):
        self.answering, self._hang_up = threading.Event(), threading.Event()
        self.server, self.model = server, model
        self.thread = threading.Thread(target=self._run)
        self.thread.start()
        assert self.answering.wait(120)

    def _run(self) -> None:
        first = {"model": self.model, "prompt": "1, 2, 3, 4, 5,", "stream": True, "max_tokens": 1000,
                 "temperature": 0}
        with httpx.Client(base_url=self.server.url, timeout=120) as c, \
                c.stream("POST", "/v1/completions", json=first) as r:
            for line in r.iter_lines():
                if line.startswith("data: ") and '"text": ""' not in line:
                    self.answering.set()
                if self._hang_up.is_set():
                    return

    def hang_up(self) -> None:
        self._hang_up.set()
        self.thread.join(120)


def test_a_full_queue_gets_429_with_retry_after(tmp_path, starter_model):
    # one sequence (--parallel 1), so that one held stream fills it with any engine
    with ServeProcess(tmp_path, "--model", str(starter_model), "--threads", "1", "--ctx", "1024", "--parallel", "1",
                      "--max-queue", "1") as server:
        model = server.info["models"][0]["id"]
        stream(server, body(model, "Hi", 2))  # loaded
        held = HeldStream(server, model)  # holds the one sequence
        waiting = threading.Thread(target=lambda: httpx.post(
            f"{server.url}/v1/completions", json={"model": model, "prompt": "Hi", "max_tokens": 1}, timeout=300))
        waiting.start()
        time.sleep(1.5)  # the second one now waits in the queue (its only place): the third is refused
        refused = httpx.post(f"{server.url}/v1/completions", json={"model": model, "prompt": "Hi", "max_tokens": 1},
                             timeout=300)
        held.hang_up()
        waiting.join(300)
        assert refused.status_code == 429, refused.text
        assert int(refused.headers["retry-after"]) > 0
        assert refused.json()["error"]["type"] == "rate_limit_error"


def test_streams_beyond_the_limit_get_429(tmp_path, starter_model):
    with ServeProcess(tmp_path, "--model", str(starter_model), "--threads", "1", "--ctx", "1024",
                      "--max-streams", "1") as server:
        model = server.info["models"][0]["id"]
        held = HeldStream(server, model)
        refused = httpx.post(f"{server.url}/v1/chat/completions", json={**body(model, "Hi", 2), "stream": True},
                             timeout=60)
        not_streamed = httpx.post(f"{server.url}/v1/models", timeout=60)
        held.hang_up()
        assert refused.status_code == 429 and refused.json()["error"]["code"] == "too_many_streams"
        assert "retry-after" in refused.headers
        assert not_streamed.status_code == 405  # (a GET route: the server still answers)
        assert stream(server, body(model, "Hi", 2))  # the stream's place is free again


def test_served_answers_are_sent_every_50_ms(starter_model):
    """The server's own engines send pieces at most every SERVE_STREAM_INTERVAL_MS (the window's
    chat keeps the engine's default): fewer messages leave more of the cores to the decode."""
    from hearthlm.core.engine import client
    from hearthlm.core.serve.config import ServeConfig
    from hearthlm.core.serve.pool import SERVE_STREAM_INTERVAL_MS, EnginePool

    engine = EnginePool(ServeConfig(models=[str(starter_model)]))._make()  # made, not started
    try:
        assert engine.stream_interval_ms == SERVE_STREAM_INTERVAL_MS == 50 > client.STREAM_INTERVAL_MS
    finally:
        engine.close()


def test_an_idle_model_is_unloaded_and_the_next_request_loads_it_again(tmp_path, starter_model):
    """--idle-unload: after that long without a request the model's engine process ends (its memory
    freed) and /v1/models says it is not loaded; a request being answered keeps it however long it
    takes; the next request loads it again and gets the same answer."""
    ttl_s = 1.5
    with ServeProcess(tmp_path, "--model", str(starter_model), "--threads", "1", "--ctx", "1024",
                      "--idle-unload", str(ttl_s / 60)) as server:
        model = server.info["models"][0]["id"]

        def loaded() -> bool:
            return httpx.get(f"{server.url}/v1/models", timeout=60).json()["data"][0]["hearth"]["loaded"]

        first = stream(server, body(model, "Name three colors.", 8))
        (pid,) = server.engine_pids()
        held = HeldStream(server, model)  # answering for longer than the idle time: kept
        time.sleep(ttl_s * 2.5)
        assert loaded() and server.engine_pids() == [pid]
        held.hang_up()
        deadline = time.monotonic() + 60
        while loaded() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not loaded()
        wait_gone(pid)
        assert f"Unloaded {model} after" in server.stderr_path.read_text()
        assert stream(server, body(model, "Name three colors.", 8)) == first
        assert loaded() and server.engine_pids() != [pid]
