"""Where does the UI thread stall? A watcher thread samples the main thread's Python stack while the
event loop has not ticked for longer than a threshold, and every garbage collection's pause is timed.

Used by bench/ui_stall.py ``--trace``: each stall is printed with the stacks seen during it (most
frequent first) and the collections that ran inside it. Sampling needs the GIL, so a stall spent
in C++ that holds the GIL shows the Python frame that called into it.
"""

from __future__ import annotations

import gc
import sys
import threading
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Stall:
    start: float
    end: float = 0.0
    stacks: Counter = field(default_factory=Counter)

    @property
    def ms(self) -> float:
        return (self.end - self.start) * 1000


class StallTracer:
    def __init__(self, threshold_ms: float = 40.0, sample_ms: float = 5.0):
        self.threshold = threshold_ms / 1000
        self.sample = sample_ms / 1000
        self.main_id = threading.main_thread().ident
        self.last_tick = time.perf_counter()
        self.stalls: list[Stall] = []
        self.gcs: list[tuple[float, float, int]] = []  # (start, ms, generation)
        self._gc_start = 0.0
        self._stop = threading.Event()
        self._current: Stall | None = None
        self._thread = threading.Thread(target=self._watch, daemon=True, name="stall-tracer")

    def tick(self) -> None:
        """Called on the UI thread by the event loop's timer."""
        now = time.perf_counter()
        current = self._current
        if current is not None:
            current.end = now
            self.stalls.append(current)
            self._current = None
        self.last_tick = now

    def start(self) -> None:
        gc.callbacks.append(self._on_gc)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._on_gc in gc.callbacks:
            gc.callbacks.remove(self._on_gc)

    def _on_gc(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._gc_start = time.perf_counter()
        else:
            self.gcs.append((self._gc_start, (time.perf_counter() - self._gc_start) * 1000, info.get("generation", -1)))

    def _watch(self) -> None:
        while not self._stop.wait(self.sample):
            since = self.last_tick
            if time.perf_counter() - since < self.threshold:
                continue
            frame = sys._current_frames().get(self.main_id)
            if frame is None:
                continue
            current = self._current  # tick() on the UI thread may close it meanwhile
            if current is None or current.start != since:
                current = self._current = Stall(since)
            current.stacks["".join(traceback.format_stack(frame, limit=14))] += 1

    def report(self, min_ms: float, origin: float, out=sys.stdout) -> None:
        for stall in sorted(self.stalls, key=lambda s: -s.ms):
            if stall.ms < min_ms:
                continue
            print(f"\n=== stall {stall.ms:.1f} ms at +{stall.start - origin:.2f} s", file=out)
            for g_start, g_ms, gen in self.gcs:
                if stall.start <= g_start <= stall.end:
                    print(f"    gc generation {gen}: {g_ms:.1f} ms", file=out)
            for stack, n in stall.stacks.most_common(3):
                print(f"--- {n} sample(s):\n{stack}", file=out)
