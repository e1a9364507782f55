"""A font for Chinese where the system has none.

A minimal Linux install, WSL or a container often has no font for Simplified Chinese: the 简体中文
UI and any Chinese in a chat or a document would show empty boxes. Then Hearth loads its own
fallback (resources/fonts/HearthCJK-Regular.otf: a subset of Noto Sans CJK SC, GB2312's characters
and every character of the translation; packaging/cjk_font.py) and puts it behind the UI's and the
code view's families, so Qt draws the characters those lack with it. A system that has a Chinese
font keeps its own: nothing is loaded (one font-database query at start).
"""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication

from hearthlm.resources import resource_path

FALLBACK_FILE = ("fonts", "HearthCJK-Regular.otf")


def has_chinese_font() -> bool:
    return bool(QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese))


def ensure_chinese_font() -> str | None:
    """The fallback's family when it had to be loaded; None when the system has a Chinese font
    (or the file cannot be loaded: the text then shows as it would have anyway)."""
    if has_chinese_font():
        return None
    font_id = QFontDatabase.addApplicationFont(str(resource_path(*FALLBACK_FILE)))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if not families:
        return None
    fallback = families[0]
    used = {QGuiApplication.font().family(), QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont).family(),
            QFontDatabase.systemFont(QFontDatabase.SystemFont.GeneralFont).family()}
    for family in used:
        if family and fallback.lower() not in (s.lower() for s in QFont.substitutes(family)):
            QFont.insertSubstitution(family, fallback)
    return fallback
