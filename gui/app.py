"""Start the window: ``hearth`` with no arguments, or ``hearth gui``."""

from __future__ import annotations

import sys

from PySide6.QtCore import QTranslator
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from hearthlm.core import __version__
from hearthlm.core.settings import load_settings
from hearthlm.resources import resource_path

from .fonts import ensure_chinese_font
from .heap import freeze_long_lived
from .i18n import install_translators, pick_language
from .main_window import MainWindow


def _application() -> QApplication:
    """The running QApplication, made if there is none yet."""
    app = QApplication.instance()
    if app is None:
        return QApplication(sys.argv[:1])
    # instance() is typed QCoreApplication; a window needs the widgets kind.
    assert isinstance(app, QApplication), f"a {type(app).__name__} is running, not a QApplication"
    return app


def start(model: str | None = None) -> tuple[QApplication, MainWindow, list[QTranslator]]:
    """The application and its shown window (and its translators, to keep alive)."""
    app = _application()
    app.setApplicationName("Hearth")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("hearth")
    app.setWindowIcon(QIcon(str(resource_path("icons", "hearth.svg"))))
    ensure_chinese_font()
    settings = load_settings()
    translators = install_translators(app, pick_language(settings.language))
    window = MainWindow(settings, model=model)
    window.show()
    freeze_long_lived()
    return app, window, translators


def run(model: str | None = None, ask: str | None = None) -> int:
    app, window, _translators = start(model)
    if ask is not None:
        from .smoke import ask_once

        return ask_once(app, window, ask)
    return app.exec()
