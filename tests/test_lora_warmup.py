"""A conversation warmed under new LoRA adapters while the user types: after a change, the engine
evaluates the conversation so far under the new adapters in the background, so that the next
question evaluates only itself; the question that continues it, arriving meanwhile, lets the piece
in flight finish and takes all that was evaluated; any other request goes first at once; nothing
computed under other adapters is ever used. Real llama.cpp on the
starter model; the adapters are written by the tests (tests/lora_samples.py)."""

from __future__ import annotations

import threading
import time

import pytest

from hearthlm.core.engine import Engine, GenerationParams, LoadParams

from lora_samples import write_adapter

pytestmark = pytest.mark.engine

GREEDY = GenerationParams(max_tokens=12, temperature=0)
FIRST = [{"role": "system", "content": "You are a patient teacher of geography. " * 12},
         {"role": "user", "content": "Name three rivers."}]
NEXT = {"role": "user", "content": "Which of them is the longest?"}


@pytest.fixture(scope="module")
def specs(tmp_path_factory):
    d = tmp_path_factory.mktemp("lora-warm")
    return {name: [{"path": str(write_adapter(d / f"{name}.gguf", seed=seed, alpha=16.0).resolve()), "scale": 1.0}]
            for name, seed in (("a", 11), ("b", 12), ("flush", 13))}


def after_an_answer(engine: Engine, history, messages, adapters, flush):
    """The answer to ``messages`` under ``adapters`` when ``history`` was evaluated under them by an
    ordinary request first (the usual prefix reuse; nothing else cached). With the tests' random
    adapters the model's output is chaotic enough that a prompt evaluated in two parts can differ
    from one evaluated at once in the last bits, and then in the text: this is what a warm-up must
    reproduce exactly."""
    engine.set_adapters(flush)
    # A warm-up goes as far as the next user turn's header: an empty user turn, as the engine adds.
    engine.chat(history + [{"role": "user", "content": ""}], GenerationParams(max_tokens=1, temperature=0),
                adapters=adapters)
    return engine.chat(messages, GREEDY, adapters=adapters)


def test_after_a_warm_up_the_next_question_evaluates_only_itself(lora_engine, specs):
    first = lora_engine.chat(FIRST, GREEDY, adapters=specs["a"])
    history = FIRST + [{"role": "assistant", "content": first.text}]
    lora_engine.set_adapters(specs["b"], warm=history, params=GREEDY, wait_warm=True)
    warmed = lora_engine.last_warmup
    assert warmed is not None and warmed["complete"] and "error" not in warmed
    assert warmed["evaluated"] == warmed["tokens"] > 100  # all of it, under B (A's cells were dropped)
    turn2 = history + [NEXT]
    answer = lora_engine.chat(turn2, GREEDY, adapters=specs["b"])
    # The warm-up went as far as the next user turn's header: only the question's own text and the
    # assistant's header are left (8 + 5 tokens here).
    assert answer.stats.prompt_tokens > 140 and answer.stats.evaluated_tokens <= 14
    # The cells are B's: the same answer, token for token, as with the history evaluated under B by
    # an ordinary answer (A's would give another: test_a_warm_up_is_never_used_under_other_adapters).
    reference = after_an_answer(lora_engine, history, turn2, specs["b"], specs["flush"])
    assert (answer.text, answer.stats.evaluated_tokens) == (reference.text, reference.stats.evaluated_tokens)


def test_a_warm_up_is_never_used_under_other_adapters(lora_engine, specs):
    history = FIRST + [{"role": "assistant", "content": "The Nile, the Amazon and the Yangtze."}]
    lora_engine.set_adapters(specs["flush"])
    lora_engine.set_adapters(specs["b"], warm=history, params=GREEDY, wait_warm=True)
    assert lora_engine.last_warmup["complete"]
    under_a = lora_engine.chat(history + [NEXT], GREEDY, adapters=specs["a"])
    assert under_a.stats.evaluated_tokens == under_a.stats.prompt_tokens  # nothing of B's warm-up


def long_history(what: str) -> list[dict[str, str]]:
    """Long enough (~1,000 tokens, two pieces of n_batch, seconds at one thread) for a request to
    arrive mid-way; each test its own (the engine keeps long conversations as saved states)."""
    return [{"role": "system", "content": " ".join(f"Fact {i}: the delta {what} each spring." for i in range(90))},
            {"role": "user", "content": "Summarise the facts."},
            {"role": "assistant", "content": f"The delta {what} every spring."}]


def ask_during_warm_up(engine: Engine, specs, history, messages) -> tuple[dict, object, int]:
    """Start a warm-up of ``history`` (detaching A: the base model's output is stable to the last
    bits), ask ``messages`` once its first piece is in the cache; (the warmed event, the answer,
    the tokens cached when the question was sent)."""
    engine.set_adapters(specs["a"])
    done: dict[str, object] = {}

    def change() -> None:
        try:
            engine.set_adapters([], warm=history, params=GREEDY, wait_warm=True)
            done["warmed"] = engine.last_warmup
        except BaseException as exc:  # noqa: BLE001 - reported by the assert below
            done["warmed"] = exc

    thread = threading.Thread(target=change)
    thread.start()
    deadline = time.monotonic() + 60
    probe = history + [NEXT]
    cached = 0
    while time.monotonic() < deadline and not (engine.adapters == [] and cached > 0):
        cached = (engine.inspect_prompt(probe, GREEDY, adapters=[]) or {}).get("cached", 0)
        time.sleep(0.005)
    answer = engine.chat(messages, GREEDY, adapters=[])
    thread.join(60)
    assert isinstance(done["warmed"], dict), done["warmed"]
    return done["warmed"], answer, cached


def test_the_question_that_continues_the_warm_up_takes_all_it_evaluated(lora_engine, specs):
    """The next question of the conversation being warmed arrives mid-way: the warm-up's piece in
    flight is its own prefix, so it is finished, not thrown away, and the question evaluates exactly
    the rest; its answer is the one an engine that never warmed gives."""
    history = long_history("floods")
    turn = history + [NEXT]
    warmed, answer, sent_at = ask_during_warm_up(lora_engine, specs, history, turn)
    assert warmed["evaluated"] > sent_at > 0  # the piece in flight when the question came was kept
    if warmed["complete"]:  # all of it: only the question's own text and the assistant's header are left
        assert answer.stats.prompt_tokens > 1000 and answer.stats.evaluated_tokens <= 14
    else:  # ended after that piece: the question evaluated exactly the rest
        assert answer.stats.evaluated_tokens == answer.stats.prompt_tokens - warmed["evaluated"]
    with Engine() as other:  # this engine keeps the long conversation's states: a new one
        other.load(LoadParams(lora_engine.model.path, n_ctx=2048, n_threads=1))
        reference = other.chat(turn, GREEDY)
    assert reference.stats.evaluated_tokens == reference.stats.prompt_tokens
    assert answer.text == reference.text


def test_another_request_during_the_warm_up_goes_first(lora_engine, specs):
    """A request for another conversation (another client's, or another chat) does not wait for the
    warm-up's piece in flight: its evaluation is aborted at once and the warm-up ends there."""
    other = [{"role": "user", "content": "What is two plus two?"}]
    warmed, answer, sent_at = ask_during_warm_up(lora_engine, specs, long_history("freezes"), other)
    assert warmed["complete"] is False and 0 < warmed["evaluated"] < warmed["tokens"]
    assert warmed["evaluated"] == sent_at  # the piece in flight was dropped, the one before it kept
    assert answer.text


def test_a_new_conversation_warms_the_template_text_before_the_question(lora_engine, specs):
    lora_engine.set_adapters(specs["flush"])
    lora_engine.set_adapters(specs["a"], warm=[], params=GREEDY, wait_warm=True)  # SmolLM2's default system prompt
    assert lora_engine.last_warmup["complete"] and lora_engine.last_warmup["tokens"] > 20
    answer = lora_engine.chat([NEXT], GREEDY, adapters=specs["a"])
    assert answer.stats.prompt_tokens > 25 and answer.stats.evaluated_tokens <= 14


def test_a_warm_up_too_long_for_the_context_is_left_out(lora_engine, specs):
    huge = [{"role": "user", "content": "word " * 3000}]  # one message: nothing to leave out
    lora_engine.set_adapters(specs["flush"])
    lora_engine.set_adapters(specs["a"], warm=huge, params=GREEDY, wait_warm=True)
    warmed = lora_engine.last_warmup
    assert warmed is not None and warmed["complete"] is False and warmed["evaluated"] == 0
    assert lora_engine.adapters == specs["a"]  # the adapters are applied all the same
    assert lora_engine.chat(FIRST, GREEDY).text  # and the lora_engine answers on


# -- a conversation opened (or its model loaded): Engine.warm under the adapters in use ------------

OLD = [{"role": "system", "content": "You answer questions about trains. " * 14},
       {"role": "user", "content": "Which train is the fastest?"},
       {"role": "assistant", "content": "Maglev trains in Shanghai run at over 400 km/h."}]  # never evaluated


def test_an_opened_conversation_is_warmed_and_its_next_question_evaluates_only_itself(lora_engine, specs):
    lora_engine.set_adapters(specs["a"])
    warmed = lora_engine.warm(OLD, GREEDY, wait=True)
    # all of it but the template's opening, which another conversation's cells share
    assert warmed is not None and warmed["complete"] and warmed["tokens"] >= warmed["evaluated"] > 100
    assert lora_engine.adapters == specs["a"]  # under the adapters in use
    turn = OLD + [NEXT]
    answer = lora_engine.chat(turn, GREEDY, adapters=specs["a"])
    assert answer.stats.prompt_tokens > 130 and answer.stats.evaluated_tokens <= 14
    # The same answer, token for token, as after the history's ordinary evaluation under A.
    reference = after_an_answer(lora_engine, OLD, turn, specs["a"], specs["flush"])
    assert (answer.text, answer.stats.evaluated_tokens) == (reference.text, reference.stats.evaluated_tokens)
    # Warming it again finds it cached: only the empty user turn's end (the question differed) is left.
    assert lora_engine.warm(OLD, GREEDY, wait=True)["evaluated"] < 10


def test_a_warm_up_for_other_adapters_applies_them_first(lora_engine, specs):
    lora_engine.set_adapters(specs["a"])
    history = OLD[:1] + [{"role": "user", "content": "And the slowest?"}, {"role": "assistant", "content": "A funicular."}]
    warmed = lora_engine.warm(history, GREEDY, adapters=specs["b"], wait=True)
    assert lora_engine.adapters == specs["b"] and warmed["complete"] and warmed["evaluated"] > 100
    answer = lora_engine.chat(history + [NEXT], GREEDY, adapters=specs["b"])
    assert answer.stats.evaluated_tokens <= 14


def test_a_warm_up_is_left_out_while_an_answer_is_in_progress(lora_engine, specs):
    lora_engine.set_adapters([])
    started = threading.Event()
    result: dict[str, object] = {}

    def answer() -> None:
        result["answer"] = lora_engine.chat([{"role": "user", "content": "Count from one to fifty in words."}],
                                            GenerationParams(max_tokens=60, temperature=0),
                                            on_token=lambda _t: started.set())

    thread = threading.Thread(target=answer)
    thread.start()
    assert started.wait(60)
    warmed = lora_engine.warm(OLD[:1] + [{"role": "user", "content": "Hello"}], GREEDY, wait=True)
    thread.join(60)
    assert warmed["skipped"] and warmed["evaluated"] == 0  # the answer was not slowed by it
    assert result["answer"].stats.completion_tokens == 60  # and it ended as usual
