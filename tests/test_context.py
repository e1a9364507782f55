"""The context policy: keep the system prompt and the newest turns, say what was left out."""

from __future__ import annotations

import math
import random
from pathlib import Path

import pytest

from hearthlm.core.prompt.context import answer_reserve, fit_messages
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


def fit_one_turn_at_a_time(messages, count_tokens, limit, headroom=0):
    """The earlier algorithm (one render per dropped turn), kept as the reference for the result."""
    messages = list(messages)
    if count_tokens(messages) <= limit:
        return messages, 0
    head = messages[:1] if messages and messages[0].get("role") == "system" else []
    rest = messages[len(head):]
    target = max(1, limit - headroom)
    dropped = 0
    while len(rest) > 1:
        rest.pop(0)
        dropped += 1
        while len(rest) > 1 and rest[0].get("role") != "user":
            rest.pop(0)
            dropped += 1
        if count_tokens(head + rest) <= target:
            break
    return head + rest, dropped


def rendered_words(msgs) -> int:
    """A template-like count: every message costs its words plus a few tokens of markup."""
    return sum(len(m["content"].split()) + 4 for m in msgs) + 3


def random_history(rng: random.Random, turns: int) -> list[dict[str, str]]:
    msgs = [{"role": "system", "content": "sys " * rng.randint(1, 30)}] if rng.random() < 0.5 else []
    for i in range(turns):
        msgs.append({"role": "user", "content": f"q{i} " * rng.randint(1, 40)})
        for _ in range(rng.choice([0, 1, 1, 1, 2])):  # unanswered questions, answers in two parts
            msgs.append({"role": rng.choice(["assistant", "assistant", "tool"]), "content": f"a{i} " * rng.randint(1, 60)})
    msgs.append({"role": "user", "content": "new " * rng.randint(1, 50)})
    return msgs


def test_the_same_turns_are_kept_as_dropping_one_turn_at_a_time():
    rng = random.Random(12)
    for _ in range(400):
        msgs = random_history(rng, rng.randint(0, 40))
        total = rendered_words(msgs)
        limit = rng.randint(1, total + 20)
        headroom = rng.choice([0, 0, rng.randint(0, max(1, limit))])
        expected = fit_one_turn_at_a_time(msgs, rendered_words, limit, headroom)
        assert fit_messages(msgs, rendered_words, limit, headroom) == expected, (limit, headroom, len(msgs))


def test_a_200_turn_history_is_counted_a_logarithmic_number_of_times():
    """Each count renders and tokenizes the whole kept history: one per dropped turn was quadratic."""
    system = {"role": "system", "content": "be brief"}
    msgs = [system] + [m for i in range(200) for m in turn(i)] + [{"role": "user", "content": "last"}]
    calls = []

    def counting(kept):
        calls.append(len(kept))
        return rendered_words(kept)

    for limit, headroom in [(200, 0), (2000, 500), (4000, 1000), (30, 0)]:
        calls.clear()
        kept, dropped = fit_messages(msgs, counting, limit, headroom)
        assert (kept, dropped) == fit_one_turn_at_a_time(msgs, rendered_words, limit, headroom)
        assert len(calls) <= math.ceil(math.log2(200)) + 2, (limit, len(calls))
        assert len(set(calls)) == len(calls)  # never the same history twice


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


def test_with_a_real_template_the_same_turns_are_kept():
    from hearthlm.core.prompt.template import CHATML_TEMPLATE, render_template

    def rendered_chars(msgs) -> int:
        return len(render_template(CHATML_TEMPLATE, msgs))

    rng = random.Random(10)
    for _ in range(60):
        msgs = random_history(rng, rng.randint(1, 30))
        limit = rng.randint(50, rendered_chars(msgs))
        headroom = rng.choice([0, limit // 4])
        assert fit_messages(msgs, rendered_chars, limit, headroom) == \
            fit_one_turn_at_a_time(msgs, rendered_chars, limit, headroom)
