"""Will a model file fit on this machine?

``estimate_verdict``: from the GGUF header through core/hardware/estimate.py (weights per layer,
KV cache, compute buffers) at a stated context, with as many GPU layers as fit ("auto"); the
header comes from the file on disk or, before a download, from the hub (remote_header.py).

``verdict``: the fallback when no header can be read: weights ≈ the file size, plus an allowance
for the KV cache and compute buffers at a few thousand tokens of context (15 % of the weights, at
least 0.5 GiB), compared with the GPUs' free memory and available RAM, keeping 1 GiB for the system.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from ..messages import Msg, msg
from . import messages as M
from .names import human_size

GiB = 1024 ** 3
SYSTEM_RESERVE = 1 * GiB


@dataclass(frozen=True)
class Budget:
    ram_available: int
    ram_total: int
    device_free: int = 0  # GPU devices together (0 without a GPU build or GPU)
    device_name: str = ""

    def to_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


_LABELS = {"fits": M.FIT_FITS, "partial": M.FIT_PARTIAL, "cpu": M.FIT_CPU_ONLY, "tight": M.FIT_TIGHT,
           "no": M.FIT_NO}


@dataclass(frozen=True)
class Fit:
    verdict: str  # fits | partial (some layers on the GPU) | cpu (GPU present, none fit) | tight | no
    need: int  # bytes, margins included (all devices together)
    free: int
    where: str  # "RAM" or the GPU's name
    source: str = "size"  # "estimate": from the GGUF header; "size": the file-size guess
    estimate_detail: Msg | None = None  # the estimate's numbers per device
    reason: Msg | str | None = None  # why only the size guess was possible
    n_ctx: int = 0
    gpu_layers: int = 0
    max_layers: int = 0
    total: int = 0  # the estimate without margins

    @property
    def label(self) -> Msg:
        return msg(_LABELS[self.verdict])

    @property
    def detail(self) -> Msg:
        if self.estimate_detail is not None:
            return self.estimate_detail
        guess = msg(M.FIT_DETAIL, need=human_size(self.need), free=human_size(self.free), where=self.where)
        return msg(M.FIT_SIZE_ONLY, detail=guess, reason=self.reason) if self.reason is not None else guess

    def to_dict(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "label": str(self.label), "need": self.need, "free": self.free,
                "where": self.where, "detail": str(self.detail), "source": self.source,
                "reason": str(self.reason) if self.reason is not None else None, "n_ctx": self.n_ctx,
                "gpu_layers": self.gpu_layers, "max_layers": self.max_layers, "total": self.total}

    def with_reason(self, reason: Msg | str) -> Fit:
        from dataclasses import replace

        return replace(self, reason=reason)


def default_n_ctx(n_ctx_train: int | None, setting: int | None = None) -> int:
    """The context a verdict is stated for: the app's default context, or less if the model was
    trained on less."""
    if setting is None:
        from ..settings import load_settings

        setting = int(load_settings().n_ctx)
    return min(int(n_ctx_train), int(setting)) if n_ctx_train else int(setting)


def estimate_verdict(info: Any, devices: Any, n_ctx: int | None = None) -> Fit:
    """The fit of a model (a GGUFInfo, or a path) at ``n_ctx`` (default: ``default_n_ctx``) with
    as many GPU layers as fit, against ``devices`` (core.hardware.estimate.Device, CPU first)."""
    from ..hardware.estimate import MARGIN_FRACTION, estimate
    from ..hardware.guard import format_bytes
    from ..modelfile import read_gguf

    if not hasattr(info, "metadata"):
        info = read_gguf(info)
    n_ctx = n_ctx or default_n_ctx(info.context_length)
    est = estimate(info, n_ctx=n_ctx, gpu_layers="auto", devices=devices)
    cpu = est.device("cpu")
    gpus = [d for d in est.devices if d.kind != "cpu"]
    max_layers = est.n_layer + 1
    used = [d for d in est.devices if d.kind == "cpu" or d.layers or d.output_layer]  # a GPU given nothing needs nothing
    need = sum(d.need_with_margin for d in used)
    free = sum(d.free_bytes or 0 for d in est.devices)
    margin = round(MARGIN_FRACTION * 100)
    ram_free = (cpu.free_bytes or 0) if cpu else 0
    if any(d.fits is not True for d in used):
        verdict_ = "no"  # over a device's free memory (or its free memory unknown)
    elif gpus and est.gpu_layers >= max_layers:
        verdict_ = "fits"
    elif gpus and est.gpu_layers > 0:
        verdict_ = "partial"
    elif gpus:
        verdict_ = "cpu"
    else:
        verdict_ = "fits"
    if gpus:
        gpu_need = sum(d.need_with_margin for d in gpus if d in used)
        gpu_free = sum(d.free_bytes or 0 for d in gpus)
        where = ", ".join(d.name for d in gpus)
        detail = msg(M.FIT_EST_GPU, n_ctx=est.n_ctx, layers=est.gpu_layers, max_layers=max_layers, gpu=where,
                     gpu_need=format_bytes(gpu_need), gpu_free=format_bytes(gpu_free),
                     ram_need=format_bytes(cpu.need_with_margin if cpu else 0), ram_free=format_bytes(ram_free),
                     margin=margin)
    else:
        where = "RAM"
        detail = msg(M.FIT_EST_CPU, n_ctx=est.n_ctx, need=format_bytes(cpu.need_with_margin if cpu else need),
                     free=format_bytes(ram_free), margin=margin)
    return Fit(verdict_, need, free, where, source="estimate", estimate_detail=detail, n_ctx=est.n_ctx,
               gpu_layers=est.gpu_layers, max_layers=max_layers, total=est.total)


def memory_needed(file_size: int) -> int:
    return int(file_size + max(GiB // 2, 0.15 * file_size))


def verdict(file_size: int, budget: Budget) -> Fit:
    """fits: all of it in GPU memory (or in RAM without a GPU); tight: only with part of it in RAM,
    or by pushing the system into its last gigabyte; no: more than the machine has."""
    need = memory_needed(file_size)
    ram_free = max(0, budget.ram_available - SYSTEM_RESERVE)
    if budget.device_free > 0:
        where = budget.device_name or "GPU"
        if need <= budget.device_free:
            return Fit("fits", need, budget.device_free, where)
        if need <= budget.device_free + ram_free:
            return Fit("tight", need, budget.device_free + ram_free, where + " + RAM")
        return Fit("no", need, budget.device_free + ram_free, where + " + RAM")
    if need <= ram_free:
        return Fit("fits", need, ram_free, "RAM")
    if need <= max(0, budget.ram_total - SYSTEM_RESERVE):
        return Fit("tight", need, ram_free, "RAM")
    return Fit("no", need, ram_free, "RAM")


def devices_from_budget(budget: Budget) -> list[Any]:
    """Estimate devices (CPU first) holding the same memory as a Budget: the RAM available, and
    the GPUs' free memory together as one device."""
    from ..hardware.estimate import Device

    devices = [Device("CPU", "cpu", budget.ram_available, budget.ram_total)]
    if budget.device_free:
        devices.append(Device(budget.device_name or "GPU", "gpu", budget.device_free, budget.device_free))
    return devices


def local_fit(paths: Any, devices: Any, n_ctx: int | None = None) -> Fit:
    """The estimate's verdict for a model on disk: one path, or the parts of a split GGUF in
    order (the first part's metadata, every part's tensors)."""
    from ..modelfile import read_gguf

    paths = [paths] if isinstance(paths, (str, bytes)) or hasattr(paths, "__fspath__") else list(paths)
    info = read_gguf(paths[0])
    for part in paths[1:]:
        info.tensors.extend(read_gguf(part).tensors)
    return estimate_verdict(info, devices, n_ctx)


_cached: Budget | None = None
_lock = threading.Lock()


def machine_budget(devices: list[dict[str, Any]] | None = None, refresh: bool = False) -> Budget:
    """RAM from psutil; GPU memory from ggml's devices, asked in a child process (it loads llama.cpp).

    Pass ``devices`` (dicts as ggml_devices.BackendDevice.to_dict) when already known.
    """
    global _cached
    import psutil

    with _lock:
        if _cached is not None and not refresh and devices is None:
            vm = psutil.virtual_memory()
            return Budget(vm.available, vm.total, _cached.device_free, _cached.device_name)
        if devices is None:
            from ..hardware.probe import probe_build

            devices = probe_build().get("devices") or []
        gpus = [d for d in devices if d.get("kind") in ("gpu", "accel")]
        vm = psutil.virtual_memory()
        _cached = Budget(vm.available, vm.total, sum(int(d.get("free_bytes") or 0) for d in gpus),
                         ", ".join(d.get("description") or d.get("name") or "" for d in gpus))
        return _cached
