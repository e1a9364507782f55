"""Sentences of the hardware area (devices, estimates, the load guard)."""

from __future__ import annotations

from ..messages import QT_TRANSLATE_NOOP

# -- the load guard (core/hardware/guard.py) -------------------------------------------------
GUARD_NO_FIT = QT_TRANSLATE_NOOP(
    "core", "{model} needs about {need} on {device} with a context of {n_ctx:,} tokens (weights {weights}, "
            "KV cache {kv}, compute {compute}); with a {margin}% margin and {reserve} kept free that is "
            "{need_margin}, but only {free} is free.")
GUARD_TRY_CTX = QT_TRANSLATE_NOOP("core", "Try a context of {n_ctx:,} tokens.")
GUARD_TRY_LAYERS = QT_TRANSLATE_NOOP("core", "Try {layers} GPU layers (of {max_layers}).")
GUARD_TRY_BOTH = QT_TRANSLATE_NOOP("core", "Try {layers} GPU layers (of {max_layers}), or a context of {n_ctx:,} tokens.")
GUARD_NOTHING = QT_TRANSLATE_NOOP(
    "core", "Even a context of {n_ctx:,} tokens does not fit: close other programs or choose a smaller model file.")
GUARD_SENTENCE = QT_TRANSLATE_NOOP("core", "{problem} {advice}")

# -- the estimate command (core/hardware/cli.py) ---------------------------------------------
EST_BAD_LAYERS = QT_TRANSLATE_NOOP("core", "--gpu-layers takes a number of layers or auto, not {value}.")
EST_BAD_CTX = QT_TRANSLATE_NOOP("core", "--ctx takes a number of tokens of at least 16, not {value}.")
EST_BAD_STATE_CACHE = QT_TRANSLATE_NOOP("core", "--state-cache-mb takes a number of MiB of at least 0, not {value}.")
EST_STATES = QT_TRANSLATE_NOOP(
    "core", "Saved states: up to {budget} of RAM keeps recent conversations ready to switch back to; the "
            "engine gives it up first when the machine runs short of memory.")
EST_FITS = QT_TRANSLATE_NOOP("core", "fits")
EST_NO_FIT = QT_TRANSLATE_NOOP("core", "does not fit")
EST_UNKNOWN = QT_TRANSLATE_NOOP("core", "free memory unknown")
EST_MARGIN = QT_TRANSLATE_NOOP(
    "core", "Verdicts include a margin: the estimate plus {margin}%, plus {cpu_reserve} kept free on the CPU "
            "and {gpu_reserve} on a GPU.")
EST_NO_GPU = QT_TRANSLATE_NOOP(
    "core", "This llama.cpp build cannot offload to a GPU: everything stays on the CPU. Install a GPU build "
            "with `{command}`.")
MON_BAD_INTERVAL = QT_TRANSLATE_NOOP("core", "--interval takes a number of seconds above 0, not {value}.")
