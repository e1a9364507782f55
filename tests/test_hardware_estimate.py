"""The memory estimate against what llama.cpp really takes, on the real models."""

from __future__ import annotations

from pathlib import Path

import pytest

from hearthlm.core.hardware.estimate import MIB, Device, estimate, kv_bytes_per_element
from hearthlm.core.hardware.measure import measure_model
from hearthlm.core.hardware.model_shape import model_shape
from hearthlm.core.modelfile import read_gguf

TOLERANCE = 0.05


@pytest.mark.engine
@pytest.mark.parametrize("n_ctx", [512, 1024])
@pytest.mark.parametrize("which", ["starter", "gemma"])
def test_estimate_matches_measured_rss_on_cpu(which: str, n_ctx: int, starter_model: Path, request) -> None:
    path = starter_model if which == "starter" else request.getfixturevalue("gemma_model")
    est = estimate(path, n_ctx=n_ctx).device("cpu")
    measured = measure_model(str(path), n_ctx)
    error = (est.total - measured["rss"]) / measured["rss"]
    assert abs(error) <= TOLERANCE, (
        f"estimate {est.total / MIB:.1f} MiB vs measured {measured['rss'] / MIB:.1f} MiB ({error:+.1%})")


def test_gemma_shape_has_sliding_window_layers(gemma_model: Path) -> None:
    shape = model_shape(read_gguf(gemma_model))
    assert shape.n_swa == 512
    # Gemma 3: every sixth layer is global, the rest use the 512-token window (as llama.cpp logs: 3 + 15).
    assert shape.swa_layers.count(False) == 3 and shape.swa_layers.count(True) == 15
    assert shape.tied_output


def test_kv_cache_sizes_follow_type_and_window(gemma_model: Path, starter_model: Path) -> None:
    # SmolLM2: 30 layers x 3 KV heads x 64 dims x (K+V) x 2 bytes = 23,040 bytes per token (llama.cpp: 180 MiB at 8192).
    assert estimate(starter_model, n_ctx=8192).device("cpu").kv_cache == 180 * MIB
    q8 = estimate(starter_model, n_ctx=8192, kv_type="q8_0").device("cpu").kv_cache
    q4 = estimate(starter_model, n_ctx=8192, kv_type="q4_0").device("cpu").kv_cache
    assert q8 == int(180 * MIB * kv_bytes_per_element("q8_0") / 2)
    assert q4 < q8 < 180 * MIB
    # Gemma with the full-size SWA cache (llama.cpp's default) vs the windowed one.
    full = estimate(gemma_model, n_ctx=8192).device("cpu").kv_cache
    windowed = estimate(gemma_model, n_ctx=8192, swa_full=False).device("cpu").kv_cache
    assert full == 144 * MIB  # 24 + 120 MiB, as llama.cpp logs
    # 3 global layers x 8192 cells + 15 window layers x 1024 cells (512 + n_ubatch), 1 KV head x 256 x 2 x 2 B
    assert windowed == (3 * 8192 + 15 * 1024) * 256 * 2 * 2


def test_gpu_layers_move_weights_and_auto_fits(starter_model: Path) -> None:
    cpu = Device("CPU", "cpu", 16 << 30, 32 << 30)
    small_gpu = Device("GPU0", "gpu", 700 * MIB, 1 << 30)
    none = estimate(starter_model, n_ctx=4096, gpu_layers=0, devices=[cpu, small_gpu])
    full = estimate(starter_model, n_ctx=4096, gpu_layers=999, devices=[cpu, small_gpu])
    assert none.device("gpu").total == 0 and full.gpu_layers == 31
    assert full.device("gpu").layers == 30 and full.device("gpu").output_layer
    assert full.device("cpu").weights < none.device("cpu").weights
    assert full.device("gpu").kv_cache == none.device("cpu").kv_cache
    auto = estimate(starter_model, n_ctx=4096, gpu_layers="auto", devices=[cpu, small_gpu])
    assert auto.device("gpu").fits is True
    # auto takes the most layers that fit: one more would not.
    if auto.gpu_layers < 31:
        more = estimate(starter_model, n_ctx=4096, gpu_layers=auto.gpu_layers + 1, devices=[cpu, small_gpu])
        assert more.device("gpu").fits is False
    tiny = Device("GPU0", "gpu", 100 * MIB, 1 << 30)
    assert estimate(starter_model, n_ctx=4096, gpu_layers="auto", devices=[cpu, tiny]).gpu_layers == 0


def test_layers_split_across_two_gpus_by_free_memory(starter_model: Path) -> None:
    cpu = Device("CPU", "cpu", 16 << 30, 32 << 30)
    est = estimate(starter_model, n_ctx=2048, gpu_layers=31,
                   devices=[cpu, Device("A", "gpu", 3 << 30, 4 << 30), Device("B", "gpu", 1 << 30, 2 << 30)])
    a, b = est.devices[1], est.devices[2]
    assert a.layers + b.layers == 30 and a.layers > b.layers and b.output_layer


def test_bad_kv_type_is_refused(starter_model: Path) -> None:
    with pytest.raises(ValueError, match="KV cache type"):
        estimate(starter_model, kv_type="q3_k")


def test_unified_memory_is_not_counted_twice(starter_model: Path) -> None:
    cpu = Device("CPU", "cpu", 1 << 30, 16 << 30)
    discrete = estimate(starter_model, n_ctx=4096, gpu_layers=31, devices=[cpu, Device("GPU", "gpu", 1 << 30, 8 << 30)])
    metal = estimate(starter_model, n_ctx=4096, gpu_layers=31,
                     devices=[cpu, Device.from_dict({"name": "Metal", "kind": "gpu", "backend": "Metal",
                                                     "free_bytes": 1 << 30, "total_bytes": 10 << 30})])
    gpu_need = int(metal.devices[1].total * 1.10)
    assert metal.devices[0].need_with_margin == discrete.devices[0].need_with_margin + gpu_need


def test_a_header_with_almost_nothing_still_gets_an_estimate(tmp_path: Path) -> None:
    from gguf_files import write_unloadable_gguf

    path = write_unloadable_gguf(tmp_path / "bare.gguf", arch="mystery")
    est = estimate(path, n_ctx=2048)
    assert est.n_layer == 0 and est.device("cpu").weights == 8 * 32 * 4 and est.total > 0
