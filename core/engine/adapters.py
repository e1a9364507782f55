"""LoRA adapters on the engine's live context (runs only in the engine process).

``llama_adapter_lora_init`` loads an adapter's matrices once per model; ``llama_set_adapters_lora``
then swaps the set applied to the context with a scale each, without reloading the model. The
set's ``fingerprint`` names what the KV cache was computed under: the runner keys its prefix reuse
and its saved states by it, so a cache made under other adapters is never reused.
"""

from __future__ import annotations

import ctypes
import os
from pathlib import Path
from typing import Any

import llama_cpp

from ..errors import EngineError
from ..lora import messages as LM


def fingerprint(applied: list[tuple[str, float]]) -> str:
    """The same string for the same adapters at the same scales; '' for none (zero scales are
    skipped by llama.cpp, so they compute exactly what the base model does)."""
    return "|".join(f"{path}@{scale!r}" for path, scale in sorted(applied) if scale != 0.0)


def _scale(value: Any) -> float:
    return float(ctypes.c_float(float(value)).value)  # as llama.cpp holds it


def key_of(specs: list[dict[str, Any]]) -> str:
    """The fingerprint ``specs`` would have once applied."""
    return fingerprint([(str(s["path"]), _scale(s["scale"])) for s in specs])


class AdapterSet:
    """Adapters loaded for one model, and the set applied to its context. Not thread-safe."""

    def __init__(self) -> None:
        self.loaded: dict[str, Any] = {}  # path -> llama_adapter_lora pointer
        self.applied: list[tuple[str, float]] = []

    def apply(self, model: Any, ctx: Any, specs: list[dict[str, Any]]) -> str:
        """Apply ``[{"path", "scale"}, ...]`` (loading what is new); returns the fingerprint.
        A file llama.cpp refuses raises EngineError, and the set in use stays as it was."""
        for spec in specs:
            path = str(spec["path"])
            if path not in self.loaded:
                handle = llama_cpp.llama_adapter_lora_init(model, os.fsencode(path))
                if not handle:
                    raise EngineError(LM.LORA_LOAD_FAILED, name=Path(path).name)
                self.loaded[path] = handle
        applied = [(str(s["path"]), _scale(s["scale"])) for s in specs]
        n = len(applied)
        handles = (llama_cpp.llama_adapter_lora_p_ctypes * n)(*[self.loaded[p] for p, _ in applied])
        scales = (ctypes.c_float * n)(*[s for _, s in applied])
        llama_cpp.llama_set_adapters_lora(ctx, handles if n else None, n, scales if n else None)
        self.applied = applied
        return fingerprint(applied)

    def names(self) -> list[dict[str, Any]]:
        return [{"name": Path(p).name, "path": p, "scale": s} for p, s in self.applied if s != 0.0]

    def release(self, ctx: Any) -> None:
        """Detach every adapter from ``ctx`` and free them (before the model they belong to goes)."""
        if ctx is not None:
            llama_cpp.llama_set_adapters_lora(ctx, None, 0, None)
        for handle in self.loaded.values():
            llama_cpp.llama_adapter_lora_free(handle)
        self.loaded.clear()
        self.applied = []
