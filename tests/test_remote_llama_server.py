"""A real third-party OpenAI-compatible server started by the tests: llama-cpp-python's own server
on 127.0.0.1 with the starter model. Chat and streaming through RemoteEngine, Stop, stats, a
conversation stored, ``hearth chat --model remote:…``, and the server killed mid-answer."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from hearthlm.core.cli import main
from hearthlm.core.engine import GenerationParams
from hearthlm.core.remote import messages as M
from hearthlm.core.remote.endpoints import Endpoint, add_endpoint
from hearthlm.core.remote.engine import RemoteEngine
from hearthlm.core.remote.probe import probe
from hearthlm.core.settings import load_settings, save_settings
from llama_server import LlamaServer
from test_chat_session import Harness

pytestmark = pytest.mark.engine
STORY = [{"role": "user", "content": "Write a long story about a dragon who learns to bake bread."}]


@pytest.fixture(scope="module")
def server(starter_model: Path, tmp_path_factory):
    with LlamaServer(starter_model, log=tmp_path_factory.mktemp("llama-server") / "server.log") as running:
        yield running


def ref(server: LlamaServer) -> str:
    return f"remote:local/{server.model}"


def test_the_probe_finds_the_model_and_the_server(server):
    result = probe(Endpoint("local", server.url), tools=False)
    assert result.ok and result.server == "llama-cpp-python"
    assert [m["id"] for m in result.models] == [server.model]


def test_streaming_stats_and_stop_through_the_remote_engine(server):
    engine = RemoteEngine(Endpoint("local", server.url, timeout_s=120))
    info = engine.load(ref(server))
    assert info.name == Path(server.model).name
    pieces: list[str] = []
    answer = engine.chat([{"role": "user", "content": "Say hello."}], GenerationParams(max_tokens=16, temperature=0),
                         on_token=pieces.append)
    assert len(pieces) > 2 and "".join(pieces) == answer.text and answer.text.strip()
    stats = answer.stats
    assert 0 < stats.ttft_s < stats.total_s and stats.completion_tokens == len(pieces) and stats.tokens_per_s > 0
    assert stats.stop_reason in ("eos", "length")

    stopped: list[str] = []
    started = time.monotonic()
    answer = engine.chat(STORY, GenerationParams(max_tokens=400, temperature=0),
                         on_token=lambda t: (stopped.append(t), len(stopped) < 3)[1])
    assert answer.cancelled and answer.text == "".join(stopped[:3])
    assert time.monotonic() - started < 60
    # the server stopped that answer and takes the next question
    again = engine.chat([{"role": "user", "content": "Say hello."}], GenerationParams(max_tokens=4, temperature=0))
    assert again.text and not again.cancelled


def test_a_remote_conversation_is_stored_like_a_local_one(server, tmp_path):
    h = Harness(tmp_path, Path("unused"), max_tokens=12)
    try:
        add_endpoint(h.session.settings, "local", server.url)
        h.load(ref(server))  # type: ignore[arg-type]
        h.ask(lambda: h.session.send("Say hello."))
        question, answer = h.path()
        assert question.content == "Say hello." and answer.state == "complete" and answer.content
        assert answer.stats["completion_tokens"] > 0 and answer.stats["ttft_s"] > 0
        assert h.store.get(h.session.conversation_id).model == ref(server)
    finally:
        h.close()


def test_hearth_chat_with_a_remote_model(server, capsys):
    settings = load_settings()
    add_endpoint(settings, "local", server.url)
    save_settings(settings)
    assert main(["chat", "--model", ref(server), "--prompt", "Say hello.", "--max-tokens", "8", "--temperature", "0",
                 "--conversation", "new", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["text"] and out["model"] == ref(server) and out["completion_tokens"] > 0
    assert main(["conversations", "show", out["conversation"], "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["model"] == ref(server) and shown["messages"][-1]["content"] == out["text"]


def test_a_server_killed_mid_answer_leaves_the_part_as_interrupted(starter_model, tmp_path):
    with LlamaServer(starter_model) as doomed:
        h = Harness(tmp_path, Path("unused"), max_tokens=400)
        try:
            add_endpoint(h.session.settings, "doomed", doomed.url)
            h.load(f"remote:doomed/{doomed.model}")  # type: ignore[arg-type]
            killed = threading.Event()
            # kill it (SIGKILL, as a crash) once a few pieces of the answer have come
            h.session.tokens.connect(lambda _t: killed.is_set() or (len(h.seen["tokens"]) >= 3 and (
                doomed.kill(), killed.set())))
            h.ask(lambda: h.session.send(STORY[0]["content"]))
            assert killed.is_set()
            (exc, crashed), = h.seen["answer_failed"]
            assert exc.msg.template in (M.DIED_MID_ANSWER,) and not crashed
            kept = h.path()[-1]
            assert kept.state == "interrupted" and kept.content
            assert kept.content == "".join(t[0] for t in h.seen["tokens"])
        finally:
            h.close()


def test_a_local_model_and_a_remote_one_take_turns_in_one_session(server, starter_model, tmp_path):
    from conftest import TEST_THREADS

    from hearthlm.core.engine import Engine

    h = Harness(tmp_path, starter_model, n_threads=TEST_THREADS)
    try:
        add_endpoint(h.session.settings, "local", server.url)
        h.load(starter_model)
        local = h.session.engine.engine
        assert isinstance(local, Engine) and local.alive
        h.load("remote:nowhere/m")  # type: ignore[arg-type]
        assert h.count("load_failed") == 1 and h.session.engine.engine is local and local.alive  # kept
        h.load(ref(server))  # type: ignore[arg-type]
        assert isinstance(h.session.engine.engine, RemoteEngine) and not local.alive  # its memory is freed
        h.ask(lambda: h.session.send("Say hello."))
        assert h.path()[-1].state == "complete"
        h.load(starter_model)
        assert isinstance(h.session.engine.engine, Engine) and h.session.engine.engine.alive
        h.ask(lambda: h.session.send("Say hello again."))
        assert h.path()[-1].state == "complete"
    finally:
        h.close()
