"""Token choice (core/engine/sampling.py): the engine picks exactly the tokens llama.cpp's own
sampler chain picks, for the same settings and seed, without running that chain where it costs
time (the greedy sampler and the repeat penalty touch all 49,152 logits on every token).

The reference is a raw llama.cpp loop in this process (llama_decode + llama_sampler_sample with
llama.cpp's penalties and greedy/dist samplers), on the same model, context size and thread count.
"""

from __future__ import annotations

import codecs
import ctypes
import os
from pathlib import Path
from collections.abc import Iterator

import pytest

from hearthlm.core.engine import Engine, GenerationParams, LoadParams

pytestmark = pytest.mark.engine

N_CTX = 1024
THREADS = 1  # as conftest.py's engine: robust against other load on a 2-core machine
PROMPT = "Repeat after me: red, green, blue, red, green, blue, red, green, blue, red,"
CASES = {
    "greedy": GenerationParams(max_tokens=40, temperature=0.0),
    "greedy, repeat penalty": GenerationParams(max_tokens=40, temperature=0.0, repeat_penalty=1.5),
    "sampled, repeat penalty": GenerationParams(max_tokens=40, temperature=0.9, top_k=40, top_p=0.95,
                                                min_p=0.05, repeat_penalty=1.3, seed=4321),
}


class RawLoop:
    """llama.cpp driven directly, as the engine drives it: the same context parameters."""

    def __init__(self, path: Path):
        import llama_cpp as ll

        self.ll = ll
        ll.llama_backend_init()
        self._quiet = ll.llama_log_callback(lambda level, text, user: None)
        ll.llama_log_set(self._quiet, None)
        mparams = ll.llama_model_default_params()
        mparams.n_gpu_layers = 0
        self.model = ll.llama_model_load_from_file(os.fsencode(str(path)), mparams)
        cparams = ll.llama_context_default_params()
        cparams.n_ctx, cparams.n_batch, cparams.n_ubatch = N_CTX, 512, 512
        cparams.n_threads = cparams.n_threads_batch = THREADS
        cparams.no_perf = True
        self.ctx = ll.llama_init_from_model(self.model, cparams)
        self.vocab = ll.llama_model_get_vocab(self.model)

    def tokenize(self, text: str) -> list[int]:
        raw = text.encode()
        buf = (self.ll.llama_token * (len(raw) + 8))()
        n = self.ll.llama_tokenize(self.vocab, raw, len(raw), buf, len(buf),
                                   bool(self.ll.llama_vocab_get_add_bos(self.vocab)), True)
        return list(buf[:n])

    def chain(self, gp: GenerationParams) -> ctypes.c_void_p:
        """The chain the engine built before sampling.py (penalties first, then greedy or the rest)."""
        ll = self.ll
        chain = ll.llama_sampler_chain_init(ll.llama_sampler_chain_default_params())
        if gp.repeat_penalty != 1.0:
            n_vocab = ll.llama_vocab_n_tokens(self.vocab)
            ll.llama_sampler_chain_add(chain, ll.llama_sampler_init_penalties(n_vocab, 64, gp.repeat_penalty, 0.0, 0.0))
        if gp.temperature <= 0:
            ll.llama_sampler_chain_add(chain, ll.llama_sampler_init_greedy())
            return chain
        ll.llama_sampler_chain_add(chain, ll.llama_sampler_init_top_k(gp.top_k))
        ll.llama_sampler_chain_add(chain, ll.llama_sampler_init_top_p(gp.top_p, 1))
        ll.llama_sampler_chain_add(chain, ll.llama_sampler_init_min_p(gp.min_p, 1))
        ll.llama_sampler_chain_add(chain, ll.llama_sampler_init_temp(gp.temperature))
        ll.llama_sampler_chain_add(chain, ll.llama_sampler_init_dist(gp.seed))
        return chain

    def generate(self, prompt: str, gp: GenerationParams) -> str:
        ll = self.ll
        tokens = self.tokenize(prompt)
        ll.llama_memory_clear(ll.llama_get_memory(self.ctx), True)
        # As the engine evaluates a prompt it has seen before: all but the last token, then that
        # one alone (the logits of a one-token batch differ from a long batch's in the last bits).
        for chunk in (tokens[:-1], tokens[-1:]):
            arr = (ll.llama_token * len(chunk))(*chunk)
            assert ll.llama_decode(self.ctx, ll.llama_batch_get_one(arr, len(chunk))) == 0
        chain = self.chain(gp)
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        piece = ctypes.create_string_buffer(256)
        one = (ll.llama_token * 1)()
        text = []
        try:
            for _ in range(gp.max_tokens):
                token = ll.llama_sampler_sample(chain, self.ctx, -1)
                if ll.llama_vocab_is_eog(self.vocab, token):
                    break
                n = ll.llama_token_to_piece(self.vocab, token, piece, 256, 0, False)
                text.append(decoder.decode(piece.raw[:n]))
                one[0] = token
                assert ll.llama_decode(self.ctx, ll.llama_batch_get_one(one, 1)) == 0
        finally:
            ll.llama_sampler_free(chain)
        return "".join(text) + decoder.decode(b"", final=True)

    def close(self) -> None:
        self.ll.llama_free(self.ctx)
        self.ll.llama_model_free(self.model)


@pytest.fixture(scope="module")
def raw(starter_model: Path) -> Iterator[RawLoop]:
    loop = RawLoop(starter_model)
    yield loop
    loop.close()


@pytest.fixture(scope="module")
def own_engine(starter_model: Path) -> Iterator[Engine]:
    """An engine that has seen PROMPT once, so that each answer evaluates its last token alone."""
    engine = Engine()
    engine.load(LoadParams(str(starter_model), n_ctx=N_CTX, n_threads=THREADS))
    engine.complete(PROMPT, GenerationParams(max_tokens=1, temperature=0.0))
    yield engine
    engine.close()


@pytest.mark.parametrize("case", list(CASES))
def test_tokens_equal_llama_cpp_sampler_chain(case: str, raw: RawLoop, own_engine: Engine) -> None:
    gp = CASES[case]
    answer = own_engine.complete(PROMPT, gp)
    assert answer.stats.evaluated_tokens == 1
    assert answer.text == raw.generate(PROMPT, gp)
    assert answer.stats.completion_tokens > 10


def test_the_repeat_penalty_changes_the_greedy_answer(own_engine: Engine) -> None:
    """Guards the test above: the penalty cases must exercise the penalty."""
    plain = own_engine.complete(PROMPT, CASES["greedy"]).text
    assert own_engine.complete(PROMPT, CASES["greedy, repeat penalty"]).text != plain


def test_greedy_runs_no_llama_sampler(starter_model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """At temperature 0, with or without the repeat penalty, no llama.cpp sampler runs over the
    vocabulary (measured: 0.13 ms per token for the greedy chain, 0.53 ms with the penalty, at
    ~12 ms a token: the gap bench/engine_overhead.py found). LlamaRunner in this process."""
    import llama_cpp

    from hearthlm.core.engine.runner import LlamaRunner

    def refused(*_args: object) -> None:
        raise AssertionError("a llama.cpp sampler chain was used for greedy decoding")

    runner = LlamaRunner()
    try:
        runner.load(LoadParams(str(starter_model), n_ctx=256, n_threads=THREADS), lambda _v: True)
        tokens = runner.tokenize(PROMPT)
        expected = runner.generate(tokens, CASES["greedy, repeat penalty"], lambda _t: None, lambda: False)
        monkeypatch.setattr(llama_cpp, "llama_sampler_sample", refused)
        monkeypatch.setattr(llama_cpp, "llama_sampler_init_penalties", refused)
        monkeypatch.setattr(llama_cpp, "llama_sampler_init_greedy", refused)
        pieces: list[str] = []
        for gp in (CASES["greedy"], CASES["greedy, repeat penalty"]):
            stats = runner.generate(tokens, gp, pieces.append, lambda: False)
            assert stats.completion_tokens == gp.max_tokens or stats.stop_reason == "eos"
        assert stats.completion_tokens == expected.completion_tokens
    finally:
        runner.unload()
