"""llama.cpp itself: load a GGUF, evaluate a prompt, sample tokens. Runs only in the engine process.

Written on llama-cpp-python's low-level ctypes API (pinned at 0.3.36) rather than its ``Llama``
class: ``Llama`` cannot report load progress, and its streaming re-detokenizes the whole answer
on every token (0.94x of a raw decode loop at 1,500 tokens). Here each token costs one
``llama_decode``, one choice of token (sampling.py) and one ``llama_token_to_piece``.
"""

from __future__ import annotations

import codecs
import ctypes
import os
import time
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Callable

import llama_cpp

from .. import messages as M
from ..errors import EngineError
from .kv_states import SavedStates, common_prefix_length, restore_sequence, save_sequence
from .offload_params import apply_offload_params
from .protocol import AnswerStats, GenerationParams, LoadParams
from .sampling import TokenPicker

# Save or restore a KV state only when that spares evaluating at least this many tokens.
MIN_STATE_TOKENS = 256

# llama_decode's return codes (llama.h)
DECODE_NO_KV_SLOT = 1
DECODE_ABORTED = 2


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
    n_ctx: int


class LlamaRunner:
    """One model and one context. Not thread-safe: the engine's main thread owns it."""

    def __init__(self) -> None:
        llama_cpp.llama_backend_init()
        _install_log_filter()
        self.loaded: LoadedModel | None = None
        self.path: Path | None = None
        self.cached_tokens: list[int] = []  # what the KV cache holds for sequence 0
        self.saved = SavedStates(0)
        self._piece = ctypes.create_string_buffer(256)
        self._one = (llama_cpp.llama_token * 1)()
        self._one_batch = llama_cpp.llama_batch_get_one(self._one, 1)
        self._abort_cb = None  # keep the ctypes callback alive while llama.cpp holds it

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
        cparams.n_ctx = params.n_ctx
        cparams.n_batch = params.n_batch
        cparams.n_ubatch = min(params.n_batch, 512)
        cparams.n_threads = threads
        cparams.n_threads_batch = threads
        cparams.no_perf = True
        apply_offload_params(cparams, params)
        ctx = llama_cpp.llama_init_from_model(model, cparams)
        if not ctx:
            llama_cpp.llama_model_free(model)
            raise EngineError(M.LLAMA_CONTEXT_FAILED, n_ctx=params.n_ctx, name=Path(params.path).name)
        vocab = llama_cpp.llama_model_get_vocab(model)
        self.loaded = LoadedModel(model, ctx, vocab, llama_cpp.llama_get_memory(ctx), llama_cpp.llama_n_ctx(ctx))
        self.path = Path(params.path)
        self.cached_tokens = []
        self.saved = SavedStates(params.state_cache_mb * 1024 * 1024)
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
            "n_ctx": self.loaded.n_ctx,
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
        llama_cpp.llama_free(self.loaded.ctx)
        llama_cpp.llama_model_free(self.loaded.model)
        self.loaded = None
        self.cached_tokens = []
        self.saved.clear()

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

    def _evaluate_prompt(self, tokens: list[int], n_batch: int, cancelled: Callable[[], bool]) -> int:
        """Bring the KV cache to ``tokens``, evaluating only what it does not already hold.

        Returns how many tokens were evaluated. The last token is always evaluated, so that
        logits exist to sample from.
        """
        loaded = self._require()
        keep = common_prefix_length(self.cached_tokens, tokens)
        if len(self.cached_tokens) - keep >= MIN_STATE_TOKENS:
            self._save_state()  # about to drop a long stretch: it may be wanted again
        saved = self.saved.best(tokens)
        if saved is not None and saved[1] >= keep + MIN_STATE_TOKENS:
            keep = saved[1] if self._restore_state(saved[0]) else 0
        if keep == len(tokens):
            keep -= 1
        if keep < len(self.cached_tokens):
            if not llama_cpp.llama_memory_seq_rm(loaded.memory, 0, keep, -1):
                keep = 0  # this memory cannot drop a tail (recurrent models): start over
                llama_cpp.llama_memory_clear(loaded.memory, True)
            del self.cached_tokens[keep:]
        todo = tokens[keep:]
        # Never more per decode than the context was made for (llama.cpp aborts the process otherwise).
        n_batch = max(1, min(n_batch, llama_cpp.llama_n_batch(loaded.ctx)))

        def abort(_data: ctypes.c_void_p) -> bool:
            return cancelled()

        self._abort_cb = llama_cpp.ggml_abort_callback(abort)
        llama_cpp.llama_set_abort_callback(loaded.ctx, self._abort_cb, None)
        try:
            for start in range(0, len(todo), n_batch):
                chunk = todo[start:start + n_batch]
                arr = (llama_cpp.llama_token * len(chunk))(*chunk)
                rc = llama_cpp.llama_decode(loaded.ctx, llama_cpp.llama_batch_get_one(arr, len(chunk)))
                if rc == DECODE_ABORTED:
                    # Drop whatever part of the chunk reached the cache.
                    llama_cpp.llama_memory_seq_rm(loaded.memory, 0, len(self.cached_tokens), -1)
                    raise _Cancelled()
                if rc != 0:
                    self._reset_cache()
                    raise EngineError(M.EVAL_FAILED, rc=rc)
                self.cached_tokens.extend(chunk)
        finally:
            # The callback costs a Python call per graph node: keep it off while generating.
            llama_cpp.llama_set_abort_callback(loaded.ctx, llama_cpp.ggml_abort_callback(), None)
        return len(todo)

    def set_adapter_key(self, key: str) -> None:
        """The LoRA adapters on the context changed (``key``: their fingerprint). The KV cache was
        computed under the old ones: keep it as a saved state of the old key, then start empty;
        saved states of other keys are never matched (kv_states.py)."""
        if key == self.saved.key:
            return
        if len(self.cached_tokens) >= MIN_STATE_TOKENS:
            self._save_state()
        self._reset_cache()
        self.saved.key = key

    def _save_state(self) -> None:
        save_sequence(self._require().ctx, self.saved, self.cached_tokens)

    def _restore_state(self, state) -> bool:
        loaded = self._require()
        llama_cpp.llama_memory_seq_rm(loaded.memory, 0, -1, -1)
        if not restore_sequence(loaded.ctx, state):
            self._reset_cache()
            return False
        self.cached_tokens = list(state.tokens)
        return True

    def _reset_cache(self) -> None:
        loaded = self._require()
        llama_cpp.llama_memory_clear(loaded.memory, True)
        self.cached_tokens = []

    def generate(self, tokens: list[int], gp: GenerationParams, emit: Callable[[str], None],
                 cancelled: Callable[[], bool], n_batch: int = 512,
                 before_first_decode: Callable[[], None] | None = None) -> AnswerStats:
        """Evaluate ``tokens`` and sample an answer, calling ``emit(text)`` per decoded piece."""
        loaded = self._require()
        started = time.perf_counter()
        stats = AnswerStats(prompt_tokens=len(tokens))
        if not tokens:
            raise EngineError(M.PROMPT_EMPTY)
        if len(tokens) >= loaded.n_ctx:
            raise EngineError(M.PROMPT_TOO_LONG, n_tokens=len(tokens), n_ctx=loaded.n_ctx)
        if before_first_decode is not None:
            before_first_decode()
        try:
            stats.evaluated_tokens = self._evaluate_prompt(tokens, n_batch, cancelled)
        except _Cancelled:
            stats.stop_reason = "cancelled"
            stats.total_s = time.perf_counter() - started
            return stats

        picker = TokenPicker(ctx=loaded.ctx, n_vocab=llama_cpp.llama_vocab_n_tokens(loaded.vocab), gp=gp)
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        vocab, ctx, piece, one, batch = loaded.vocab, loaded.ctx, self._piece, self._one, self._one_batch
        cached = self.cached_tokens
        n_ctx = loaded.n_ctx
        first_at = last_at = 0.0
        n_gen = 0
        try:
            while True:
                token = picker.pick()
                last_at = time.perf_counter()
                if n_gen == 0:
                    first_at = last_at
                    stats.ttft_s = first_at - started
                if llama_cpp.llama_vocab_is_eog(vocab, token):
                    stats.stop_reason = "eos"
                    break
                n_gen += 1
                n = llama_cpp.llama_token_to_piece(vocab, token, piece, 256, 0, False)
                text = decoder.decode(piece.raw[:n]) if n > 0 else ""
                if text:
                    emit(text)
                if n_gen >= gp.max_tokens:
                    stats.stop_reason = "length"
                    break
                if cancelled():
                    stats.stop_reason = "cancelled"
                    break
                if len(cached) + 1 >= n_ctx:
                    stats.stop_reason = "context"
                    break
                one[0] = token
                rc = llama_cpp.llama_decode(ctx, batch)
                if rc != 0:
                    self._reset_cache()
                    raise EngineError(M.GENERATE_FAILED, rc=rc)
                cached.append(token)
        finally:
            picker.close()
        tail = decoder.decode(b"", final=True)
        if tail:
            emit(tail)
        stats.completion_tokens = n_gen
        stats.total_s = time.perf_counter() - started
        if n_gen > 1 and last_at > first_at:
            stats.tokens_per_s = (n_gen - 1) / (last_at - first_at)
        return stats


class _Cancelled(Exception):
    pass


GGML_LOG_LEVEL_DEBUG, GGML_LOG_LEVEL_CONT = 1, 5
_log_state = {"last": 0, "callback": None}


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
