"""pygments styles for the themes, with every token colour pushed to at least 7:1 contrast on the
code background (darkened in light mode, lightened in dark mode, hue kept): small anti-aliased code
text then still reaches WCAG AA on screen. Base styles: ``default`` (light), ``github-dark`` (dark)."""

from __future__ import annotations

import re
from functools import cache

from pygments.style import Style, StyleMeta
from pygments.styles import get_style_by_name

TARGET = 7.0
_HEX = re.compile(r"(?<!bg:)#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b")


def _luminance(rgb: tuple[float, float, float]) -> float:
    lin = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _rgb(hex_color: str) -> tuple[float, float, float]:
    h = hex_color.lstrip("#")
    h = "".join(ch * 2 for ch in h) if len(h) == 3 else h
    return (int(h[0:2], 16) / 255, int(h[2:4], 16) / 255, int(h[4:6], 16) / 255)


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(_rgb(a)), _luminance(_rgb(b))), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def readable(color: str, background: str, target: float = TARGET) -> str:
    """``color`` mixed towards black or white (whichever is away from the background) until it has
    ``target`` contrast on ``background``."""
    if contrast(color, background) >= target:
        return color
    toward = 0.0 if _luminance(_rgb(background)) > 0.18 else 1.0
    r, g, b = _rgb(color)
    for step in range(1, 21):
        t = step / 20
        mixed = tuple(v + (toward - v) * t for v in (r, g, b))
        candidate = "#" + "".join(f"{round(v * 255):02x}" for v in mixed)
        if contrast(candidate, background) >= target:
            return candidate
    return "#000000" if toward == 0.0 else "#ffffff"


@cache
def accessible_style(base: str, background: str) -> type[Style]:
    original = get_style_by_name(base)
    styles = {token: _HEX.sub(lambda m: readable("#" + m.group(1), background), value or "")
              for token, value in original.styles.items()}
    return StyleMeta(f"Readable_{base}", (Style,), {"styles": styles, "background_color": background})
