"""Throughput of Hearth's download vs a bare ``hf_hub_download`` of the same file, same local hub.

    python bench/download.py [--mb 300] [--runs 3]

A file of random bytes (so nothing compresses) is served by tests/fake_hub.py in its own process
on 127.0.0.1. Each run downloads it once with ``huggingface_hub.hf_hub_download`` into one empty
cache and once with Hearth's DownloadQueue (worker process, resumable partial file, sha256 checked
while writing, snapshot link by hf_hub_download) into another; the order alternates. Times are
from the call to the file being ready. Prints MB/s of each and the ratio Hearth / bare (goal ≥ 0.95).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
REPO_ID, FILE = "bench/random-GGUF", "random-F16.gguf"


def make_hub(root: Path, mb: int) -> str:
    folder = root / "bench" / "random-GGUF"
    folder.mkdir(parents=True)
    with (folder / FILE).open("wb") as handle:
        for _ in range(mb):
            handle.write(os.urandom(1 << 20))
    return str(folder / FILE)


CPU: dict[str, list[float]] = {"bare": [], "hearth": []}


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bare(endpoint: str, cache: Path) -> float:
    from huggingface_hub import hf_hub_download

    cpu = time.process_time()
    t = time.perf_counter()
    hf_hub_download(REPO_ID, FILE, cache_dir=cache, endpoint=endpoint, token=False)
    elapsed = time.perf_counter() - t
    CPU["bare"].append(time.process_time() - cpu)
    return elapsed


def hearth(endpoint: str, cache: Path, size: int, sha: str) -> float:
    from hearthlm.core.hub.names import GGUFEntry
    from hearthlm.core.hub.queue import DownloadQueue

    queue = DownloadQueue(Path(tempfile.mkdtemp()) / "queue.json", cache_dir=cache, endpoint=endpoint, token="")
    cpu = _children_cpu() - _server_cpu()
    queue.start()
    time.sleep(2.0)  # as in the app: the queue (and its spare worker) is up before the user clicks
    entry = GGUFEntry(name=FILE, files=[FILE], size=size, sizes={FILE: size}, sha256={FILE: sha})
    t = time.perf_counter()
    item = queue.add(REPO_ID, entry)
    result = queue.wait(item.id)
    elapsed = time.perf_counter() - t
    queue.close()
    CPU["hearth"].append(_children_cpu() - _server_cpu() - cpu)  # the worker process (and the spare, ~0.3 s)
    assert result.state == "ready", result.message
    return elapsed


def _server_cpu() -> float:
    return 0.0  # the hub server is still running: its time is not in RUSAGE_CHILDREN until it exits


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="hearth-bench-dl-"))
    os.environ["HEARTH_HOME"] = str(work / "home")
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
    os.environ.pop("HF_TOKEN", None)
    path = make_hub(work / "hub", args.mb)
    size = os.path.getsize(path)
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(8 << 20):
            digest.update(block)
    sha = digest.hexdigest()
    server = subprocess.Popen([sys.executable, str(REPO / "tests" / "fake_hub.py"), str(work / "hub")],
                              stdout=subprocess.PIPE, text=True)
    endpoint = server.stdout.readline().strip()
    rows = []
    try:
        for run in range(args.runs):
            order = ("bare", "hearth") if run % 2 == 0 else ("hearth", "bare")
            times = {}
            for kind in order:
                cache = work / f"cache-{kind}-{run}"
                times[kind] = bare(endpoint, cache) if kind == "bare" else hearth(endpoint, cache, size, sha)
                shutil.rmtree(cache, ignore_errors=True)
            rows.append(times)
            mbps = {k: size / v / 1e6 for k, v in times.items()}
            print(f"run {run + 1}: bare {mbps['bare']:7.1f} MB/s ({times['bare']:.2f} s)   "
                  f"hearth {mbps['hearth']:7.1f} MB/s ({times['hearth']:.2f} s)   "
                  f"ratio {times['bare'] / times['hearth']:.3f}", flush=True)
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(work, ignore_errors=True)
    ratios = [r["bare"] / r["hearth"] for r in rows]
    best_bare, best_hearth = min(r["bare"] for r in rows), min(r["hearth"] for r in rows)
    print(f"\nfile {size / 1e6:.0f} MB, {len(rows)} runs, {os.cpu_count()} CPUs")
    print(f"median ratio (Hearth / bare throughput): {statistics.median(ratios):.3f}")
    print(f"CPU seconds per download (client side): bare {statistics.median(CPU['bare']):.2f}, "
          f"Hearth {statistics.median(CPU['hearth']):.2f} (worker process incl. its start and sha256)")
    print(f"best-of-runs ratio: {best_bare / best_hearth:.3f}  (bare {size / best_bare / 1e6:.0f} MB/s, "
          f"Hearth {size / best_hearth / 1e6:.0f} MB/s)")


if __name__ == "__main__":
    main()
