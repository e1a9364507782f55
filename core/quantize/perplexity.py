"""Perplexity and KL divergence the way llama.cpp's tools/perplexity computes them.

The text is tokenized once (with BOS when the model adds one) and cut into non-overlapping windows
of ``n_ctx`` tokens; each window is evaluated from an empty cache with its first token replaced by
BOS, and only the second half is scored (every scored token has at least n_ctx/2 tokens of
context). PPL = exp(mean NLL); its ± is the standard error carried through the exponential.

KL divergence compares a model's token distributions with a base model's (usually the F16 source)
at the same scored positions: mean over positions of sum_v p_base(v)·(log p_base(v) − log p(v)),
with its standard error, plus how often both put the same token on top. The base's log-probs are
kept (float16, as llama.cpp keeps them 16-bit too) in a cache file, so one source serves many
quantized models.
"""

from __future__ import annotations

import hashlib
import math
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from collections.abc import Callable

import numpy as np

from . import messages as M
from .errors import QuantizeError
from .llama_eval import Evaluator, log_softmax, windows


@dataclass
class PerplexityResult:
    model: str
    n_ctx: int
    n_windows: int
    n_scored: int
    ppl: float
    ppl_err: float
    kl: float | None = None
    kl_err: float | None = None
    same_top: float | None = None  # fraction of positions where the top token matches the base's
    base: str | None = None

    def to_json(self) -> dict:
        return asdict(self)


def read_text(path: str | os.PathLike) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QuantizeError(M.TEXT_UNREADABLE, path=str(path), reason=str(exc)) from exc


def _mean_err(values: np.ndarray) -> tuple[float, float]:
    n = values.size
    mean = float(values.mean())
    if n < 2:
        return mean, 0.0
    var = float((values * values).mean() - mean * mean)
    return mean, math.sqrt(max(var, 0.0) / (n - 1))


def fitted_ctx(n_tokens: int, n_ctx: int, minimum: int = 64) -> int:
    """The largest power of two <= n_ctx that leaves two windows in the text (llama.cpp's rule)."""
    ctx = n_ctx
    while ctx > minimum and n_tokens < 2 * ctx:
        ctx //= 2
    return ctx


def evaluate(model: str | os.PathLike, text: str, *, n_ctx: int = 512, n_threads: int = 0,
             max_windows: int = 0, base_logprobs: np.ndarray | None = None, keep_logprobs: bool = False,
             fit_ctx: bool = False,
             on_progress: Callable[[int, int], bool] | None = None) -> tuple[PerplexityResult, np.ndarray | None]:
    """PPL of ``model`` on ``text``; KL vs ``base_logprobs`` when given. Returns the result and,
    with ``keep_logprobs``, this model's log-probs at the scored positions (float16). With
    ``fit_ctx`` a text too short for ``n_ctx`` is evaluated with a smaller power-of-two window."""
    if fit_ctx:
        with Evaluator(model, 64, n_threads) as probe:
            n_ctx = fitted_ctx(len(probe.tokenize(text)), n_ctx)
    with Evaluator(model, n_ctx, n_threads) as ev:
        tokens = ev.tokenize(text)
        if len(tokens) < 2 * n_ctx:  # llama.cpp's own rule
            raise QuantizeError(M.TEXT_TOO_SHORT, n=len(tokens), n_ctx=n_ctx, need=2 * n_ctx)
        chunks = list(windows(tokens, n_ctx))
        if max_windows:
            chunks = chunks[:max_windows]
        first = n_ctx // 2
        per_window = n_ctx - 1 - first
        n_scored = per_window * len(chunks)
        if base_logprobs is not None:
            if base_logprobs.shape[0] != n_scored:
                raise ValueError("base log-probs were computed on other windows")
            if base_logprobs.shape[1] != ev.n_vocab:
                raise QuantizeError(M.VOCAB_MISMATCH, a=base_logprobs.shape[1], b=ev.n_vocab)
        nll = np.empty(n_scored)
        # the base and the KL outputs in one tuple, so that one check narrows all three
        compare = ((base_logprobs, np.empty(n_scored), np.empty(n_scored, bool))
                   if base_logprobs is not None else None)
        kept = np.empty((n_scored, ev.n_vocab), np.float16) if keep_logprobs else None
        for w, chunk in enumerate(chunks):
            logits = ev.window_logits(chunk)
            logp = log_softmax(logits[first:n_ctx - 1])
            targets = np.asarray(chunk[first + 1:n_ctx])
            rows = slice(w * per_window, (w + 1) * per_window)
            nll[rows] = -logp[np.arange(per_window), targets]
            if kept is not None:
                kept[rows] = logp
            if compare is not None:
                base_all, kl, same = compare
                base = base_all[rows].astype(np.float64)
                kl[rows] = (np.exp(base) * (base - logp)).sum(axis=1)
                same[rows] = base.argmax(axis=1) == logp.argmax(axis=1)
            if on_progress is not None and on_progress(w + 1, len(chunks)) is False:
                raise QuantizeError(M.CANCELLED)
    mean, err = _mean_err(nll)
    ppl = math.exp(mean)
    result = PerplexityResult(str(model), n_ctx, len(chunks), n_scored, ppl, ppl * err)
    if compare is not None:
        _, kl, same = compare
        result.kl, result.kl_err = _mean_err(kl)
        result.same_top = float(same.mean())
    return result, kept


def base_cache_key(model: str | os.PathLike, text: str, n_ctx: int, max_windows: int) -> str:
    st = Path(model).stat()
    h = hashlib.sha256()
    for part in (str(Path(model).resolve()), st.st_size, st.st_mtime_ns, n_ctx, max_windows):
        h.update(str(part).encode() + b"\0")
    h.update(text.encode("utf-8"))
    return h.hexdigest()[:24]


CACHE_KEEP = 6  # base log-prob files kept (each n_scored x n_vocab float16)


def _prune(cache_dir: Path) -> None:
    files = sorted(cache_dir.glob("*.npy"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in files[CACHE_KEEP:]:
        old.unlink(missing_ok=True)
        old.with_suffix(".json").unlink(missing_ok=True)


def base_logprobs(model: str | os.PathLike, text: str, *, n_ctx: int, n_threads: int = 0, max_windows: int = 0,
                  cache_dir: Path | None = None,
                  on_progress: Callable[[int, int], bool] | None = None) -> tuple[PerplexityResult, np.ndarray]:
    """The base model's PPL and log-probs, from the cache when this exact model/text/ctx was done."""
    import json

    if cache_dir is None:
        from ..paths import cache_dir as _cache

        cache_dir = _cache() / "kl-base"
    key = base_cache_key(model, text, n_ctx, max_windows)
    npy, meta = cache_dir / f"{key}.npy", cache_dir / f"{key}.json"
    if npy.exists() and meta.exists():
        try:
            return PerplexityResult(**json.loads(meta.read_text())), np.load(npy)
        except (OSError, ValueError, TypeError):
            pass  # a damaged cache entry is recomputed
    result, logp = evaluate(model, text, n_ctx=n_ctx, n_threads=n_threads, max_windows=max_windows,
                            keep_logprobs=True, on_progress=on_progress)
    assert logp is not None  # keep_logprobs=True always returns them
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = npy.with_name(npy.name + ".part.npy")
    np.save(tmp, logp)
    os.replace(tmp, npy)
    meta.write_text(json.dumps(result.to_json()))
    _prune(cache_dir)
    return result, logp


def kl_divergence(base_model: str | os.PathLike, model: str | os.PathLike, text: str, *, n_ctx: int,
                  n_threads: int = 0, max_windows: int = 0, cache_dir: Path | None = None, fit_ctx: bool = False,
                  on_progress: Callable[[int, int], bool] | None = None) -> tuple[PerplexityResult, PerplexityResult]:
    """(base result, model result with KL vs the base) on the same windows of ``text``."""
    if fit_ctx:
        with Evaluator(base_model, 64, n_threads) as probe:
            n_ctx = fitted_ctx(len(probe.tokenize(text)), n_ctx)
    base, logp = base_logprobs(base_model, text, n_ctx=n_ctx, n_threads=n_threads, max_windows=max_windows,
                               cache_dir=cache_dir, on_progress=on_progress)
    result, _ = evaluate(model, text, n_ctx=n_ctx, n_threads=n_threads, max_windows=max_windows,
                         base_logprobs=logp, on_progress=on_progress)
    result.base = str(base_model)
    return base, result
