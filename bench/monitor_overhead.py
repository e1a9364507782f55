"""What the monitor's 1 Hz sampler costs: its thread's CPU time over wall time.

Runs core/hardware/monitor.Sampler at 1 Hz for --seconds (default 60), following this process as
the "engine", with the GPU readers this machine has (NVML, sysfs, ...). Prints the sampler
thread's CPU time as a percentage of one core, and the whole process's (the main thread only
sleeps). Target: <= 1 % of one core.

Run:   python bench/monitor_overhead.py [--seconds 60] [--interval 1]
"""

from __future__ import annotations

import argparse
import os
import time

import psutil

from hearthlm.core.hardware.monitor import Sampler


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--interval", type=float, default=1.0)
    args = parser.parse_args()
    proc = psutil.Process()
    sampler = Sampler(interval=args.interval)
    sampler.engine_pid = os.getpid()
    cpu0 = proc.cpu_times()
    started = time.monotonic()
    sampler.start()
    time.sleep(args.seconds)
    sampler.stop()
    wall = time.monotonic() - started
    cpu1 = proc.cpu_times()
    process_cpu = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)
    n = len(sampler.samples())
    print(f"{n} samples in {wall:.1f} s at {args.interval:g} s; GPUs seen: {len(sampler.samples()[-1].gpus) if n else 0}")
    print(f"sampler thread: {sampler.cpu_seconds * 1000 / max(n, 1):.2f} ms CPU per sample, "
          f"{sampler.overhead() * 100:.3f} % of one core")
    print(f"whole process:  {process_cpu / wall * 100:.3f} % of one core "
          f"(psutil counts in 10 ms ticks; load average {os.getloadavg()[0]:.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
