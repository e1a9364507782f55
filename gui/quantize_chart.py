"""The quality plot of the quantize wizard: KL divergence and ΔPPL against bits per weight."""

from __future__ import annotations

from PySide6.QtCharts import QChart, QChartView, QLogValueAxis, QScatterSeries, QValueAxis, QXYSeries
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QWidget

from . import theme


class QualityChart(QChartView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(240)
        self._rows: list[dict] = []
        self.show_rows([])

    def theme_changed(self) -> None:
        """Drawn again in the theme now in force (gui/theme.py calls this)."""
        self.show_rows(self._rows)

    def show_rows(self, rows: list[dict]) -> None:
        self._rows = rows
        chart = QChart()
        # Qt Charts' own dark theme in dark mode: its background, grid and text follow
        chart.setTheme(QChart.ChartTheme.ChartThemeDark if theme.colors().name == "dark"
                       else QChart.ChartTheme.ChartThemeLight)
        chart.setTitle(self.tr("Quality lost vs size (lower left is better)"))
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        kl = QScatterSeries()
        kl.setName(self.tr("KL divergence vs source"))
        kl.setMarkerSize(11)
        kl.setPointLabelsVisible(True)
        points = [(r["bpw"], r["kl"], r["type"]) for r in rows if r.get("kl") is not None and r.get("bpw")]
        for x, y, _name in points:
            kl.append(QPointF(x, max(y, 1e-5)))
        chart.addSeries(kl)
        x_axis = QValueAxis()
        x_axis.setTitleText(self.tr("bits per weight"))
        x_axis.setLabelFormat("%.1f")
        xs = [p[0] for p in points] or [2.0, 9.0]
        x_axis.setRange(max(0.0, min(xs) - 0.5), max(xs) + 0.5)
        y_axis = QLogValueAxis()
        y_axis.setTitleText(self.tr("KL divergence (log scale)"))
        y_axis.setLabelFormat("%.0e")
        ys = [max(p[1], 1e-5) for p in points] or [1e-3, 1.0]
        y_axis.setRange(min(ys) / 2, max(ys) * 2)
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        kl.attachAxis(x_axis)
        kl.attachAxis(y_axis)
        conf = QXYSeries.PointConfiguration
        for i, (_x, _y, name) in enumerate(points):  # each point labelled with its type
            kl.setPointConfiguration(i, {conf.LabelVisibility: True, conf.LabelFormat: name})
        self.setChart(chart)
