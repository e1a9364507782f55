"""Saved KV states: switching back to a conversation does not evaluate its history again."""

from __future__ import annotations

from pathlib import Path

import pytest

from hearthlm.core.engine import Engine, GenerationParams, LoadParams
from hearthlm.core.engine.kv_states import SavedStates
from hearthlm.core.engine.runner import MIN_STATE_TOKENS


def test_best_prefers_the_longest_shared_prefix():
    states = SavedStates(budget_bytes=1000)
    states.put([1, 2, 3, 4], b"a" * 10)
    states.put([1, 2, 9, 9, 9], b"b" * 10)
    state, shared = states.best([1, 2, 3, 4, 5])
    assert state.data == b"a" * 10 and shared == 4
    assert states.best([7, 7]) is None


def test_a_longer_state_replaces_its_own_prefix():
    states = SavedStates(budget_bytes=1000)
    states.put([1, 2, 3], b"x")
    states.put([1, 2, 3, 4, 5], b"y")
    assert len(states) == 1
    assert states.best([1, 2, 3])[0].data == b"y"


def test_least_recently_used_goes_first_over_budget():
    states = SavedStates(budget_bytes=25)
    states.put([1], b"a" * 10)
    states.put([2], b"b" * 10)
    states.best([1])  # touch [1]: [2] is now the oldest
    states.put([3], b"c" * 10)
    assert states.used_bytes <= 25
    assert states.best([2]) is None and states.best([1]) is not None and states.best([3]) is not None
    assert not states.put([4], b"d" * 26)  # larger than the whole budget: not kept


def conversation(topic: str) -> list[dict[str, str]]:
    text = f"Here are some notes about {topic}. " * 60
    return [{"role": "user", "content": text + "Summarize them in one sentence."}]


@pytest.mark.engine
@pytest.mark.parametrize("budget_mb", [256, 0])
def test_switching_back_restores_the_saved_state(starter_model: Path, budget_mb: int):
    params = GenerationParams(max_tokens=4, temperature=0)
    with Engine() as engine:
        engine.load(LoadParams(str(starter_model), n_ctx=2048, n_threads=1, state_cache_mb=budget_mb))
        a, b = conversation("fireplaces"), conversation("sailing boats")
        first_a = engine.chat(a, params)
        first_b = engine.chat(b, params)
        again_a = engine.chat(a, params)
    assert first_a.stats.prompt_tokens > MIN_STATE_TOKENS
    assert first_b.stats.evaluated_tokens > MIN_STATE_TOKENS  # B shares only a few tokens with A
    if budget_mb:
        assert again_a.stats.evaluated_tokens <= 2
        # The restored state answers as the original did (later tokens may differ in floating
        # point: the last prompt token is evaluated alone this time).
        assert again_a.text.split()[:1] == first_a.text.split()[:1]
    else:
        assert again_a.stats.evaluated_tokens > MIN_STATE_TOKENS
