"""A small time-series plot painted with QPainter: a few lines over the last N seconds.

QtCharts would do, but it costs ~10x the memory and import time for four small plots; this
widget draws at most a few thousand points per repaint and only when new samples arrive.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

PALETTE = ["#d9480f", "#1971c2", "#2f9e44", "#ae3ec9", "#f08c00", "#0c8599"]


class LinePlot(QWidget):
    """Call ``set_series({name: [(t, value), ...]})``; ``fmt`` turns a value into axis text."""

    def __init__(self, title: str, fmt: Callable[[float], str] = lambda v: f"{v:.0f}",
                 window_s: float = 600.0, fixed_max: float | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = title
        self.fmt = fmt
        self.window_s = window_s
        self.fixed_max = fixed_max
        self.series: dict[str, list[tuple[float, float]]] = {}
        self.since: float | None = None
        self.setMinimumSize(260, 150)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_series(self, series: Mapping[str, Sequence[tuple[float, float]]], since: float | None = None) -> None:
        """``since``: when the data begins (plots side by side then share one time axis)."""
        self.series = {k: list(v) for k, v in series.items()}
        self.since = since
        self.update()

    def _top(self) -> float:
        if self.fixed_max is not None:
            return self.fixed_max
        peak = max((v for pts in self.series.values() for _, v in pts), default=0.0)
        return peak * 1.15 if peak > 0 else 1.0

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        p.fillRect(self.rect(), pal.base())
        font = QFont(self.font())
        metrics = p.fontMetrics()
        line_h = metrics.height()
        # title and legend (with each series' latest value)
        p.setPen(pal.text().color())
        font.setBold(True)
        p.setFont(font)
        p.drawText(QPointF(8, line_h), self.title)
        font.setBold(False)
        p.setFont(font)
        x = 8.0
        legend_y = 2 * line_h + 2
        for i, (name, pts) in enumerate(self.series.items()):
            color = QColor(PALETTE[i % len(PALETTE)])
            label = f"{name}: {self.fmt(pts[-1][1])}" if pts else f"{name}: –"
            p.fillRect(QRectF(x, legend_y - line_h * 0.6, 10, 4), color)
            p.setPen(pal.text().color())
            p.drawText(QPointF(x + 14, legend_y), label)
            x += 24 + metrics.horizontalAdvance(label)
        area = QRectF(56, legend_y + 8, max(10, self.width() - 64), max(10, self.height() - legend_y - 8 - line_h - 4))
        top = self._top()
        # grid and axis labels
        grid = QColor(pal.text().color())
        grid.setAlpha(40)
        for frac in (0.0, 0.5, 1.0):
            y = area.bottom() - frac * area.height()
            p.setPen(QPen(grid, 1))
            p.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
            p.setPen(pal.text().color())
            p.drawText(QRectF(0, y - line_h / 2, area.left() - 4, line_h),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, self.fmt(top * frac))
        # The axis grows with the data from one minute up to the whole window.
        first = self.since if self.since is not None else min(
            (pts[0][0] for pts in self.series.values() if pts), default=0.0)
        latest = max((pts[-1][0] for pts in self.series.values() if pts), default=0.0)
        span = min(self.window_s, max(60.0, -(-(latest - first) // 60) * 60))
        p.drawText(QRectF(area.left(), area.bottom() + 2, area.width(), line_h), Qt.AlignmentFlag.AlignLeft,
                   self.tr("−{n} min").format(n=int(span // 60)))
        p.drawText(QRectF(area.left(), area.bottom() + 2, area.width(), line_h), Qt.AlignmentFlag.AlignRight,
                   self.tr("now"))
        start = latest - span
        for i, pts in enumerate(self.series.values()):
            if not pts:
                continue
            path = QPainterPath()
            for j, (t, v) in enumerate(pts):
                px = area.left() + (t - start) / span * area.width()
                py = area.bottom() - min(v / top, 1.0) * area.height()
                if j == 0:
                    path.moveTo(px, py)
                else:
                    path.lineTo(px, py)
            p.setPen(QPen(QColor(PALETTE[i % len(PALETTE)]), 1.8))
            p.drawPath(path)
            if len(pts) == 1:
                p.drawEllipse(path.currentPosition(), 2, 2)
        p.end()
