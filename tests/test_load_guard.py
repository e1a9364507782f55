"""The load guard refuses what does not fit, with numbers; a forced oversized load costs the
engine a refusal (or its life), never the caller."""

from __future__ import annotations

from pathlib import Path

import pytest

from hearthlm.core.engine import Engine, LoadParams
from hearthlm.core.errors import EngineError
from hearthlm.core.hardware.estimate import MIB, Device
from hearthlm.core.hardware.guard import check_load, format_bytes

CPU_16G = Device("CPU", "cpu", 16 << 30, 24 << 30)


def test_guard_passes_a_model_that_fits(starter_model: Path) -> None:
    verdict = check_load(starter_model, 2048, devices=[CPU_16G])
    assert verdict.ok and verdict.message is None
    assert verdict.estimate.device("cpu").fits is True


def test_guard_counts_the_saved_state_cache(starter_model: Path) -> None:
    """The engine keeps up to LoadParams.state_cache_mb of saved states: the guard's figure counts it."""
    verdict = check_load(starter_model, 2048, devices=[CPU_16G])
    cpu = verdict.estimate.device("cpu")
    assert verdict.state_cache_mb == LoadParams("x").state_cache_mb == 1024
    assert cpu.state_cache == 1024 * MIB and cpu.total == cpu.model_total + 1024 * MIB
    bare = check_load(starter_model, 2048, devices=[CPU_16G], state_cache_mb=0).estimate.device("cpu")
    assert cpu.need_with_margin == bare.need_with_margin + 1024 * MIB


def test_when_only_the_cache_does_not_fit_it_gets_what_is_left(starter_model: Path) -> None:
    """A model that fits is not refused for its cache: the load goes ahead with a smaller one."""
    bare = check_load(starter_model, 2048, devices=[CPU_16G], state_cache_mb=0).estimate.device("cpu")
    tight = Device("CPU", "cpu", bare.need_with_margin + 300 * MIB, 8 << 30)
    verdict = check_load(starter_model, 2048, devices=[tight])
    assert verdict.ok and verdict.state_cache_mb == 300
    cpu = verdict.estimate.device("cpu")
    assert cpu.state_cache == 300 * MIB and cpu.fits and cpu.need_with_margin <= tight.free_bytes
    # No room at all for it: no cache; a model that does not fit even without it is still refused.
    assert check_load(starter_model, 2048, devices=[Device("CPU", "cpu", bare.need_with_margin, 8 << 30)]
                      ).state_cache_mb == 0
    refused = check_load(starter_model, 2048, devices=[Device("CPU", "cpu", bare.need_with_margin - MIB, 8 << 30)])
    assert not refused.ok and refused.state_cache_mb == 0


def test_guard_refuses_a_huge_context_with_the_numbers(starter_model: Path) -> None:
    verdict = check_load(starter_model, 4_000_000, devices=[CPU_16G])
    assert not verdict.ok
    text = str(verdict.message)
    cpu = verdict.estimate.device("cpu")
    assert "4,000,000 tokens" in text and format_bytes(cpu.kv_cache) in text and "16.0 GiB is free" in text
    # the suggested context fits, and the next power of two up would not
    assert verdict.suggested_n_ctx is not None and f"{verdict.suggested_n_ctx:,} tokens" in text
    assert check_load(starter_model, verdict.suggested_n_ctx, devices=[CPU_16G]).ok
    assert not check_load(starter_model, verdict.suggested_n_ctx * 2, devices=[CPU_16G]).ok


def test_guard_offers_fewer_gpu_layers(gemma_model: Path) -> None:
    gpu = Device("GPU0", "gpu", 900 * MIB, 8 << 30)
    verdict = check_load(gemma_model, 8192, n_gpu_layers=99, devices=[CPU_16G, gpu])
    assert not verdict.ok and "GPU0" in str(verdict.message)
    assert verdict.suggested_gpu_layers is not None and verdict.suggested_gpu_layers < 19
    assert "GPU layers" in str(verdict.message)


def test_guard_with_nothing_that_fits(starter_model: Path) -> None:
    verdict = check_load(starter_model, 4096, devices=[Device("CPU", "cpu", 64 * MIB, 1 << 30)])
    assert not verdict.ok and "close other programs" in str(verdict.message)


def test_guard_reads_this_machine_by_default(starter_model: Path) -> None:
    verdict = check_load(starter_model, 1024)
    cpu = verdict.estimate.device("cpu")
    assert cpu.free_bytes and cpu.free_bytes > 0 and cpu.fits is not None


def _overcommit_refuses_huge_allocations() -> bool:
    try:
        return Path("/proc/sys/vm/overcommit_memory").read_text().strip() in ("0", "2")
    except OSError:
        return False


@pytest.mark.engine
@pytest.mark.skipif(not _overcommit_refuses_huge_allocations(),
                    reason="this kernel would hand out an 88 GiB KV cache and let the OOM killer choose")
def test_forced_oversized_load_leaves_the_caller_running(starter_model: Path) -> None:
    with Engine() as engine:
        with pytest.raises(EngineError) as caught:
            engine.load(LoadParams(str(starter_model), n_ctx=4_000_000, n_threads=1))
        assert "4000000 tokens" in str(caught.value) and "smaller context" in str(caught.value)
        # the same engine (or a fresh one, had it died) loads a sane size right after
        if not engine.alive:
            engine.start()
        info = engine.load(LoadParams(str(starter_model), n_ctx=512, n_threads=1))
        assert info.n_ctx == 512


def test_the_window_loads_with_the_cache_the_guard_counted(starter_model: Path) -> None:
    from hearthlm.core.hardware.devices import cpu_device
    from hearthlm.gui.load_guard import _judge

    kwargs, refusal = _judge(str(starter_model), 1024, 0)
    assert refusal is None and "state_cache_mb" in kwargs
    params = LoadParams(str(starter_model), **kwargs)
    # What the guard counted on this machine (free memory moves a little between two readings).
    expected = check_load(starter_model, 1024, devices=[cpu_device()]).state_cache_mb
    assert 0 < params.state_cache_mb and abs(params.state_cache_mb - expected) <= 64
