"""GGUF LoRA adapters: what one is for, and whether it fits a base model -- read with the bounded
header reader (core/modelfile.py), before llama.cpp ever opens the file.

An adapter is a GGUF with ``general.type = adapter`` and ``adapter.type = lora``; its tensors come
in pairs ``<base tensor>.lora_a`` (ggml shape [n_in, rank]) and ``.lora_b`` ([rank, n_out]), the
shapes llama.cpp's llama_adapter_lora_init checks against the base tensor ([n_in, n_out]).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ModelFileError
from ..messages import Msg, msg
from ..modelfile import GGUFInfo, read_gguf
from . import messages as M

ALPHA_KEY = "adapter.lora.alpha"


class AdapterError(ModelFileError):
    """The file is not a LoRA adapter, or not one for this model."""


@dataclass
class AdapterInfo:
    path: Path
    name: str
    architecture: str  # the base models' architecture it was made for
    alpha: float  # 0: llama.cpp applies the scale as it is (no alpha / rank)
    rank: int
    pairs: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = field(default_factory=dict)  # base -> (A, B)

    @property
    def targets(self) -> list[str]:
        return sorted(self.pairs)

    def usable_with(self, architecture: str | None) -> bool:
        return bool(architecture) and architecture == self.architecture


def is_adapter(header: GGUFInfo) -> bool:
    return header.metadata.get("general.type") == "adapter"


def adapter_info(path: str | os.PathLike[str], header: GGUFInfo | None = None) -> AdapterInfo:
    """Read a GGUF LoRA adapter's header. Raises ModelFileError (damaged file) or AdapterError."""
    header = header if header is not None else read_gguf(path)
    name = header.path.name
    kind = header.metadata.get("general.type")
    if kind != "adapter":
        raise AdapterError(M.NOT_ADAPTER, name=name, kind=kind or "model")
    if header.metadata.get("adapter.type") != "lora":
        raise AdapterError(M.NOT_LORA, name=name, kind=header.metadata.get("adapter.type") or "unknown")
    halves: dict[str, dict[str, tuple[int, ...]]] = {}
    for tensor in header.tensors:
        if tensor.name.endswith("_norm.weight"):
            continue  # llama.cpp skips norm vectors in adapters
        base, dot, half = tensor.name.rpartition(".")
        if not dot or half not in ("lora_a", "lora_b"):
            raise AdapterError(M.UNEXPECTED_TENSOR, name=name, tensor=tensor.name)
        halves.setdefault(base, {})[half] = tensor.shape
    pairs = {}
    for base, got in halves.items():
        if set(got) != {"lora_a", "lora_b"}:
            raise AdapterError(M.HALF_PAIR, name=name, tensor=base)
        pairs[base] = (got["lora_a"], got["lora_b"])
    if not pairs:
        raise AdapterError(M.NO_LORA_TENSORS, name=name)
    ranks = [a[1] if len(a) > 1 else 1 for a, _b in pairs.values()]
    alpha = header.metadata.get(ALPHA_KEY, 0.0)
    return AdapterInfo(header.path, name, header.architecture, float(alpha) if isinstance(alpha, int | float) else 0.0,
                       max(ranks), pairs)


def check_fits(adapter: AdapterInfo, base: GGUFInfo) -> None:
    """Raise AdapterError with one sentence unless llama.cpp would accept ``adapter`` on ``base``
    (the checks of llama_adapter_lora_init: architecture, every target present, shapes)."""
    if adapter.architecture != base.architecture:
        raise AdapterError(M.WRONG_ARCH, name=adapter.name, adapter_arch=adapter.architecture,
                           model_arch=base.architecture)
    shapes = {t.name: t.shape for t in base.tensors}
    for target, (a, b) in sorted(adapter.pairs.items()):
        if target not in shapes:
            raise AdapterError(M.NOT_IN_BASE, name=adapter.name, tensor=target)
        w = shapes[target]
        if len(a) != 2 or len(b) != 2 or len(w) != 2:
            ok = False
        elif target.endswith("token_embd.weight"):  # stored flipped (llm_build_inp_embd)
            ok = w[0] == b[1] and w[1] == a[1]
        else:
            ok = w[0] == a[0] and w[1] == b[1] and a[1] == b[0]
        if not ok:
            raise AdapterError(M.SHAPE_MISMATCH, name=adapter.name, tensor=target, base_shape=_shape(w),
                               a_shape=_shape(a), b_shape=_shape(b), rank=a[1] if len(a) > 1 else "?")


def _shape(shape: tuple[int, ...]) -> str:
    return "×".join(str(d) for d in shape)


def check_scale(name: str, scale: object) -> float:
    try:
        value = float(scale)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        value = float("nan")
    if not 0.0 <= value <= 2.0:
        raise AdapterError(M.BAD_SCALE, name=name, scale=str(scale))
    return value


def parse_lora_arg(value: str) -> dict[str, object]:
    """``FILE`` or ``FILE:SCALE`` (the command line's --lora) as ``{"path", "scale"}``."""
    path, sep, tail = value.rpartition(":")
    if sep and path:
        try:
            scale = float(tail)
        except ValueError:
            path, scale = value, 1.0
    else:
        path, scale = value, 1.0
    if not path:
        raise AdapterError(M.BAD_LORA_ARG, value=value)
    return {"path": str(Path(path).expanduser()), "scale": check_scale(Path(path).name, scale)}


def adapters_line(used: list[dict[str, object]]) -> Msg:
    """The stats line's words for the adapters an answer used: "LoRA: a.gguf ×1, b.gguf ×0.5"."""
    return msg(M.ADAPTERS_USED, adapters=", ".join(f"{a.get('name')} ×{float(a.get('scale', 1.0)):g}"  # type: ignore[arg-type]
                                                   for a in used))
