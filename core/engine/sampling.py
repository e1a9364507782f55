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
"""

from __future__ import annotations

import collections
import ctypes

import llama_cpp
import numpy as np

from .. import messages as M
from ..errors import EngineError
from .protocol import GenerationParams

PENALTY_LAST_N = 64  # tokens the repeat penalty looks back over (as before, in llama.cpp's sampler)

# llama_get_logits_ith returning a plain address, so that a numpy view can be cached per buffer.
_logits_address = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int32)(
    ("llama_get_logits_ith", llama_cpp.llama_cpp._lib))


class TokenPicker:
    """Picks tokens for one answer; ``close()`` frees llama.cpp's sampler chain, if one was made."""

    def __init__(self, ctx: ctypes.c_void_p, n_vocab: int, gp: GenerationParams):
        self._ctx = ctx
        self._n_vocab = n_vocab
        self._views: dict[int, np.ndarray] = {}
        self._penalty = np.float32(gp.repeat_penalty) if gp.repeat_penalty != 1.0 else None
        self._recent: collections.deque[int] = collections.deque(maxlen=PENALTY_LAST_N)
        self.chain = None if gp.temperature <= 0 else _sampling_chain(gp)

    def pick(self) -> int:
        """The next token, from the logits of the last decode."""
        logits = self._logits() if self._penalty is not None or self.chain is None else None
        if self._penalty is not None and self._recent:
            ids = np.fromiter(set(self._recent), dtype=np.intp)
            seen = logits[ids]
            logits[ids] = np.where(seen <= 0, seen * self._penalty, seen / self._penalty)
        if self.chain is None:
            token = _greedy(logits)
        else:
            token = llama_cpp.llama_sampler_sample(self.chain, self._ctx, -1)
        if self._penalty is not None:
            self._recent.append(token)
        return token

    def _logits(self) -> np.ndarray:
        address = _logits_address(self._ctx, -1)
        if not address:
            raise EngineError(M.GENERATE_FAILED, rc=-1)
        view = self._views.get(address)
        if view is None:  # a numpy view of llama.cpp's buffer, made once per buffer
            view = np.ctypeslib.as_array((ctypes.c_float * self._n_vocab).from_address(address))
            self._views[address] = view
        return view

    def close(self) -> None:
        if self.chain is not None:
            llama_cpp.llama_sampler_free(self.chain)
            self.chain = None


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
