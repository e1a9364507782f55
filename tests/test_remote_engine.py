"""RemoteEngine against recorded response shapes of llama-server, vLLM, Ollama and LM Studio, replayed
over real HTTP by tests/fake_openai.py: text, reasoning, usage, error bodies and faults."""

from __future__ import annotations

import threading
import time

import pytest

from fake_openai import FakeOpenAI, self_signed
from hearthlm.core.chat.reasoning import MARKERS, split_reasoning
from hearthlm.core.engine import GenerationParams
from hearthlm.core.remote import messages as M
from hearthlm.core.remote.endpoints import Endpoint
from hearthlm.core.remote.engine import CLOSE_THINK, OPEN_THINK, RemoteEngine
from hearthlm.core.remote.errors import RemoteError
from ports import refused_port
from remote_transcripts import (ERRORS, LMSTUDIO_V0_MODELS, MODELS, OLLAMA_VERSION, PIECES, PROPS, THOUGHTS, llama_server,
                                lmstudio, ollama, sse, vllm)

SERVERS = {"llama-server": llama_server, "vllm": vllm, "ollama": ollama, "lmstudio": lmstudio}
ANSWER = "".join(PIECES)


@pytest.fixture
def fake():
    with FakeOpenAI() as server:
        yield server


def model_of(server: str) -> str:
    return MODELS[server]["data"][0]["id"]


def engine_for(fake: FakeOpenAI, server: str, timeout_s: float = 30.0, key: str | None = None) -> RemoteEngine:
    fake.route("GET", "/v1/models", json=MODELS[server])
    engine = RemoteEngine(Endpoint("box", fake.url, has_key=bool(key), timeout_s=timeout_s), key=key,
                          connect_timeout_s=5.0)
    engine.load(f"remote:box/{model_of(server)}")
    return engine


def test_the_think_markers_are_the_first_pair_reasoning_splits():
    assert (OPEN_THINK, CLOSE_THINK) == MARKERS[0]


@pytest.mark.parametrize("server", SERVERS)
def test_each_servers_stream_gives_text_usage_and_the_request_asks_for_usage(fake, server):
    engine = engine_for(fake, server, key="sk-test-123")
    fake.route("POST", "/v1/chat/completions", sse=SERVERS[server]())
    seen: list[str] = []
    answer = engine.chat([{"role": "user", "content": "Capital of France?"}], GenerationParams(max_tokens=40, seed=3),
                         on_token=seen.append)
    assert answer.text == ANSWER and "".join(seen) == ANSWER and len(seen) == len(PIECES)
    stats = answer.stats
    assert stats.prompt_tokens == 23 and stats.completion_tokens == len(PIECES)
    assert stats.stop_reason == "eos" and stats.ttft_s > 0 and stats.total_s >= stats.ttft_s
    sent = fake.chat_requests()[-1]
    assert sent["json"]["stream"] is True and sent["json"]["stream_options"] == {"include_usage": True}
    assert sent["json"]["model"] == model_of(server) and sent["json"]["max_tokens"] == 40 and sent["json"]["seed"] == 3
    assert sent["headers"]["Authorization"] == "Bearer sk-test-123"


@pytest.mark.parametrize("server,field", [("llama-server", None), ("vllm", "reasoning"), ("vllm", "reasoning_content"),
                                          ("ollama", None), ("lmstudio", None)])
def test_reasoning_fields_become_think_blocks_that_the_chat_splits(fake, server, field):
    engine = engine_for(fake, server)
    fake.route("POST", "/v1/chat/completions", sse=vllm(True, field) if field else SERVERS[server](reasoning=True))
    answer = engine.chat([{"role": "user", "content": "Capital of France?"}])
    split = split_reasoning(answer.text)
    assert split.reasoning == "".join(THOUGHTS) and split.answer == ANSWER and not split.open
    assert answer.stats.completion_tokens == len(PIECES) + len(THOUGHTS)


def test_cached_prompt_tokens_are_not_counted_as_evaluated(fake):
    engine = engine_for(fake, "vllm")
    fake.route("POST", "/v1/chat/completions", sse=vllm())
    assert engine.chat([{"role": "user", "content": "x"}]).stats.evaluated_tokens == 23 - 16


def test_without_usage_the_pieces_are_counted(fake):
    engine = engine_for(fake, "llama-server")
    no_usage = [e for e in llama_server() if '"usage"' not in e] + []
    no_usage.insert(-1, sse([{"choices": [{"index": 0, "delta": {}, "finish_reason": "length"}]}])[0])
    fake.route("POST", "/v1/chat/completions", sse=no_usage)
    answer = engine.chat([{"role": "user", "content": "x"}])
    assert answer.stats.completion_tokens == len(PIECES) and answer.stats.prompt_tokens == 0
    assert answer.stats.stop_reason == "length"


def test_load_reads_the_context_from_props_or_the_model_listing(fake):
    fake.route("GET", "/props", json=PROPS)
    assert engine_for(fake, "llama-server").model.n_ctx == 8192
    fake.route("GET", "/props", status=404, json={"detail": "Not Found"})
    assert engine_for(fake, "vllm").model.n_ctx == 32768
    info = engine_for(fake, "ollama").model
    assert info.raw["remote"] and info.name == "qwen3:8b" and info.path == "remote:box/qwen3:8b"


def test_load_of_a_model_the_server_does_not_list_says_so(fake):
    fake.route("GET", "/v1/models", json=MODELS["vllm"])
    engine = RemoteEngine(Endpoint("box", fake.url))
    with pytest.raises(RemoteError) as caught:
        engine.load("remote:box/Qwen/Qwen3-80B")
    assert caught.value.msg.template == M.NO_MODEL and "Qwen/Qwen3-80B" in str(caught.value)


# -- error bodies -----------------------------------------------------------------------------------

@pytest.mark.parametrize("status,body,headers,key,template,words", [
    (401, ERRORS["llama-server-401"], {}, None, M.NEEDS_KEY, ["401", "--key-env"]),
    (401, ERRORS["llama-server-401"], {}, "sk-wrong", M.KEY_REFUSED, ["refused the key"]),
    (403, {"error": {"message": "forbidden"}}, {}, "sk-1", M.FORBIDDEN, ["403"]),
    (404, ERRORS["vllm-404"], {}, None, M.NO_MODEL, ["404", "hearth remote list"]),
    (404, ERRORS["ollama-404"], {}, None, M.NO_MODEL, ["404"]),
    (404, ERRORS["lmstudio-404"], {}, None, M.NO_MODEL, ["404"]),
    (404, {"detail": "Not Found"}, {}, None, M.NO_API, ["/v1"]),
    (429, ERRORS["openai-429"], {"Retry-After": "7"}, None, M.RATE_LIMITED, ["429", "7 s"]),
    (429, ERRORS["openai-429"], {}, None, M.RATE_LIMITED_NO_WAIT, ["later"]),
    (400, ERRORS["llama-server-ctx"], {}, None, M.REQUEST_REFUSED, ["exceeds the available context"]),
    (500, {"error": {"message": "boom"}}, {}, None, M.SERVER_FAILED, ["500", "boom"]),
])
def test_each_error_status_has_its_own_sentence(fake, status, body, headers, key, template, words):
    engine = engine_for(fake, "vllm", key=key)
    fake.route("POST", "/v1/chat/completions", status=status, json=body, headers=headers)
    with pytest.raises(RemoteError) as caught:
        engine.chat([{"role": "user", "content": "x"}])
    assert caught.value.msg.template == template and caught.value.status == status
    for word in words:
        assert word in str(caught.value)
    if status == 429 and headers:
        assert caught.value.retry_after_s == 7


def test_an_error_inside_the_stream_is_said(fake):
    engine = engine_for(fake, "vllm")
    events = vllm()[:3] + sse([ERRORS["vllm-stream-error"]])
    fake.route("POST", "/v1/chat/completions", sse=events)
    pieces: list[str] = []
    with pytest.raises(RemoteError) as caught:
        engine.chat([{"role": "user", "content": "x"}], on_token=pieces.append)
    assert caught.value.msg.template == M.STREAM_ERROR and "CUDA out of memory" in str(caught.value)
    assert pieces == PIECES[:2]


# -- faults ------------------------------------------------------------------------------------------

def test_a_stall_before_the_first_token_is_a_timeout(fake):
    engine = engine_for(fake, "llama-server", timeout_s=1.0)
    fake.route("POST", "/v1/chat/completions", sse=llama_server(), stall_after=0)
    started = time.monotonic()
    with pytest.raises(RemoteError) as caught:
        engine.chat([{"role": "user", "content": "x"}])
    assert caught.value.msg.template == M.READ_TIMEOUT and "1 s" in str(caught.value)
    assert time.monotonic() - started < 10


def test_a_stall_mid_answer_keeps_what_came(fake):
    engine = engine_for(fake, "llama-server", timeout_s=1.0)
    fake.route("POST", "/v1/chat/completions", sse=llama_server(), stall_after=4)
    pieces: list[str] = []
    with pytest.raises(RemoteError) as caught:
        engine.chat([{"role": "user", "content": "x"}], on_token=pieces.append)
    assert caught.value.msg.template == M.STALLED and "kept as interrupted" in str(caught.value)
    assert pieces == PIECES[:3]


@pytest.mark.parametrize("after,template", [(3, M.DIED_MID_ANSWER), (0, M.DIED_BEFORE_ANSWER)])
def test_a_dropped_connection_is_said(fake, after, template):
    engine = engine_for(fake, "ollama")
    fake.route("POST", "/v1/chat/completions", sse=ollama(), drop_after=after)
    pieces: list[str] = []
    with pytest.raises(RemoteError) as caught:
        engine.chat([{"role": "user", "content": "x"}], on_token=pieces.append)
    assert caught.value.msg.template == template
    assert pieces == PIECES[:after]


def test_a_stream_that_ends_early_without_a_finish_is_a_death(fake):
    engine = engine_for(fake, "vllm")
    fake.route("POST", "/v1/chat/completions", sse=vllm()[:4])  # chunked body ends properly, answer does not
    with pytest.raises(RemoteError) as caught:
        engine.chat([{"role": "user", "content": "x"}])
    assert caught.value.msg.template == M.DIED_MID_ANSWER


def test_a_refused_connection_is_said():
    with refused_port() as port, pytest.raises(RemoteError) as caught:
        engine = RemoteEngine(Endpoint("box", f"http://127.0.0.1:{port}/v1"))
        engine.load("remote:box/m")
    assert caught.value.msg.template == M.CONNECT_REFUSED


# -- Stop ---------------------------------------------------------------------------------------------

def test_stop_from_on_token_closes_the_stream(fake):
    engine = engine_for(fake, "llama-server")
    long = llama_server()[:1] + sse([{"choices": [{"index": 0, "delta": {"content": f" w{i}"}, "finish_reason": None}]}
                                     for i in range(200)]) + llama_server()[-2:]
    fake.route("POST", "/v1/chat/completions", sse=long, delay_s=0.02)
    seen: list[str] = []
    answer = engine.chat([{"role": "user", "content": "x"}], on_token=lambda t: (seen.append(t), len(seen) < 3)[1])
    assert answer.cancelled and answer.text == " w0 w1 w2"
    assert fake.disconnected.wait(5), "the server never saw the stream closed"


def test_cancel_from_another_thread_ends_a_stalled_answer_at_once(fake):
    engine = engine_for(fake, "llama-server", timeout_s=60)
    fake.route("POST", "/v1/chat/completions", sse=llama_server(), stall_after=3)
    pieces: list[str] = []

    def stop_soon() -> None:
        while len(pieces) < 2:
            time.sleep(0.01)
        engine.cancel()

    threading.Thread(target=stop_soon, daemon=True).start()
    started = time.monotonic()
    answer = engine.chat([{"role": "user", "content": "x"}], on_token=pieces.append)
    assert answer.cancelled and answer.text == "".join(PIECES[:2])
    assert time.monotonic() - started < 5  # not the 60 s timeout


def test_the_probe_tells_the_servers_apart(fake):
    from hearthlm.core.remote.probe import probe

    fake.route("GET", "/v1/models", json=MODELS["llama-server"])
    fake.route("GET", "/props", json=PROPS)
    fake.route("POST", "/v1/chat/completions", json={"choices": [{"index": 0, "message": {
        "role": "assistant", "content": None, "tool_calls": [{"id": "c1", "type": "function", "function": {
            "name": "get_time", "arguments": "{\"city\": \"Paris\"}"}}]}, "finish_reason": "tool_calls"}]})
    result = probe(Endpoint("box", fake.url))
    assert result.ok and result.server == "llama-server" and result.n_ctx == 8192 and result.tools is True
    assert result.models[0]["ref"] == "remote:box/qwen3-8b-q4_k_m.gguf"
    assert fake.chat_requests()[-1]["json"]["tools"][0]["function"]["name"] == "get_time"

    fake.routes.clear()
    fake.route("GET", "/v1/models", json=MODELS["ollama"])
    fake.route("GET", "/api/version", json=OLLAMA_VERSION)
    fake.route("POST", "/v1/chat/completions", json={"choices": [{"index": 0, "message": {
        "role": "assistant", "content": "It is noon."}, "finish_reason": "stop"}]})
    result = probe(Endpoint("box", fake.url))
    assert result.server == "Ollama" and result.version == "0.12.3" and result.tools is False

    fake.routes.clear()
    fake.route("GET", "/v1/models", json=MODELS["lmstudio"])
    fake.route("GET", "/api/v0/models", json=LMSTUDIO_V0_MODELS)
    fake.route("POST", "/v1/chat/completions", status=400, json={"error": "tools are not supported"})
    result = probe(Endpoint("box", fake.url))
    assert result.server == "LM Studio" and result.tools is False

    fake.routes.clear()
    fake.route("GET", "/v1/models", json=MODELS["vllm"])
    result = probe(Endpoint("box", fake.url), tools=False)
    assert result.server == "vLLM" and result.models[0]["n_ctx"] == 32768 and result.tools is None


def test_a_probe_of_a_server_that_wants_a_key_says_so(fake):
    from hearthlm.core.remote.probe import probe

    fake.route("GET", "/v1/models", status=401, json=ERRORS["llama-server-401"])
    result = probe(Endpoint("box", fake.url))
    assert not result.ok and "--key-env" in result.error


def test_tls_is_verified_and_a_custom_ca_file_is_accepted(tmp_path):
    from hearthlm.core.remote.endpoints import check_ca_file

    cert, key = self_signed(tmp_path)
    with FakeOpenAI(tls=(cert, key)) as fake:
        fake.route("GET", "/v1/models", json=MODELS["vllm"])
        fake.route("POST", "/v1/chat/completions", sse=vllm())
        with pytest.raises(RemoteError) as caught:  # the system's CAs do not know this server
            RemoteEngine(Endpoint("box", fake.url)).load("remote:box/Qwen/Qwen3-8B")
        assert caught.value.msg.template == M.TLS_FAILED and "--ca-file" in str(caught.value)
        engine = RemoteEngine(Endpoint("box", fake.url, ca_file=check_ca_file(cert)))
        engine.load("remote:box/Qwen/Qwen3-8B")
        assert engine.chat([{"role": "user", "content": "x"}]).text == ANSWER
