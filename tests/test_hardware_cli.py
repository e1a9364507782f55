"""``hearth estimate`` and ``hearth monitor`` as a user runs them (a real process); the estimate's
other cases through the same entry point in this process (tests/cli_here.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from cli_here import hearth_here


def hearth(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hearthlm.core.cli", *args], capture_output=True, text=True,
                          timeout=120)


def test_estimate_json(starter_model: Path) -> None:
    out = hearth("estimate", str(starter_model), "--ctx", "2048", "--kv-type", "q8_0", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["n_ctx"] == 2048 and data["kv_type"] == "q8_0" and data["n_layer"] == 30
    cpu = data["devices"][0]
    assert cpu["kind"] == "cpu" and cpu["fits"] is True and cpu["free_bytes"] > 0
    assert cpu["total"] == sum(cpu[k] for k in ("weights", "repacked", "kv_cache", "compute", "output_buffer", "overhead",
                                                "state_cache"))
    assert cpu["state_cache"] == 1024 * 1024 * 1024  # the engine's saved-state budget, counted by default
    off = json.loads(hearth_here("estimate", str(starter_model), "--ctx", "2048", "--kv-type", "q8_0",
                                 "--state-cache-mb", "0", "--json").stdout)
    assert off["devices"][0]["state_cache"] == 0 and off["devices"][0]["total"] == cpu["total"] - cpu["state_cache"]
    assert data["gpu_offload"] is False  # this machine's build


def test_estimate_table_and_auto_layers(gemma_model: Path) -> None:
    out = hearth_here("estimate", str(gemma_model), "--ctx", "4096", "--gpu-layers", "auto")
    assert out.returncode == 0, out.stderr
    assert "gemma3, 18 layers" in out.stdout and "fits" in out.stdout and "margin" in out.stdout
    assert "packaging/install.py --build" in out.stdout  # no GPU build here: says how to get one


def test_estimate_bad_input_is_one_line() -> None:
    out = hearth_here("estimate", "/no/such/model.gguf", "--ctx", "2048")
    assert out.returncode == 1 and out.stderr.strip().count("\n") == 0 and "No model file" in out.stderr
    out = hearth_here("estimate", "x.gguf", "--gpu-layers", "many")
    assert out.returncode == 2 and "--gpu-layers" in out.stderr  # a bad value: a usage error, as argparse's
    out = hearth_here("monitor", "--interval", "0")
    assert out.returncode == 2 and "--interval" in out.stderr


def test_monitor_once_json() -> None:
    out = hearth("monitor", "--once", "--json", "--interval", "0.2")
    assert out.returncode == 0, out.stderr
    sample = json.loads(out.stdout)
    assert sample["ram_total"] > 0 and 0 <= sample["cpu_pct"] <= 100 and sample["gpus"] == []


def test_monitor_follows_a_pid_for_a_count() -> None:
    import os

    out = hearth("monitor", "--count", "2", "--interval", "0.1", "--pid", str(os.getpid()))
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert len(lines) == 2 and all("RSS" in line and "RAM" in line for line in lines)
