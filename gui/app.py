"""Start the window: ``hearth`` with no arguments, or ``hearth gui``."""

from __future__ import annotations

import sys

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from hearthlm.core import __version__
from hearthlm.core.settings import load_settings
from hearthlm.resources import resource_path

from .i18n import install_translators, pick_language
from .main_window import MainWindow


def run(model: str | None = None) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Hearth")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("hearth")
    app.setWindowIcon(QIcon(str(resource_path("icons", "hearth.svg"))))
    settings = load_settings()
    translators = install_translators(app, pick_language(settings.language))  # noqa: F841 (kept alive)
    window = MainWindow(settings, model=model)
    window.show()
    return app.exec()
