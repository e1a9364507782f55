"""One typed settings schema, with defaults, descriptions and a version, stored as JSON.

Unknown keys are ignored and missing ones take their defaults, so an older or newer settings
file never stops Hearth from starting. Saved atomically (temp file + rename).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from . import paths
from .jsonfile import write_json_atomic

SETTINGS_VERSION = 1


def _setting(default: Any, description: str) -> Any:
    return field(default=default, metadata={"description": description})


@dataclass
class Settings:
    version: int = _setting(SETTINGS_VERSION, "Schema version of this file.")
    default_model: str | None = _setting(None, "GGUF to load at start; the starter model when unset.")
    language: str = _setting("", "UI language ('en', 'zh_CN'); empty follows the system.")
    n_ctx: int = _setting(4096, "Context size in tokens.")
    n_gpu_layers: int = _setting(0, "Layers to offload to the GPU (0: CPU only).")
    n_threads: int = _setting(0, "CPU threads for llama.cpp; 0 is one per physical core. Fewer can be "
                                 "faster when other programs keep the cores busy.")
    max_tokens: int = _setting(1024, "Longest answer, in tokens.")
    temperature: float = _setting(0.7, "Sampling temperature; 0 is greedy.")
    top_p: float = _setting(0.95, "Nucleus sampling threshold.")
    top_k: int = _setting(40, "Sample among the k most likely tokens.")
    min_p: float = _setting(0.05, "Drop tokens less likely than this fraction of the best one.")
    repeat_penalty: float = _setting(1.1, "Penalty for repeating the last 64 tokens; 1 is off.")
    hf_token: str = _setting("", "Hugging Face token for gated or private models; empty uses HF_TOKEN.")

    @classmethod
    def describe(cls) -> dict[str, str]:
        return {f.name: f.metadata.get("description", "") for f in fields(cls)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Settings":
        defaults = cls()
        values = {}
        for f in fields(cls):
            if f.name in data and f.name != "version":
                value = data[f.name]
                default = getattr(defaults, f.name)
                # keep a value only if it has the default's type; where the default is None (a path),
                # None or a string. JSON true/false are bools, which Python also counts as ints.
                if default is None:
                    fits = value is None or isinstance(value, str)
                elif isinstance(value, bool) != isinstance(default, bool):
                    fits = False
                else:
                    fits = isinstance(value, type(default)) or (
                        isinstance(default, float) and isinstance(value, int))
                if fits:
                    values[f.name] = value
        return cls(**values)


def settings_path() -> Path:
    return paths.config_dir() / "settings.json"


def load_settings() -> Settings:
    try:
        data = json.loads(settings_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Settings()
    return Settings.from_dict(data) if isinstance(data, dict) else Settings()


def save_settings(settings: Settings) -> None:
    write_json_atomic(settings_path(), asdict(settings), indent=2)
