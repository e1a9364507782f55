"""Several answers at once in one engine (continuous batching, core/engine/batching.py): each
caller gets its own answer, identical to the one it gets alone; a request joins while others
stream; one cancel frees one sequence; a full queue is refused; a crash reaches every caller.

Real llama.cpp on the starter model, one thread (conftest.py), engines of their own.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path
from collections.abc import Iterator

import psutil
import pytest

from hearthlm.core.engine import Engine, GenerationParams, LoadParams
from hearthlm.core.engine.keeper import EngineKeeper
from hearthlm.core.errors import EngineBusy, EngineCrashed

pytestmark = pytest.mark.engine

TEST_THREADS = 1  # as in conftest.py
PROMPTS = [
    "What is the capital of France?",
    "Name three colours.",
    "Write a haiku about rain.",
    "Explain what a bicycle is.",
]
STORY = "Write a very long story about a dragon who learns to bake bread."
GREEDY = GenerationParams(max_tokens=32, temperature=0.0)


def ask(text: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]


def new_engine(starter_model: Path, n_parallel: int, n_ctx: int = 512, **kwargs: object) -> Engine:
    engine = Engine()
    engine.load(LoadParams(str(starter_model), n_ctx=n_ctx, n_threads=TEST_THREADS, n_parallel=n_parallel,
                           **kwargs))  # type: ignore[arg-type]
    return engine


@pytest.fixture(scope="module")
def batch_engine(starter_model: Path) -> Iterator[Engine]:
    engine = new_engine(starter_model, 4)
    try:
        yield engine
    finally:
        engine.close()


class Stream:
    """One caller on its own thread, with the times its pieces arrived."""

    def __init__(self, engine: Engine, prompt: str, params: GenerationParams, request_id: int | None = None,
                 stop_after: int | None = None):
        self.engine, self.prompt, self.params = engine, prompt, params
        self.request_id = request_id
        self.stop_after = stop_after
        self.times: list[float] = []
        self.answer = None
        self.error: BaseException | None = None
        self.ended_at = 0.0
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _on_token(self, _text: str) -> bool:
        self.times.append(time.perf_counter())
        return self.stop_after is None or len(self.times) < self.stop_after

    def _run(self) -> None:
        try:
            self.answer = self.engine.chat(ask(self.prompt), self.params, on_token=self._on_token,
                                           request_id=self.request_id)
        except BaseException as exc:  # noqa: BLE001 (reported by the test)
            self.error = exc
        self.ended_at = time.perf_counter()

    def start(self) -> Stream:
        self.thread.start()
        return self

    def wait_tokens(self, count: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while len(self.times) < count and self.thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.005)

    def join(self, timeout: float = 120) -> None:
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "the call did not return"


def run_together(engine: Engine, prompts: list[str], params: GenerationParams) -> list[Stream]:
    streams = [Stream(engine, p, params) for p in prompts]
    for s in streams:
        s.start()
    for s in streams:
        s.join()
        assert s.error is None, s.error
    return streams


def test_concurrent_greedy_answers_equal_the_answers_alone(starter_model: Path) -> None:
    """Four fresh prompts at once: their prompts are evaluated in one llama_decode and their answers
    generated in shared steps, yet each answer is token for token the one it gets alone (in an
    engine just as fresh, where it was evaluated with nothing else in the batch)."""
    together_engine = new_engine(starter_model, 4)
    alone_engine = new_engine(starter_model, 4)
    try:
        together = run_together(together_engine, PROMPTS, GREEDY)
        alone = [alone_engine.chat(ask(p), GREEDY) for p in PROMPTS]
        # The four really overlapped: each stream was still running when every other had begun.
        starts = [s.times[0] for s in together]
        assert all(s.times[-1] > max(starts) for s in together)
        for t, a in zip(together, alone, strict=True):
            assert t.answer.stats.evaluated_tokens == t.answer.stats.prompt_tokens  # no cache: fresh slots
            assert a.stats.evaluated_tokens == a.stats.prompt_tokens  # each alone took an empty slot
            assert t.answer.text == a.text
            assert t.answer.stats.completion_tokens == a.stats.completion_tokens

        # Again, now from each slot's cached prompt (one token evaluated each, four rows in one batch),
        # against the same alone.
        again = run_together(together_engine, PROMPTS, GREEDY)
        alone_again = [alone_engine.chat(ask(p), GREEDY) for p in PROMPTS]
        for t, a in zip(again, alone_again, strict=True):
            assert t.answer.stats.evaluated_tokens == 1 and a.stats.evaluated_tokens == 1
            assert t.answer.text == a.text
    finally:
        together_engine.close()
        alone_engine.close()


def test_answers_decoded_together_are_sent_less_often_each(starter_model: Path) -> None:
    """With four answers in the batch, each is sent to the parent at most every 4 intervals (the
    messages per second stay those of one answer): the first piece at once, then paced, then the
    rest at the end. Unpaced, each would send ~1 + elapsed/interval pieces."""
    interval = 0.15
    engine = Engine(stream_interval_ms=interval * 1000)
    engine.load(LoadParams(str(starter_model), n_ctx=512, n_threads=TEST_THREADS, n_parallel=4))
    try:
        started = time.perf_counter()
        streams = run_together(engine, PROMPTS, GenerationParams(max_tokens=48, temperature=0.0))
        elapsed = time.perf_counter() - started
    finally:
        engine.close()
    unpaced, paced = 1 + elapsed / interval, 2 + elapsed / (4 * interval)
    for s in streams:
        assert s.answer is not None and s.answer.stats.completion_tokens > 8
        assert 2 <= len(s.times) <= (unpaced + paced) / 2, (len(s.times), elapsed)


def test_each_sampled_answer_keeps_its_own_seed(batch_engine: Engine) -> None:
    """Sampling with a seed gives the same answer alone and beside others: every sequence has its
    own sampler chain and seed."""
    params = [GenerationParams(max_tokens=24, temperature=0.9, seed=seed) for seed in (1, 2, 3)]
    prompts = PROMPTS[:3]
    alone = [batch_engine.chat(ask(p), g).text for p, g in zip(prompts, params, strict=True)]
    streams = [Stream(batch_engine, p, g).start() for p, g in zip(prompts, params, strict=True)]
    for s in streams:
        s.join()
        assert s.error is None, s.error
    assert [s.answer.text for s in streams] == alone
    assert len(set(alone)) == 3


def test_a_request_joins_while_others_stream(batch_engine: Engine) -> None:
    long = GenerationParams(max_tokens=160, temperature=0.0)
    first = Stream(batch_engine, STORY, long).start()
    second = Stream(batch_engine, "Write a long poem about the sea.", long).start()
    first.wait_tokens(10)
    second.wait_tokens(10)
    joined_at = time.perf_counter()
    late = Stream(batch_engine, PROMPTS[0], GenerationParams(max_tokens=8, temperature=0.0)).start()
    for s in (first, second, late):
        s.join()
        assert s.error is None, s.error
    # The late request began and even ended while both long answers were still streaming...
    assert late.times and late.times[0] < min(first.times[-1], second.times[-1])
    assert late.ended_at < min(first.ended_at, second.ended_at)
    assert late.times[0] - joined_at < (first.times[-1] - joined_at) / 2
    # ...and neither was cancelled or cut short by it.
    for s in (first, second):
        assert s.answer.stats.stop_reason in ("length", "eos")
        assert s.answer.stats.stop_reason == "eos" or s.answer.stats.completion_tokens == long.max_tokens


def test_cancelling_one_stream_frees_its_sequence_and_spares_the_others(batch_engine: Engine) -> None:
    long = GenerationParams(max_tokens=120, temperature=0.0)
    ids = [batch_engine.new_request_id() for _ in range(4)]
    prompts = [STORY, "Write a long poem about the sea.", "Describe a long walk in a forest.",
               "Tell a long tale about a lighthouse keeper."]
    streams = [Stream(batch_engine, p, long, request_id=r).start() for p, r in zip(prompts, ids, strict=True)]
    for s in streams:
        s.wait_tokens(5)
    # Every sequence is busy: a fifth request waits for one.
    waiting = Stream(batch_engine, PROMPTS[1], GenerationParams(max_tokens=6, temperature=0.0)).start()
    time.sleep(0.3)
    assert not waiting.times, "a fifth answer started while four sequences were busy"
    cancelled_at = time.perf_counter()
    batch_engine.cancel(ids[0])
    for s in [*streams, waiting]:
        s.join()
        assert s.error is None, s.error
    assert streams[0].answer.stats.stop_reason == "cancelled"
    assert streams[0].answer.stats.completion_tokens < long.max_tokens
    # The freed sequence went to the waiting request at once, long before the others ended.
    assert waiting.times and waiting.times[0] - cancelled_at < 2.0
    assert waiting.times[0] < min(s.times[-1] for s in streams[1:])
    for s in streams[1:]:
        assert s.answer.stats.stop_reason in ("length", "eos")
        assert s.answer.stats.stop_reason == "eos" or s.answer.stats.completion_tokens == long.max_tokens


def test_on_token_false_still_cancels_only_its_own_answer(batch_engine: Engine) -> None:
    long = GenerationParams(max_tokens=60, temperature=0.0)
    keeps = Stream(batch_engine, STORY, long).start()
    stops = Stream(batch_engine, "Write a long poem about the sea.", long, stop_after=3).start()
    for s in (keeps, stops):
        s.join()
        assert s.error is None, s.error
    assert stops.answer.stats.stop_reason == "cancelled" and stops.answer.stats.completion_tokens < 20
    assert keeps.answer.stats.stop_reason in ("length", "eos")


def test_a_full_queue_is_refused_with_engine_busy(starter_model: Path) -> None:
    engine = new_engine(starter_model, 1, max_queued=1)
    try:
        long = GenerationParams(max_tokens=400, temperature=0.0)
        running = Stream(engine, STORY, long).start()
        running.wait_tokens(2)
        queued = Stream(engine, PROMPTS[0], GenerationParams(max_tokens=4, temperature=0.0)).start()
        time.sleep(0.3)
        with pytest.raises(EngineBusy):
            engine.chat(ask(PROMPTS[1]), GREEDY)
        engine.cancel()  # every request in progress
        for s in (running, queued):
            s.join()
            assert s.error is None, s.error
        assert running.answer.stats.stop_reason == "cancelled"
        # free again: the next request is answered
        assert engine.chat(ask(PROMPTS[2]), GenerationParams(max_tokens=4, temperature=0.0)).text
    finally:
        engine.close()


def test_engine_memory_stays_flat_over_50_cancelled_requests(batch_engine: Engine) -> None:
    process = psutil.Process(batch_engine.pid)
    params = GenerationParams(max_tokens=200, temperature=0.7, top_logprobs=2, stop=["zzz"])

    def cancelled_pairs(count: int, offset: int) -> None:
        for i in range(0, count, 2):
            pair = [Stream(batch_engine, f"{STORY} Version {offset + i + k}.", params, stop_after=3).start()
                    for k in range(2)]
            for s in pair:
                s.join()
                assert s.error is None, s.error
                assert s.answer.stats.stop_reason == "cancelled"

    cancelled_pairs(10, 0)  # warm-up: buffers, caches and allocator pools reach their size
    before = process.memory_info().rss
    cancelled_pairs(50, 100)
    after = process.memory_info().rss
    growth_mb = (after - before) / 2**20
    print(f"\nengine RSS {before / 2**20:.1f} -> {after / 2**20:.1f} MiB over 50 cancelled requests")
    assert growth_mb < 8, f"the engine grew by {growth_mb:.1f} MiB over 50 cancelled requests"
    # every sequence is free again: four requests start at once
    streams = run_together(batch_engine, PROMPTS, GenerationParams(max_tokens=4, temperature=0.0))
    assert all(s.answer.text for s in streams)


def test_killing_the_engine_reaches_every_caller_and_the_next_request_works(starter_model: Path) -> None:
    keeper = EngineKeeper()
    keeper.load(LoadParams(str(starter_model), n_ctx=512, n_threads=TEST_THREADS, n_parallel=3))
    try:
        engine = keeper.ready()
        long = GenerationParams(max_tokens=400, temperature=0.0)
        streams = [Stream(engine, p, long).start() for p in (STORY, PROMPTS[3], "Write a long poem about the sea.")]
        for s in streams:
            s.wait_tokens(3)
        assert all(s.times for s in streams)
        pid = engine.pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        for s in streams:
            s.join(30)
            assert isinstance(s.error, EngineCrashed), s.error
            assert "SIGKILL" in str(s.error)
        # several callers ask again at once: one restart serves them all
        results: list[object] = []

        def again(prompt: str) -> None:
            try:
                results.append(keeper.ready().chat(ask(prompt), GenerationParams(max_tokens=6, temperature=0.0)))
            except BaseException as exc:  # noqa: BLE001
                results.append(exc)

        threads = [threading.Thread(target=again, args=(p,)) for p in PROMPTS[:2]]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert all(getattr(r, "text", "") for r in results), results
        assert keeper.restarts == 1 and keeper.engine is not None and keeper.engine.pid != pid
    finally:
        keeper.close()


def test_the_window_stopping_its_answer_spares_other_clients(starter_model: Path) -> None:
    """The chat session's stop (core/chat/engine_link.py) cancels its own answer only: a server's
    client streaming from the same engine goes on."""
    from hearthlm.core.chat.engine_link import EngineLink
    from hearthlm.core.chat.runner import ThreadRunner

    runner = ThreadRunner()
    link = EngineLink(runner)
    try:
        link.load(LoadParams(str(starter_model), n_ctx=512, n_threads=TEST_THREADS, n_parallel=2))
        runner.run_until(lambda: link.model_info is not None or link.last_error is not None, 120)
        assert link.engine is not None and link.model_info is not None, link.last_error
        long = GenerationParams(max_tokens=120, temperature=0.0)
        other = Stream(link.engine, STORY, long).start()  # another client of the same engine
        other.wait_tokens(3)
        pieces: list[str] = []
        answers: list[object] = []
        link.tokens.connect(pieces.append)
        link.answered.connect(answers.append)
        link.ask(ask("Write a long poem about the sea."), long)
        runner.run_until(lambda: bool(pieces), 60)
        link.stop()
        runner.run_until(lambda: bool(answers), 60)
        other.join()
        assert answers[0].stats.stop_reason == "cancelled"
        assert other.error is None and other.answer.stats.stop_reason in ("length", "eos")
        assert other.answer.stats.stop_reason == "eos" or other.answer.stats.completion_tokens == long.max_tokens
    finally:
        link.keeper.close()
        runner.wait(10)


def test_a_caller_whose_callback_raises_frees_its_sequence(starter_model: Path) -> None:
    """Nobody waits for an answer whose on_token raised: the engine stops it, and a request sent
    right after finds the sequence free (one sequence, no queue: otherwise EngineBusy)."""
    engine = new_engine(starter_model, 1, max_queued=0)
    try:
        seen: list[str] = []

        def broken(text: str) -> None:
            seen.append(text)
            if len(seen) == 2:
                raise RuntimeError("the client went away")

        with pytest.raises(RuntimeError):
            engine.chat(ask(STORY), GenerationParams(max_tokens=400, temperature=0.0), on_token=broken)
        answer = engine.chat(ask(PROMPTS[0]), GenerationParams(max_tokens=4, temperature=0.0))
        assert answer.text and answer.stats.stop_reason in ("length", "eos")
    finally:
        engine.close()


def test_live_usage_is_each_callers_own(batch_engine: Engine) -> None:
    """The window's context meter reads ``live_usage`` in on_token: beside a server client with a
    much longer prompt, it still sees its own answer's count."""
    seen: dict[str, list[int | None]] = {"long": [], "short": []}
    answers: dict[str, object] = {}
    long_prompt = "Here are some notes about fireplaces. " * 40 + "Summarize them."

    def run(name: str, prompt: str) -> None:
        def on_token(_text: str) -> None:
            time.sleep(0.03)  # the other caller's events (one per 25 ms at most) arrive meanwhile
            seen[name].append(batch_engine.live_usage)

        answers[name] = batch_engine.chat(ask(prompt), GenerationParams(max_tokens=40, temperature=0.0),
                                          on_token=on_token)

    threads = [threading.Thread(target=run, args=a) for a in (("long", long_prompt), ("short", PROMPTS[0]))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    for name in ("long", "short"):
        stats = answers[name].stats  # type: ignore[attr-defined]
        assert seen[name] and all(v is not None and stats.prompt_tokens <= v <= stats.prompt_tokens
                                  + stats.completion_tokens + 1 for v in seen[name]), (name, seen[name], stats)
