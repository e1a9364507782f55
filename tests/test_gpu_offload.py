"""On a machine with an NVIDIA GPU and a CUDA build: offload every layer and compare the engine's
GPU memory (NVML, per process) with the estimate. Skipped cleanly elsewhere."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from hearthlm.core.hardware.gpu_readers import NvmlReader

pytestmark = pytest.mark.gpu


def _cuda_ready() -> bool:
    if not NvmlReader().read():
        return False
    from hearthlm.core.hardware.devices import memory_devices, probed_build

    return bool(probed_build().get("gpu_offload")) and len(memory_devices()) > 1


@pytest.mark.skipif("not _cuda_ready()", reason="needs an NVIDIA GPU and a CUDA build of llama.cpp")
@pytest.mark.parametrize("n_ctx", [2048, 8192])
def test_full_offload_matches_the_estimate(starter_model: Path, n_ctx: int) -> None:
    from hearthlm.core.engine import Engine, LoadParams
    from hearthlm.core.hardware.devices import memory_devices
    from hearthlm.core.hardware.estimate import estimate

    devices = memory_devices()
    est = estimate(starter_model, n_ctx=n_ctx, gpu_layers=999, devices=devices)
    gpu_est = est.devices[1]
    reader = NvmlReader()
    with Engine() as engine:
        engine.load(LoadParams(str(starter_model), n_ctx=n_ctx, n_gpu_layers=999))
        engine.complete("Hello", None)
        time.sleep(0.5)
        used = sum(g.processes.get(engine.pid, 0) for g in reader.read())
    # The process's GPU memory also holds the CUDA context (a few hundred MiB): the estimate's
    # buffers must fit in it, and the rest must stay within the 512 MiB the verdict reserves.
    assert gpu_est.total <= used <= gpu_est.total + 512 * 2 ** 20, (gpu_est.total, used)
