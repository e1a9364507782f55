"""The first-run list of suggested models (resources/recommended_models.json), each with a fit verdict."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from ..messages import QT_TRANSLATE_NOOP, Msg
from .fit import Budget, verdict

# The notes of recommended_models.json, here so that lupdate sees them and the window shows them in
# the user's language (a note missing here stays English: tests/test_hub.py checks every one is).
NOTES = (
    QT_TRANSLATE_NOOP("core", "Tiny and quick; answers in Chinese and English."),
    QT_TRANSLATE_NOOP("core", "A good first chat model; strong in Chinese."),
    QT_TRANSLATE_NOOP("core", "Very small English assistant."),
    QT_TRANSLATE_NOOP("core", "English assistant, better answers than the 360M."),
    QT_TRANSLATE_NOOP("core", "Gemma 3 1B instruct; multilingual (Gemma terms of use)."),
    QT_TRANSLATE_NOOP("core", "Llama 3.2 1B instruct (Llama 3.2 community license)."),
    QT_TRANSLATE_NOOP("core", "Multilingual embedding model for searching your documents (Chinese included)."),
    QT_TRANSLATE_NOOP("core", "Small English embedding model for documents."),
)


def recommended() -> list[dict[str, Any]]:
    """The suggestions; each ``note`` a Msg, which the window shows translated."""
    text = resources.files("hearthlm.resources").joinpath("recommended_models.json").read_text(encoding="utf-8")
    return [{**m, "note": Msg(m.get("note") or "")} for m in json.loads(text)["models"]]


def multilingual_embedder() -> dict[str, Any]:
    """The recommended embedding model that reads Chinese as well as English (the Documents page
    offers it for collections holding Chinese text)."""
    return next(m for m in recommended() if m["kind"] == "embedding" and "zh" in m.get("languages", []))


def recommended_with_fit(budget: Budget, estimate: bool = False) -> list[dict[str, Any]]:
    """Each suggestion with its verdict: the file-size guess, or with ``estimate`` the memory
    estimate from the file's header on the hub (the guess, with its reason, where that fails)."""
    if not estimate:
        return [{**m, "fit": verdict(int(m["size"]), budget).to_dict()} for m in recommended()]
    from .fit import devices_from_budget
    from .names import GGUFEntry
    from .remote_header import remote_fit

    devices = devices_from_budget(budget)
    out = []
    for m in recommended():
        size = int(m["size"])
        entry = GGUFEntry(name=m["file"], files=[m["file"]], size=size, sizes={m["file"]: size})
        out.append({**m, "fit": remote_fit(m["repo"], entry, devices, budget).to_dict()})
    return out
