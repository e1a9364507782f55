"""PEFT LoRA adapters (``adapter_config.json`` + ``adapter_model.safetensors``) to GGUF LoRA, with
safetensors, gguf and numpy -- no torch.

What llama.cpp's convert_lora_to_gguf.py does for the architectures listed in ``PERMUTE_QK``:
Hugging Face tensor names are mapped to GGUF names with gguf's own TensorNameMap; the LoRA A
matrix ([rank, n_in]) and B ([n_out, rank]) are written as ``<gguf name>.lora_a`` / ``.lora_b``
in F32 with ``adapter.lora.alpha``. For llama models the q and k projections' output rows were
permuted by the model's converter (rotary embedding layout): B's rows get the same permutation.
Adapters that touch the token embeddings or the output layer are refused, as llama.cpp's
converter refuses them (new tokens added in fine-tuning; lm_head tied to the embeddings).
GGUF holds one alpha and llama.cpp divides it by each tensor's own rank: per-module ranks
(``rank_pattern``) need nothing more, and per-module alphas (``alpha_pattern``) or rsLoRA's
alpha / sqrt(rank) with per-module ranks are written by scaling that module's B (exact: the
update is scale x B x A). DoRA is refused (llama.cpp has no magnitude vectors). The matrices of a
multimodal model's vision or audio part are left out, as llama.cpp's converter leaves them: a text
model's GGUF has no such tensors (its projector lives in a separate mmproj file).
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import HearthError
from ..modelfile import GGUFInfo, read_gguf
from . import messages as M
from .info import ALPHA_KEY, is_adapter

CONFIG = "adapter_config.json"
WEIGHTS = "adapter_model.safetensors"
PICKLED = "adapter_model.bin"  # older PEFT: a torch pickle, never opened here
# a model's own state_dict names the adapter: ``.lora_A.default.weight`` (save_pretrained drops it)
_NAMED_HALF = re.compile(r"\.lora_([AB])\.[^.]+\.weight$")
# Architectures whose GGUF layout is known here -> whether q/k rows were permuted: True where
# convert_hf_to_gguf.py's class derives from LlamaModel and keeps its permute (llama, which Mistral
# and most fine-tunes use, Granite, SmolLM3); the others write Hugging Face's rows as they are
# (Phi-3's fused qkv_proj and gate_up_proj map to attn_qkv and ffn_up whole).
PERMUTE_QK: dict[str, bool] = {"llama": True, "granite": True, "smollm3": True, "qwen2": False, "qwen3": False,
                               "gemma": False, "gemma2": False, "gemma3": False, "phi3": False, "olmo2": False}
# A multimodal model's other towers: never in a text model's GGUF (Gemma3Model.modify_tensors skips them).
_NOT_TEXT = re.compile(r"(^|\.)(vision_tower|vision_model|multi_modal_projector|multimodal_projector|visual|"
                       r"audio_tower|audio_model)\.")
_PREFIXES = ("base_model.model.", "model.language_model.")


class ConvertError(HearthError):
    pass


@dataclass
class Converted:
    path: Path
    count: int  # A/B pairs written
    architecture: str
    rank: int
    alpha: float
    left_out: int = 0  # A/B matrices of a vision or audio tower, not converted


def _config(folder: Path) -> dict[str, Any]:
    if (folder / CONFIG).is_file() and not (folder / WEIGHTS).is_file() and (folder / PICKLED).is_file():
        raise ConvertError(M.PEFT_PICKLE, path=str(folder))
    if not (folder / CONFIG).is_file() or not (folder / WEIGHTS).is_file():
        raise ConvertError(M.PEFT_MISSING, path=str(folder))
    try:
        data = json.loads((folder / CONFIG).read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        rank, alpha = int(data["r"]), float(data["lora_alpha"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConvertError(M.PEFT_CONFIG_BAD, path=str(folder), reason=str(exc)) from None
    kind = str(data.get("peft_type", "LORA"))
    if kind.upper() != "LORA":
        raise ConvertError(M.PEFT_NOT_LORA, path=str(folder), kind=kind)
    if data.get("use_dora"):
        raise ConvertError(M.PEFT_UNSUPPORTED, path=str(folder), reason="DoRA adapters need magnitude vectors llama.cpp does not apply")
    if rank <= 0:
        raise ConvertError(M.PEFT_CONFIG_BAD, path=str(folder), reason=f"r is {rank}")
    patterns = data.get("alpha_pattern") or {}
    try:
        patterns = {str(k): float(v) for k, v in dict(patterns).items()}
    except (TypeError, ValueError) as exc:
        raise ConvertError(M.PEFT_CONFIG_BAD, path=str(folder), reason=f"alpha_pattern: {exc}") from None
    rslora = bool(data.get("use_rslora"))
    # llama.cpp scales by alpha / rank; rsLoRA means alpha / sqrt(rank).
    written_alpha = alpha * math.sqrt(rank) if rslora else alpha
    return {"rank": rank, "alpha": written_alpha, "lora_alpha": alpha, "rslora": rslora, "alpha_pattern": patterns}


def _module_scale(config: dict[str, Any], module: str, rank: int) -> float:
    """The factor B must carry so that llama.cpp's one scale (written alpha / this module's rank,
    read from its matrices) gives PEFT's for this module: lora_alpha, or the alpha_pattern entry
    that matches the module's name (PEFT's rule: the key is the name or its last dotted parts),
    over the rank or, with rsLoRA, its square root. 1.0 for a plain adapter."""
    alpha = config["lora_alpha"]
    for key, value in config["alpha_pattern"].items():
        if re.match(rf"(.*\.)?({key})$", module):
            alpha = value
            break
    wanted = alpha / (math.sqrt(rank) if config["rslora"] else rank)
    return wanted * rank / config["alpha"]


def _read_tensors(path: Path) -> dict[str, Any]:
    """name -> float32 numpy array; a damaged file is a ConvertError with its one sentence."""
    from safetensors import SafetensorError

    try:
        return _read_safetensors(path)
    except (SafetensorError, OSError, ValueError, KeyError) as exc:
        raise ConvertError(M.PEFT_DAMAGED, path=str(path.parent), reason=str(exc)) from None


def _read_safetensors(path: Path) -> dict[str, Any]:
    """name -> float32 numpy array. BF16 (numpy has no such type) is widened from its raw bytes."""
    import numpy as np
    from safetensors import safe_open

    out: dict[str, Any] = {}
    bf16: list[str] = []
    with safe_open(str(path), framework="np") as handle:
        for name in handle.keys():
            dtype = handle.get_slice(name).get_dtype()
            if dtype == "BF16":
                bf16.append(name)
            elif dtype in ("F32", "F16", "F64"):
                out[name] = handle.get_tensor(name).astype(np.float32)
            else:
                raise ConvertError(M.PEFT_DTYPE, path=str(path.parent), tensor=name, dtype=dtype)
    if bf16:
        with open(path, "rb") as f:
            n = int.from_bytes(f.read(8), "little")
            header = json.loads(f.read(n))
            for name in bf16:
                start, end = header[name]["data_offsets"]
                f.seek(8 + n + start)
                raw = np.frombuffer(f.read(end - start), dtype="<u2").astype(np.uint32) << 16
                out[name] = raw.view(np.float32).reshape(header[name]["shape"])
    return out


def _permute(rows: Any, n_head: int) -> Any:
    """LlamaModel.permute of convert_hf_to_gguf.py, on the output rows of B."""
    return rows.reshape(n_head, 2, rows.shape[0] // n_head // 2, *rows.shape[1:]).swapaxes(1, 2).reshape(rows.shape)


def _hf_base(name: str) -> str:
    for prefix in _PREFIXES:
        if name.startswith(prefix):
            name = name[len(prefix):]
            if prefix == "model.language_model.":
                name = "model." + name
    return name


def adapters_dir() -> Path:
    """Where converted adapters go unless told otherwise; the library lists them ("converted")."""
    from ..paths import data_dir

    path = data_dir() / "models" / "adapters"
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_output(folder: str | os.PathLike[str], base: str | os.PathLike[str]) -> Path:
    """A new file in adapters_dir() named after the PEFT folder and the base model's file
    (``pirate-lora-for-SmolLM2-135M-Instruct.Q4_1.gguf``), numbered when taken."""
    stem = re.sub(r"[^\w.-]+", "-", Path(folder).expanduser().resolve().name).strip("-.") or "adapter"
    stem = f"{stem}-for-{Path(base).stem}"
    path = adapters_dir() / f"{stem}.gguf"
    number = 2
    while path.exists():
        path = path.with_name(f"{stem}-{number}.gguf")
        number += 1
    return path


def convert(folder: str | os.PathLike[str], base: str | os.PathLike[str],
            out: str | os.PathLike[str] | None = None) -> Converted:
    """Convert the PEFT adapter in ``folder`` for the GGUF model ``base`` into ``out`` (None: a new
    file in adapters_dir(), see default_output). Raises ConvertError (or ModelFileError for the
    base) with one sentence; writes nothing then."""
    import gguf
    import numpy as np

    src = Path(folder).expanduser()
    target = Path(out).expanduser() if out is not None else default_output(src, base)
    config = _config(src)
    header: GGUFInfo = read_gguf(base)
    if is_adapter(header):
        raise ConvertError(M.PEFT_BASE_IS_ADAPTER, name=header.path.name)
    arch = header.architecture
    if arch not in PERMUTE_QK:
        raise ConvertError(M.PEFT_ARCH_UNSUPPORTED, arch=arch, supported=", ".join(sorted(PERMUTE_QK)))
    if target.exists():
        raise ConvertError(M.PEFT_OUTPUT_EXISTS, path=str(target))
    arch_enum = {v: k for k, v in gguf.MODEL_ARCH_NAMES.items()}[arch]
    names = gguf.get_tensor_name_map(arch_enum, int(header.block_count or 0))
    n_head = int(header.arch_value("attention.head_count", 0) or 0)
    n_head_kv = int(header.arch_value("attention.head_count_kv", n_head) or n_head)

    pairs: dict[str, dict[str, Any]] = {}
    modules: dict[str, str] = {}  # GGUF name -> the PEFT module's name (for alpha_pattern)
    left_out = 0
    for name, array in _read_tensors(src / WEIGHTS).items():
        hf = _NAMED_HALF.sub(r".lora_\1.weight", _hf_base(name))
        if _NOT_TEXT.search(hf):
            left_out += 1
            continue
        if "lora_embedding_" in hf or hf.startswith(("lm_head", "model.embed_tokens", "embed_tokens")):
            raise ConvertError(M.PEFT_EMBEDDINGS, path=str(src), tensor=name)
        if hf.endswith(".lora_A.weight") or hf.endswith(".lora_B.weight"):
            half = "a" if ".lora_A." in hf else "b"
            hf = hf.replace(".lora_A.weight", ".weight").replace(".lora_B.weight", ".weight")
        elif hf.endswith(".base_layer.weight") or "_layernorm" in hf or ".norm" in hf:
            continue  # base weights / norms kept by some tools: llama.cpp's LoRA skips them too
        else:
            raise ConvertError(M.PEFT_UNKNOWN_TENSOR, path=str(src), tensor=name)
        mapped = names.get_name(hf, try_suffixes=(".weight",))
        if mapped is None:
            raise ConvertError(M.PEFT_UNMAPPED, path=str(src), tensor=name, arch=arch)
        if mapped.startswith(("token_embd", "output.")) or mapped == "output":
            raise ConvertError(M.PEFT_EMBEDDINGS, path=str(src), tensor=name)
        pairs.setdefault(mapped, {})[half] = array
        modules[mapped] = name.removeprefix("base_model.model.").rsplit(".lora_", 1)[0]

    from .info import AdapterError, AdapterInfo, check_fits

    shapes = {}
    for mapped, got in pairs.items():
        if set(got) != {"a", "b"}:
            raise ConvertError(M.PEFT_UNSUPPORTED, path=str(src), reason=f"{mapped} has only one of its A/B matrices")
        shapes[mapped] = (tuple(reversed(got["a"].shape)), tuple(reversed(got["b"].shape)))  # ggml order
    if not pairs:
        reason = "its LoRA matrices are all for the vision or audio part, which a text model's GGUF does not have" \
            if left_out else "it holds no LoRA matrices"
        raise ConvertError(M.PEFT_UNSUPPORTED, path=str(src), reason=reason)
    # The same checks as for any adapter, before the rows are touched: every target exists in the base,
    # shapes agree (an adapter for another model is one sentence, not a failed reshape).
    try:
        check_fits(AdapterInfo(target, target.name, arch, config["alpha"], config["rank"], shapes), header)
    except AdapterError as exc:  # said of the folder and its base, not of "the loaded model"
        values = {**exc.msg.values, "path": str(src), "base": header.path.name}
        template = M.PEFT_WRONG_BASE if exc.msg.template == M.SHAPE_MISMATCH else \
            M.PEFT_NOT_IN_BASE if exc.msg.template == M.NOT_IN_BASE else None
        if template is None:
            raise
        raise ConvertError(template, **{k: v for k, v in values.items() if "{" + k in template}) from None
    for mapped, got in pairs.items():
        factor = _module_scale(config, modules[mapped], int(got["a"].shape[0]))  # rank_pattern, alpha_pattern, rsLoRA
        if abs(factor - 1.0) > 1e-6:
            got["b"] = got["b"] * np.float32(factor)
        if PERMUTE_QK[arch] and n_head and mapped.endswith("attn_q.weight"):
            got["b"] = _permute(got["b"], n_head)
        elif PERMUTE_QK[arch] and n_head_kv and mapped.endswith("attn_k.weight"):
            got["b"] = _permute(got["b"], n_head_kv)

    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    writer = gguf.GGUFWriter(str(partial), arch)
    writer.add_type(gguf.GGUFType.ADAPTER)
    writer.add_string(gguf.Keys.Adapter.TYPE, "lora")
    writer.add_float32(ALPHA_KEY, float(config["alpha"]))
    writer.add_name(src.name)
    for mapped in sorted(pairs):
        writer.add_tensor(mapped + ".lora_a", np.ascontiguousarray(pairs[mapped]["a"], dtype=np.float32))
        writer.add_tensor(mapped + ".lora_b", np.ascontiguousarray(pairs[mapped]["b"], dtype=np.float32))
    try:
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
        writer.close()
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return Converted(target, len(pairs), arch, config["rank"], float(config["alpha"]), left_out)

