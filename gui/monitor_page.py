"""The Monitor page: GPU offload controls for the chosen model, and live plots of memory per
device, CPU, the engine's memory and tokens/s over the last ten minutes.

Sampling runs on the core sampler's own thread (core/hardware/monitor.py); each sample reaches
this page through a queued signal, and the plots repaint only while the page is visible.

Hooks for the chat side (both cheap, UI thread):
    page.set_engine_pid(pid)          which process to follow; by default read from window.chat.session
    page.report_tokens_per_s(value)   an exact rate; by default the page derives one from the
                                      session's streamed text (characters/s over characters per
                                      token of the last answer) and the answer's final stats
"""

from __future__ import annotations

import collections
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QGridLayout, QLabel, QVBoxLayout, QWidget

from hearthlm.core.hardware.guard import format_bytes
from hearthlm.core.hardware.monitor import Sample, Sampler

from .detached_job import run_detached
from .line_plot import LinePlot
from .offload_controls import OffloadControls

GIB = 1024 ** 3
RATE_WINDOW_S = 2.0
DEFAULT_CHARS_PER_TOKEN = 4.0


class _Bridge(QObject):
    sampled = Signal(object)  # emitted on the sampler's thread, delivered on the UI thread


class MonitorPage(QWidget):
    def __init__(self, window: Any = None, sampler: Sampler | None = None, interval: float = 1.0):
        super().__init__(window if isinstance(window, QWidget) else None)
        self.window_ref = window
        self.sampler = sampler or Sampler(interval=interval)
        self._pid_override: int | None = None
        self._showing: str | None = None  # the model whose offload controls are asked for
        self._chars: collections.deque[tuple[float, int]] = collections.deque()
        self._chars_per_token = DEFAULT_CHARS_PER_TOKEN
        self._answer_chars = 0
        self._build()
        self._bridge = _Bridge(self)
        self._bridge.sampled.connect(self._on_sample)
        self.sampler.listen(self._bridge.sampled.emit)
        self._connect_window(window)
        self._check_build()
        sampler = self.sampler
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(sampler.stop)
        # The page may go with its window long before the application quits: stop sampling then.
        self.destroyed.connect(lambda *_: sampler.stop(timeout=0))
        sampler.start()

    # -- layout --------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        self.offload = OffloadControls()
        layout.addWidget(self.offload)
        self.summary = QLabel(self.tr("Collecting the first sample…"))
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        grid = QGridLayout()
        gib: Callable[[float], str] = lambda v: f"{v:.1f} GiB"  # noqa: E731
        self.memory_plot = LinePlot(self.tr("Memory used per device"), gib)
        self.cpu_plot = LinePlot(self.tr("CPU"), lambda v: f"{v:.0f}%", fixed_max=100.0)
        self.engine_plot = LinePlot(self.tr("Engine memory (RSS)"), lambda v: f"{v:.0f} MiB")
        self.tps_plot = LinePlot(self.tr("Tokens per second"), lambda v: f"{v:.1f}")
        grid.addWidget(self.memory_plot, 0, 0)
        grid.addWidget(self.cpu_plot, 0, 1)
        grid.addWidget(self.engine_plot, 1, 0)
        grid.addWidget(self.tps_plot, 1, 1)
        layout.addLayout(grid, 1)

    # -- hooks ---------------------------------------------------------------------------

    def set_engine_pid(self, pid: int | None) -> None:
        self._pid_override = pid
        self.sampler.engine_pid = pid

    def report_tokens_per_s(self, value: float | None) -> None:
        self.sampler.report_tokens_per_s(value)

    def _connect_window(self, window: Any) -> None:
        chat = getattr(window, "chat", None)
        events = getattr(chat, "events", None)
        if events is not None:
            events.tokens.connect(self._on_tokens)
            events.answered.connect(self._on_answered)
            events.loaded.connect(lambda info: self.show_model(str(getattr(info, "path", "") or "")))
        picker = getattr(chat, "picker", None)
        if picker is not None:
            picker.modelChosen.connect(self.show_model)
            if picker.current_path():
                self.show_model(picker.current_path())

    def _engine_pid(self) -> int | None:
        if self._pid_override is not None:
            return self._pid_override
        session = getattr(getattr(self.window_ref, "chat", None), "session", None)
        return session.engine_pid if session is not None else None

    def _on_tokens(self, text: str) -> None:
        now = time.monotonic()
        self._chars.append((now, len(text)))
        self._answer_chars += len(text)
        while self._chars and now - self._chars[0][0] > RATE_WINDOW_S:
            self._chars.popleft()
        if len(self._chars) >= 2:
            span = max(now - self._chars[0][0], 0.25)
            chars = sum(n for _, n in list(self._chars)[1:])
            self.sampler.report_tokens_per_s(chars / span / self._chars_per_token)

    def _on_answered(self, answer: Any) -> None:
        stats = getattr(answer, "stats", None)
        if stats is not None and stats.completion_tokens > 0 and self._answer_chars:
            self._chars_per_token = max(1.0, self._answer_chars / stats.completion_tokens)
        if stats is not None and stats.tokens_per_s:
            self.sampler.report_tokens_per_s(stats.tokens_per_s)
        self._chars.clear()
        self._answer_chars = 0

    # -- model and build -----------------------------------------------------------------

    def showEvent(self, event: Any) -> None:  # noqa: N802
        picker = getattr(self.window_ref, "picker", None)
        current = picker.current_path() if picker is not None else None
        if current and current != self.offload.model:
            self.show_model(current)
        super().showEvent(event)

    def show_model(self, path: str) -> None:
        """The offload controls for ``path``: its layer count is read from its header on a job
        (a large vocabulary, a slow or network disk: not on the UI thread); the latest path wins."""
        if not path:
            return
        self._showing = path

        def work(_emit: Any) -> tuple[bool, int | None]:
            from hearthlm.core.modelfile import read_gguf

            try:
                return True, read_gguf(path).block_count
            except Exception:
                return Path(path).is_file(), None

        def show(result: tuple[bool, int | None]) -> None:
            if self._showing == path:
                self.offload.set_model(path if result[0] else None, result[1])
        run_detached(self.offload, work, show, lambda _exc: None)

    def _check_build(self) -> None:
        def work(_emit: Any) -> bool:
            from hearthlm.core.hardware.devices import gpu_offload_supported

            return gpu_offload_supported()

        offload = self.offload
        run_detached(offload, work, offload.set_gpu_offload, lambda _exc: offload.set_gpu_offload(False))

    # -- samples -------------------------------------------------------------------------

    def _on_sample(self, sample: Sample) -> None:
        self.sampler.engine_pid = self._engine_pid()
        if not self.isVisible():
            return
        history = self.sampler.samples()
        memory: dict[str, list[tuple[float, float]]] = {self.tr("RAM"): [(s.t, s.ram_used / GIB) for s in history]}
        for gpu in sample.gpus:
            memory[gpu.name] = [(s.t, g.used_bytes / GIB) for s in history for g in s.gpus if g.index == gpu.index
                                and g.vendor == gpu.vendor]
        if sample.swap_total:
            memory[self.tr("swap")] = [(s.t, s.swap_used / GIB) for s in history]
        since = history[0].t if history else None
        self.memory_plot.set_series(memory, since)
        self.cpu_plot.set_series({
            self.tr("machine"): [(s.t, s.cpu_pct) for s in history],
            self.tr("engine"): [(s.t, s.engine_cpu_pct / max(1, _cores())) for s in history
                                if s.engine_cpu_pct is not None],
        }, since)
        self.engine_plot.set_series({self.tr("engine"): [(s.t, s.engine_rss / 2 ** 20) for s in history
                                                          if s.engine_rss is not None]}, since)
        self.tps_plot.set_series({self.tr("tokens/s"): [(s.t, s.tokens_per_s or 0.0) for s in history]}, since)
        self.summary.setText(self._summary(sample))

    def _summary(self, s: Sample) -> str:
        parts = [self.tr("CPU {pct:.0f}%").format(pct=s.cpu_pct),
                 self.tr("RAM {used} of {total}").format(used=format_bytes(s.ram_used), total=format_bytes(s.ram_total))]
        for g in s.gpus:
            text = self.tr("{name}: {used} of {total}").format(name=g.name, used=format_bytes(g.used_bytes),
                                                               total=format_bytes(g.total_bytes))
            if g.utilization_pct is not None:
                text += f", {g.utilization_pct:.0f}%"
            if g.temperature_c is not None:
                text += f", {g.temperature_c:.0f} °C"
            parts.append(text)
        if s.engine_rss is not None:
            parts.append(self.tr("engine {rss}").format(rss=format_bytes(s.engine_rss)))
        if s.tokens_per_s:
            parts.append(self.tr("{tps:.1f} tokens/s").format(tps=s.tokens_per_s))
        return " · ".join(parts)

    def closeEvent(self, event: Any) -> None:  # noqa: N802
        self.sampler.stop()
        super().closeEvent(event)


def _cores() -> int:
    import os

    return os.cpu_count() or 1
