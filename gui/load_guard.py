"""Check that a model fits before loading it (core/hardware/guard.py), off the UI thread.

``guarded_load(owner, path, settings, proceed, refuse)``: reads the model's remembered offload
choice, resolves "auto" GPU layers, compares the estimate with free memory, then calls
``proceed(load_kwargs)`` (keyword arguments for ChatSession.load) or ``refuse(sentence)`` on the
UI thread. Anything the guard itself cannot judge (an unreadable file) goes on to the load, whose
own error names the problem.
"""

from __future__ import annotations

from typing import Any
from collections.abc import Callable

from PySide6.QtCore import QObject

from hearthlm.core.hardware.offload_store import get_choice

from .detached_job import run_detached
from .jobs import Job
from .messages import tr_msg


def _judge(path: str, n_ctx: int, default_layers: int) -> tuple[dict[str, Any], Any]:
    """On the job's thread: (load keyword arguments, refusal sentence or None)."""
    from hearthlm.core.hardware.devices import cpu_device, memory_devices
    from hearthlm.core.hardware.estimate import estimate
    from hearthlm.core.hardware.guard import check_load

    kwargs = get_choice(path).load_params(default_layers)
    try:
        layers = kwargs["n_gpu_layers"]
        # Only a GPU load needs the GPU list (a child process probes llama.cpp once per run).
        devices = [cpu_device()] if layers == 0 else memory_devices()
        if layers == "auto":
            layers = estimate(path, n_ctx=n_ctx, gpu_layers="auto", kv_type=kwargs["type_k"],
                              flash_attn=kwargs["flash_attn"] != "off", devices=devices).gpu_layers
            kwargs["n_gpu_layers"] = layers
        verdict = check_load(path, n_ctx, layers, kwargs["type_k"], kwargs["type_v"], kwargs["flash_attn"], devices)
        # The saved-state cache as the guard counted it (cut to what is free when memory is short).
        kwargs["state_cache_mb"] = verdict.state_cache_mb
    except Exception:
        if kwargs["n_gpu_layers"] == "auto":
            kwargs["n_gpu_layers"] = 0
        return kwargs, None
    return kwargs, (None if verdict.ok else verdict.message)


def guarded_load(owner: QObject, path: str, settings: Any, proceed: Callable[[dict[str, Any]], None],
                 refuse: Callable[[str], None], n_ctx: int | None = None) -> Job:
    """``n_ctx`` overrides the settings' context size (a conversation may choose its own)."""
    n_ctx, layers = n_ctx or settings.n_ctx, settings.n_gpu_layers  # read on the UI thread

    def done(result: tuple[dict[str, Any], Any]) -> None:
        kwargs, refusal = result
        if refusal is not None:
            refuse(tr_msg(refusal))
        else:
            proceed(kwargs)

    return run_detached(owner, lambda _emit: _judge(path, n_ctx, layers), done, lambda _exc: proceed({}))
