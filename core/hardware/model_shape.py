"""What a memory estimate needs to know about a model, read from its GGUF header.

Layer count, attention geometry (heads, KV heads, head sizes, sliding-window layers), vocabulary
size and the bytes of every tensor grouped the way llama.cpp places them: the input layer
(token embeddings, always on the CPU), the repeating blocks, and the output layer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..modelfile import GGUFInfo, TensorInfo

_BLOCK = re.compile(r"^blk\.(\d+)\.")
_INPUT_PREFIXES = ("token_embd.", "token_embd_norm.", "position_embd.", "token_types.")

# Architectures whose GGUFs do not record which layers use sliding-window attention: every
# n-th layer is global (llama.cpp's set_swa_pattern in llama-model.cpp).
SWA_PERIOD = {"gemma3": 6, "gemma2": 2, "cohere2": 4, "gpt-oss": 2, "exaone4": 4, "gemma3n": 5}


def _per_layer(value: Any, n_layer: int, default: int) -> list[int]:
    """A hyper-parameter that may be one number or one number per layer."""
    if isinstance(value, list) and len(value) == n_layer:
        return [int(v) for v in value]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [int(value)] * n_layer
    return [default] * n_layer


@dataclass
class ModelShape:
    architecture: str
    n_layer: int
    n_embd: int
    n_head: list[int]
    n_head_kv: list[int]
    head_dim_k: int
    head_dim_v: int
    n_ff: int
    n_vocab: int
    n_merges: int
    n_ctx_train: int
    n_swa: int  # sliding window size in tokens (0: none)
    swa_layers: list[bool]  # True where the layer attends only to the last n_swa tokens
    n_expert: int = 0
    n_expert_used: int = 0
    n_ff_expert: int = 0
    layer_tensors: list[list[TensorInfo]] = field(default_factory=list)
    input_tensors: list[TensorInfo] = field(default_factory=list)
    output_tensors: list[TensorInfo] = field(default_factory=list)
    tied_output: bool = False  # no output.weight: the output reuses token_embd

    @property
    def n_tensors(self) -> int:
        return sum(len(t) for t in self.layer_tensors) + len(self.input_tensors) + len(self.output_tensors)

    def layer_bytes(self, index: int) -> int:
        return sum(t.n_bytes for t in self.layer_tensors[index])

    @property
    def input_bytes(self) -> int:
        return sum(t.n_bytes for t in self.input_tensors)

    @property
    def output_bytes(self) -> int:
        return sum(t.n_bytes for t in self.output_tensors)

    @property
    def token_embd(self) -> TensorInfo | None:
        return next((t for t in self.input_tensors if t.name == "token_embd.weight"), None)


def _count(value: Any) -> int:
    if isinstance(value, list):
        return len(value)
    return int(getattr(value, "count", 0) or 0)


def model_shape(info: GGUFInfo) -> ModelShape:
    """The shape of a transformer from its header. Missing values fall back the way llama.cpp's do."""
    arch = info.architecture
    n_layer = int(info.arch_value("block_count", 0) or 0)
    if n_layer <= 0:  # no block count: count the blocks present
        n_layer = 1 + max((int(m.group(1)) for t in info.tensors if (m := _BLOCK.match(t.name))), default=-1)
    n_embd = int(info.arch_value("embedding_length", 0) or 0)
    n_head = _per_layer(info.arch_value("attention.head_count"), n_layer, 1)
    n_head_kv = _per_layer(info.arch_value("attention.head_count_kv"), n_layer, n_head[0] if n_head else 1)
    first_heads = max(n_head) if n_head else 1
    head_dim_k = int(info.arch_value("attention.key_length", 0) or 0) or (n_embd // max(first_heads, 1))
    head_dim_v = int(info.arch_value("attention.value_length", 0) or 0) or (n_embd // max(first_heads, 1))
    n_ff_raw = info.arch_value("feed_forward_length", 0)
    n_ff = max(n_ff_raw) if isinstance(n_ff_raw, list) and n_ff_raw else int(n_ff_raw or 0)
    vocab = info.metadata.get("tokenizer.ggml.tokens")
    n_vocab = _count(vocab) or int(info.arch_value("vocab_size", 0) or 0)
    n_merges = _count(info.metadata.get("tokenizer.ggml.merges"))
    n_swa = int(info.arch_value("attention.sliding_window", 0) or 0)
    swa_layers = [False] * n_layer
    pattern = info.arch_value("attention.sliding_window_pattern")
    if n_swa:
        if isinstance(pattern, list) and len(pattern) == n_layer:
            swa_layers = [bool(v) for v in pattern]
        else:
            period = int(pattern) if isinstance(pattern, int) and pattern > 0 else SWA_PERIOD.get(arch, 0)
            if period:  # an unknown pattern leaves every layer global: the larger cache
                swa_layers = [(i + 1) % period != 0 for i in range(n_layer)]

    layers: list[list[TensorInfo]] = [[] for _ in range(n_layer)]
    inputs, outputs = [], []
    for tensor in info.tensors:
        match = _BLOCK.match(tensor.name)
        if match and int(match.group(1)) < n_layer:
            layers[int(match.group(1))].append(tensor)
        elif tensor.name.startswith(_INPUT_PREFIXES):
            inputs.append(tensor)
        else:
            outputs.append(tensor)
    return ModelShape(
        architecture=arch, n_layer=n_layer, n_embd=n_embd, n_head=n_head, n_head_kv=n_head_kv,
        head_dim_k=head_dim_k, head_dim_v=head_dim_v, n_ff=n_ff, n_vocab=n_vocab, n_merges=n_merges,
        n_ctx_train=int(info.context_length or 0), n_swa=n_swa, swa_layers=swa_layers,
        n_expert=int(info.arch_value("expert_count", 0) or 0),
        n_expert_used=int(info.arch_value("expert_used_count", 0) or 0),
        n_ff_expert=int(info.arch_value("expert_feed_forward_length", 0) or 0),
        layer_tensors=layers, input_tensors=inputs, output_tensors=outputs,
        tied_output=not any(t.name == "output.weight" for t in outputs),
    )
