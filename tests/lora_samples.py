"""LoRA adapters and PEFT folders written by the tests (gguf + safetensors + numpy)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

# SmolLM2-135M: attention projections, GGUF order [n_in, n_out]
STARTER_SHAPES = {"attn_q": (576, 576), "attn_k": (576, 192), "attn_v": (576, 192), "attn_output": (576, 576)}


def write_adapter(path: Path, *, arch: str = "llama", layers=(0, 1, 2), kinds=("attn_q", "attn_v"), rank: int = 8,
                  alpha: float = 16.0, seed: int = 0, std: float = 0.3, shapes=STARTER_SHAPES,
                  extra: dict[str, np.ndarray] | None = None, dtype: str = "f32") -> Path:
    """A GGUF LoRA with random A [rank, n_in] and B [n_out, rank] (numpy order) per target, in F32,
    F16 or Q8_0 (what llama.cpp's convert_lora_to_gguf.py --outtype writes)."""
    import gguf

    rng = np.random.default_rng(seed)
    writer = gguf.GGUFWriter(str(path), arch)
    writer.add_type(gguf.GGUFType.ADAPTER)
    writer.add_string(gguf.Keys.Adapter.TYPE, "lora")
    writer.add_float32(gguf.Keys.Adapter.LORA_ALPHA, alpha)
    for layer in layers:
        for kind in kinds:
            n_in, n_out = shapes[kind]
            for half, shape in (("lora_a", (rank, n_in)), ("lora_b", (n_out, rank))):
                _add(writer, f"blk.{layer}.{kind}.weight.{half}", rng.normal(0, std, shape).astype(np.float32), dtype)
    for name, array in (extra or {}).items():
        writer.add_tensor(name, array)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


HF_SHAPES = {"q_proj": (576, 576), "k_proj": (192, 576), "v_proj": (192, 576), "o_proj": (576, 576),
             "gate_proj": (1536, 576), "up_proj": (1536, 576), "down_proj": (576, 1536),
             "lm_head": (49152, 576)}  # [n_out, n_in] as PyTorch keeps them
MLP = ("gate_proj", "up_proj", "down_proj")  # under .mlp, the others under .self_attn


def _add(writer, name: str, array: np.ndarray, dtype: str) -> None:
    import gguf

    if dtype == "f16":
        writer.add_tensor(name, array.astype(np.float16))
    elif dtype == "q8_0":
        kind = gguf.GGMLQuantizationType.Q8_0
        packed = gguf.quants.quantize(array, kind)
        writer.add_tensor(name, packed, raw_shape=packed.shape, raw_dtype=kind)
    else:
        writer.add_tensor(name, array)


def write_peft(folder: Path, *, modules=("q_proj", "k_proj", "v_proj"), layers=(0, 1), rank: int = 4,
               alpha: float = 8.0, seed: int = 1, std: float = 0.3, lm_head: bool = False,
               config: dict | None = None, dtype: str = "f32", ranks: dict[str, int] | None = None,
               adapter_name: str | None = None) -> Path:
    """A PEFT LoRA folder as peft saves one: adapter_config.json + adapter_model.safetensors.
    ``ranks``: module -> its own rank (peft's rank_pattern, written into the config too).
    ``adapter_name``: keys as a model's own state_dict has them (``lora_A.<name>.weight``), as some
    training scripts save them instead of save_pretrained."""
    from safetensors.numpy import save_file

    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    tensors = {}
    for layer in layers:
        for module in modules:
            n_out, n_in = HF_SHAPES[module]
            r = (ranks or {}).get(module, rank)
            stem = f"base_model.model.model.layers.{layer}.{'mlp' if module in MLP else 'self_attn'}.{module}"
            named = f".{adapter_name}" if adapter_name else ""
            tensors[f"{stem}.lora_A{named}.weight"] = rng.normal(0, std, (r, n_in)).astype(np.float32)
            tensors[f"{stem}.lora_B{named}.weight"] = rng.normal(0, std, (n_out, r)).astype(np.float32)
    if lm_head:
        tensors["base_model.model.lm_head.lora_A.weight"] = rng.normal(0, std, (rank, 576)).astype(np.float32)
        tensors["base_model.model.lm_head.lora_B.weight"] = rng.normal(0, std, (49152, rank)).astype(np.float32)
    if dtype == "bf16":
        save_bf16(tensors, folder / "adapter_model.safetensors")
    else:
        save_file(tensors, str(folder / "adapter_model.safetensors"))
    cfg = {"peft_type": "LORA", "r": rank, "lora_alpha": alpha, "target_modules": list(modules),
           "base_model_name_or_path": "HuggingFaceTB/SmolLM2-135M-Instruct", "task_type": "CAUSAL_LM",
           "rank_pattern": dict(ranks or {})}
    (folder / "adapter_config.json").write_text(json.dumps({**cfg, **(config or {})}), encoding="utf-8")
    return folder


def save_bf16(tensors: dict[str, np.ndarray], path: Path) -> None:
    """A safetensors file in BF16 (as most PEFT adapters are saved; numpy has no bfloat16)."""
    header, blobs, offset = {}, [], 0
    for name, array in tensors.items():
        raw = (np.ascontiguousarray(array, dtype=np.float32).view(np.uint32) >> 16).astype("<u2").tobytes()
        header[name] = {"dtype": "BF16", "shape": list(array.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    path.write_bytes(len(text).to_bytes(8, "little") + text + b"".join(blobs))


def bf16_round(array: np.ndarray) -> np.ndarray:
    return ((np.ascontiguousarray(array, dtype=np.float32).view(np.uint32) >> 16) << 16).view(np.float32)
