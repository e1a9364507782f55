"""How much memory a model will take on each device, from its GGUF header alone.

Follows llama.cpp's own placement and sizing (the way gguf-parser does it):

* weights: the token embeddings stay on the CPU; with ``n_gpu_layers = L`` the last L of the
  ``n_layer + 1`` "layers" (the blocks, then the output layer) go to the GPUs, split across GPUs
  by free memory. On the CPU, weights are memory-mapped; Q4_0 / Q4_K / IQ4_NL matrices are also
  repacked into a second copy on CPUs with AVX2 or ARM dot-product support.
* KV cache: per layer, ``kv_size x n_head_kv x head_dim`` for K and for V, at the cache type's
  bytes per element; sliding-window layers hold ``n_swa + n_ubatch`` cells (padded to 256) unless
  ``swa_full`` asks for the full context (llama_context_default_params does).
* compute buffer: the scheduler reserves the largest graph (``n_ubatch`` tokens, every token an
  output): the logits ``n_vocab x n_ubatch`` or the largest layer's activations, whichever is more,
  plus the inputs (embeddings, KQ mask). A GPU allocates all of it; on the CPU only the pages a
  real prompt touches become resident (a chat asks for the last token's logits only), so the CPU
  figure is the layer activations, the mask and one row of logits.
* overhead on the CPU: the vocabulary's structures (measured: ~165 bytes per token, ~185 per BPE
  merge) and ggml's tensor and graph metadata.
* saved states (CPU RAM, whatever the offload): the engine keeps the KV states of recent
  conversations up to a byte budget (``state_cache_bytes``), peak included. It is a line of its
  own: the model needs it only as the user switches conversations, and the engine shrinks it to
  the memory the machine has free (core/engine/kv_states.py).

All sizes are bytes. See bench/estimate_accuracy.py for how close this comes to measured memory.
"""

from __future__ import annotations

import os
import platform
from dataclasses import asdict, dataclass, field
from typing import Any, TypedDict
from collections.abc import Sequence

from gguf.constants import GGML_QUANT_SIZES, GGMLQuantizationType

from ..modelfile import GGUFInfo, TensorInfo, read_gguf
from .model_shape import ModelShape, model_shape

MIB = 1024 * 1024
KV_TYPES = ("f16", "q8_0", "q4_0", "f32", "bf16", "q5_0", "q5_1", "q4_1", "iq4_nl")
KV_PAD = 256  # llama.cpp pads the context and the SWA cache to this many cells
N_UBATCH = 512  # llama_context_default_params().n_ubatch
MASK_ROW_PAD = 64  # GGML_KQ_MASK_PAD

# Measured on llama.cpp 0.3.36 with vocab_only loads (bench/RESULTS.md): per token and per merge.
VOCAB_BYTES_PER_TOKEN = 165
VOCAB_BYTES_PER_MERGE = 185
TENSOR_OVERHEAD = 368  # ggml_tensor_overhead(): a tensor's object header in a ggml context
CPU_FIXED_BYTES = 6 * MIB  # scheduler, thread pool, model and context objects

# Types the CPU backend repacks into interleaved copies for faster matrix products (x86 AVX2,
# ARM dot-product): the mapped original stays resident too.
REPACKED_TYPES = {int(GGMLQuantizationType.Q4_0), int(GGMLQuantizationType.Q4_K),
                  int(GGMLQuantizationType.IQ4_NL)}

# A stated margin for fit verdicts: need x (1 + fraction) + a fixed reserve per kind of device
# (the engine process's own Python and llama.cpp on the CPU; driver context on a GPU).
MARGIN_FRACTION = 0.10
RESERVE_BYTES = {"cpu": 256 * MIB, "gpu": 512 * MIB, "igpu": 256 * MIB, "accel": 256 * MIB}


@dataclass
class Device:
    """A device memory can be placed on (from ggml's device list, NVML, or psutil for the CPU)."""

    name: str
    kind: str  # cpu | gpu | igpu | accel
    free_bytes: int
    total_bytes: int
    unified: bool = False  # shares the CPU's RAM (Apple silicon, integrated GPUs)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Device:
        kind = str(data.get("kind", "gpu"))
        unified = kind == "igpu" or str(data.get("backend", "")).lower() == "metal"
        return cls(str(data.get("name", "?")), kind, int(data.get("free_bytes", 0)),
                   int(data.get("total_bytes", 0)), bool(data.get("unified", unified)))


@dataclass
class DeviceEstimate:
    name: str
    kind: str
    layers: int = 0  # repeating blocks placed here
    output_layer: bool = False
    weights: int = 0
    repacked: int = 0  # CPU only: repacked copies of Q4_0/Q4_K/IQ4_NL matrices
    kv_cache: int = 0
    compute: int = 0
    output_buffer: int = 0  # logits of one sequence, kept between calls
    overhead: int = 0  # vocabulary and metadata (CPU)
    state_cache: int = 0  # CPU only: the budget for saved KV states of recent conversations
    free_bytes: int | None = None
    total_bytes: int | None = None
    need_with_margin: int = 0
    fits: bool | None = None  # None: free memory unknown

    @property
    def total(self) -> int:
        return self.model_total + self.state_cache

    @property
    def model_total(self) -> int:
        """The model and its context, without the saved states."""
        return self.weights + self.repacked + self.kv_cache + self.compute + self.output_buffer + self.overhead

    @property
    def at_load(self) -> int:
        """Right after loading, before the first prompt: the CPU's compute pages are not touched
        yet (a GPU allocates its compute buffer at load), no state is saved yet."""
        return self.model_total - self.compute if self.kind == "cpu" else self.model_total

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "total": self.total, "model_total": self.model_total, "at_load": self.at_load}


@dataclass
class MemoryEstimate:
    model: str
    architecture: str
    n_ctx: int
    n_ubatch: int
    n_layer: int
    gpu_layers: int
    gpu_layers_requested: str
    kv_type: str
    flash_attn: bool
    swa_full: bool
    devices: list[DeviceEstimate] = field(default_factory=list)
    margin_fraction: float = MARGIN_FRACTION

    @property
    def total(self) -> int:
        return sum(d.total for d in self.devices)

    @property
    def fits(self) -> bool | None:
        verdicts = [d.fits for d in self.devices]
        if any(v is False for v in verdicts):
            return False
        return None if any(v is None for v in verdicts) else True

    def device(self, kind: str = "cpu") -> DeviceEstimate | None:
        return next((d for d in self.devices if d.kind == kind), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model, "architecture": self.architecture, "n_ctx": self.n_ctx,
            "n_ubatch": self.n_ubatch, "n_layer": self.n_layer, "gpu_layers": self.gpu_layers,
            "gpu_layers_requested": self.gpu_layers_requested, "kv_type": self.kv_type,
            "flash_attn": self.flash_attn, "swa_full": self.swa_full, "total": self.total,
            "fits": self.fits, "margin_fraction": self.margin_fraction,
            "reserve_bytes": RESERVE_BYTES,
            "devices": [d.to_dict() for d in self.devices],
        }


# -- pieces ------------------------------------------------------------------------------

def kv_bytes_per_element(kv_type: str) -> float:
    qtype = GGMLQuantizationType[kv_type.upper()]
    block, size = GGML_QUANT_SIZES[qtype]
    return size / block


def pad(value: int, to: int) -> int:
    return (value + to - 1) // to * to


def kv_cells(shape: ModelShape, n_ctx: int, n_ubatch: int, swa_full: bool) -> tuple[int, int]:
    """Cells of the full-attention cache and of the sliding-window cache."""
    full = pad(n_ctx, KV_PAD)
    if not shape.n_swa or swa_full:
        return full, full
    return full, min(full, pad(shape.n_swa + n_ubatch, KV_PAD))


def layer_kv_bytes(shape: ModelShape, layer: int, cells: int, kv_type_k: str, kv_type_v: str) -> int:
    n_kv = shape.n_head_kv[layer]
    k = shape.head_dim_k * n_kv * cells * kv_bytes_per_element(kv_type_k)
    v = shape.head_dim_v * n_kv * cells * kv_bytes_per_element(kv_type_v)
    return int(k + v)


def compute_bytes(shape: ModelShape, n_ubatch: int, n_kv: int, n_kv_swa: int, flash_attn: bool,
                  n_outputs: int, with_layers: bool = True) -> int:
    """The largest graph's live tensors on one device: inputs + max(layer activations, logits)."""
    f32 = 4
    ub = n_ubatch
    n_head = max(shape.n_head) if shape.n_head else 1
    n_head_kv = max(shape.n_head_kv) if shape.n_head_kv else 1
    q_dim, k_dim, v_dim = n_head * shape.head_dim_k, n_head_kv * shape.head_dim_k, n_head_kv * shape.head_dim_v
    attn = ub * f32 * (2 * shape.n_embd + 2 * q_dim + 2 * k_dim + 2 * v_dim)
    if not flash_attn:  # KQ and its softmax, materialised
        attn += 2 * n_head * n_kv * ub * f32
    n_ff = shape.n_ff
    if shape.n_expert and shape.n_expert_used:
        n_ff = max(n_ff, (shape.n_ff_expert or shape.n_ff) * shape.n_expert_used)
    ffn = ub * f32 * (2 * shape.n_embd + 3 * n_ff)
    mask_bytes = 2 if flash_attn else 4
    masks = n_kv * pad(ub, MASK_ROW_PAD) * mask_bytes
    if shape.n_swa and any(shape.swa_layers):
        masks += n_kv_swa * pad(ub, MASK_ROW_PAD) * mask_bytes
    inputs = ub * f32 * shape.n_embd + ub * 8 + masks
    logits = n_outputs * (shape.n_vocab + shape.n_embd) * f32 + ub * shape.n_embd * f32
    layers = max(attn, ffn) if with_layers else 0
    return inputs + max(layers, logits)


def cpu_work_bytes(shape: ModelShape, n_ubatch: int) -> int:
    """ggml-cpu's work buffer: the activations converted to the weights' dot-product type (~q8)."""
    widest = max(shape.n_ff, shape.n_embd, max(shape.n_head or [1]) * shape.head_dim_k)
    return int(n_ubatch * widest * 1.125)


def cpu_repacks() -> bool:
    """Whether this CPU's ggml backend repacks Q4_0/Q4_K/IQ4_NL weights (AVX2 on x86, NEON on ARM)."""
    machine = platform.machine().lower()
    if machine in ("arm64", "aarch64"):
        return True
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as handle:
            for line in handle:
                if line.startswith("flags"):
                    return " avx2" in line
    except OSError:
        pass
    return machine in ("x86_64", "amd64")  # other systems: assume a modern x86 CPU


def _repackable(tensor: TensorInfo) -> bool:
    return (tensor.ggml_type in REPACKED_TYPES and len(tensor.shape) >= 2 and tensor.shape[1] % 8 == 0
            and not tensor.name.endswith("norm.weight"))


def metadata_bytes(shape: ModelShape) -> int:
    """ggml contexts for the weights and the graph (llama.cpp reserves max(1024, 8 x tensors) nodes)."""
    graph_nodes = max(1024, 8 * shape.n_tensors)
    return TENSOR_OVERHEAD * (2 * shape.n_tensors + 2 * graph_nodes)


def vocab_bytes(shape: ModelShape) -> int:
    return shape.n_vocab * VOCAB_BYTES_PER_TOKEN + shape.n_merges * VOCAB_BYTES_PER_MERGE


# -- the estimate ------------------------------------------------------------------------

def _gpu_of_position(position: int, i_gpu_start: int, act_gpu_layers: int, splits: list[float]) -> int:
    """llama.cpp's layer -> GPU assignment: cumulative splits by free memory, upper bound."""
    x = (position - i_gpu_start) / act_gpu_layers
    for index, bound in enumerate(splits):
        if x < bound:
            return index
    return len(splits) - 1


class _PlaceArgs(TypedDict):
    """The arguments of ``_place`` that stay the same whatever the layer count (typed for ``**``)."""
    shape: ModelShape
    info: GGUFInfo
    n_ctx: int
    kv_type: str
    kv_type_v: str
    flash_attn: bool
    swa_full: bool
    n_ubatch: int
    repack: bool
    cpu: Device
    gpus: list[Device]
    requested: str
    state_cache: int


def estimate(model: str | os.PathLike[str] | GGUFInfo, n_ctx: int | None = None,
             gpu_layers: int | str = 0, kv_type: str = "f16", kv_type_v: str | None = None,
             flash_attn: bool = True, swa_full: bool = True, n_ubatch: int = N_UBATCH,
             devices: Sequence[Device] = (), repack: bool | None = None,
             state_cache_bytes: int = 0) -> MemoryEstimate:
    """Estimate memory per device. ``gpu_layers`` is a count (more than the model has means all)
    or "auto" (the most that fit every device with the margin). ``devices`` without a CPU entry
    get one with unknown free memory; without GPUs every layer stays on the CPU.
    ``state_cache_bytes``: the engine's budget for saved states (the app's: guard.state_cache_bytes)."""
    info = model if isinstance(model, GGUFInfo) else read_gguf(model)
    shape = model_shape(info)
    n_ctx = int(n_ctx or shape.n_ctx_train or 4096)
    n_ubatch = min(n_ubatch, pad(n_ctx, KV_PAD))  # llama.cpp clamps the batch to the context
    kv_type = kv_type.lower()
    kv_type_v = (kv_type_v or kv_type).lower()
    for name in (kv_type, kv_type_v):
        if name not in KV_TYPES:
            raise ValueError(f"unknown KV cache type {name!r}; choose one of {', '.join(KV_TYPES)}")
    if kv_type_v not in ("f16", "f32", "bf16"):
        flash_attn = True  # llama.cpp needs flash attention for a quantized V cache
    repack = cpu_repacks() if repack is None else repack
    cpu = next((d for d in devices if d.kind == "cpu"), None) or Device("CPU", "cpu", 0, 0)
    gpus = [d for d in devices if d.kind != "cpu"]
    requested = str(gpu_layers)
    max_layers = shape.n_layer + 1
    common = _PlaceArgs(shape=shape, info=info, n_ctx=n_ctx, kv_type=kv_type, kv_type_v=kv_type_v,
                        flash_attn=flash_attn, swa_full=swa_full, n_ubatch=n_ubatch, repack=repack,
                        cpu=cpu, gpus=gpus, requested=requested, state_cache=max(0, int(state_cache_bytes)))
    if isinstance(gpu_layers, str) and gpu_layers.strip().lower() == "auto":
        if not gpus:
            return _place(layers=0, **common)
        for layers in range(max_layers, -1, -1):
            result = _place(layers=layers, **common)
            if all(d.fits is not False for d in result.devices if d.kind != "cpu"):
                return result
        return _place(layers=0, **common)
    layers = max(0, min(int(gpu_layers), max_layers)) if gpus else 0
    return _place(layers=layers, **common)


def _place(*, shape: ModelShape, info: GGUFInfo, n_ctx: int, kv_type: str, kv_type_v: str,
           flash_attn: bool, swa_full: bool, n_ubatch: int, repack: bool, cpu: Device,
           gpus: list[Device], requested: str, layers: int, state_cache: int = 0) -> MemoryEstimate:
    cpu_est = DeviceEstimate(cpu.name, "cpu", free_bytes=cpu.free_bytes or None, total_bytes=cpu.total_bytes or None)
    gpu_ests = [DeviceEstimate(g.name, g.kind, free_bytes=g.free_bytes or None, total_bytes=g.total_bytes or None)
                for g in gpus]
    n_layer = shape.n_layer
    i_gpu_start = max(n_layer + 1 - layers, 0)
    free = [max(g.free_bytes, 0) for g in gpus]
    total_free = sum(free)
    splits, acc = [], 0.0
    for f in free:
        acc += (f / total_free) if total_free else 1 / len(free)
        splits.append(acc)

    def device_of(position: int) -> DeviceEstimate:
        if not gpus or position < i_gpu_start:
            return cpu_est
        return gpu_ests[_gpu_of_position(position, i_gpu_start, layers, splits)]

    cells_full, cells_swa = kv_cells(shape, n_ctx, n_ubatch, swa_full)
    # Input layer: always on the CPU.
    cpu_est.weights += shape.input_bytes
    # Repeating blocks.
    for layer in range(n_layer):
        dev = device_of(layer)
        dev.layers += 1
        dev.weights += shape.layer_bytes(layer)
        if dev is cpu_est and repack:
            dev.repacked += sum(t.n_bytes for t in shape.layer_tensors[layer] if _repackable(t))
        cells = cells_swa if shape.swa_layers[layer] else cells_full
        dev.kv_cache += layer_kv_bytes(shape, layer, cells, kv_type, kv_type_v)
    # Output layer (a tied output reuses token_embd: free on the CPU, a copy on a GPU).
    out_dev = device_of(n_layer)
    out_dev.output_layer = True
    out_dev.weights += shape.output_bytes
    embd = shape.token_embd
    if shape.tied_output and embd is not None:
        if out_dev is not cpu_est:
            out_dev.weights += embd.n_bytes
        elif repack and _repackable(embd):
            cpu_est.repacked += embd.n_bytes
    if out_dev is cpu_est and repack:
        cpu_est.repacked += sum(t.n_bytes for t in shape.output_tensors if _repackable(t))

    # Compute buffers: a GPU allocates the whole reservation; the CPU makes resident what a
    # prompt of n_ubatch tokens with one output touches.
    for dev in gpu_ests:
        if dev.layers or dev.output_layer:
            dev.compute = compute_bytes(shape, n_ubatch, cells_full, cells_swa, flash_attn,
                                        n_outputs=n_ubatch if dev.output_layer else 0)
    cpu_runs_layers = cpu_est.layers > 0 or not gpus or layers == 0
    cpu_est.compute = compute_bytes(shape, n_ubatch, cells_full, cells_swa, flash_attn,
                                    n_outputs=1 if cpu_est.output_layer else 0, with_layers=cpu_runs_layers)
    if cpu_runs_layers:
        cpu_est.compute += cpu_work_bytes(shape, n_ubatch)
    cpu_est.output_buffer = (shape.n_vocab + shape.n_embd) * 4  # one sequence's logits + embedding
    cpu_est.overhead = vocab_bytes(shape) + metadata_bytes(shape) + CPU_FIXED_BYTES
    cpu_est.state_cache = state_cache  # the states are copied to RAM wherever the KV cache lives

    for dev in [cpu_est, *gpu_ests]:
        # The saved states' budget is exact (the engine never goes over it): no margin on it.
        dev.need_with_margin = (int(dev.model_total * (1 + MARGIN_FRACTION)) + dev.state_cache
                                + RESERVE_BYTES.get(dev.kind, 256 * MIB))
    # A GPU that shares the CPU's RAM takes its share from the same free memory: count it there
    # too, or the two verdicts would each spend the same bytes.
    cpu_est.need_with_margin += sum(int(d.total * (1 + MARGIN_FRACTION)) for d, g in zip(gpu_ests, gpus, strict=False) if g.unified)
    for dev in [cpu_est, *gpu_ests]:
        if dev.free_bytes:
            dev.fits = dev.need_with_margin <= dev.free_bytes
    return MemoryEstimate(
        model=str(info.path), architecture=shape.architecture, n_ctx=pad(n_ctx, KV_PAD), n_ubatch=n_ubatch,
        n_layer=n_layer, gpu_layers=min(layers, n_layer + 1) if gpus else 0, gpu_layers_requested=requested,
        kv_type=kv_type if kv_type == kv_type_v else f"{kv_type}/{kv_type_v}", flash_attn=flash_attn,
        swa_full=swa_full, devices=[cpu_est, *gpu_ests],
    )
