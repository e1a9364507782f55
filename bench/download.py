"""Throughput of Hearth's download vs a bare ``hf_hub_download`` of the same file, same local hub.

    python bench/download.py [--mb 300] [--runs 7]

A file of random bytes (so nothing compresses) is served by tests/fake_hub.py in its own process
on 127.0.0.1. Each run is a pair: the file downloaded once with ``huggingface_hub.hf_hub_download``
into one empty cache and once with Hearth's DownloadQueue (worker process, resumable partial file,
sha256 checked while writing, snapshot link by hf_hub_download) into another; which goes first
alternates. Times are from the call to the file being ready. Printed per pair: MB/s of each and the
ratio Hearth / bare; at the end the median of the paired ratios with its spread (min–max and
quartiles). Goal: median ≥ 0.95, i.e. parity. Single pairs swing 2x either way on a shared
machine, so the script claims parity or not, never "faster"; with fewer than MIN_PAIRS pairs it
gives no verdict.

CPU seconds per download are measured for both ends: the client (this process, plus Hearth's
worker processes once reaped) and the hub server (its process's CPU time, read with psutil before
and after each download).
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
MIN_PAIRS = 7
TARGET = 0.95


def make_hub(root: Path, mb: int) -> str:
    folder = root / "bench" / "random-GGUF"
    folder.mkdir(parents=True)
    with (folder / FILE).open("wb") as handle:
        for _ in range(mb):
            handle.write(os.urandom(1 << 20))
    return str(folder / FILE)


CPU: dict[str, list[float]] = {"bare": [], "hearth": []}
SERVER_CPU: dict[str, list[float]] = {"bare": [], "hearth": []}


def _children_cpu() -> float:
    """CPU time of this process's reaped children (Hearth's download worker and its spare)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class ServerCPU:
    """The hub server's CPU time: it runs until the end, so RUSAGE_CHILDREN cannot see it yet."""

    def __init__(self, pid: int):
        import psutil

        self._process = psutil.Process(pid)

    def seconds(self) -> float:
        times = self._process.cpu_times()
        return times.user + times.system


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
    cpu = _children_cpu() + time.process_time()
    queue.start()
    time.sleep(2.0)  # as in the app: the queue (and its spare worker) is up before the user clicks
    entry = GGUFEntry(name=FILE, files=[FILE], size=size, sizes={FILE: size}, sha256={FILE: sha})
    t = time.perf_counter()
    item = queue.add(REPO_ID, entry)
    result = queue.wait(item.id)
    elapsed = time.perf_counter() - t
    queue.close()  # reaps the worker and the spare, so that RUSAGE_CHILDREN counts them
    # The worker process (and the spare, ~0.3 s each to start) plus the queue's threads here.
    CPU["hearth"].append(_children_cpu() + time.process_time() - cpu)
    assert result.state == "ready", result.message
    return elapsed


def quartiles(values: list[float]) -> tuple[float, float]:
    if len(values) < 4:
        return min(values), max(values)
    q = statistics.quantiles(values, n=4)
    return q[0], q[2]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=300)
    parser.add_argument("--runs", type=int, default=MIN_PAIRS, help=f"pairs (a verdict needs ≥ {MIN_PAIRS})")
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
    server_cpu = ServerCPU(server.pid)
    rows = []
    try:
        for run in range(args.runs):
            order = ("bare", "hearth") if run % 2 == 0 else ("hearth", "bare")
            times = {}
            for kind in order:
                cache = work / f"cache-{kind}-{run}"
                before = server_cpu.seconds()
                times[kind] = bare(endpoint, cache) if kind == "bare" else hearth(endpoint, cache, size, sha)
                SERVER_CPU[kind].append(server_cpu.seconds() - before)
                shutil.rmtree(cache, ignore_errors=True)
            rows.append(times)
            mbps = {k: size / v / 1e6 for k, v in times.items()}
            print(f"pair {run + 1} ({order[0]} first): bare {mbps['bare']:7.1f} MB/s ({times['bare']:.2f} s)   "
                  f"hearth {mbps['hearth']:7.1f} MB/s ({times['hearth']:.2f} s)   "
                  f"ratio {times['bare'] / times['hearth']:.3f}", flush=True)
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(work, ignore_errors=True)
    ratios = [r["bare"] / r["hearth"] for r in rows]
    med = statistics.median(ratios)
    low, high = quartiles(ratios)
    print(f"\nfile {size / 1e6:.0f} MB, {len(rows)} interleaved pairs, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f} at the end")
    print(f"median paired ratio (Hearth / bare throughput): {med:.3f}  "
          f"(quartiles {low:.3f}–{high:.3f}, min–max {min(ratios):.3f}–{max(ratios):.3f})")
    print(f"median MB/s: bare {statistics.median(size / r['bare'] / 1e6 for r in rows):.0f}, "
          f"Hearth {statistics.median(size / r['hearth'] / 1e6 for r in rows):.0f}")
    print(f"client CPU s per download (median): bare {statistics.median(CPU['bare']):.2f}, "
          f"Hearth {statistics.median(CPU['hearth']):.2f} (worker process incl. its start and sha256, "
          f"the spare's start, the queue's threads)")
    print(f"hub server CPU s per download (median): for bare {statistics.median(SERVER_CPU['bare']):.2f}, "
          f"for Hearth {statistics.median(SERVER_CPU['hearth']):.2f}")
    if len(rows) < MIN_PAIRS:
        print(f"verdict: none ({len(rows)} pairs; at least {MIN_PAIRS} are needed on a shared machine)")
    elif med >= TARGET:
        print(f"verdict: parity (target median ≥ {TARGET}: met). Single pairs spread "
              f"{min(ratios):.2f}–{max(ratios):.2f}, so no claim of being faster is made.")
    else:
        print(f"verdict: target median ≥ {TARGET}: NOT met ({med:.3f}).")


if __name__ == "__main__":
    main()
