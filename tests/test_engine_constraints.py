"""What a request can ask of an answer beyond sampling: a grammar it must follow (JSON, a JSON
schema), stop strings, and the log-probabilities of its tokens; and saved KV states with several
sequences. Real llama.cpp on the starter model."""

from __future__ import annotations

import ctypes
import json
import os
from pathlib import Path

import jsonschema
import numpy as np
import pytest

from hearthlm.core.engine import Engine, GenerationParams, LoadParams
from hearthlm.core.engine.runner import MIN_STATE_TOKENS
from hearthlm.core.errors import EngineError
from hearthlm.core.prompt.grammar import JSON_OBJECT_GBNF, json_schema_to_gbnf

pytestmark = pytest.mark.engine

PERSON = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "maxLength": 40},
        "age": {"type": "integer", "minimum": 0, "maximum": 150},
        "city": {"type": "string", "maxLength": 40},
    },
    "required": ["name", "age", "city"],
    "additionalProperties": False,
}
STORY_PROMPT = "Once upon a time, in a small village by the sea, there lived"


def test_a_json_schema_grammar_is_enforced(engine: Engine) -> None:
    params = GenerationParams(max_tokens=120, temperature=0.0, grammar=json_schema_to_gbnf(PERSON))
    messages = [{"role": "user", "content": "Describe a person who lives in Paris."}]
    answer = engine.chat(messages, params)
    assert answer.stats.stop_reason == "eos", answer  # the grammar completed, then only the end could come
    value = json.loads(answer.text)
    jsonschema.validate(value, PERSON)
    # sampled too (temperature > 0 goes through llama.cpp's chain, then the grammar)
    sampled = engine.chat(messages, GenerationParams(max_tokens=120, temperature=0.9, seed=3,
                                                     grammar=json_schema_to_gbnf(PERSON)))
    jsonschema.validate(json.loads(sampled.text), PERSON)


def test_json_object_grammar_on_a_prompt_that_would_not_give_json(engine: Engine) -> None:
    params = GenerationParams(max_tokens=80, temperature=0.0, grammar=JSON_OBJECT_GBNF)
    answer = engine.complete("My favourite poem is", params)
    if answer.stats.stop_reason == "eos":
        assert isinstance(json.loads(answer.text), dict)
    else:  # cut at max_tokens: still a prefix of a JSON object
        assert answer.text.lstrip().startswith("{")
    plain = engine.complete("My favourite poem is", GenerationParams(max_tokens=10, temperature=0.0))
    assert not plain.text.lstrip().startswith("{")  # the grammar, not the prompt, made it JSON


def test_an_invalid_grammar_is_a_clear_error_and_the_engine_goes_on(engine: Engine) -> None:
    for bad in ('root ::= "a" (', "no rules here", 'other ::= "x"'):
        with pytest.raises(EngineError) as caught:
            engine.chat([{"role": "user", "content": "Hi"}], GenerationParams(max_tokens=4, grammar=bad))
        assert "grammar" in str(caught.value) and "\n" not in str(caught.value)
    assert engine.alive
    assert engine.complete("The sky is", GenerationParams(max_tokens=3, temperature=0.0)).text


def test_stop_strings_end_the_answer_before_them_and_are_never_streamed(starter_model: Path) -> None:
    engine = Engine(stream_interval_ms=0)  # every token its own piece: a partial stop would show
    try:
        engine.load(LoadParams(str(starter_model), n_ctx=512, n_threads=1))
        free = engine.complete(STORY_PROMPT, GenerationParams(max_tokens=40, temperature=0.0))
        text = free.text
        # a stop string from the middle of the free answer, spanning a token boundary
        start = text.index(" ", 20)
        stop = text[start:start + 6]
        assert len(stop.strip()) >= 3
        pieces: list[str] = []
        stopped = engine.complete(STORY_PROMPT, GenerationParams(max_tokens=40, temperature=0.0,
                                                                 stop=["never appears", stop]),
                                  on_token=pieces.append)
        assert stopped.stats.stop_reason == "stop"
        assert stopped.text == text[:text.index(stop)]
        assert "".join(pieces) == stopped.text  # nothing past (or of) the stop string went out
        # a stop string that does not occur changes nothing
        same = engine.complete(STORY_PROMPT, GenerationParams(max_tokens=40, temperature=0.0, stop=["@@@"]))
        assert same.text == text and same.stats.stop_reason == free.stats.stop_reason
    finally:
        engine.close()


_QUIET: list[object] = []  # the log callback stays referenced while llama.cpp holds it


def raw_logits(model: Path, prompt: str) -> np.ndarray:
    """The model's logits after ``prompt``, by llama.cpp directly in this process (tokenized as the
    engine tokenizes a raw prompt)."""
    import llama_cpp

    llama_cpp.llama_backend_init()
    _QUIET.append(llama_cpp.llama_log_callback(lambda _level, _text, _user: None))
    llama_cpp.llama_log_set(_QUIET[-1], None)  # llama.cpp's log in this process would fill the output
    mparams = llama_cpp.llama_model_default_params()
    lm = llama_cpp.llama_model_load_from_file(os.fsencode(str(model)), mparams)
    cparams = llama_cpp.llama_context_default_params()
    cparams.n_ctx, cparams.n_batch, cparams.n_threads, cparams.n_threads_batch = 512, 512, 1, 1
    ctx = llama_cpp.llama_init_from_model(lm, cparams)
    try:
        vocab = llama_cpp.llama_model_get_vocab(lm)
        raw = prompt.encode()
        buf = (llama_cpp.llama_token * (len(raw) + 8))()
        n = llama_cpp.llama_tokenize(vocab, raw, len(raw), buf, len(buf),
                                     bool(llama_cpp.llama_vocab_get_add_bos(vocab)), True)
        assert n > 0
        assert llama_cpp.llama_decode(ctx, llama_cpp.llama_batch_get_one(buf, n)) == 0
        n_vocab = llama_cpp.llama_vocab_n_tokens(vocab)
        pointer = llama_cpp.llama_get_logits_ith(ctx, -1)
        return np.ctypeslib.as_array(ctypes.cast(pointer, ctypes.POINTER(ctypes.c_float)), shape=(n_vocab,)).copy()
    finally:
        llama_cpp.llama_free(ctx)
        llama_cpp.llama_model_free(lm)


def test_logprobs_shape_and_value(engine: Engine, starter_model: Path) -> None:
    streamed: list[list[dict]] = []
    pieces: list[str] = []
    params = GenerationParams(max_tokens=6, temperature=0.0, top_logprobs=5)
    answer = engine.complete(STORY_PROMPT, params, on_token=pieces.append, on_logprobs=streamed.append)
    entries = answer.logprobs
    assert entries is not None and len(entries) == answer.stats.completion_tokens == 6
    assert [e for batch in streamed for e in batch] == entries  # on_logprobs saw each entry once, in order
    for entry in entries:
        assert set(entry) == {"token", "logprob", "bytes", "top_logprobs"}
        assert entry["logprob"] <= 0 and bytes(entry["bytes"]).decode() == entry["token"]
        top = entry["top_logprobs"]
        assert len(top) == 5 and all(set(t) == {"token", "logprob", "bytes"} for t in top)
        assert [t["logprob"] for t in top] == sorted((t["logprob"] for t in top), reverse=True)
        assert top[0]["token"] == entry["token"] and top[0]["logprob"] == entry["logprob"]  # greedy
    assert "".join(e["token"] for e in entries) == answer.text == "".join(pieces)

    # The first token's log-probability is log-softmax of the model's logits, computed here in numpy.
    logits = raw_logits(starter_model, STORY_PROMPT).astype(np.float64)
    expected = logits - logits.max() - np.log(np.exp(logits - logits.max()).sum())
    chosen = int(np.argmax(logits))
    assert abs(entries[0]["logprob"] - expected[chosen]) < 1e-3
    ranked = np.argsort(-expected)[:5]
    for t, want in zip(entries[0]["top_logprobs"], ranked, strict=True):
        assert abs(t["logprob"] - expected[want]) < 1e-3

    # Not asked for: none (and no cost on the way)
    assert engine.complete(STORY_PROMPT, GenerationParams(max_tokens=2, temperature=0.0)).logprobs is None


def conversation(topic: str) -> list[dict[str, str]]:
    text = f"Here are some notes about {topic}. " * 60
    return [{"role": "user", "content": text + "Summarize them in one sentence."}]


def test_saved_states_move_between_sequences(starter_model: Path) -> None:
    """Two sequences, three long conversations: the one pushed out of its sequence is saved, and
    coming back restores it into whichever sequence is free (not the one it was saved from)."""
    params = GenerationParams(max_tokens=4, temperature=0.0)
    engine = Engine()
    try:
        engine.load(LoadParams(str(starter_model), n_ctx=1024, n_threads=1, n_parallel=2, state_cache_mb=256))
        a, b, c = conversation("fireplaces"), conversation("sailing boats"), conversation("mountain goats")
        first_a = engine.chat(a, params)   # sequence 0
        engine.chat(b, params)             # sequence 1 (empty: a is not evicted for a shared system prompt)
        first_c = engine.chat(c, params)   # evicts a (the least recently used): a's state is saved
        assert first_c.stats.evaluated_tokens > MIN_STATE_TOKENS
        again_a = engine.chat(a, params)   # sequence 1 (b is now the least recently used), a restored there
        assert first_a.stats.prompt_tokens > MIN_STATE_TOKENS
        assert again_a.stats.evaluated_tokens <= 2
        assert again_a.text.split()[:1] == first_a.text.split()[:1]
    finally:
        engine.close()
