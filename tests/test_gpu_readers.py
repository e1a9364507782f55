"""GPU readers on recorded samples: a fake pynvml module (an H200 with two processes, as NVML
reports it) and a fake amdgpu sysfs tree. A real-GPU check is marked ``gpu``."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from hearthlm.core.hardware.gpu_readers import (NvmlReader, apple_working_set, read_amd_sysfs, read_amdsmi,
                                                read_apple, read_gpus)

GIB = 1024 ** 3


class FakeNvml:
    """The pynvml calls the reader makes, answering with figures recorded from an H200."""

    NVML_TEMPERATURE_GPU = 0

    class NVMLError(Exception):
        pass

    def __init__(self, fail_init: bool = False):
        self.fail_init = fail_init
        self.shutdowns = 0

    def nvmlInit(self):
        if self.fail_init:
            raise self.NVMLError("NVML Shared Library Not Found")

    def nvmlShutdown(self):
        self.shutdowns += 1

    def nvmlDeviceGetCount(self):
        return 1

    def nvmlDeviceGetHandleByIndex(self, i):
        return f"handle{i}"

    def nvmlDeviceGetName(self, h):
        return b"NVIDIA H200"

    def nvmlDeviceGetMemoryInfo(self, h):
        return SimpleNamespace(total=150_754_820_096, used=3_310_354_432, free=147_444_465_664)

    def nvmlDeviceGetUtilizationRates(self, h):
        return SimpleNamespace(gpu=87, memory=40)

    def nvmlDeviceGetTemperature(self, h, sensor):
        return 41

    def nvmlDeviceGetComputeRunningProcesses(self, h):
        return [SimpleNamespace(pid=4242, usedGpuMemory=2_684_354_560),
                SimpleNamespace(pid=77, usedGpuMemory=None)]  # another user's process: not told


def test_nvml_reader_on_recorded_sample() -> None:
    fake = FakeNvml()
    reader = NvmlReader(fake)
    [gpu] = reader.read()
    assert gpu.name == "NVIDIA H200" and gpu.vendor == "nvidia"
    assert gpu.total_bytes == 150_754_820_096 and gpu.used_bytes == 3_310_354_432
    assert gpu.free_bytes == 150_754_820_096 - 3_310_354_432
    assert gpu.utilization_pct == 87 and gpu.temperature_c == 41
    assert gpu.processes == {4242: 2_684_354_560}
    reader.close()
    assert fake.shutdowns == 1


def test_nvml_reader_without_a_driver_reads_nothing() -> None:
    reader = NvmlReader(FakeNvml(fail_init=True))
    assert reader.read() == [] and reader.read() == []


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n")


def test_amd_sysfs_reader_on_a_fake_tree(tmp_path: Path) -> None:
    # card0: an amdgpu (values recorded from a Radeon RX 7900 XTX); card1: an Intel GPU (no VRAM files).
    dev = tmp_path / "card0" / "device"
    _write(dev / "mem_info_vram_total", "25753026560")
    _write(dev / "mem_info_vram_used", "1623588864")
    _write(dev / "gpu_busy_percent", "23")
    _write(dev / "product_name", "Radeon RX 7900 XTX")
    _write(dev / "hwmon" / "hwmon3" / "temp1_input", "45000")
    _write(tmp_path / "card1" / "device" / "vendor", "0x8086")
    (tmp_path / "card0-DP-1").mkdir()  # connectors are not cards
    [gpu] = read_amd_sysfs(tmp_path)
    assert (gpu.index, gpu.vendor, gpu.name) == (0, "amd", "Radeon RX 7900 XTX")
    assert gpu.total_bytes == 25753026560 and gpu.used_bytes == 1623588864
    assert gpu.utilization_pct == 23 and gpu.temperature_c == 45.0


def test_amd_sysfs_reader_without_the_folder(tmp_path: Path) -> None:
    assert read_amd_sysfs(tmp_path / "missing") == []


def test_amdsmi_reader_on_a_fake_module() -> None:
    fake = SimpleNamespace(
        amdsmi_init=lambda: None, amdsmi_shut_down=lambda: None,
        amdsmi_get_processor_handles=lambda: ["h0"],
        amdsmi_get_gpu_vram_usage=lambda h: {"vram_total": 24560, "vram_used": 1548},
        amdsmi_get_gpu_asic_info=lambda h: {"market_name": "Radeon RX 7900 XTX"},
        amdsmi_get_gpu_activity=lambda h: {"gfx_activity": 12},
    )
    [gpu] = read_amdsmi(fake)
    assert gpu.total_bytes == 24560 << 20 and gpu.used_bytes == 1548 << 20 and gpu.utilization_pct == 12


def test_apple_reader_on_recorded_sysctl() -> None:
    [gpu] = read_apple(lambda: (64 * GIB, "Apple M2 Max"))
    assert gpu.unified and gpu.vendor == "apple"
    assert gpu.total_bytes == apple_working_set(64 * GIB) == 48 * GIB
    assert read_apple(lambda: (16 * GIB, "Intel(R) Core(TM) i9")) == []
    assert apple_working_set(16 * GIB) == 16 * GIB * 2 // 3


def test_read_gpus_combines_readers(tmp_path: Path) -> None:
    dev = tmp_path / "card0" / "device"
    _write(dev / "mem_info_vram_total", str(8 * GIB))
    _write(dev / "mem_info_vram_used", str(GIB))
    gpus = read_gpus(nvml=NvmlReader(FakeNvml()), drm_root=tmp_path)
    assert [g.vendor for g in gpus][:2] == ["nvidia", "amd"]


def _has_nvidia_gpu() -> bool:
    return shutil.which("nvidia-smi") is not None and bool(NvmlReader().read())


@pytest.mark.gpu
@pytest.mark.skipif(not _has_nvidia_gpu(), reason="no NVIDIA GPU and driver on this machine")
def test_nvml_on_a_real_gpu() -> None:
    gpus = NvmlReader().read()
    assert gpus and all(g.total_bytes > 0 for g in gpus)
