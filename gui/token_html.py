"""Tokens as HTML for the inspectors: each piece on its own colour, its id as a tooltip (and
optionally under it), byte pieces as <0xE4> followed by the characters they make together (small,
grey), special tokens bold, the KV-cached part underlined."""

from __future__ import annotations

import html
from typing import Any

from hearthlm.core.prompt.pieces import shown

PALETTE = ("#cfe3ff", "#ffe2b8", "#d3f2d1", "#ffd3dc", "#e6d8ff", "#fff3a6")
SPECIAL = "#7a1fa2"
CACHED_BORDER = "#2e7d32"


def _decoded(run: list[dict[str, Any]]) -> str:
    """After a run of byte pieces: the characters they make together (the tokens stay shown)."""
    try:
        text = b"".join(bytes.fromhex(p["hex"]) for p in run).decode("utf-8").strip()
    except UnicodeDecodeError:
        return ""
    return f'<span style="color:#888; font-size:small">({html.escape(text)})</span>' if text else ""


def pieces_html(pieces: list[dict[str, Any]], show_ids: bool = False, cached: int = 0) -> str:
    out = []
    run: list[dict[str, Any]] = []  # consecutive pieces that are bytes, not whole characters
    for i, piece in enumerate(pieces):
        if piece["text"] is None:
            run.append(piece)
        elif run:
            out.append(_decoded(run))
            run = []
        text = shown(piece)
        visible = html.escape(text).replace(" ", "&nbsp;").replace("\n", "↵<br>").replace("\t", "→")
        style = f"background:{PALETTE[i % len(PALETTE)]};"
        if piece["text"] is None or piece["kind"] == "byte":
            style += "font-family:monospace; color:#444;"
        special = piece["kind"] in ("control", "user")
        if special:
            style += f"color:{SPECIAL}; font-weight:bold;"
        if i < cached:
            style += "text-decoration:underline;" + ("" if special else f" color:{CACHED_BORDER};")
        label = f'<sub style="color:#666">{piece["id"]}</sub>' if show_ids else ""
        out.append(f'<span title="{piece["id"]}" style="{style}">{visible}</span>{label}')
    if run:
        out.append(_decoded(run))
    return "".join(out)
