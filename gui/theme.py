"""Light and dark themes: the application palette, the colours of the rendered conversation and of
the banners, and the pygments style of code.

``ThemeController`` applies the theme chosen in the settings (``"system"``, ``"light"``, ``"dark"``);
with "system" it follows ``QStyleHints.colorScheme()`` and re-applies when it changes
(``colorSchemeChanged``), live. After a change every icon is redrawn (gui/icons.py) and every
widget with a ``theme_changed()`` method is told (the chat view re-renders, plots repaint).

Every text colour here meets WCAG AA (4.5:1) on the background it is drawn on
(tests/test_theme.py computes the ratios).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QGroupBox, QStyleFactory, QWidget

from hearthlm.core.settings import THEMES  # one list, shared with `hearth settings`


@dataclass(frozen=True)
class Colors:
    name: str
    window: str
    base: str
    alt_base: str
    text: str
    button: str
    highlight: str
    highlighted_text: str
    link: str
    placeholder: str
    disabled: str
    muted: str  # stats lines, labels of code blocks, hints
    code_bg: str
    code_style: str  # pygments style
    reasoning_bg: str
    reasoning_text: str
    user: str
    assistant: str
    warn: str  # notes under an answer ("interrupted"), re-quantization note
    ok: str
    error: str
    note_bg: str
    note_text: str
    note_border: str
    banner_bg: str
    banner_text: str
    banner_border: str
    edit: str


LIGHT = Colors(
    name="light", window="#f3f3f2", base="#ffffff", alt_base="#f5f5f4", text="#1d1d1f", button="#e9e9e8",
    highlight="#2456b8", highlighted_text="#ffffff", link="#174ea6", placeholder="#6b6b6b", disabled="#9a9a9a",
    muted="#4f5358", code_bg="#f6f8fa", code_style="default", reasoning_bg="#f4f1ee", reasoning_text="#4f4a44",
    user="#1f5fd1", assistant="#a0461f", warn="#8a4d00", ok="#1f5c3a", error="#b3261e",
    note_bg="#fff4d6", note_text="#5c4300", note_border="#ecd48a",
    banner_bg="#fde7e4", banner_text="#6b1a10", banner_border="#e8b4ad", edit="#1f5fd1",
)
DARK = Colors(
    name="dark", window="#1f2023", base="#16171a", alt_base="#202124", text="#e8e8e8", button="#2c2e33",
    highlight="#2f5fb3", highlighted_text="#ffffff", link="#8ab4f8", placeholder="#9aa0a6", disabled="#6f7378",
    muted="#b9bdc2", code_bg="#0d1117", code_style="github-dark", reasoning_bg="#27241f", reasoning_text="#d3cabe",
    user="#8ab4f8", assistant="#f0a476", warn="#f2b25c", ok="#8fd19e", error="#ff8a80",
    note_bg="#3a321e", note_text="#f4dfa0", note_border="#6b5a2a",
    banner_bg="#41211d", banner_text="#ffb4a9", banner_border="#7a3a33", edit="#8ab4f8",
)

_current = LIGHT


def colors() -> Colors:
    """The colours of the theme in force (light until a theme is applied)."""
    return _current


def palette(c: Colors) -> QPalette:
    pal = QPalette(QColor(c.button), QColor(c.window))
    roles = QPalette.ColorRole
    for role, value in ((roles.Window, c.window), (roles.WindowText, c.text), (roles.Base, c.base),
                        (roles.AlternateBase, c.alt_base), (roles.Text, c.text), (roles.Button, c.button),
                        (roles.ButtonText, c.text), (roles.Highlight, c.highlight),
                        (roles.HighlightedText, c.highlighted_text), (roles.Link, c.link),
                        (roles.LinkVisited, c.link), (roles.PlaceholderText, c.placeholder),
                        (roles.ToolTipBase, c.base), (roles.ToolTipText, c.text), (roles.BrightText, "#ffffff")):
        pal.setColor(role, QColor(value))
    for role in (roles.WindowText, roles.Text, roles.ButtonText):
        pal.setColor(QPalette.ColorGroup.Disabled, role, QColor(c.disabled))
    return pal


def rules(c: Colors) -> dict[str, str]:
    """Style sheets of the few widgets drawn in their own colours, by object name. Set on those
    widgets only (``style``): an application-wide style sheet would put every widget through Qt's
    style-sheet style (measured: ~150 ms more to open the window, each later window 10x slower)."""
    return {
        "banner": f"QLabel#banner {{ background: {c.banner_bg}; color: {c.banner_text}; padding: 8px;"
                  f" border: 1px solid {c.banner_border}; border-radius: 4px; }}",
        "templateNote": f"QLabel#templateNote {{ background: {c.note_bg}; color: {c.note_text}; padding: 6px;"
                        f" border: 1px solid {c.note_border}; border-radius: 4px; }}",
        "editNote": f"QLabel#editNote {{ color: {c.edit}; }}",
        "hint": f"QLabel#hint {{ color: {c.muted}; }}",
        "warningNote": f"QLabel#warningNote {{ color: {c.warn}; }}",
        "errorNote": f"QLabel#errorNote {{ color: {c.error}; }}",
        "answeringFrom": f"QLabel#answeringFrom {{ color: {c.ok}; }}",
        "dropZone": f"QLabel#dropZone {{ border: 2px dashed {c.muted}; border-radius: 6px; color: {c.muted};"
                    f" padding: 8px; }}",
        "firstRun": f"QFrame#firstRun {{ background: {c.alt_base}; border: 1px solid {c.button};"
                    f" border-radius: 6px; }}",
        "sidebar": f"QListWidget#sidebar {{ background: {c.window}; border: none;"
                   f" border-right: 1px solid {c.button}; }}"
                   f" QListWidget#sidebar::item {{ padding-left: 6px; border-radius: 4px; }}"
                   f" QListWidget#sidebar::item:selected {{ background: {c.highlight}; color: {c.highlighted_text}; }}",
    }


_STYLED = "hearthThemed"
# Fusion clips a group box's title to the UI font's height, and the Chinese fallback font (fonts.py)
# makes the text taller: descenders and underscores were cut ("Q4_1" read "Q4 1"). Room below it.
_GROUP_BOX_TITLE = "QGroupBox::title { padding-bottom: 3px; }"


def style(widget: QWidget) -> None:
    """Give a widget its theme colours (by its object name, see ``rules``), now and after each change;
    a group box, room for its title."""
    widget.setProperty(_STYLED, True)
    sheet = rules(_current).get(widget.objectName(), "")
    if isinstance(widget, QGroupBox):
        sheet = f"{sheet} {_GROUP_BOX_TITLE}".strip()
    widget.setStyleSheet(sheet)


def system_is_dark(scheme: Qt.ColorScheme | None = None) -> bool:
    """Whether the system asks for dark (``scheme``: as colorSchemeChanged reported it, else asked now)."""
    if scheme is None:
        scheme = QGuiApplication.styleHints().colorScheme()
    return scheme == Qt.ColorScheme.Dark


def resolve(choice: str, scheme: Qt.ColorScheme | None = None) -> Colors:
    if choice == "dark" or (choice not in ("light", "dark") and system_is_dark(scheme)):
        return DARK
    return LIGHT


def apply(choice: str, scheme: Qt.ColorScheme | None = None) -> Colors:
    """Apply a theme to the whole application; returns its colours. UI thread only."""
    global _current
    app = QApplication.instance()
    c = resolve(choice, scheme)
    _current = c
    if not isinstance(app, QApplication):
        return c
    # Fusion draws every control from the palette, the same on every platform and in both themes.
    if app.style().name().lower() != "fusion":
        app.setStyle(QStyleFactory.create("Fusion"))
    app.setPalette(palette(c))
    from . import icons

    for widget in app.allWidgets():
        if widget.property(_STYLED):
            style(widget)

    icons.refresh_all()
    for widget in app.allWidgets():
        hook = getattr(widget, "theme_changed", None)
        if callable(hook):
            hook()
    return c


class ThemeController(QObject):
    """Keeps the application in the chosen theme; with "system", follows the system's changes.

    Signals: changed(str)  the theme in force after a change ("light" or "dark")."""

    changed = Signal(str)

    def __init__(self, choice: str, parent: QObject | None = None):
        super().__init__(parent)
        self.choice = choice if choice in THEMES else "system"
        self.scheme: Qt.ColorScheme | None = None  # the system's, as last reported by colorSchemeChanged
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._system_changed)
        self.apply()

    def set_choice(self, choice: str) -> None:
        self.choice = choice if choice in THEMES else "system"
        self.apply()

    def apply(self) -> None:
        self.changed.emit(apply(self.choice, self.scheme).name)

    def _system_changed(self, scheme: Qt.ColorScheme) -> None:
        self.scheme = scheme
        if self.choice == "system":
            self.apply()


def contrast(a: str | QColor, b: str | QColor) -> float:
    """WCAG 2 contrast ratio of two colours (1 to 21)."""
    def luminance(color: str | QColor) -> float:
        q = QColor(color)
        channels = []
        for v in (q.redF(), q.greenF(), q.blueF()):
            channels.append(v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4)
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)
