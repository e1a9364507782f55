"""Flash attention and the KV cache's types: LoadParams -> llama.cpp's context params."""

from __future__ import annotations

from typing import Any

from .. import messages as M
from ..errors import EngineError

FLASH_ATTN = {"auto": -1, "off": 0, "on": 1}  # LLAMA_FLASH_ATTN_TYPE_*
KV_TYPE_IDS = {"f32": 0, "f16": 1, "q4_0": 2, "q4_1": 3, "q5_0": 6, "q5_1": 7, "q8_0": 8, "iq4_nl": 20, "bf16": 30}
UNQUANTIZED = ("f32", "f16", "bf16")


def check_offload_params(flash_attn: str, type_k: str, type_v: str) -> None:
    """Raise EngineError with one sentence for a combination llama.cpp would refuse."""
    if flash_attn not in FLASH_ATTN:
        raise EngineError(M.BAD_FLASH_ATTN, value=repr(flash_attn))
    for value in (type_k, type_v):
        if value not in KV_TYPE_IDS:
            raise EngineError(M.BAD_KV_TYPE, value=repr(value), choices=", ".join(KV_TYPE_IDS))
    if type_v not in UNQUANTIZED and flash_attn == "off":
        raise EngineError(M.KV_NEEDS_FLASH_ATTN, kv_type=type_v)


def apply_offload_params(cparams: Any, params: Any) -> None:
    """Set them on a llama_context_params (LoadParams checked them when it was made)."""
    cparams.flash_attn_type = FLASH_ATTN[params.flash_attn]
    cparams.type_k = KV_TYPE_IDS[params.type_k]
    cparams.type_v = KV_TYPE_IDS[params.type_v]
