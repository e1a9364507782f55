"""The chat session with a remote model: the same flow as a local one (streaming, stats, reasoning,
branches, continue, documents, the store), against recorded server streams replayed by a local
fake over real HTTP. No llama.cpp here: the remote does the generating."""

from __future__ import annotations

from pathlib import Path

import pytest

from fake_openai import FakeOpenAI, Reply
from hearthlm.core.chat.reasoning import split_reasoning
from hearthlm.core.chat.session import COLLECTIONS_KEY
from hearthlm.core.docs.chat_context import ChatDocs
from hearthlm.core.remote import messages as M
from hearthlm.core.remote.endpoints import add_endpoint
from remote_transcripts import MODELS, PIECES, THOUGHTS, vllm
from test_chat_session import Harness

REF = "remote:box/Qwen/Qwen3-8B"
ANSWER = "".join(PIECES)


@pytest.fixture
def fake():
    with FakeOpenAI() as server:
        server.route("GET", "/v1/models", json=MODELS["vllm"])
        yield server


def remote_chat(tmp_path: Path, fake: FakeOpenAI, retrieve=None, **overrides) -> Harness:
    h = Harness(tmp_path, Path("unused"), retrieve=retrieve, **overrides)
    add_endpoint(h.session.settings, "box", fake.url, timeout_s=5)
    h.load(REF)  # type: ignore[arg-type]
    assert h.count("loaded") == 1, h.seen.get("load_failed")
    return h


def test_a_remote_answer_streams_and_is_stored_with_its_stats(tmp_path, fake):
    fake.route("POST", "/v1/chat/completions", sse=vllm(reasoning=True))
    h = remote_chat(tmp_path, fake)
    try:
        info = h.seen["loaded"][0][0]
        assert info.raw["remote"] and info.n_ctx == 32768 and h.session.template_note().note is None
        h.ask(lambda: h.session.send("Capital of France?"))
        answer = h.path()[-1]
        assert answer.role == "assistant" and answer.state == "complete"
        split = split_reasoning(answer.content)
        assert split.answer == ANSWER and split.reasoning == "".join(THOUGHTS)
        assert answer.stats["prompt_tokens"] == 23 and answer.stats["completion_tokens"] == len(PIECES) + len(THOUGHTS)
        assert answer.stats["ttft_s"] > 0 and "reasoning_s" in answer.stats
        assert h.store.get(h.session.conversation_id).model == REF
        assert "".join(t[0] for t in h.seen["tokens"]) == answer.content
        # the next turn sends the history without the reasoning, as for a local model
        h.ask(lambda: h.session.send("And of Spain?"))
        sent = fake.chat_requests()[-1]["json"]["messages"]
        assert [m["role"] for m in sent] == ["user", "assistant", "user"] and sent[1]["content"] == ANSWER
        # a regenerated answer is a branch beside the first
        first = h.path()[-1].id
        h.ask(lambda: h.session.regenerate(first))
        index, count, _ids = h.store.siblings(h.path()[-1].id)
        assert count == 2 and index == 1
    finally:
        h.close()


def test_continue_sends_the_unfinished_answer_to_go_on_from(tmp_path, fake):
    fake.route("POST", "/v1/chat/completions", Reply(sse=vllm()[:4] + vllm()[-3:]), Reply(sse=vllm()))
    h = remote_chat(tmp_path, fake, max_tokens=3)
    try:
        h.ask(lambda: h.session.send("Capital of France?"))
        first = h.path()[-1]
        h.ask(lambda: h.session.continue_answer(first.id))
        sent = fake.chat_requests()[-1]["json"]
        assert sent["messages"][-1] == {"role": "assistant", "content": first.content}
        assert sent["continue_final_message"] is True and sent["add_generation_prompt"] is False
        assert h.path()[-1].content == first.content + ANSWER
    finally:
        h.close()


def test_documents_are_retrieved_here_and_answered_there(tmp_path, fake):
    sources = [{"n": 1, "source": "/manual.pdf", "page": 2, "link": "file:///manual.pdf#page=2"}]

    def retrieve(names, question, **_kwargs):
        return ChatDocs(f"[1] The red valve releases steam.\n\n{question}", sources, 12)

    fake.route("POST", "/v1/chat/completions", sse=vllm())
    h = remote_chat(tmp_path, fake, retrieve=retrieve)
    try:
        h.session.new_settings = {COLLECTIONS_KEY: ["manuals"]}
        h.ask(lambda: h.session.send("Which valve releases steam?"))
        sent = fake.chat_requests()[-1]["json"]["messages"][-1]["content"]
        assert sent.startswith("[1] The red valve") and sent.endswith("Which valve releases steam?")
        answer = h.path()[-1]
        assert answer.stats["sources"] == sources and h.path()[-2].content == "Which valve releases steam?"
    finally:
        h.close()


def test_a_remote_that_dies_mid_answer_leaves_the_part_as_interrupted(tmp_path, fake):
    fake.route("POST", "/v1/chat/completions", Reply(sse=vllm(), drop_after=4), Reply(sse=vllm()))
    h = remote_chat(tmp_path, fake)
    try:
        h.ask(lambda: h.session.send("Capital of France?"))
        (exc, crashed), = h.seen["answer_failed"]
        assert exc.msg.template == M.DIED_MID_ANSWER and not crashed
        kept = h.path()[-1]
        assert kept.state == "interrupted" and kept.content == "".join(PIECES[:3])
        # the endpoint is asked again at once: no restart needed
        h.ask(lambda: h.session.regenerate(kept.id))
        assert h.path()[-1].content == ANSWER and h.path()[-1].state == "complete"
    finally:
        h.close()


def test_a_429_keeps_the_question_and_says_when_to_retry(tmp_path, fake):
    fake.route("POST", "/v1/chat/completions", status=429, json={"error": {"message": "slow down"}},
               headers={"Retry-After": "30"})
    h = remote_chat(tmp_path, fake)
    try:
        h.ask(lambda: h.session.send("Capital of France?"))
        (exc, _crashed), = h.seen["answer_failed"]
        assert exc.msg.template == M.RATE_LIMITED and "30 s" in str(exc)
        assert [m.role for m in h.path()] == ["user"]  # nothing written: no empty answer kept
    finally:
        h.close()


def test_an_unknown_endpoint_fails_the_load_in_one_sentence(tmp_path):
    h = Harness(tmp_path, Path("unused"))
    try:
        h.load("remote:nowhere/m")  # type: ignore[arg-type]
        (exc, _restart), = h.seen["load_failed"]
        assert exc.msg.template == M.NO_ENDPOINT and "hearth remote add" in str(exc)
    finally:
        h.close()
