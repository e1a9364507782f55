"""results.json, the record of quantizations, written by the window and ``hearth quantize`` at
the same time: real processes, no record lost."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from hearthlm.core.quantized_models import load_results, record_quantization, results_path

# Each write reads and rewrites the whole file, so the cost grows with the square of this. The two
# writers start together once both are ready (the handshake below), so 60 each keep them contending.
PER_PROCESS = 60

WRITER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from hearthlm.core.quantized_models import record_quality, record_quantization
    tag, n, go = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    print("ready", flush=True)
    while not go.exists():  # start together, once both have imported
        time.sleep(0.001)
    for i in range(n):
        out = f"/models/{tag}-{i}.gguf"
        record_quantization({"out": out, "type": "Q4_K_M", "source": "/models/src.gguf", "size_bytes": i})
        record_quality(out, {"ppl": 10.0 + i, "ppl_err": 0.1, "n_ctx": 512}, None)
""")


def test_two_processes_recording_at_once_lose_nothing(hearth_home: Path, tmp_path: Path) -> None:
    record_quantization({"out": "/models/before.gguf", "type": "Q8_0"})
    go = tmp_path / "go"
    env = dict(os.environ)
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, tag, str(PER_PROCESS), str(go)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for tag in ("window", "cli")]
    assert [proc.stdout.readline().strip() for proc in procs] == ["ready", "ready"]
    go.touch()
    for proc in procs:
        _, err = proc.communicate(timeout=240)
        assert proc.returncode == 0, err
    results = {r["out"]: r for r in load_results()}
    expected = {"/models/before.gguf"} | {f"/models/{t}-{i}.gguf" for t in ("window", "cli") for i in range(PER_PROCESS)}
    assert set(results) == expected, f"{len(expected - set(results))} records lost"
    for t in ("window", "cli"):
        for i in range(PER_PROCESS):  # both writes of each record are there
            entry = results[f"/models/{t}-{i}.gguf"]
            assert entry["size_bytes"] == i and entry["ppl"] == 10.0 + i
    # written atomically: no temp files left beside it
    leftovers = [p.name for p in results_path().parent.iterdir() if p.name not in ("results.json", "results.json.lock")]
    assert leftovers == []
