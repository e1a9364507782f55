"""Choosing each next token from the logits. Runs only in the engine process.

llama.cpp's sampler chain copies all n_vocab logits into a candidate array on every token
(0.13 ms for SmolLM2's 49,152 tokens, measured), and its repeat-penalty sampler then looks every
candidate up in a hash map (0.53 ms with the greedy sampler after it): 1-4 % of a 12 ms token. The
same choices cost 0.01 ms here:

* the repeat penalty is applied in place to the (at most 64) recently chosen tokens' logits, with
  llama.cpp's float32 arithmetic (``logit <= 0 ? logit * p : logit / p``), so the chain that
  follows sees exactly the logits its own penalty sampler would have produced;
* at temperature 0 the token is numpy's argmax, which, like llama.cpp's greedy sampler, takes
  the first of equal maxima (NaN logits are handled as the greedy sampler handles them);
* above temperature 0 the rest of the chain (top-k, top-p, min-p, temperature, seeded dist) is
  llama.cpp's, unchanged.

So the tokens are the ones llama.cpp's own chain would pick, for the same settings and seed.

Each answer has its own picker (its own chain and seed), and picks from the logits of its own row
of the batch (``idx``), so answers decoded together do not disturb each other's sampling.

A grammar (GBNF) is llama.cpp's grammar sampler. Checking all 49,152 candidates against it costs
milliseconds a token, so the token is chosen first without it and only checked; only when the
grammar rejects it are all candidates filtered and the choice made again (what llama.cpp's own
common sampler does).

Log-probabilities (``top_logprobs`` > 0) are the model's: log-softmax of the raw logits, before the
repeat penalty or any sampling setting, as OpenAI's API reports them.
"""

from __future__ import annotations

import collections
import ctypes
import math
from typing import Any

import llama_cpp
import numpy as np

from .. import messages as M
from ..errors import EngineError
from .protocol import GenerationParams

PENALTY_LAST_N = 64  # tokens the repeat penalty looks back over (as before, in llama.cpp's sampler)
MAX_TOP_LOGPROBS = 20  # as OpenAI's API

# llama_get_logits_ith returning a plain address, so that a numpy view can be cached per buffer.
_logits_address = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int32)(
    ("llama_get_logits_ith", llama_cpp.llama_cpp._lib))

# llama_token_data as numpy sees it (int32 id, float logit, float p), for candidate arrays.
_TOKEN_DATA = np.dtype([("id", np.int32), ("logit", np.float32), ("p", np.float32)])


def make_grammar(vocab: ctypes.c_void_p, grammar: str) -> ctypes.c_void_p:
    """llama.cpp's grammar sampler for ``grammar`` (GBNF, start symbol ``root``); EngineError when
    llama.cpp cannot parse it (it logs why to stderr)."""
    sampler = llama_cpp.llama_sampler_init_grammar(vocab, grammar.encode("utf-8"), b"root")
    if not sampler:
        raise EngineError(M.GRAMMAR_INVALID)
    return sampler


class TokenPicker:
    """Picks tokens for one answer; ``close()`` frees llama.cpp's samplers, if any were made."""

    def __init__(self, ctx: ctypes.c_void_p, n_vocab: int, gp: GenerationParams,
                 grammar: ctypes.c_void_p | None = None, vocab: ctypes.c_void_p | None = None):
        self._ctx = ctx
        self._n_vocab = n_vocab
        self._vocab = vocab
        self._views: dict[int, np.ndarray] = {}
        self._penalty = np.float32(gp.repeat_penalty) if gp.repeat_penalty != 1.0 else None
        self._recent: collections.deque[int] = collections.deque(maxlen=PENALTY_LAST_N)
        self.chain = None if gp.temperature <= 0 else _sampling_chain(gp)
        self.grammar = grammar
        self.top_logprobs = min(max(0, int(gp.top_logprobs)), MAX_TOP_LOGPROBS)
        self.logprobs: dict[str, Any] | None = None  # of the last pick, when asked for
        self._pieces: dict[int, bytes] = {}

    def pick(self, idx: int = -1) -> int:
        """The next token, from the logits of row ``idx`` of the last decode."""
        need_logits = self._penalty is not None or self.chain is None or self.grammar is not None \
            or self.top_logprobs
        logits = self._logits(idx) if need_logits else None
        if self.top_logprobs:
            assert logits is not None
            # Before the penalty changes the logits in place (it touches <= 64 of them: a copy only then).
            model_logits = logits.copy() if self._penalty is not None else logits
            lse = _log_sum_exp(model_logits)
        if self._penalty is not None and self._recent:
            assert logits is not None
            ids = np.fromiter(set(self._recent), dtype=np.intp)
            seen = logits[ids]
            logits[ids] = np.where(seen <= 0, seen * self._penalty, seen / self._penalty)
        if self.chain is None:
            assert logits is not None
            token = _greedy(logits)
        else:
            token = llama_cpp.llama_sampler_sample(self.chain, self._ctx, idx)
        if self.grammar is not None:
            assert logits is not None
            token = self._grammar_check(logits, token)
            llama_cpp.llama_sampler_accept(self.grammar, token)
        if self._penalty is not None:
            self._recent.append(token)
        if self.top_logprobs:
            self.logprobs = self._entry(model_logits, lse, token)
        return token

    def _grammar_check(self, logits: np.ndarray, token: int) -> int:
        one = np.zeros(1, dtype=_TOKEN_DATA)
        one[0] = (token, logits[token], 0.0)
        self._apply(self.grammar, one)
        if one[0]["logit"] != -np.inf:
            return token
        # Rejected: the grammar filters every candidate, then the choice is made again.
        cands = np.empty(self._n_vocab, dtype=_TOKEN_DATA)
        cands["id"] = np.arange(self._n_vocab, dtype=np.int32)
        cands["logit"] = logits
        cands["p"] = 0.0
        self._apply(self.grammar, cands)
        if self.chain is None:
            return _greedy(cands["logit"])
        selected = self._apply(self.chain, cands)
        return int(cands[selected]["id"]) if selected >= 0 else _greedy(cands["logit"])

    @staticmethod
    def _apply(sampler: Any, cands: np.ndarray) -> int:
        array = llama_cpp.llama_token_data_array(
            data=cands.ctypes.data_as(ctypes.POINTER(llama_cpp.llama_token_data)),
            size=len(cands), selected=-1, sorted=False)
        llama_cpp.llama_sampler_apply(sampler, ctypes.byref(array))
        if array.size != len(cands):  # a sampler that shrank the array (top-k): read what it kept
            kept = np.ctypeslib.as_array(ctypes.cast(array.data, ctypes.POINTER(ctypes.c_uint8)),
                                         shape=(array.size * _TOKEN_DATA.itemsize,)).view(_TOKEN_DATA)
            cands[:array.size] = kept.copy()
            if array.selected >= 0:
                return int(array.selected)
            return -1
        return int(array.selected)

    def _piece(self, token: int) -> bytes:
        piece = self._pieces.get(token)
        if piece is None:
            buf = ctypes.create_string_buffer(256)
            n = llama_cpp.llama_token_to_piece(self._vocab, token, buf, 256, 0, True)
            piece = self._pieces[token] = buf.raw[:max(n, 0)]
        return piece

    def _describe(self, token: int, logprob: float) -> dict[str, Any]:
        piece = self._piece(token)
        return {"token": piece.decode("utf-8", "replace"), "logprob": float(logprob), "bytes": list(piece)}

    def _entry(self, logits: np.ndarray, lse: float, token: int) -> dict[str, Any]:
        """OpenAI's entry for ``token``: log p = logit - log-sum-exp, for it and the k likeliest."""
        k = self.top_logprobs
        top = np.argpartition(logits, -k)[-k:]
        top = top[np.argsort(-logits[top], kind="stable")]
        entry = self._describe(token, float(logits[token]) - lse)
        entry["top_logprobs"] = [self._describe(int(t), float(logits[t]) - lse) for t in top]
        return entry

    def _logits(self, idx: int) -> np.ndarray:
        address = _logits_address(self._ctx, idx)
        if not address:
            raise EngineError(M.GENERATE_FAILED, rc=-1)
        view = self._views.get(address)
        if view is None:  # a numpy view of llama.cpp's buffer, made once per buffer and row
            if len(self._views) > 64:
                self._views.clear()
            view = np.ctypeslib.as_array((ctypes.c_float * self._n_vocab).from_address(address))
            self._views[address] = view
        return view

    def close(self) -> None:
        if self.chain is not None:
            llama_cpp.llama_sampler_free(self.chain)
            self.chain = None
        if self.grammar is not None:
            llama_cpp.llama_sampler_free(self.grammar)
            self.grammar = None


def _log_sum_exp(logits: np.ndarray) -> float:
    """log(sum(exp(logits))), stable: float32 exponentials summed in float64 (0.2 ms for 49,152)."""
    top = float(np.max(logits))
    shifted = logits - np.float32(top)
    np.exp(shifted, out=shifted)
    return top + math.log(float(shifted.sum(dtype=np.float64)))


def _greedy(logits: np.ndarray) -> int:
    """llama.cpp's greedy sampler: the first index whose logit is greater than all before it."""
    token = int(logits.argmax())
    if logits[token] == logits[token]:
        return token
    # numpy's argmax stops at a NaN; the greedy sampler's `>` never selects one after index 0.
    if np.isnan(logits[0]):
        return 0
    return int(np.where(np.isnan(logits), -np.inf, logits).argmax())


def _sampling_chain(gp: GenerationParams) -> ctypes.c_void_p:
    """llama.cpp's chain for temperature > 0, without the penalty (TokenPicker applies it)."""
    chain = llama_cpp.llama_sampler_chain_init(llama_cpp.llama_sampler_chain_default_params())
    add = llama_cpp.llama_sampler_chain_add
    if gp.top_k > 0:
        add(chain, llama_cpp.llama_sampler_init_top_k(gp.top_k))
    if 0 < gp.top_p < 1:
        add(chain, llama_cpp.llama_sampler_init_top_p(gp.top_p, 1))
    if gp.min_p > 0:
        add(chain, llama_cpp.llama_sampler_init_min_p(gp.min_p, 1))
    add(chain, llama_cpp.llama_sampler_init_temp(gp.temperature))
    seed = llama_cpp.LLAMA_DEFAULT_SEED if gp.seed is None else gp.seed & 0xFFFFFFFF
    add(chain, llama_cpp.llama_sampler_init_dist(seed))
    return chain
