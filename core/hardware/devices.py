"""Where memory can go, and how much is free: the CPU's RAM (psutil) and llama.cpp's GPUs.

GPU devices come from ggml's device list, read in a child process (``probe.probe_build``) so that
neither the window nor the CLI loads llama.cpp; the answer is cached for the process's lifetime
(devices do not come and go), while free memory is read again for every estimate: RAM through
psutil, GPU memory through NVML or sysfs when those readers can see the card.
"""

from __future__ import annotations

import threading
from typing import Any

from .estimate import Device

_probe_lock = threading.Lock()
_probe_cache: dict[str, Any] = {}


def cpu_device() -> Device:
    import psutil

    vm = psutil.virtual_memory()
    return Device("CPU", "cpu", int(vm.available), int(vm.total))


def probed_build() -> dict[str, Any]:
    """llama.cpp's build description (devices, GPU offload), probed once per process."""
    with _probe_lock:
        if "build" not in _probe_cache:
            from .probe import probe_build

            _probe_cache["build"] = probe_build()
        return _probe_cache["build"]


def gpu_offload_supported() -> bool:
    return bool(probed_build().get("gpu_offload"))


def _refresh_free(device: Device) -> Device:
    """Free memory read now, where a reader can match the device by its memory size."""
    from .gpu_readers import read_gpus

    for gpu in read_gpus():
        if gpu.total_bytes and abs(gpu.total_bytes - device.total_bytes) <= 0.02 * device.total_bytes:
            return Device(device.name, device.kind, gpu.total_bytes - gpu.used_bytes, device.total_bytes)
    return device


def memory_devices(refresh: bool = True) -> list[Device]:
    """The CPU first, then every non-CPU ggml device, with free and total bytes."""
    devices = [cpu_device()]
    for entry in probed_build().get("devices", []):
        if entry.get("kind") in ("gpu", "igpu", "accel"):
            device = Device.from_dict(entry)
            devices.append(_refresh_free(device) if refresh else device)
    return devices
