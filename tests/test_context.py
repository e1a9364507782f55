"""The context policy: keep the system prompt and the newest turns, say what was left out."""

from __future__ import annotations

from pathlib import Path

import pytest

from hearthlm.core.chat.context import answer_reserve, fit_messages
from hearthlm.core.engine import Engine, GenerationParams, LoadParams


def words(msgs) -> int:
    return sum(len(m["content"].split()) for m in msgs)


def turn(i: int, size: int = 10) -> list[dict[str, str]]:
    return [{"role": "user", "content": f"question{i} " * size}, {"role": "assistant", "content": f"answer{i} " * size}]


def test_a_conversation_that_fits_is_untouched():
    msgs = [{"role": "system", "content": "be brief"}] + turn(1) + [{"role": "user", "content": "hi"}]
    kept, dropped = fit_messages(msgs, words, limit=100)
    assert kept == msgs and dropped == 0


def test_oldest_turns_go_first_and_the_system_prompt_stays():
    system = {"role": "system", "content": "be brief"}
    msgs = [system] + turn(1) + turn(2) + turn(3) + [{"role": "user", "content": "last question"}]
    kept, dropped = fit_messages(msgs, words, limit=45)
    assert kept[0] == system
    assert kept[-1]["content"] == "last question"
    assert words(kept) <= 45
    assert dropped == len(msgs) - len(kept) and dropped >= 2
    assert kept[1]["role"] == "user"  # never starts with an answer whose question is gone
    assert "question1" not in " ".join(m["content"] for m in kept)


def test_headroom_trims_further_so_the_next_turns_fit():
    msgs = turn(1) + turn(2) + turn(3) + turn(4) + [{"role": "user", "content": "q"}]
    tight, _ = fit_messages(msgs, words, limit=75)
    roomy, _ = fit_messages(msgs, words, limit=75, headroom=30)
    assert words(roomy) <= 45 < words(tight) <= 75


def test_the_new_question_is_never_dropped():
    msgs = turn(1) + [{"role": "user", "content": "x " * 500}]
    kept, dropped = fit_messages(msgs, words, limit=10)
    assert kept == msgs[-1:] and dropped == 2


def test_answer_reserve_is_at_most_a_quarter_of_the_context():
    assert answer_reserve(4096, 512) == 512
    assert answer_reserve(1024, 4000) == 256


@pytest.mark.engine
def test_engine_answers_a_conversation_longer_than_its_context(starter_model: Path):
    system = {"role": "system", "content": "You are a helpful assistant."}
    history = []
    for i in range(12):
        history += turn(i, size=25)
    messages = [system] + history + [{"role": "user", "content": "What was the last question about?"}]
    with Engine() as engine:
        engine.load(LoadParams(str(starter_model), n_ctx=512, n_threads=1))
        answer = engine.chat(messages, GenerationParams(max_tokens=16, temperature=0))
    assert answer.stats.stop_reason in ("eos", "length")
    assert answer.stats.trimmed_messages > 0
    assert answer.stats.prompt_tokens <= 512 - 16
    assert answer.note and "oldest messages were left out" in answer.note and "512" in answer.note
