"""Build Hearth's fallback font for Chinese (resources/fonts/HearthCJK-Regular.otf).

Used only where the system has no font for Simplified Chinese (a minimal Linux install, WSL, a
container): without one, the 简体中文 UI and any Chinese in a chat show empty boxes. It is a subset
of Noto Sans CJK SC Regular (SIL Open Font License 1.1, resources/fonts/OFL.txt): the 7,445
characters of GB2312 (its 6,763 hanzi cover ~99.7 % of the characters in modern Simplified Chinese text), CJK
punctuation, full-width forms, and every character of Hearth's own Chinese translation. Renamed
"Hearth CJK Fallback" so it is never taken for the full font.

    pip install fonttools   # only to run this script; Hearth does not import it
    python packaging/cjk_font.py NotoSansCJKsc-Regular.otf

The source used: NotoSansCJKsc-Regular.otf version 1.004 (from the mplfonts 0.0.11 wheel on PyPI).
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "resources" / "fonts" / "HearthCJK-Regular.otf"
FAMILY = "Hearth CJK Fallback"


def characters() -> set[int]:
    chars: set[int] = set()
    for hi in range(0xA1, 0xF8):  # GB2312's rows, every cell that decodes
        for lo in range(0xA1, 0xFF):
            try:
                chars.update(map(ord, bytes((hi, lo)).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    chars.update(range(0x3000, 0x3040))  # CJK symbols and punctuation
    chars.update(range(0xFF00, 0xFFF0))  # half-width and full-width forms
    for ts in (ROOT / "resources" / "translations").glob("*_zh_CN.ts"):
        for node in ET.parse(ts).iter("translation"):
            chars.update(ord(c) for c in (node.text or "") if ord(c) > 0x2E7F)
    return chars


def main() -> int:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    source = Path(sys.argv[1])
    options = subset.Options()
    options.layout_features = ["kern", "palt", "halt"]  # horizontal UI text only (no vertical or other regions' forms)
    options.name_IDs = ["*"]
    options.hinting = False
    options.notdef_outline = True  # a character no font has shows as a box, not as nothing
    font = TTFont(source)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=characters())
    subsetter.subset(font)
    for record in font["name"].names:
        if record.nameID in (1, 4, 16):
            record.string = FAMILY if record.nameID != 4 else f"{FAMILY} Regular"
        elif record.nameID == 6:
            record.string = "HearthCJKFallback-Regular"
    font["CFF "].cff.fontNames = ["HearthCJKFallback-Regular"] if "CFF " in font else None
    OUT.parent.mkdir(parents=True, exist_ok=True)
    font.save(OUT)
    print(f"{OUT}: {OUT.stat().st_size / 1e6:.1f} MB, {len(font.getGlyphOrder())} glyphs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
