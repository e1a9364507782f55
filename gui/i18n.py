"""Load the UI translation: the setting, else HEARTH_LANG, else the system's language."""

from __future__ import annotations

import os

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from hearthlm.core.settings import LANGUAGES as SUPPORTED
from hearthlm.resources import resource_path

LANGUAGE_NAMES = {"en": "English", "zh_CN": "简体中文"}  # each in its own language, for choosing one


def pick_language(setting: str = "") -> str:
    wanted = setting or os.environ.get("HEARTH_LANG", "") or QLocale.system().name()
    if wanted.startswith("zh"):
        return "zh_CN"
    return "en"


def ui_language() -> str:
    """The language the window speaks: that of the translation installed now ("en" without one). Each
    translation says its own code, as Qt's own say their layout direction (QT_LAYOUT_DIRECTION)."""
    code = QCoreApplication.translate("i18n", "en", "the code of this translation's language, one of: zh_CN")
    return code if code in SUPPORTED else "en"


def install_translators(app: QCoreApplication, language: str) -> list[QTranslator]:
    """Install Hearth's and Qt's own translations; returns them (keep them alive)."""
    installed: list[QTranslator] = []
    if language == "en":
        return installed
    ours = QTranslator(app)
    if ours.load(str(resource_path("translations", f"hearth_{language}.qm"))):
        app.installTranslator(ours)
        installed.append(ours)
    qt = QTranslator(app)
    if qt.load(QLocale(language), "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
        installed.append(qt)
    return installed
