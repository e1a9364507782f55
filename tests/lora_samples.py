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
               adapter_name: str | None = None, shapes: dict[str, tuple[int, int]] = HF_SHAPES,
               prefix: str = "base_model.model.model") -> Path:
    """A PEFT LoRA folder as peft saves one: adapter_config.json + adapter_model.safetensors.
    ``ranks``: module -> its own rank (peft's rank_pattern, written into the config too).
    ``adapter_name``: keys as a model's own state_dict has them (``lora_A.<name>.weight``), as some
    training scripts save them instead of save_pretrained. ``shapes``: module -> [n_out, n_in] of the
    base model (the starter's by default); ``prefix``: what the keys start with before ``.layers``."""
    from safetensors.numpy import save_file

    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    tensors = {}
    for layer in layers:
        for module in modules:
            n_out, n_in = shapes[module]
            r = (ranks or {}).get(module, rank)
            stem = f"{prefix}.layers.{layer}.{'mlp' if module in MLP else 'self_attn'}.{module}"
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


def write_one_layer_llama(path: Path, vocab_from: Path, *, seed: int = 0, n_embd: int = 64, n_ff: int = 128,
                          n_head: int = 4, n_head_kv: int = 2) -> dict[str, np.ndarray]:
    """A one-layer llama model in F32 with random weights and the tokenizer of ``vocab_from`` (the
    starter's), whose next-token logits numpy can compute (see one_layer_logits). Returns its
    weights by GGUF name in Hugging Face's layout (numpy order: [n_out, n_in]); the file holds q and k
    with their rows permuted as llama.cpp's converter writes them (its rotary layout). The output
    layer is the tied embeddings."""
    import gguf

    from hearthlm.core.lora.convert import _permute

    reader = gguf.GGUFReader(str(vocab_from))
    rng = np.random.default_rng(seed)
    n_vocab = len(reader.fields["tokenizer.ggml.tokens"].data)
    kv = n_embd // n_head * n_head_kv
    weights = {"token_embd.weight": rng.normal(0, 0.5, (n_vocab, n_embd)),
               "output_norm.weight": rng.uniform(0.5, 1.5, n_embd),
               "blk.0.attn_norm.weight": rng.uniform(0.5, 1.5, n_embd),
               "blk.0.ffn_norm.weight": rng.uniform(0.5, 1.5, n_embd)}
    for name, shape in (("attn_q", (n_embd, n_embd)), ("attn_k", (kv, n_embd)), ("attn_v", (kv, n_embd)),
                        ("attn_output", (n_embd, n_embd)), ("ffn_gate", (n_ff, n_embd)), ("ffn_up", (n_ff, n_embd)),
                        ("ffn_down", (n_embd, n_ff))):
        weights[f"blk.0.{name}.weight"] = rng.normal(0, 1 / np.sqrt(shape[1]), shape)
    weights = {name: array.astype(np.float32) for name, array in weights.items()}
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_block_count(1)
    writer.add_context_length(256)
    writer.add_embedding_length(n_embd)
    writer.add_feed_forward_length(n_ff)
    writer.add_head_count(n_head)
    writer.add_head_count_kv(n_head_kv)
    writer.add_rope_dimension_count(n_embd // n_head)
    writer.add_rope_freq_base(10000.0)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_vocab_size(n_vocab)
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre(str(reader.fields["tokenizer.ggml.pre"].contents()))
    writer.add_token_list(reader.fields["tokenizer.ggml.tokens"].contents())
    writer.add_token_types(reader.fields["tokenizer.ggml.token_type"].contents())
    writer.add_token_merges(reader.fields["tokenizer.ggml.merges"].contents())
    writer.add_bos_token_id(int(reader.fields["tokenizer.ggml.bos_token_id"].contents()))
    writer.add_eos_token_id(int(reader.fields["tokenizer.ggml.eos_token_id"].contents()))
    writer.add_add_bos_token(False)
    for name, array in weights.items():
        if name == "blk.0.attn_q.weight":
            array = _permute(array, n_head)
        elif name == "blk.0.attn_k.weight":
            array = _permute(array, n_head_kv)
        writer.add_tensor(name, np.ascontiguousarray(array))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return {name: array.astype(np.float64) for name, array in weights.items()}


def one_layer_logits(weights: dict[str, np.ndarray], tokens: list[int], n_head: int = 4, n_head_kv: int = 2,
                     eps: float = 1e-5, rope_base: float = 10000.0) -> np.ndarray:
    """The next-token logits of write_one_layer_llama's model after ``tokens``, computed the way
    Hugging Face's llama does it (rotary embedding by rotate_half, grouped-query attention)."""
    def norm(x: np.ndarray, gain: np.ndarray) -> np.ndarray:
        return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps) * gain

    def rope(u: np.ndarray) -> np.ndarray:  # [positions, heads, d]
        d = u.shape[-1]
        angles = np.arange(len(u))[:, None] * rope_base ** (-np.arange(0, d, 2) / d)[None, :]
        cos, sin = np.cos(np.concatenate([angles] * 2, -1)), np.sin(np.concatenate([angles] * 2, -1))
        return u * cos[:, None, :] + np.concatenate([-u[..., d // 2:], u[..., : d // 2]], -1) * sin[:, None, :]

    w = weights
    x = w["token_embd.weight"][tokens]  # [positions, n_embd]
    h = norm(x, w["blk.0.attn_norm.weight"])
    d = x.shape[1] // n_head
    q = rope((h @ w["blk.0.attn_q.weight"].T).reshape(len(tokens), n_head, d))
    k = rope((h @ w["blk.0.attn_k.weight"].T).reshape(len(tokens), n_head_kv, d))
    v = (h @ w["blk.0.attn_v.weight"].T).reshape(len(tokens), n_head_kv, d)
    heads = []
    for head in range(n_head):  # the last position's output, over every position (all are before it)
        kv = head // (n_head // n_head_kv)
        scores = k[:, kv] @ q[-1, head] / np.sqrt(d)
        weights_ = np.exp(scores - scores.max())
        heads.append((weights_ / weights_.sum()) @ v[:, kv])
    x = x[-1] + w["blk.0.attn_output.weight"] @ np.concatenate(heads)
    h = norm(x, w["blk.0.ffn_norm.weight"])
    gate = w["blk.0.ffn_gate.weight"] @ h
    x = x + w["blk.0.ffn_down.weight"] @ (gate / (1 + np.exp(-gate)) * (w["blk.0.ffn_up.weight"] @ h))
    return w["token_embd.weight"] @ norm(x, w["output_norm.weight"])
