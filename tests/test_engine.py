"""The engine process (core/engine/) running llama.cpp on the starter model: loading, streaming,
sampling, cancelling, prefix reuse of the KV cache, and crashes of the process.

Non-destructive tests share the session's ``engine`` fixture (n_ctx=1024); tests that kill,
break or reconfigure an engine start their own.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest

from hearthlm.core.engine import Engine, GenerationParams, LoadParams
from hearthlm.core.child.crash import SAFE_BUILD_COMMAND
from hearthlm.core.errors import EngineCrashed, EngineError, ModelFileError

from gguf_files import write_unloadable_gguf

pytestmark = pytest.mark.engine

TEST_N_CTX = 1024  # as the shared fixture in conftest.py
TEST_THREADS = 1  # as in conftest.py: robust against other load on a 2-core machine
CANCEL_LATENCY_LIMIT_S = 1.0  # the target is 0.2 s; slow CI machines get headroom
GREEDY = GenerationParams(max_tokens=12, temperature=0.0)
QUESTION = [{"role": "user", "content": "What is the capital of France?"}]
STORY = [{"role": "user", "content": "Write a very long story about a dragon who learns to bake bread."}]


def first_word(text: str) -> str:
    words = text.split()
    assert words, f"no text: {text!r}"
    return words[0]


def one_line(message: str) -> None:
    assert message and "\n" not in message and "Traceback" not in message, repr(message)


def load_new(starter_model: Path, n_ctx: int = TEST_N_CTX, **kwargs: object) -> Engine:
    engine = Engine(**kwargs)  # type: ignore[arg-type]
    engine.load(LoadParams(str(starter_model), n_ctx=n_ctx, n_threads=TEST_THREADS))
    return engine


def process_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # it may linger as a zombie only if nobody waited for it
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(")")[-1].split()[0] == "Z"
    except OSError:
        return True


# -- loading -------------------------------------------------------------------------------

def test_load_reports_progress_and_model_info(starter_model: Path) -> None:
    progress: list[float] = []
    engine = Engine()
    try:
        assert engine.pid is None
        info = engine.load(LoadParams(str(starter_model), n_ctx=TEST_N_CTX), on_progress=progress.append)
        assert engine.alive and engine.pid is not None
        assert engine.model is info
    finally:
        engine.close()
    assert len(progress) >= 5, progress
    assert progress[-1] == 1.0
    assert all(0.0 <= v <= 1.0 for v in progress)
    assert progress == sorted(progress), "progress went backwards"
    assert info.path == starter_model.resolve()
    assert info.name and info.name != "unknown"
    assert info.architecture == "llama"
    assert info.quantization == "Q4_1"
    assert info.n_ctx == TEST_N_CTX
    assert info.n_ctx_train == 8192
    assert info.n_layers == 30
    assert 120_000_000 < info.n_params < 150_000_000
    assert 0 < info.size_bytes <= starter_model.stat().st_size
    assert info.n_gpu_layers == 0
    assert info.has_chat_template
    assert 0 < info.load_s < 60
    assert info.raw["chat_template"] and "<|im_start|>" in info.raw["chat_template"]
    # n_threads=0: one per physical core (runner.default_threads; not imported here, as it loads llama.cpp)
    import psutil

    assert info.raw["threads"] == (psutil.cpu_count(logical=False) or os.cpu_count())


def test_close_ends_the_process(starter_model: Path) -> None:
    with Engine() as engine:
        pid = engine.pid
        assert pid is not None and engine.alive
    assert not engine.alive
    assert process_gone(pid)
    engine.close()  # twice is fine


def test_engine_log_receives_llama_output(starter_model: Path, tmp_path: Path) -> None:
    log = tmp_path / "engine.log"
    engine = load_new(starter_model, log_path=log)
    engine.close()
    text = log.read_text(errors="replace")
    assert "llama" in text.lower(), text[:500]


def test_a_small_batch_size_evaluates_a_longer_prompt_in_pieces(starter_model: Path) -> None:
    # LoadParams.n_batch below the prompt length once made llama.cpp abort the engine.
    engine = Engine()
    engine.load(LoadParams(str(starter_model), n_ctx=1024, n_batch=64, n_threads=TEST_THREADS))
    try:
        answer = engine.chat(STORY + [{"role": "assistant", "content": "Once upon a time " * 40},
                                      {"role": "user", "content": "Go on."}], GREEDY)
        assert answer.stats.evaluated_tokens > 64 and answer.stats.completion_tokens > 0
    finally:
        engine.close()


def test_reload_with_another_context_size(starter_model: Path) -> None:
    engine = load_new(starter_model, n_ctx=512)
    try:
        pid = engine.pid
        assert engine.model is not None and engine.model.n_ctx == 512
        info = engine.load(LoadParams(str(starter_model), n_ctx=256, n_threads=TEST_THREADS))
        assert info.n_ctx == 256 and engine.pid == pid  # same process, new context
        answer = engine.chat(QUESTION, GREEDY)
        assert answer.stats.completion_tokens > 0
    finally:
        engine.close()


def test_chat_without_a_model_is_refused() -> None:
    engine = Engine()
    with pytest.raises(EngineError) as info:
        engine.chat(QUESTION, GREEDY)
    one_line(str(info.value))
    assert "No model" in str(info.value)
    assert engine.pid is None


# -- answering -----------------------------------------------------------------------------

def test_chat_answer_streams_with_stats(engine: Engine, starter_model: Path) -> None:
    pieces: list[str] = []
    params = GenerationParams(max_tokens=16, temperature=0.0)
    answer = engine.chat(QUESTION, params, on_token=pieces.append)
    assert len(pieces) > 1, "the answer did not stream"
    assert "".join(pieces) == answer.text
    assert answer.text.strip()
    stats = answer.stats
    assert stats.prompt_tokens > 0
    assert 0 < stats.completion_tokens <= params.max_tokens
    assert stats.ttft_s > 0
    assert stats.tokens_per_s > 0
    assert stats.total_s >= stats.ttft_s
    assert stats.stop_reason in ("eos", "length")
    if stats.stop_reason == "length":
        assert stats.completion_tokens == params.max_tokens
    assert answer.model == str(starter_model.resolve())
    assert engine.model is not None and engine.model.raw["threads"] == TEST_THREADS
    assert answer.note is None  # the starter's own template was used
    assert not answer.cancelled


def test_greedy_is_deterministic(engine: Engine) -> None:
    first: list[str] = []
    second: list[str] = []
    a = engine.chat(STORY, GREEDY, on_token=first.append)
    b = engine.chat(STORY, GREEDY, on_token=second.append)
    assert a.text == b.text
    # Pieces are batched by time, so only their concatenation is fixed.
    assert "".join(first) == a.text and "".join(second) == b.text
    assert a.stats.completion_tokens == b.stats.completion_tokens


def test_seed_reproduces_sampling(engine: Engine) -> None:
    def sample(seed: int) -> str:
        params = GenerationParams(max_tokens=24, temperature=1.0, top_k=0, top_p=1.0, min_p=0.0, seed=seed)
        return engine.chat(STORY, params).text

    a, b = sample(1234), sample(1234)
    assert a == b
    others = {sample(seed) for seed in (1, 2, 3)}
    assert others != {a}, "different seeds should not all give the same sample"


def test_raw_completion(engine: Engine) -> None:
    answer = engine.complete("The capital of France is", GenerationParams(max_tokens=6, temperature=0.0))
    assert answer.text
    assert 0 < answer.stats.prompt_tokens < 10
    assert answer.note is None


def test_template_override_and_refused_template(engine: Engine) -> None:
    params = GenerationParams(max_tokens=2, temperature=0.0)
    plain = engine.chat(QUESTION, params, template="{% for m in messages %}{{ m['content'] }}{% endfor %}")
    assert plain.note is None
    # "What is the capital of France?" alone, with no system prompt or role markers
    assert plain.stats.prompt_tokens < 12
    refused = engine.chat(QUESTION, params, template="{{ ''.__class__.__mro__ }}")
    assert refused.note and "refused" in refused.note


# -- cancelling ----------------------------------------------------------------------------

def test_cancel_from_another_thread(engine: Engine) -> None:
    streaming = threading.Event()
    token_times: list[float] = []
    cancelled_at: list[float] = []

    def on_token(_text: str) -> None:
        token_times.append(time.perf_counter())
        if len(token_times) == 5:  # in full flow, past the first decodes
            streaming.set()

    def canceller() -> None:
        streaming.wait(60)
        time.sleep(0.1)
        cancelled_at.append(time.perf_counter())
        engine.cancel()

    thread = threading.Thread(target=canceller, daemon=True)
    thread.start()
    params = GenerationParams(max_tokens=600, temperature=0.0)
    answer = engine.chat(STORY, params, on_token=on_token)
    returned_at = time.perf_counter()
    thread.join(5)
    assert cancelled_at, "the answer ended before the cancel was sent"
    latency = returned_at - cancelled_at[0]
    after_cancel = sum(1 for t in token_times if t > cancelled_at[0])
    print(f"\ncancel latency while generating: {latency * 1000:.1f} ms "
          f"({after_cancel} token(s) arrived after the cancel)")
    assert answer.cancelled and answer.stats.stop_reason == "cancelled"
    assert 5 <= answer.stats.completion_tokens < params.max_tokens
    assert after_cancel <= 3, "the engine went on generating after the cancel"
    assert latency < CANCEL_LATENCY_LIMIT_S, f"cancel took {latency:.3f} s"

    # the engine answers the next request in full
    after = engine.chat(QUESTION, GREEDY)
    assert after.stats.stop_reason in ("eos", "length") and after.text


def test_on_token_returning_false_cancels(engine: Engine) -> None:
    seen: list[str] = []

    def on_token(text: str) -> bool:
        seen.append(text)
        return len(seen) < 3

    params = GenerationParams(max_tokens=400, temperature=0.0)
    answer = engine.chat(STORY, params, on_token=on_token)
    assert answer.stats.stop_reason == "cancelled"
    assert 3 <= answer.stats.completion_tokens < 40
    assert "".join(seen) == answer.text


def test_cancel_during_prompt_evaluation(engine: Engine) -> None:
    """A long prompt is being evaluated (no token yet): the cancel aborts llama_decode itself."""
    words = " ".join(f"entry{i}" for i in range(120))  # ~450 tokens: a second or more on 2 cores
    messages = [{"role": "user", "content": f"Summarise this list: {words}"}]
    timer_at: list[float] = []
    previous_request = engine._current_id  # private: tells when the new request has been sent

    def cancel_soon() -> None:
        deadline = time.monotonic() + 30
        while engine._current_id == previous_request and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(0.05)  # into the evaluation (hundreds of tokens take far longer on a CPU)
        timer_at.append(time.perf_counter())
        engine.cancel()

    tokens: list[str] = []
    started = time.perf_counter()
    threading.Thread(target=cancel_soon, daemon=True).start()
    answer = engine.chat(messages, GenerationParams(max_tokens=8, temperature=0.0), on_token=tokens.append)
    returned = time.perf_counter()
    assert timer_at, "the prompt was evaluated before the cancel could be sent"
    latency = returned - timer_at[0]
    print(f"\ncancel latency while evaluating the prompt: {latency * 1000:.1f} ms")
    assert answer.stats.stop_reason == "cancelled"
    assert answer.stats.completion_tokens == 0 and not tokens
    assert latency < CANCEL_LATENCY_LIMIT_S

    # The cache holds no half-evaluated chunk: the same prompt now evaluates in full and answers
    # exactly as it does from a clean cache.
    full = engine.chat(messages, GenerationParams(max_tokens=8, temperature=0.0))
    assert full.stats.stop_reason in ("eos", "length")
    assert full.stats.evaluated_tokens > full.stats.prompt_tokens // 2
    # Switching away saves this prompt's KV state; coming back restores it (test_kv_states.py).
    engine.complete("Unrelated text", GenerationParams(max_tokens=1, temperature=0.0))
    again = engine.chat(messages, GenerationParams(max_tokens=8, temperature=0.0))
    assert again.stats.evaluated_tokens <= 2
    # Evaluated in other batch splits, later tokens may differ in floating point; the first agrees.
    assert first_word(again.text) == first_word(full.text)
    assert time.perf_counter() - started < 60


# -- the KV cache and the context ----------------------------------------------------------

def test_follow_up_reuses_the_cached_prefix(engine: Engine) -> None:
    params = GenerationParams(max_tokens=10, temperature=0.0)
    first = engine.chat(QUESTION, params)
    assert first.stats.evaluated_tokens == first.stats.prompt_tokens or first.stats.evaluated_tokens > 0
    follow_up = QUESTION + [{"role": "assistant", "content": first.text},
                            {"role": "user", "content": "And what is the capital of Germany?"}]
    second = engine.chat(follow_up, params)
    assert second.stats.prompt_tokens > first.stats.prompt_tokens
    assert second.stats.evaluated_tokens < second.stats.prompt_tokens
    # only the new turn (and the answer's tail) was evaluated, not the whole conversation again
    assert second.stats.evaluated_tokens <= second.stats.prompt_tokens - first.stats.prompt_tokens + 2

    # the reused cache answers like evaluating everything from scratch (the first word: batch
    # splits differ, so later tokens may differ in floating point)
    engine.complete("Something else entirely", GenerationParams(max_tokens=1, temperature=0.0))
    scratch = engine.chat(follow_up, params)
    assert scratch.stats.evaluated_tokens == scratch.stats.prompt_tokens
    assert first_word(scratch.text) == first_word(second.text)


def test_identical_prompt_reevaluates_only_one_token(engine: Engine) -> None:
    params = GenerationParams(max_tokens=4, temperature=0.0)
    engine.chat(QUESTION, params)
    again = engine.chat(QUESTION, params)
    assert again.stats.evaluated_tokens == 1


def test_over_long_prompt_is_refused_and_the_engine_goes_on(engine: Engine) -> None:
    long_prompt = [{"role": "user", "content": "hello " * (TEST_N_CTX + 200)}]
    with pytest.raises(EngineError) as info:
        engine.chat(long_prompt, GREEDY)
    assert not isinstance(info.value, EngineCrashed)
    message = str(info.value)
    one_line(message)
    assert "tokens" in message and "context" in message and f"{TEST_N_CTX:,}" in message
    assert engine.alive
    answer = engine.chat(QUESTION, GREEDY)
    assert answer.text and answer.stats.completion_tokens > 0


def test_answer_stops_when_the_context_is_full(starter_model: Path) -> None:
    engine = load_new(starter_model, n_ctx=128)
    try:
        assert engine.model is not None
        n_ctx = engine.model.n_ctx  # llama.cpp pads small contexts (to 256 here)
        assert 128 <= n_ctx <= 512
        answer = engine.chat(STORY, GenerationParams(max_tokens=1000, temperature=0.0, repeat_penalty=1.0))
        if answer.stats.stop_reason == "eos":
            pytest.fail(f"the model stopped on its own before filling {n_ctx} tokens: {answer.text!r}")
        assert answer.stats.stop_reason == "context"
        assert answer.stats.prompt_tokens + answer.stats.completion_tokens <= n_ctx
        assert answer.stats.prompt_tokens + answer.stats.completion_tokens >= n_ctx - 2
        # a new question still fits: the cache drops what it no longer shares
        after = engine.chat(QUESTION, GREEDY)
        assert after.stats.stop_reason in ("eos", "length")
    finally:
        engine.close()


# -- crashes -------------------------------------------------------------------------------

@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGSEGV], ids=["SIGKILL", "SIGSEGV"])
def test_process_killed_mid_answer(starter_model: Path, sig: signal.Signals) -> None:
    engine = load_new(starter_model)
    messages = [{"role": "system", "content": "You are terse."}, *STORY]
    snapshot = [dict(m) for m in messages]
    pid = engine.pid
    assert pid is not None
    seen: list[str] = []

    def on_token(text: str) -> None:
        seen.append(text)
        if len(seen) == 3:
            os.kill(pid, sig)

    try:
        with pytest.raises(EngineCrashed) as info:
            engine.chat(messages, GenerationParams(max_tokens=500, temperature=0.0), on_token=on_token)
        error = info.value
        one_line(str(error))
        assert sig.name in str(error)
        assert "generating" in str(error)
        assert error.returncode == -sig
        assert messages == snapshot, "the caller's messages changed"
        assert not engine.alive and engine.model is None
        with pytest.raises(EngineError):
            engine.chat(messages, GREEDY)
    finally:
        engine.close()
    assert process_gone(pid)

    fresh = load_new(starter_model)
    try:
        answer = fresh.chat(messages, GREEDY)
        assert answer.text and answer.stats.completion_tokens > 0
        assert fresh.pid != pid
    finally:
        fresh.close()


def test_crash_on_first_decode_names_the_build(starter_model: Path) -> None:
    engine = Engine(env={**os.environ, "HEARTH_ENGINE_FAULT": "segv-first-decode"})
    try:
        engine.load(LoadParams(str(starter_model), n_ctx=TEST_N_CTX, n_threads=TEST_THREADS))  # not affected
        with pytest.raises(EngineCrashed) as info:
            engine.chat(QUESTION, GREEDY)
    finally:
        engine.close()
    message = str(info.value)
    one_line(message)
    assert info.value.returncode == -signal.SIGSEGV
    assert "SIGSEGV" in message
    assert "first decode" in message
    assert "does not suit this CPU" in message
    assert "install.py --build safe" in message and SAFE_BUILD_COMMAND in message


def test_crash_after_answers_is_not_blamed_on_the_build(starter_model: Path) -> None:
    """A segfault once answers have worked is reported as a crash, not as a CPU mismatch."""
    engine = load_new(starter_model)
    try:
        engine.chat(QUESTION, GenerationParams(max_tokens=2, temperature=0.0))
        pid = engine.pid
        assert pid is not None

        def on_token(_text: str) -> None:
            os.kill(pid, signal.SIGSEGV)

        with pytest.raises(EngineCrashed) as info:
            engine.chat(STORY, GenerationParams(max_tokens=200, temperature=0.0), on_token=on_token)
    finally:
        engine.close()
    assert "SIGSEGV" in str(info.value)
    assert "does not suit this CPU" not in str(info.value)


@pytest.mark.parametrize("arch", ["llama", "nosucharch"])
def test_gguf_that_llama_cpp_refuses(starter_model: Path, tmp_path: Path, arch: str) -> None:
    from hearthlm.core.modelfile import read_gguf

    bad = write_unloadable_gguf(tmp_path / f"hollow-{arch}.gguf", arch)
    read_gguf(bad)  # the header itself is sound
    engine = Engine()
    try:
        with pytest.raises(EngineError) as info:
            engine.load(bad)
        assert not isinstance(info.value, ModelFileError)
        one_line(str(info.value))
        assert bad.name in str(info.value) or "stopped" in str(info.value)
        assert engine.model is None
        if not isinstance(info.value, EngineCrashed):
            # only the request failed: the same engine loads a good model and answers
            assert engine.alive
            engine.load(LoadParams(str(starter_model), n_ctx=TEST_N_CTX, n_threads=TEST_THREADS))
            answer = engine.chat(QUESTION, GREEDY)
            assert answer.text
    finally:
        engine.close()

    fresh = load_new(starter_model)
    try:
        assert fresh.chat(QUESTION, GREEDY).text
    finally:
        fresh.close()


def test_stream_interval_batches_pieces(starter_model: Path) -> None:
    """Interval 0: a message per token. A long interval: the first piece at once, the rest at the end."""
    params = GenerationParams(max_tokens=32, temperature=0)
    for interval, check in ((0, lambda pieces, n: len(pieces) >= n - 2),
                            (60_000, lambda pieces, n: len(pieces) == 2)):
        with Engine(stream_interval_ms=interval) as eng:
            eng.load(LoadParams(str(starter_model), n_ctx=TEST_N_CTX, n_threads=1))
            pieces: list[str] = []
            answer = eng.chat(STORY, params, on_token=pieces.append)
        assert "".join(pieces) == answer.text
        assert answer.stats.completion_tokens == 32
        assert check(pieces, answer.stats.completion_tokens), (interval, len(pieces))


def test_count_prompt_matches_the_real_prompt_and_answers_while_streaming(engine: Engine) -> None:
    params = GenerationParams(max_tokens=40, temperature=0.0)
    count = engine.count_prompt(QUESTION, params)
    assert count is not None and count.n_ctx == TEST_N_CTX
    assert count.limit == TEST_N_CTX - params.max_tokens and not count.over
    answer = engine.chat(QUESTION, params)
    assert count.tokens == answer.stats.prompt_tokens  # the same rendering and tokenizer

    # While an answer streams, a count comes back at once (the window counts the next draft),
    # and the live usage grows with the answer.
    during: list = []
    usage: list = []

    def on_token(_text: str) -> None:
        usage.append(engine.live_usage)
        if len(usage) == 3:
            started = time.perf_counter()
            during.append((engine.count_prompt(STORY, params), time.perf_counter() - started))

    streamed = engine.chat(STORY, GenerationParams(max_tokens=30, temperature=0.0), on_token=on_token)
    (counted, seconds), = during
    assert counted is not None and counted.tokens == streamed.stats.prompt_tokens and seconds < 1.0
    assert usage[0] >= streamed.stats.prompt_tokens and usage == sorted(usage)
    final = streamed.stats.prompt_tokens + streamed.stats.completion_tokens
    assert abs(engine.live_usage - final) <= 2  # pieces, not tokens: a split character may differ

    # More than fits: flagged, not an error; older turns make room unless the question alone is too long.
    history = [{"role": "user" if i % 2 == 0 else "assistant", "content": "word " * 150} for i in range(8)]
    over = engine.count_prompt(history + QUESTION, params)
    assert over is not None and over.over and over.tokens > over.limit and not over.too_long
    long = [{"role": "user", "content": "word " * 2000}]
    alone = engine.count_prompt(QUESTION + [{"role": "assistant", "content": "Paris."}] + long, params)
    assert alone is not None and alone.over and alone.too_long


def test_count_prompt_without_a_model_is_none() -> None:
    with Engine() as fresh:
        assert fresh.count_prompt(QUESTION) is None


def test_an_answer_cut_inside_a_character_ends_without_a_replacement_character(engine) -> None:
    """The starter writes Chinese as byte tokens (<0xE6><0x88>…): max_tokens can end an answer in the
    middle of a character. The half is left out; the answer never ends in U+FFFD."""
    prompt = "我们今天下午去公园散步，看见了很多花。我们今天下午去公园散步，看见了很多"
    for n in range(1, 7):
        pieces: list[str] = []
        answer = engine.complete(prompt, GenerationParams(max_tokens=n, temperature=0), on_token=pieces.append)
        assert "\ufffd" not in answer.text and "\ufffd" not in "".join(pieces), (n, answer.text)
