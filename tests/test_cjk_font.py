"""The fallback font for Chinese (gui/fonts.py): where the system has no Chinese font (this test
machine has none), Chinese text in the UI's font and in the code view's fixed font is drawn with
glyphs, not empty boxes; the font covers every character of the translation."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontDatabase, QImage, QPainter, QRawFont
from PySide6.QtWidgets import QApplication

from hearthlm.gui import fonts
from hearthlm.resources import resource_path


def _drawn(text: str, font: QFont) -> QImage:
    image = QImage(64, 32, QImage.Format.Format_Grayscale8)
    image.fill(Qt.GlobalColor.white)
    painter = QPainter(image)
    painter.setFont(font)
    painter.drawText(image.rect(), Qt.AlignmentFlag.AlignCenter, text)
    painter.end()
    return image


def _without_glyph(raw: QRawFont, chars: list[str]) -> list[str]:
    """The characters the font maps to no glyph (index 0). Not QRawFont.supportsCharacter: through
    PySide6 it answers False for all of U+7000–U+7FFF, whose glyphs are there."""
    return [c for c, index in zip(chars, raw.glyphIndexesForString("".join(chars)), strict=True) if index == 0]


def test_the_font_covers_the_translation_and_gb2312(qapp: QApplication) -> None:
    raw = QRawFont(str(resource_path(*fonts.FALLBACK_FILE)), 12)
    assert raw.isValid() and raw.familyName() == "Hearth CJK Fallback"
    used = {c for ts in resource_path("translations").glob("*_zh_CN.ts")
            for node in ET.parse(ts).iter("translation") for c in (node.text or "") if ord(c) > 0x2E7F}
    assert len(used) > 500
    assert _without_glyph(raw, sorted(used)) == []
    hanzi = [bytes((hi, lo)).decode("gb2312") for hi in range(0xB0, 0xF8) for lo in range(0xA1, 0xFF)
             if (hi, lo) < (0xD7, 0xFA)]  # level 1: the 3,755 commonest hanzi
    assert len(hanzi) == 3755 and _without_glyph(raw, hanzi) == []
    assert _without_glyph(raw, ["\ue000"]) == ["\ue000"]  # the check can fail


def test_chinese_is_drawn_with_glyphs_in_the_ui_and_code_fonts(qapp: QApplication) -> None:
    loaded = fonts.ensure_chinese_font()
    assert fonts.has_chinese_font()
    if loaded is not None:  # this machine had no Chinese font: the fallback stands behind the UI's
        assert loaded.lower() in QFont.substitutes(QApplication.font().family())  # Qt keeps them lower-cased
    for font in (QApplication.font(), QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)):
        chinese, missing = _drawn("中文", font), _drawn("\ue000\ue001", font)  # private use: no glyph anywhere
        assert chinese != missing and chinese != _drawn("", font)
        assert _drawn("中文", font) != _drawn("文中", font)  # two different glyphs, not two boxes
    if "Hearth CJK Fallback" in QFontDatabase.families():  # ours is the last in the chain: its box
        for font in (QApplication.font(), QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)):
            assert _drawn("\u0378", font) != _drawn("", font)  # a character no font has: a box, not nothing
    assert fonts.ensure_chinese_font() is None  # once there, never loaded again


def test_a_system_with_a_chinese_font_keeps_its_own(monkeypatch, qapp: QApplication) -> None:
    monkeypatch.setattr(fonts, "has_chinese_font", lambda: True)
    before = QFontDatabase.families()
    assert fonts.ensure_chinese_font() is None
    assert QFontDatabase.families() == before
