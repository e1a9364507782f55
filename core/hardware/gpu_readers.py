"""Live GPU figures without llama.cpp: NVIDIA through NVML, AMD through amdsmi or sysfs, Apple
through the system's unified memory.

Each reader returns a list of ``GpuSample`` and an empty list when its kind of GPU is not there;
none raises. The readers take their library or root folder as an argument, so tests run them on
recorded samples (a fake ``pynvml`` module, a fake sysfs tree).
"""

from __future__ import annotations

import logging
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


@dataclass
class GpuSample:
    index: int
    name: str
    vendor: str  # nvidia | amd | apple
    total_bytes: int
    used_bytes: int
    utilization_pct: float | None = None
    temperature_c: float | None = None
    processes: dict[int, int] = field(default_factory=dict)  # pid -> bytes used on this GPU
    unified: bool = False  # memory shared with the CPU (Apple silicon, most integrated GPUs)

    @property
    def free_bytes(self) -> int:
        return max(0, self.total_bytes - self.used_bytes)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "free_bytes": self.free_bytes,
                "processes": {str(k): v for k, v in self.processes.items()}}


# -- NVIDIA ------------------------------------------------------------------------------

class NvmlReader:
    """NVML through nvidia-ml-py's ``pynvml``. Initialised once; ``close()`` shuts it down."""

    def __init__(self, nvml: Any = None):
        self._nvml = nvml
        self._ready = False
        self._failed = False

    def _init(self) -> bool:
        if self._ready or self._failed:
            return self._ready
        try:
            if self._nvml is None:
                import pynvml

                self._nvml = pynvml
            self._nvml.nvmlInit()
            self._ready = True
        except Exception as exc:  # no library, no driver, no GPU: not an error here
            log.debug("NVML unavailable: %s", exc)
            self._failed = True
        return self._ready

    def read(self) -> list[GpuSample]:
        if not self._init():
            return []
        nv = self._nvml
        samples = []
        try:
            count = nv.nvmlDeviceGetCount()
        except Exception:
            return []
        for i in range(count):
            try:
                handle = nv.nvmlDeviceGetHandleByIndex(i)
                name = nv.nvmlDeviceGetName(handle)
                name = name.decode("utf-8", "replace") if isinstance(name, bytes) else str(name)
                mem = nv.nvmlDeviceGetMemoryInfo(handle)
                sample = GpuSample(i, name, "nvidia", int(mem.total), int(mem.used))
            except Exception as exc:
                log.debug("NVML device %d: %s", i, exc)
                continue
            try:
                sample.utilization_pct = float(nv.nvmlDeviceGetUtilizationRates(handle).gpu)
            except Exception:
                pass
            try:
                sample.temperature_c = float(nv.nvmlDeviceGetTemperature(handle, nv.NVML_TEMPERATURE_GPU))
            except Exception:
                pass
            try:
                for proc in nv.nvmlDeviceGetComputeRunningProcesses(handle):
                    used = getattr(proc, "usedGpuMemory", None)
                    if used is not None:  # None when the driver may not tell (other users' processes)
                        sample.processes[int(proc.pid)] = int(used)
            except Exception:
                pass
            samples.append(sample)
        return samples

    def close(self) -> None:
        if self._ready:
            try:
                self._nvml.nvmlShutdown()
            except Exception:
                pass
            self._ready = False


# -- AMD ---------------------------------------------------------------------------------

def _read_int(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def read_amd_sysfs(root: Path | str = "/sys/class/drm") -> list[GpuSample]:
    """amdgpu cards: ``device/mem_info_vram_total|_used``, ``gpu_busy_percent``, hwmon temp1."""
    root = Path(root)
    samples = []
    try:
        cards = sorted(p for p in root.iterdir() if p.name.startswith("card") and p.name[4:].isdigit())
    except OSError:
        return []
    for card in cards:
        dev = card / "device"
        total = _read_int(dev / "mem_info_vram_total")
        used = _read_int(dev / "mem_info_vram_used")
        if total is None or used is None:
            continue  # not an amdgpu device
        sample = GpuSample(int(card.name[4:]), _amd_name(dev), "amd", total, used)
        busy = _read_int(dev / "gpu_busy_percent")
        sample.utilization_pct = float(busy) if busy is not None else None
        for temp in sorted(dev.glob("hwmon/hwmon*/temp1_input")):
            millideg = _read_int(temp)
            if millideg is not None:
                sample.temperature_c = millideg / 1000.0
                break
        samples.append(sample)
    return samples


def _amd_name(dev: Path) -> str:
    for name in ("product_name", "product_number"):
        try:
            text = (dev / name).read_text().strip()
        except OSError:
            continue
        if text:
            return text
    return "AMD GPU"


def read_amdsmi(amdsmi: Any = None) -> list[GpuSample]:
    """AMD's own library, when it is importable (ROCm installs)."""
    try:
        if amdsmi is None:
            import amdsmi as amdsmi_module

            amdsmi = amdsmi_module
        amdsmi.amdsmi_init()
    except Exception:
        return []
    samples = []
    try:
        for i, handle in enumerate(amdsmi.amdsmi_get_processor_handles()):
            try:
                usage = amdsmi.amdsmi_get_gpu_vram_usage(handle)  # MiB
                name = amdsmi.amdsmi_get_gpu_asic_info(handle).get("market_name", "AMD GPU")
                sample = GpuSample(i, name, "amd", int(usage["vram_total"]) << 20, int(usage["vram_used"]) << 20)
            except Exception:
                continue
            try:
                sample.utilization_pct = float(amdsmi.amdsmi_get_gpu_activity(handle)["gfx_activity"])
            except Exception:
                pass
            samples.append(sample)
    finally:
        try:
            amdsmi.amdsmi_shut_down()
        except Exception:
            pass
    return samples


# -- Apple -------------------------------------------------------------------------------

def apple_working_set(total_bytes: int) -> int:
    """Metal's recommended working set on Apple silicon: about 2/3 of RAM up to 36 GiB, 3/4 above
    (recommendedMaxWorkingSetSize; llama.cpp's Metal device reports the exact figure as its total)."""
    return total_bytes * 3 // 4 if total_bytes > 36 * 1024 ** 3 else total_bytes * 2 // 3


def read_apple(sysctl: Any = None) -> list[GpuSample]:
    """Apple silicon: the GPU shares RAM (``hw.memsize``); used is what the system has in use."""
    if sys.platform != "darwin" and sysctl is None:
        return []
    try:
        if sysctl is None:
            out = subprocess.run(["sysctl", "-n", "hw.memsize", "machdep.cpu.brand_string"],
                                 capture_output=True, text=True, timeout=5, check=True).stdout.split("\n")
            total, brand = int(out[0]), (out[1].strip() if len(out) > 1 else "Apple")
        else:
            total, brand = sysctl()
    except Exception:
        return []
    if not brand.startswith("Apple"):
        return []  # an Intel Mac: its GPU has memory of its own
    import psutil

    used = int(psutil.virtual_memory().total - psutil.virtual_memory().available)
    limit = apple_working_set(total)
    return [GpuSample(0, f"{brand} GPU", "apple", limit, min(used, limit), unified=True)]


# -- all of them -------------------------------------------------------------------------

_nvml = NvmlReader()
_amdsmi_state: dict[str, bool] = {}


def _amdsmi_importable() -> bool:
    if "ok" not in _amdsmi_state:
        import importlib.util

        _amdsmi_state["ok"] = importlib.util.find_spec("amdsmi") is not None
    return _amdsmi_state["ok"]


def read_gpus(nvml: NvmlReader | None = None, drm_root: Path | str = "/sys/class/drm") -> list[GpuSample]:
    """Every GPU one of the readers can see (NVIDIA, then AMD, then Apple)."""
    samples = (nvml or _nvml).read()
    amd = read_amdsmi() if _amdsmi_importable() else []
    samples += amd or read_amd_sysfs(drm_root)
    samples += read_apple()
    return samples
