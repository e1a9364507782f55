"""LoRA adapters with several answers decoded together (n_parallel=2). Adapters apply to the whole
llama.cpp context: a request for other adapters waits until the answers in progress end (so none
of them changes mid-way), and no slot's cached prefix is ever reused under other adapters. Real
llama.cpp on the starter model; the adapters are written by the tests (tests/lora_samples.py)."""

from __future__ import annotations

import threading

import pytest

from hearthlm.core.engine import Engine, GenerationParams, LoadParams

from lora_samples import write_adapter

pytestmark = pytest.mark.engine

LONG = GenerationParams(max_tokens=40, temperature=0)
QUESTION = [{"role": "user", "content": "Name three colours and say why you like them."}]
OTHER = [{"role": "user", "content": "What is two plus two?"}]


@pytest.fixture(scope="module")
def adapter(tmp_path_factory):
    return [{"path": write_adapter(tmp_path_factory.mktemp("lora") / "a.gguf", seed=1, alpha=16.0), "scale": 1.0}]


def new_engine(starter_model) -> Engine:
    engine = Engine()
    engine.load(LoadParams(str(starter_model), n_ctx=1024, n_threads=1, n_parallel=2))
    return engine


def alongside(engine: Engine, first: tuple, second: tuple) -> tuple:
    """``first`` = (messages, adapters) answered on this thread; ``second`` is sent from another
    thread as soon as the first answer's first text arrives (while it is being generated)."""
    results: dict[str, object] = {}
    started = threading.Event()

    def run_second() -> None:
        try:
            results["second"] = engine.chat(second[0], LONG, adapters=second[1])
        except BaseException as exc:  # noqa: BLE001 - reported by the assert below
            results["second"] = exc

    thread = threading.Thread(target=run_second)

    def on_token(_text: str) -> None:
        if not started.is_set():
            started.set()
            thread.start()

    results["first"] = engine.chat(first[0], LONG, on_token=on_token, adapters=first[1])
    assert started.is_set()
    thread.join(300)
    assert not isinstance(results["second"], BaseException), results["second"]
    return results["first"], results["second"]


def test_an_adapter_change_never_reaches_an_answer_in_progress(starter_model, adapter):
    engine = new_engine(starter_model)
    try:
        base = engine.chat(QUESTION, LONG, adapters=[])
        with_a = engine.chat(OTHER, LONG, adapters=adapter)
        assert base.stats.completion_tokens > 8  # long enough to still be generating below
        engine.set_adapters([])
        first, second = alongside(engine, (QUESTION, []), (OTHER, adapter))
        # The base answer went on under the base model to its end; the adapter's waited for it.
        assert first.text == base.text and first.stats.adapters == []
        assert second.text == with_a.text and [a["name"] for a in second.stats.adapters] == ["a.gguf"]
        # And the other way round, the adapter's answer first.
        first, second = alongside(engine, (OTHER, adapter), (QUESTION, []))
        assert first.text == with_a.text and second.text == base.text
    finally:
        engine.close()


def test_no_slot_reuses_a_prefix_computed_under_other_adapters(starter_model, adapter):
    """Slot 0 holds QUESTION under the base model, slot 1 OTHER under the adapter; after each
    switch, neither slot's cache may serve the same prompt under the other adapters."""
    engine = new_engine(starter_model)
    try:
        base = engine.chat(QUESTION, LONG, adapters=[])
        alone_a = engine.chat(QUESTION, LONG, adapters=adapter)
        assert alone_a.stats.evaluated_tokens == alone_a.stats.prompt_tokens
        engine.chat(OTHER, LONG, adapters=[])  # both slots now hold base-model caches
        under_a = engine.chat(QUESTION, LONG, adapters=adapter)
        assert under_a.stats.evaluated_tokens == under_a.stats.prompt_tokens
        assert under_a.text == alone_a.text and under_a.text != base.text
        again_a = engine.chat(QUESTION, LONG, adapters=adapter)  # same adapters: the prefix is reused
        assert again_a.stats.evaluated_tokens < again_a.stats.prompt_tokens
        back = engine.chat(QUESTION, LONG, adapters=[])
        assert back.stats.evaluated_tokens == back.stats.prompt_tokens and back.text == base.text
    finally:
        engine.close()


def test_a_waiting_answer_can_be_cancelled(starter_model, adapter):
    """An answer waiting for the adapters to switch ends as cancelled at once when asked to."""
    engine = new_engine(starter_model)
    try:
        engine.chat(OTHER, GenerationParams(max_tokens=1, temperature=0), adapters=[])
        # A grammar keeps the first answer going well past the cancel (no early end of text).
        long = GenerationParams(max_tokens=300, temperature=0, grammar='root ::= "x"{300}')
        waiting_id = engine.new_request_id()
        results: dict[str, object] = {}
        started = threading.Event()

        def run_waiting() -> None:
            results["waiting"] = engine.chat(OTHER, LONG, adapters=adapter, request_id=waiting_id)

        thread = threading.Thread(target=run_waiting)

        def on_token(_text: str) -> None:
            if not started.is_set():
                started.set()
                thread.start()
                threading.Timer(0.5, engine.cancel, args=(waiting_id,)).start()

        first = engine.chat(QUESTION, long, on_token=on_token, adapters=[])
        thread.join(60)
        waiting = results["waiting"]
        assert waiting.cancelled and waiting.text == ""  # type: ignore[attr-defined]
        assert first.stats.stop_reason != "cancelled"
    finally:
        engine.close()
