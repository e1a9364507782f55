"""A 1 Hz sampler of the machine and the engine: CPU %, RAM, swap, the engine process's RSS and
CPU %, every GPU the readers can see, and tokens/s while an answer is being generated.

``Sampler`` runs on its own thread and keeps the last ten minutes in a ring buffer. Listeners
added with ``listen`` are called on the sampler's thread (a GUI hands the sample to its own thread
through a signal). Two hooks for the rest of the app, both safe from any thread:

    sampler.engine_pid = engine.pid        # whose memory to follow (None: none)
    sampler.report_tokens_per_s(12.5)      # while generating; stale after STALE_TPS_S

``cpu_seconds`` is the sampler thread's own CPU time, so its cost can be checked (target <= 1 %
of one core at 1 Hz; bench/RESULTS.md has the figure).
"""

from __future__ import annotations

import collections
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any
from collections.abc import Callable

import psutil

from .gpu_readers import GpuSample, read_gpus

HISTORY_S = 600
STALE_TPS_S = 3.0


@dataclass
class Sample:
    t: float  # time.time()
    cpu_pct: float  # whole machine, 0..100
    ram_used: int
    ram_total: int
    swap_used: int
    swap_total: int
    engine_pid: int | None = None
    engine_rss: int | None = None
    engine_cpu_pct: float | None = None  # of one core
    tokens_per_s: float | None = None
    gpus: list[GpuSample] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["gpus"] = [g.to_dict() for g in self.gpus]
        return data


class _ProcessWatch:
    """psutil.Process kept between samples (its cpu_percent needs the previous call)."""

    def __init__(self) -> None:
        self.pid: int | None = None
        self.proc: psutil.Process | None = None

    def read(self, pid: int | None) -> tuple[int | None, float | None]:
        if pid is None:
            self.pid = self.proc = None
            return None, None
        try:
            if pid != self.pid:
                self.pid, self.proc = pid, psutil.Process(pid)
                self.proc.cpu_percent(None)
            assert self.proc is not None
            with self.proc.oneshot():
                return int(self.proc.memory_info().rss), float(self.proc.cpu_percent(None))
        except (psutil.Error, OSError):
            self.pid = self.proc = None
            return None, None


class Sampler:
    def __init__(self, interval: float = 1.0, history_s: float = HISTORY_S,
                 read_gpus_fn: Callable[[], list[GpuSample]] = read_gpus):
        self.interval = max(0.05, float(interval))
        self.history: collections.deque[Sample] = collections.deque(maxlen=max(1, int(history_s / self.interval)))
        self.engine_pid: int | None = None
        self._tps: tuple[float, float] | None = None  # (value, when reported)
        self._read_gpus = read_gpus_fn
        self._watch = _ProcessWatch()
        self._listeners: list[Callable[[Sample], None]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.cpu_seconds = 0.0  # this sampler's own CPU time
        self.started_at: float | None = None
        psutil.cpu_percent(None)  # the first call only sets the reference point

    # -- hooks ---------------------------------------------------------------------------

    def report_tokens_per_s(self, value: float | None) -> None:
        self._tps = None if value is None else (float(value), time.monotonic())

    def listen(self, callback: Callable[[Sample], None]) -> None:
        with self._lock:
            self._listeners.append(callback)

    def samples(self) -> list[Sample]:
        with self._lock:
            return list(self.history)

    # -- sampling ------------------------------------------------------------------------

    def sample(self) -> Sample:
        vm, sw = psutil.virtual_memory(), psutil.swap_memory()
        rss, proc_cpu = self._watch.read(self.engine_pid)
        tps = self._tps
        fresh = tps is not None and time.monotonic() - tps[1] <= STALE_TPS_S
        try:
            gpus = self._read_gpus()
        except Exception:  # a reader must never stop the monitor
            gpus = []
        return Sample(t=time.time(), cpu_pct=float(psutil.cpu_percent(None)),
                      ram_used=int(vm.total - vm.available), ram_total=int(vm.total),
                      swap_used=int(sw.used), swap_total=int(sw.total), engine_pid=self.engine_pid,
                      engine_rss=rss, engine_cpu_pct=proc_cpu,
                      tokens_per_s=tps[0] if fresh and tps else None, gpus=gpus)

    def _run(self) -> None:
        next_at = time.monotonic()
        while not self._stop.is_set():
            cpu0 = time.thread_time()
            sample = self.sample()
            with self._lock:
                self.history.append(sample)
                listeners = list(self._listeners)
            for callback in listeners:
                try:
                    callback(sample)
                except Exception:
                    pass
            self.cpu_seconds += time.thread_time() - cpu0
            next_at += self.interval
            delay = next_at - time.monotonic()
            if delay < 0:  # fell behind (a suspended laptop): start counting again from now
                next_at, delay = time.monotonic(), 0
            self._stop.wait(delay)

    def start(self) -> Sampler:
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self.started_at = time.monotonic()
            self._thread = threading.Thread(target=self._run, name="hearth-monitor", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def overhead(self) -> float:
        """The sampler's CPU time as a fraction of the wall time it has run (1.0 = one core)."""
        if self.started_at is None:
            return 0.0
        return self.cpu_seconds / max(1e-9, time.monotonic() - self.started_at)
