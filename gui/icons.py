"""Icons for buttons and the sidebar: Font Awesome 6 Free (solid; SIL OFL 1.1 font, CC BY 4.0 icons),
from the font files that the qtawesome package ships (a pinned dependency, kept for its fonts).

The glyphs are drawn here with QPainter rather than through qtawesome's API: importing qtawesome
imports qtpy, which loads a dozen Qt modules (~0.5 s at the window's start on a busy 2-core machine).
Widgets name an icon by its meaning (``"send"``, ``"delete"``), never by its glyph, so the set can
change in one place. Icons are drawn in the palette's button-text colour: ``set_icon`` remembers the
name on the widget (a dynamic property) and ``refresh_all`` redraws every named icon after the theme
changes (gui/theme.py), so an icon never stays dark on a dark window. UI thread only.
"""

from __future__ import annotations

import importlib.util
import json
from functools import cache
from pathlib import Path
from typing import Any

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QGuiApplication, QIcon, QIconEngine, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget

# meaning -> Font Awesome 6 solid glyph
GLYPHS = {
    "chat": "fa6s.comments",
    "models": "fa6s.cube",
    "quantize": "fa6s.compress",
    "docs": "fa6s.file-lines",
    "monitor": "fa6s.chart-line",
    "server": "fa6s.server",
    "remote": "fa6s.cloud",
    "tokenizer": "fa6s.font",
    "inspect": "fa6s.eye",
    "send": "fa6s.paper-plane",
    "stop": "fa6s.stop",
    "copy": "fa6s.copy",
    "regenerate": "fa6s.rotate-right",
    "continue": "fa6s.forward",
    "edit": "fa6s.pen",
    "download": "fa6s.download",
    "pause": "fa6s.pause",
    "resume": "fa6s.play",
    "cancel": "fa6s.xmark",
    "delete": "fa6s.trash-can",
    "folder": "fa6s.folder-open",
    "file": "fa6s.file-circle-plus",
    "add": "fa6s.plus",
    "search": "fa6s.magnifying-glass",
    "settings": "fa6s.sliders",
    "keyboard": "fa6s.keyboard",
    "key": "fa6s.key",
    "refresh": "fa6s.arrows-rotate",
    "use": "fa6s.circle-play",
    "restart": "fa6s.power-off",
    "details": "fa6s.circle-info",
    "quantize-run": "fa6s.compress",
}

_PROPERTY = "hearthIcon"


@cache
def _font() -> tuple[str, dict[str, int]]:
    """The solid font's family (loaded once into Qt) and its glyph names -> code points."""
    spec = importlib.util.find_spec("qtawesome")  # located, never imported (see above)
    if spec is None or not spec.submodule_search_locations:
        return "", {}
    fonts = Path(list(spec.submodule_search_locations)[0]) / "fonts"
    ttf = next(iter(sorted(fonts.glob("fontawesome6-solid-webfont-*.ttf"))), None)
    charmap = next(iter(sorted(fonts.glob("fontawesome6-solid-webfont-charmap-*.json"))), None)
    if ttf is None or charmap is None:
        return "", {}
    font_id = QFontDatabase.addApplicationFont(str(ttf))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    codes = {k: int(v, 16) for k, v in json.loads(charmap.read_text(encoding="utf-8")).items()}
    return (families[0] if families else ""), codes


def _draw(char: str, family: str, size: int, color: QColor, ratio: float = 1.0) -> QPixmap:
    pixmap = QPixmap(int(size * ratio), int(size * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    font = QFont(family)
    font.setPixelSize(round(size * 0.8))
    font.setStyleStrategy(QFont.StyleStrategy.NoFontMerging)
    painter.setFont(font)
    painter.setPen(color)
    painter.drawText(QRect(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, char)
    painter.end()
    return pixmap


class _GlyphEngine(QIconEngine):
    """Draws the glyph at the size and mode asked for, when asked (most icons are shown at one
    size only: drawing every size up front cost ~100 ms at the window's start)."""

    def __init__(self, char: str, family: str, normal: QColor, disabled: QColor):
        super().__init__()
        self.char, self.family, self.normal, self.disabled = char, family, normal, disabled
        self._cache: dict[tuple[int, int, bool], QPixmap] = {}

    def pixmap(self, size: QSize, mode: QIcon.Mode, _state: QIcon.State) -> QPixmap:
        return self.scaledPixmap(size, mode, _state, 1.0)

    def scaledPixmap(self, size: QSize, mode: QIcon.Mode, _state: QIcon.State, scale: float) -> QPixmap:
        side = max(1, min(size.width(), size.height()))
        key = (side, int(scale * 100), mode == QIcon.Mode.Disabled)
        if key not in self._cache:
            color = self.disabled if mode == QIcon.Mode.Disabled else self.normal
            self._cache[key] = _draw(self.char, self.family, side, color, max(1.0, scale))
        return self._cache[key]

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        painter.drawPixmap(rect, self.scaledPixmap(rect.size(), mode, state, painter.device().devicePixelRatioF()))

    def clone(self) -> QIconEngine:
        return _GlyphEngine(self.char, self.family, self.normal, self.disabled)


def icon(name: str, color: Any = None) -> QIcon:
    """The icon for a meaning, in ``color`` (default: the palette's button text; greyed when disabled).
    An empty icon if the font cannot be found (the button keeps its text)."""
    family, codes = _font()
    glyph = GLYPHS.get(name, name).removeprefix("fa6s.")
    if not family or glyph not in codes:
        return QIcon()
    palette = QGuiApplication.palette()
    normal = QColor(color) if color is not None else palette.color(QPalette.ColorRole.ButtonText)
    disabled = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText)
    return QIcon(_GlyphEngine(chr(codes[glyph]), family, normal, disabled))


def pixmap(name: str, size: int, color: Any) -> QPixmap:
    return icon(name, color).pixmap(size, size)


def set_icon(widget: QAbstractButton | Any, name: str) -> None:
    """Give a button (or a QAction) its icon, redrawn by refresh_all when the theme changes."""
    widget.setProperty(_PROPERTY, name)
    widget.setIcon(icon(name))


def refresh_all() -> None:
    """Redraw every icon set with set_icon in the palette now in force."""
    for widget in QApplication.allWidgets():
        name = widget.property(_PROPERTY)
        if name and hasattr(widget, "setIcon"):
            widget.setIcon(icon(str(name)))
    for widget in QApplication.allWidgets():
        refresh = getattr(widget, "refresh_icons", None)
        if callable(refresh) and isinstance(widget, QWidget):
            refresh()
