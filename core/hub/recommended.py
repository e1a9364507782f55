"""The first-run list of suggested models (resources/recommended_models.json), each with a fit verdict."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from .fit import Budget, verdict


def recommended() -> list[dict[str, Any]]:
    text = resources.files("hearthlm.resources").joinpath("recommended_models.json").read_text(encoding="utf-8")
    return [dict(m) for m in json.loads(text)["models"]]


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
