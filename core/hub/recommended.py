"""The first-run list of suggested models (resources/recommended_models.json), each with a fit verdict."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from .fit import Budget, verdict


def recommended() -> list[dict[str, Any]]:
    text = resources.files("hearthlm.resources").joinpath("recommended_models.json").read_text(encoding="utf-8")
    return [dict(m) for m in json.loads(text)["models"]]


def recommended_with_fit(budget: Budget) -> list[dict[str, Any]]:
    return [{**m, "fit": verdict(int(m["size"]), budget).to_dict()} for m in recommended()]
