"""Evaluate text in fixed windows with llama.cpp: what perplexity and the importance matrix share.

Runs only in the quantize child process (see worker.py). Uses llama-cpp-python's low-level API so
that the evaluation callback (``cb_eval``) can be set on the context.
"""

from __future__ import annotations

import os
from pathlib import Path
from collections.abc import Callable, Iterator
from typing import Literal, overload

import numpy as np

from .errors import QuantizeError
from . import messages as M


class Evaluator:
    """One model and one context of ``n_ctx`` tokens; every window is evaluated from an empty cache."""

    def __init__(self, path: str | os.PathLike, n_ctx: int, n_threads: int = 0, n_batch: int = 512,
                 cb_eval: Callable | None = None):
        import llama_cpp

        from ..engine.runner import default_threads

        self.L = llama_cpp
        llama_cpp.llama_backend_init()
        mparams = llama_cpp.llama_model_default_params()
        self.model = llama_cpp.llama_model_load_from_file(os.fsencode(str(path)), mparams)
        if not self.model:
            raise QuantizeError(M.MODEL_LOAD_FAILED, name=Path(path).name)
        threads = n_threads or default_threads()
        cparams = llama_cpp.llama_context_default_params()
        cparams.n_ctx = n_ctx
        cparams.n_batch = min(n_batch, n_ctx)
        cparams.n_ubatch = min(n_batch, n_ctx)
        cparams.n_seq_max = 1
        cparams.n_threads = cparams.n_threads_batch = threads
        cparams.no_perf = True
        self._cb = None
        if cb_eval is not None:  # keep the ctypes thunk alive as long as the context
            self._cb = llama_cpp.ggml_backend_sched_eval_callback(cb_eval)
            cparams.cb_eval = self._cb
        self.ctx = llama_cpp.llama_init_from_model(self.model, cparams)
        if not self.ctx:
            llama_cpp.llama_model_free(self.model)
            raise QuantizeError(M.CONTEXT_FAILED, n_ctx=n_ctx, name=Path(path).name)
        self.vocab = llama_cpp.llama_model_get_vocab(self.model)
        self.n_vocab = llama_cpp.llama_vocab_n_tokens(self.vocab)
        self.n_ctx = n_ctx
        self.n_batch = cparams.n_batch
        self.add_bos = bool(llama_cpp.llama_vocab_get_add_bos(self.vocab))
        self.bos = llama_cpp.llama_vocab_bos(self.vocab)

    def close(self) -> None:
        if self.ctx:
            self.L.llama_free(self.ctx)
            self.ctx = None
        if self.model:
            self.L.llama_model_free(self.model)
            self.model = None

    def __enter__(self) -> Evaluator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def tokenize(self, text: str) -> list[int]:
        data = text.encode("utf-8")
        n = len(data) + 16
        buf = (self.L.llama_token * n)()
        got = self.L.llama_tokenize(self.vocab, data, len(data), buf, n, self.add_bos, False)
        if got < 0:
            buf = (self.L.llama_token * -got)()
            got = self.L.llama_tokenize(self.vocab, data, len(data), buf, -got, self.add_bos, False)
        return list(buf[:got])

    @overload
    def window_logits(self, tokens: list[int], want_logits: Literal[True] = ...) -> np.ndarray: ...
    @overload
    def window_logits(self, tokens: list[int], want_logits: bool) -> np.ndarray | None: ...

    def window_logits(self, tokens: list[int], want_logits: bool = True) -> np.ndarray | None:
        """Evaluate one window from an empty cache; logits (n_tokens x n_vocab) for every position.

        As llama.cpp's perplexity tool does, the window's first token is replaced by BOS when the
        model adds one, so every window starts the way the model was trained to start.
        """
        L = self.L
        L.llama_memory_clear(L.llama_get_memory(self.ctx), True)
        tokens = list(tokens)
        if self.add_bos and tokens:
            tokens[0] = self.bos
        n = len(tokens)
        out = np.empty((n, self.n_vocab), dtype=np.float32) if want_logits else None
        batch = L.llama_batch_init(self.n_batch, 0, 1)
        try:
            for start in range(0, n, self.n_batch):
                chunk = tokens[start:start + self.n_batch]
                batch.n_tokens = len(chunk)
                for i, tok in enumerate(chunk):
                    batch.token[i] = tok
                    batch.pos[i] = start + i
                    batch.n_seq_id[i] = 1
                    batch.seq_id[i][0] = 0
                    batch.logits[i] = True  # outputs everywhere, or the last layer skips rows
                rc = L.llama_decode(self.ctx, batch)
                if rc != 0:
                    raise QuantizeError(M.DECODE_FAILED, code=rc)
                if out is not None:  # want_logits
                    ptr = L.llama_get_logits(self.ctx)
                    out[start:start + len(chunk)] = np.ctypeslib.as_array(ptr, shape=(len(chunk), self.n_vocab))
        finally:
            L.llama_batch_free(batch)
        return out


def windows(tokens: list[int], n_ctx: int) -> Iterator[list[int]]:
    """Non-overlapping windows of exactly n_ctx tokens (the remainder is dropped, as llama.cpp does)."""
    for i in range(len(tokens) // n_ctx):
        yield tokens[i * n_ctx:(i + 1) * n_ctx]


def log_softmax(logits: np.ndarray) -> np.ndarray:
    x = logits.astype(np.float64)
    x -= x.max(axis=-1, keepdims=True)
    return x - np.log(np.exp(x).sum(axis=-1, keepdims=True))
