"""Will a model file fit on this machine? One verdict function, kept here in one place so that it
can later be switched to core/hardware/estimate.py's fuller memory estimate.

The estimate: weights ≈ the file size, plus an allowance for the KV cache and compute buffers at a
few thousand tokens of context (15 % of the weights, at least 0.5 GiB). It is compared with the
free memory of the GPU devices ggml reports and with available RAM, keeping 1 GiB for the system.
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


@dataclass(frozen=True)
class Fit:
    verdict: str  # fits | tight | no
    need: int
    free: int
    where: str  # "RAM" or the GPU's name

    @property
    def label(self) -> Msg:
        return msg({"fits": M.FIT_FITS, "tight": M.FIT_TIGHT, "no": M.FIT_NO}[self.verdict])

    @property
    def detail(self) -> Msg:
        return msg(M.FIT_DETAIL, need=human_size(self.need), free=human_size(self.free), where=self.where)

    def to_dict(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "label": str(self.label), "need": self.need, "free": self.free,
                "where": self.where, "detail": str(self.detail)}


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
