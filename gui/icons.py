"""Icons for buttons and the sidebar, from qtawesome (Font Awesome 6 Free, SIL OFL 1.1 / CC BY 4.0).

Widgets name an icon by its meaning (``"send"``, ``"delete"``), never by its font glyph, so the set
can change in one place. Icons are drawn in the palette's button-text colour: ``set_icon`` remembers
the name on the widget (a dynamic property) and ``refresh_all`` redraws every named icon after the
theme changes (gui/theme.py), so an icon never stays dark on a dark window. UI thread only.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QGuiApplication, QIcon, QPalette, QPixmap
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


def icon(name: str, color: Any = None) -> QIcon:
    """The icon for a meaning, in ``color`` (default: the palette's button text; greyed when disabled)."""
    import qtawesome  # imported on first use: the window's start does not wait for its fonts

    palette = QGuiApplication.palette()
    if color is None:
        color = palette.color(QPalette.ColorRole.ButtonText)
    disabled = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText)
    return qtawesome.icon(GLYPHS.get(name, name), color=color, color_disabled=disabled)


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
