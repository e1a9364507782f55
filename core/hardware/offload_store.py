"""GPU layers, flash attention and KV cache type, remembered per model file.

Kept in ``offload.json`` next to settings.json, keyed by the model's resolved path, so that the
shared settings schema does not grow a field per model. Saved atomically; a damaged file counts
as empty.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .. import paths

FLASH_ATTN_CHOICES = ("auto", "on", "off")
KV_TYPE_CHOICES = ("f16", "q8_0", "q4_0")


def _choice(value: object, choices: tuple[str, ...], default: str) -> str:
    return value if isinstance(value, str) and value in choices else default


@dataclass
class OffloadChoice:
    gpu_layers: int | str | None = None  # a count, "auto", or None: the settings' n_gpu_layers
    flash_attn: str = "auto"
    kv_type: str = "f16"

    @classmethod
    def from_dict(cls, data: Any) -> OffloadChoice:
        if not isinstance(data, dict):
            return cls()
        layers = data.get("gpu_layers")
        if not (layers is None or layers == "auto" or (isinstance(layers, int) and not isinstance(layers, bool)
                                                        and layers >= 0)):
            layers = None
        fa = _choice(data.get("flash_attn"), FLASH_ATTN_CHOICES, "auto")
        kv = _choice(data.get("kv_type"), KV_TYPE_CHOICES, "f16")
        if kv != "f16" and fa == "off":
            fa = "auto"  # a quantized V cache needs flash attention
        return cls(layers, fa, kv)

    def load_params(self, default_layers: int) -> dict[str, Any]:
        """Keyword arguments for LoadParams (gpu_layers "auto" is resolved by the caller)."""
        return {"n_gpu_layers": default_layers if self.gpu_layers is None else self.gpu_layers,
                "flash_attn": self.flash_attn, "type_k": self.kv_type, "type_v": self.kv_type}


def store_path() -> Path:
    return paths.config_dir() / "offload.json"


def _key(model: str | os.PathLike[str]) -> str:
    return str(Path(model).expanduser().resolve())


def _read() -> dict[str, Any]:
    try:
        data = json.loads(store_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def get_choice(model: str | os.PathLike[str]) -> OffloadChoice:
    return OffloadChoice.from_dict(_read().get(_key(model)))


def set_choice(model: str | os.PathLike[str], choice: OffloadChoice) -> None:
    data = _read()
    data[_key(model)] = asdict(choice)
    target = store_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".offload-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2, ensure_ascii=False)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
