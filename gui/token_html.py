"""Tokens as HTML for the inspectors: each piece on its own colour, its id as a tooltip (and
optionally under it), byte pieces as <0xE4>, special tokens bold, the KV-cached part marked."""

from __future__ import annotations

import html
from typing import Any

from hearthlm.core.tokens.pieces import shown

PALETTE = ("#cfe3ff", "#ffe2b8", "#d3f2d1", "#ffd3dc", "#e6d8ff", "#fff3a6")
SPECIAL = "#7a1fa2"
CACHED_BORDER = "#2e7d32"


def pieces_html(pieces: list[dict[str, Any]], show_ids: bool = False, cached: int = 0) -> str:
    out = []
    for i, piece in enumerate(pieces):
        text = shown(piece)
        visible = html.escape(text).replace(" ", "&nbsp;").replace("\n", "↵<br>").replace("\t", "→")
        style = f"background:{PALETTE[i % len(PALETTE)]};"
        if piece["text"] is None or piece["kind"] == "byte":
            style += "font-family:monospace; color:#444;"
        if piece["kind"] in ("control", "user"):
            style += f"color:{SPECIAL}; font-weight:bold;"
        if i < cached:
            style += f"text-decoration:underline; color:{CACHED_BORDER};" if piece["kind"] not in ("control", "user") \
                else "text-decoration:underline;"
        label = f'<sub style="color:#666">{piece["id"]}</sub>' if show_ids else ""
        out.append(f'<span title="{piece["id"]}" style="{style}">{visible}</span>{label}')
    return "".join(out)
