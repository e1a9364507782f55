"""Start the window: ``hearth`` with no arguments, or ``hearth gui``."""

from __future__ import annotations

import gc
import sys
from typing import Any

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from hearthlm.core import __version__
from hearthlm.core.settings import load_settings
from hearthlm.resources import resource_path

from .i18n import install_translators, pick_language
from .main_window import MainWindow


def start(model: str | None = None) -> tuple[QApplication, MainWindow, Any]:
    """The application and its shown window (and its translators, to keep alive)."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Hearth")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("hearth")
    app.setWindowIcon(QIcon(str(resource_path("icons", "hearth.svg"))))
    settings = load_settings()
    translators = install_translators(app, pick_language(settings.language))
    window = MainWindow(settings, model=model)
    window.show()
    freeze_long_lived()
    return app, window, translators


def freeze_long_lived() -> None:
    """Python's full garbage collection walks every object (~50,000 by now: Qt wrappers, jinja2,
    markdown-it, pygments): ~40 ms here, more on a busy machine, and it strikes at random while an
    answer streams. What lives as long as the app is moved out of its reach, once, at the app's
    start; the garbage of starting up is collected first so that it is not kept forever. (Not in a
    widget's constructor: a process that makes many windows, like the tests, would keep each one's
    garbage.)"""
    gc.collect()
    gc.freeze()


def run(model: str | None = None) -> int:
    app, _window, _translators = start(model)
    return app.exec()
