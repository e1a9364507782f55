"""Before a load: does the estimate fit the free memory? If not, one sentence with the numbers
and what to try instead (fewer GPU layers, a smaller context).

The engine's saved-state cache (core/engine/kv_states.py) is counted at its budget. It is the one
part that can give way: when the model fits but the full cache would not, the load goes ahead with
the cache cut to the memory left (``GuardVerdict.state_cache_mb``), rather than refusing a model
that fits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from collections.abc import Sequence

from ..messages import Msg, msg
from . import messages as HM
from .estimate import MARGIN_FRACTION, MIB, RESERVE_BYTES, Device, DeviceEstimate, MemoryEstimate, estimate

MIN_CTX = 512


def default_state_cache_mb() -> int:
    """The engine's saved-state budget when nothing else is asked (LoadParams' default)."""
    from ..engine.protocol import DEFAULT_STATE_CACHE_MB

    return DEFAULT_STATE_CACHE_MB


def format_bytes(n: int | float) -> str:
    """1536 -> '1.5 KiB'; binary units, three significant figures."""
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(value) < 1024 or unit == "TiB":
            if unit == "B":
                return f"{int(value)} B"
            return f"{value:.1f} {unit}" if value < 100 else f"{value:.0f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"


@dataclass
class GuardVerdict:
    ok: bool
    estimate: MemoryEstimate
    message: Msg | None = None
    suggested_n_ctx: int | None = None
    suggested_gpu_layers: int | None = None
    state_cache_mb: int = 0  # the saved-state budget to load with (LoadParams.state_cache_mb)


def _estimate(path: Any, n_ctx: int, gpu_layers: int | str, kv_k: str, kv_v: str, flash_attn: str,
              devices: Sequence[Device], state_cache_mb: int = 0) -> MemoryEstimate:
    return estimate(path, n_ctx=n_ctx, gpu_layers=gpu_layers, kv_type=kv_k, kv_type_v=kv_v,
                    flash_attn=flash_attn != "off", devices=devices, state_cache_bytes=state_cache_mb * MIB)


def check_load(path: Any, n_ctx: int, n_gpu_layers: int = 0, type_k: str = "f16", type_v: str = "f16",
               flash_attn: str = "auto", devices: Sequence[Device] | None = None,
               state_cache_mb: int | None = None) -> GuardVerdict:
    """Compare the estimate, saved-state cache included (``state_cache_mb``, default the engine's),
    with free memory. ``devices`` default to this machine's (psutil for RAM; the GPUs as llama.cpp
    lists them, probed in a child process)."""
    if devices is None:
        from .devices import memory_devices

        devices = memory_devices()
    cache_mb = default_state_cache_mb() if state_cache_mb is None else max(0, int(state_cache_mb))
    est = _estimate(path, n_ctx, n_gpu_layers, type_k, type_v, flash_attn, devices, cache_mb)
    if not any(d.fits is False for d in est.devices):
        return GuardVerdict(True, est, state_cache_mb=cache_mb)
    if cache_mb:
        # Without the cache? Then the model fits, and the cache gets what the margin leaves.
        est = _estimate(path, n_ctx, n_gpu_layers, type_k, type_v, flash_attn, devices)
        cpu = est.device("cpu")
        if not any(d.fits is False for d in est.devices) and cpu is not None and cpu.free_bytes:
            left_mb = max(0, (cpu.free_bytes - cpu.need_with_margin) // MIB)
            cache_mb = min(cache_mb, left_mb)
            est = _estimate(path, n_ctx, n_gpu_layers, type_k, type_v, flash_attn, devices, cache_mb)
            return GuardVerdict(True, est, state_cache_mb=cache_mb)
    failing = [d for d in est.devices if d.fits is False]
    worst = failing[0]
    problem = _problem(est, worst)
    # What would fit: the same context with fewer GPU layers, or a smaller context.
    layers = None
    if worst.kind != "cpu":
        auto = _estimate(path, n_ctx, "auto", type_k, type_v, flash_attn, devices)
        if auto.fits is not False and auto.gpu_layers < est.gpu_layers:
            layers = auto.gpu_layers
    ctx = None
    candidate = 1 << max(n_ctx - 1, 1).bit_length()  # halving from the power of two at or above
    while candidate > MIN_CTX:
        candidate = max(MIN_CTX, candidate // 2)
        if candidate >= n_ctx:
            continue
        if _estimate(path, candidate, n_gpu_layers, type_k, type_v, flash_attn, devices).fits is not False:
            ctx = candidate
            break
    max_layers = est.n_layer + 1
    if layers is not None and ctx is not None:
        advice = msg(HM.GUARD_TRY_BOTH, layers=layers, max_layers=max_layers, n_ctx=ctx)
    elif layers is not None:
        advice = msg(HM.GUARD_TRY_LAYERS, layers=layers, max_layers=max_layers)
    elif ctx is not None:
        advice = msg(HM.GUARD_TRY_CTX, n_ctx=ctx)
    else:
        advice = msg(HM.GUARD_NOTHING, n_ctx=MIN_CTX)
    return GuardVerdict(False, est, msg(HM.GUARD_SENTENCE, problem=problem, advice=advice), ctx, layers, 0)


def _problem(est: MemoryEstimate, dev: DeviceEstimate) -> Msg:
    from pathlib import Path

    return msg(HM.GUARD_NO_FIT, model=Path(est.model).name, need=format_bytes(dev.total), device=dev.name,
               n_ctx=est.n_ctx, weights=format_bytes(dev.weights + dev.repacked), kv=format_bytes(dev.kv_cache),
               compute=format_bytes(dev.compute), margin=round(MARGIN_FRACTION * 100),
               reserve=format_bytes(RESERVE_BYTES.get(dev.kind, 0)), need_margin=format_bytes(dev.need_with_margin),
               free=format_bytes(dev.free_bytes or 0))
