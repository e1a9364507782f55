"""Saved KV states: switching back to a conversation does not evaluate its history again."""

from __future__ import annotations

import json
import subprocess
import sys
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


def test_room_is_made_before_a_state_is_copied_out():
    """The budget bounds the peak: a new state's buffer is allocated only once older ones made room."""
    states = SavedStates(budget_bytes=25, available=None)
    states.put([1], b"a" * 10)
    states.put([2], b"b" * 10)
    assert states.make_room([3], 10)
    assert states.used_bytes + 10 <= 25 and states.best([1]) is None  # the oldest went first
    assert not states.make_room([4], 26)


def test_the_cache_shrinks_to_the_memory_the_machine_has_free():
    free = [1000]
    states = SavedStates(budget_bytes=100, available=lambda: free[0], keep_free=10)
    for key in (1, 2, 3):
        assert states.put([key], b"x" * 30)
    assert states.used_bytes == 90 and states.limit() == 100
    free[0] = 0  # another program took the rest: the states give back all but ... nothing is left
    assert states.limit() == 80  # the 90 they hold, less the 10 kept free
    assert states.put([4], b"y" * 30)
    assert states.used_bytes == 60 and states.best([1]) is None and states.best([2]) is None
    free[0] = -1000  # far short: nothing new is kept and the old states are given back
    assert not states.put([5], b"z" * 30)
    assert len(states) == 0


def test_a_state_records_its_size_without_copying():
    import ctypes

    buf = (ctypes.c_uint8 * 64)()
    states = SavedStates(budget_bytes=1000, available=None)
    assert states.put([1, 2], buf, 48)
    state, _ = states.best([1, 2])
    assert state.data is buf and state.size == 48 and states.used_bytes == 48


# Runs in a child: the engine's own process shape (llama.cpp loaded once), and a clean tracemalloc.
COPY_PROBE = """
import json, sys, tracemalloc
import llama_cpp
from hearthlm.core.engine.kv_states import available_memory, restore_sequence, save_sequence
from hearthlm.core.engine.protocol import GenerationParams, LoadParams
from hearthlm.core.engine.runner import LlamaRunner

runner = LlamaRunner()
runner.load(LoadParams(sys.argv[1], n_ctx=1024, n_threads=1, state_cache_mb=64), lambda _v: True)
tokens = runner.tokenize("Notes about fireplaces and chimneys. " * 200)[:700]
runner.generate(tokens, GenerationParams(max_tokens=2, temperature=0), lambda _t: None)
ctx, slot = runner.loaded.ctx, runner.batcher.slots[0]
before = list(slot.cached)
available_memory()  # its lazy import of psutil allocates too: not a copy of the state, so before tracing
tracemalloc.start()
base = tracemalloc.get_traced_memory()[0]
save_sequence(ctx, runner.saved, slot.cached, slot.seq_id)
save_peak = tracemalloc.get_traced_memory()[1] - base
state, shared = runner.saved.best(before)
runner.batcher._clear(slot)
tracemalloc.reset_peak()
base = tracemalloc.get_traced_memory()[0]
restored = restore_sequence(ctx, state, slot.seq_id)
restore_peak = tracemalloc.get_traced_memory()[1] - base
size = getattr(state, "size", None) or len(state.data)  # (the earlier SavedState kept bytes only)
print(json.dumps({"size": size, "save_peak": save_peak, "restore_peak": restore_peak,
                  "restored": restored,
                  "same_tokens": llama_cpp.llama_memory_seq_pos_max(runner.loaded.memory, 0) == len(before) - 1}))
"""


@pytest.mark.engine
def test_saving_and_restoring_a_state_copies_it_once(starter_model: Path):
    """llama.cpp writes the state into the buffer that is kept, and restores from it in place
    (it was copied twice on saving -- ``bytes(buf)[:written]`` -- and once more on restoring)."""
    out = subprocess.run([sys.executable, "-c", COPY_PROBE, str(starter_model)], capture_output=True, text=True,
                         timeout=240)
    assert out.returncode == 0, out.stderr[-2000:]
    probe = json.loads(out.stdout.strip().splitlines()[-1])
    assert probe["restored"] and probe["same_tokens"]
    size = probe["size"]
    assert size > 10 * 1024 * 1024  # ~700 tokens x 23 KB: large enough that a copy cannot hide
    assert size <= probe["save_peak"] <= size * 1.05, probe
    assert probe["restore_peak"] <= size * 0.05, probe


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
