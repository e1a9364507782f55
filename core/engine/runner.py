"""llama.cpp itself: load a GGUF, evaluate a prompt, sample tokens. Runs only in the engine process.

Written on llama-cpp-python's low-level ctypes API (pinned at 0.3.36) rather than its ``Llama``
class: ``Llama`` cannot report load progress, and its streaming re-detokenizes the whole answer
on every token (0.94x of a raw decode loop at 1,500 tokens). Here each step costs one
``llama_decode`` over every answer in progress (batching.py), one choice of token for each
(sampling.py) and one ``llama_token_to_piece`` each (sequence.py).
"""

from __future__ import annotations

import ctypes
import os
import time
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Callable
from typing import Any, TypedDict

import llama_cpp

from .. import messages as M
from ..errors import EngineError
from .batching import MIN_STATE_TOKENS, Batcher
from .kv_states import SavedStates
from .offload_params import apply_offload_params
from .protocol import AnswerStats, GenerationParams, LoadParams
from .sampling import TokenPicker, make_grammar
from .sequence import Sequence

__all__ = ["MIN_STATE_TOKENS", "LlamaRunner", "default_threads"]


def default_threads() -> int:
    """One thread per physical core: llama.cpp's generation is memory-bound and hyper-threads hurt."""
    try:
        import psutil

        physical = psutil.cpu_count(logical=False)
    except Exception:  # psutil missing or unable to tell
        physical = None
    return max(1, physical or os.cpu_count() or 1)


@dataclass
class LoadedModel:
    model: ctypes.c_void_p
    ctx: ctypes.c_void_p
    vocab: ctypes.c_void_p
    memory: ctypes.c_void_p
    n_ctx: int  # cells each sequence may use
    n_parallel: int = 1


class LlamaRunner:
    """One model and one context. Not thread-safe: the engine's main thread owns it."""

    def __init__(self) -> None:
        llama_cpp.llama_backend_init()
        _install_log_filter()
        self.loaded: LoadedModel | None = None
        self.path: Path | None = None
        self.saved = SavedStates(0)
        self.batcher: Batcher | None = None

    # -- loading -------------------------------------------------------------------------

    def load(self, params: LoadParams, on_progress: Callable[[float], bool]) -> dict:
        """Load a model; ``on_progress(fraction)`` returning False cancels the load."""
        self.unload()
        mparams = llama_cpp.llama_model_default_params()
        mparams.n_gpu_layers = params.n_gpu_layers

        def progress(value: float, _user: ctypes.c_void_p) -> bool:
            return bool(on_progress(float(value)))

        progress_cb = llama_cpp.llama_progress_callback(progress)
        mparams.progress_callback = progress_cb
        started = time.perf_counter()
        model = llama_cpp.llama_model_load_from_file(os.fsencode(params.path), mparams)
        if not model:
            raise EngineError(M.LLAMA_LOAD_FAILED, name=Path(params.path).name)
        threads = params.n_threads or default_threads()
        cparams = llama_cpp.llama_context_default_params()
        n_parallel = max(1, int(params.n_parallel))
        n_batch = max(params.n_batch, n_parallel)  # every generating sequence needs a row each step
        # n_ctx cells for EACH sequence, in a stream of its own (protocol.py, LoadParams.n_parallel).
        cparams.n_ctx = params.n_ctx * n_parallel
        cparams.n_seq_max = n_parallel
        cparams.kv_unified = False
        cparams.n_batch = n_batch
        cparams.n_ubatch = min(n_batch, 512)
        cparams.n_threads = threads
        cparams.n_threads_batch = threads
        cparams.no_perf = True
        apply_offload_params(cparams, params)
        ctx = llama_cpp.llama_init_from_model(model, cparams)
        if not ctx:
            llama_cpp.llama_model_free(model)
            raise EngineError(M.LLAMA_CONTEXT_FAILED, n_ctx=params.n_ctx, name=Path(params.path).name)
        vocab = llama_cpp.llama_model_get_vocab(model)
        memory = llama_cpp.llama_get_memory(ctx)
        self.loaded = LoadedModel(model, ctx, vocab, memory, llama_cpp.llama_n_ctx_seq(ctx), n_parallel)
        self.path = Path(params.path)
        self.saved = SavedStates(params.state_cache_mb * 1024 * 1024)
        self.batcher = Batcher(ctx, memory, n_parallel, self.loaded.n_ctx, llama_cpp.llama_n_batch(ctx),
                               self.saved, max_queued=params.max_queued)
        return self._describe(time.perf_counter() - started, threads, params)

    def _describe(self, load_s: float, threads: int, params: LoadParams) -> dict:
        assert self.loaded is not None
        model, vocab = self.loaded.model, self.loaded.vocab
        template = llama_cpp.llama_model_chat_template(model, None)
        desc = ctypes.create_string_buffer(256)
        llama_cpp.llama_model_desc(model, desc, 256)
        return {
            "path": str(self.path),
            "description": desc.value.decode("utf-8", "replace"),
            "n_ctx": self.loaded.n_ctx,  # per sequence
            "n_parallel": self.loaded.n_parallel,
            "n_ctx_train": llama_cpp.llama_model_n_ctx_train(model),
            "n_params": llama_cpp.llama_model_n_params(model),
            "size_bytes": llama_cpp.llama_model_size(model),
            "n_layers": llama_cpp.llama_model_n_layer(model),
            "n_gpu_layers": params.n_gpu_layers,
            "threads": threads,
            "chat_template": template.decode("utf-8", "replace") if template else None,
            "architecture": self._meta("general.architecture"),
            "bos_token": self.token_text(llama_cpp.llama_vocab_bos(vocab)),
            "eos_token": self.token_text(llama_cpp.llama_vocab_eos(vocab)),
            "load_s": load_s,
        }

    def _meta(self, key: str) -> str | None:
        buf = ctypes.create_string_buffer(256)
        n = llama_cpp.llama_model_meta_val_str(self._require().model, key.encode(), buf, len(buf))
        return buf.value.decode("utf-8", "replace") if n >= 0 else None

    def unload(self) -> None:
        if self.loaded is None:
            return
        if self.batcher is not None:
            self.batcher.close()  # ends what is in progress and frees the samplers first
            self.batcher = None
        llama_cpp.llama_free(self.loaded.ctx)
        llama_cpp.llama_model_free(self.loaded.model)
        self.loaded = None
        self.saved.clear()

    def set_adapter_key(self, key: str) -> None:
        """The LoRA adapters on the context changed (``key``: their fingerprint). Every slot's KV
        cells were computed under the old ones: long ones are kept as saved states of the old key,
        then every slot starts empty; saved states of other keys are never matched (kv_states.py).
        Only while no answer is in progress (the worker waits for that): adapters apply to the
        whole context, so a sequence mid-answer would go on under adapters it did not start with."""
        if key == self.saved.key:
            return
        if self.batcher is not None:
            self.batcher.drop_caches()
        self.saved.key = key

    # -- tokens --------------------------------------------------------------------------

    def _require(self) -> LoadedModel:
        if self.loaded is None:
            raise EngineError(M.NO_MODEL_LOADED)
        return self.loaded

    def token_text(self, token: int) -> str:
        if token < 0:
            return ""
        # Its own buffer: the reader thread (Worker.count) may call this while generate() fills _piece.
        buf = ctypes.create_string_buffer(256)
        n = llama_cpp.llama_token_to_piece(self._require().vocab, token, buf, len(buf), 0, True)
        return buf.raw[:max(n, 0)].decode("utf-8", "replace")

    def tokenize(self, text: str) -> list[int]:
        loaded = self._require()
        raw = text.encode("utf-8")
        bos = llama_cpp.llama_vocab_bos(loaded.vocab)
        # Templates usually write the BOS text themselves; add it only when they did not.
        add_bos = bool(llama_cpp.llama_vocab_get_add_bos(loaded.vocab))
        if add_bos and bos >= 0 and text.startswith(self.token_text(bos)):
            add_bos = False
        capacity = len(raw) + 8
        buf = (llama_cpp.llama_token * capacity)()
        n = llama_cpp.llama_tokenize(loaded.vocab, raw, len(raw), buf, capacity, add_bos, True)
        if n < 0:
            capacity = -n
            buf = (llama_cpp.llama_token * capacity)()
            n = llama_cpp.llama_tokenize(loaded.vocab, raw, len(raw), buf, capacity, add_bos, True)
        if n < 0:
            raise EngineError(M.TOKENIZE_FAILED)
        return list(buf[:n])

    # -- generation ----------------------------------------------------------------------

    def sequence(self, req: int, tokens: list[int], gp: GenerationParams, send: Callable[..., None],
                 interval: float = 0.0, trimmed: int = 0) -> Sequence:
        """A new answer for ``tokens`` (its sampler made, its grammar checked: EngineError when llama.cpp
        cannot parse it), to submit to ``batcher``."""
        loaded = self._require()
        if not tokens:
            raise EngineError(M.PROMPT_EMPTY)
        if len(tokens) >= loaded.n_ctx:
            raise EngineError(M.PROMPT_TOO_LONG, n_tokens=len(tokens), n_ctx=loaded.n_ctx)
        grammar = make_grammar(loaded.vocab, gp.grammar) if gp.grammar else None
        picker = TokenPicker(ctx=loaded.ctx, n_vocab=llama_cpp.llama_vocab_n_tokens(loaded.vocab), gp=gp,
                             grammar=grammar, vocab=loaded.vocab)
        return Sequence(req, tokens, gp, picker, loaded.vocab, send, interval, trimmed)

    def generate(self, tokens: list[int], gp: GenerationParams, emit: Callable[[str], None],
                 cancelled: Callable[[], bool] = lambda: False) -> AnswerStats:
        """One answer alone, start to end, ``emit(text)`` per piece (tests and benchmarks; the worker
        submits sequences to ``batcher`` and steps it itself)."""
        done: list[AnswerStats] = []

        def send(**event: Any) -> None:
            if event["ev"] == "token" and event["text"]:
                emit(event["text"])
            elif event["ev"] == "done":
                done.append(AnswerStats.from_dict(event["stats"]))
            elif event["ev"] == "error":
                raise EngineError(event["message"])

        assert self.batcher is not None
        seq = self.sequence(0, tokens, gp, send)
        self.batcher.submit(seq)
        while not done:
            if cancelled():
                self.batcher.cancel({0})
            self.batcher.step(lambda _req: cancelled())
        return done[0]


GGML_LOG_LEVEL_DEBUG, GGML_LOG_LEVEL_CONT = 1, 5


class _LogState(TypedDict):
    last: int  # the level a GGML_LOG_LEVEL_CONT line continues
    callback: object  # the ctypes callback, kept alive (None until installed)


_log_state: _LogState = {"last": 0, "callback": None}


def _install_log_filter() -> None:
    """Send llama.cpp's log to stderr without its debug lines (some come once per request)."""

    def log(level: int, text: bytes, _user: ctypes.c_void_p) -> None:
        if level == GGML_LOG_LEVEL_CONT:
            level = _log_state["last"]
        _log_state["last"] = level
        if level != GGML_LOG_LEVEL_DEBUG and text:
            os.write(2, text)

    callback = llama_cpp.llama_log_callback(log)
    _log_state["callback"] = callback  # llama.cpp keeps the pointer: keep the object alive
    llama_cpp.llama_log_set(callback, None)
