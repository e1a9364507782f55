"""The monitor's sampler: real psutil figures, a ring buffer, the engine and tokens/s hooks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from hearthlm.core.hardware.gpu_readers import GpuSample
from hearthlm.core.hardware.monitor import STALE_TPS_S, Sampler


def test_sample_reads_this_machine_and_a_process() -> None:
    sampler = Sampler(read_gpus_fn=lambda: [])
    sampler.engine_pid = os.getpid()
    sample = sampler.sample()
    assert 0 < sample.ram_used < sample.ram_total
    assert sample.engine_rss and sample.engine_rss > 10 << 20
    assert sample.tokens_per_s is None
    sampler.report_tokens_per_s(42.5)
    assert sampler.sample().tokens_per_s == 42.5
    sampler._tps = (42.5, time.monotonic() - STALE_TPS_S - 1)  # reported long ago: no longer shown
    assert sampler.sample().tokens_per_s is None


def test_a_process_that_ends_is_dropped() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    sampler = Sampler(read_gpus_fn=lambda: [])
    sampler.engine_pid = child.pid
    assert sampler.sample().engine_rss is None


def test_ring_buffer_keeps_the_window_and_listeners_see_each_sample() -> None:
    gpu = GpuSample(0, "Fake GPU", "nvidia", 8 << 30, 1 << 30, utilization_pct=50.0)
    sampler = Sampler(interval=0.05, history_s=0.25, read_gpus_fn=lambda: [gpu])
    assert sampler.history.maxlen == 5
    seen = []
    sampler.listen(seen.append)
    sampler.start()
    deadline = time.monotonic() + 10
    while len(seen) < 8 and time.monotonic() < deadline:
        time.sleep(0.05)
    sampler.stop()
    assert not sampler.running
    assert len(seen) >= 8 and len(sampler.samples()) == 5
    assert sampler.samples()[-1].gpus[0].name == "Fake GPU"
    assert json.loads(json.dumps(seen[-1].to_dict()))["gpus"][0]["free_bytes"] == 7 << 30
    assert sampler.cpu_seconds > 0


def test_a_failing_gpu_reader_does_not_stop_sampling() -> None:
    def broken() -> list:
        raise RuntimeError("driver went away")

    assert Sampler(read_gpus_fn=broken).sample().gpus == []
