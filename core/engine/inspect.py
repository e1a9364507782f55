"""The prompt inspector's view of a chat request (engine process, reader thread): the exact text
and tokens chat() would evaluate -- rendered, fitted to the context -- each token's piece and
kind (special tokens are 'control'), and how many tokens the KV cache already holds.
"""

from __future__ import annotations

from typing import Any

from .kv_states import common_prefix_length
from .protocol import GenerationParams


def inspect_prompt(worker: Any, message: dict[str, Any]) -> dict[str, Any]:
    from ..prompt.pieces import describe, joined
    from .adapters import key_of
    from .runner import MIN_STATE_TOKENS

    runner = worker.runner
    params = GenerationParams.from_dict(message.get("params", {}))
    tokens, note, trimmed, kept = worker.prompt(message, params)
    # What batching._prepare would keep: a slot's common prefix, or a longer saved state.
    # The adapters requested must be the ones in use, else nothing is reused.
    specs = message.get("adapters")
    same_adapters = specs is None or key_of(specs) == runner.saved.key
    # The slot chat() would most likely take: the idle one sharing the longest prefix (any slot
    # when all are busy; the request would queue). list(): the main thread may change them.
    batcher = runner.batcher
    slots = list(batcher.slots) if batcher is not None else []
    idle = [s for s in slots if s.seq is None] or slots
    cached = max((common_prefix_length(list(s.cached), tokens) for s in idle), default=0) if same_adapters else 0
    saved = runner.saved.best(tokens, touch=False) if same_adapters else None
    if saved is not None and saved[1] >= cached + MIN_STATE_TOKENS:
        cached = saved[1]
    cached = min(cached, len(tokens) - 1) if tokens else 0  # the last token is always evaluated
    pieces = describe(runner.loaded.vocab, tokens)
    return {
        "text": joined(pieces),
        "tokens": len(tokens),
        "pieces": pieces,
        "cached": max(cached, 0),
        "n_ctx": worker.info["n_ctx"],
        "trimmed": trimmed,
        "messages": kept,
        "note": note.to_json() if note is not None else None,
    }

