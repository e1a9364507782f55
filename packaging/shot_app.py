"""What every screenshot script starts with: an offscreen Qt app in a throwaway HEARTH_HOME, the
translations of one language installed, and the starter model's path."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any


def start(language: str) -> tuple[Any, Any, Path] | None:
    """(app, translators — keep them alive, starter model), or None (said on stderr) without the model."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ["HEARTH_HOME"] = tempfile.mkdtemp(prefix="hearth-shot-")
    from PySide6.QtWidgets import QApplication

    from hearthlm.core.starter import starter_model_path
    from hearthlm.gui.fonts import ensure_chinese_font
    from hearthlm.gui.i18n import install_translators

    app = QApplication.instance() or QApplication(sys.argv[:1])
    ensure_chinese_font()  # as the app's start does: readable Chinese on a machine without a CJK font
    translators = install_translators(app, language)
    model = starter_model_path()
    if model is None:
        print("the starter model is not installed", file=sys.stderr)
        return None
    return app, translators, model
