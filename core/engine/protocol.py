"""What the parent and the engine process say to each other: one JSON object per line.

Parent -> engine (stdin):  {"cmd": "load"|"chat"|"adapters"|"cancel"|"quit", "id": n, ...}
  adapters: {"adapters": [{"path", "scale"}, ...]} applies LoRA adapters to the live context
  count / inspect (no id, answered out of turn): a prompt's token count / the exact prompt
  chat: {"messages": [...], "template": name|null, "params": {...}} or {"prompt": ".."};
        "continue": true makes the last (assistant) message an unfinished answer to go on from
Engine -> parent (the protocol channel; framing and the handshake: core/child):
  {"ev": "ready", "pid": ..}                     once, at start
  {"ev": "progress", "id": n, "value": 0..1}     while loading
  {"ev": "loaded", "id": n, "info": {...}}
  {"ev": "prompt", "id": n, "prompt_tokens": .., "note": ..}   prompt rendered and tokenized
  {"ev": "token", "id": n, "text": ".."}          one per decoded piece of text
  {"ev": "done", "id": n, "stats": {...}}
  {"ev": "adapters", "id": n, "adapters": [...], "key": ".."}   adapters applied
  {"ev": "inspected", "cid": n, "prompt": {...}|null}
  {"ev": "error", "id": n, "message": ".."}
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any


# RAM for saved KV states of recent conversations (core/engine/kv_states.py); the memory estimate
# and the load guard count it (core/hardware/estimate.py, guard.py).
DEFAULT_STATE_CACHE_MB = 1024


@dataclass
class LoadParams:
    path: str
    n_ctx: int = 4096
    n_gpu_layers: int = 0
    n_threads: int = 0  # 0: one per physical core
    n_batch: int = 512
    state_cache_mb: int = DEFAULT_STATE_CACHE_MB  # RAM for saved KV states of recent conversations (0: none)
    # Offload options (core/engine/offload_params.py applies them to llama.cpp's context params).
    flash_attn: str = "auto"  # auto | on | off
    type_k: str = "f16"  # KV cache types: f16 | q8_0 | q4_0 (a quantized V cache needs flash attention)
    type_v: str = "f16"
    # Sequences decoded together in one context (continuous batching: the server's clients and the
    # window share one engine). Each gets n_ctx // n_parallel cells at most.
    n_parallel: int = 1

    def __post_init__(self) -> None:
        from .offload_params import check_offload_params

        check_offload_params(self.flash_attn, self.type_k, self.type_v)


@dataclass
class GenerationParams:
    max_tokens: int = 512
    temperature: float = 0.7  # 0 means greedy
    top_p: float = 0.95
    top_k: int = 40
    min_p: float = 0.05
    repeat_penalty: float = 1.0
    seed: int | None = None
    stop: list[str] = field(default_factory=list)  # the answer ends before the first of these strings
    grammar: str | None = None  # GBNF the answer must follow (json_schema / json_object of the server)
    top_logprobs: int = 0  # > 0: each token's log-probability and this many alternatives are returned

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GenerationParams:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass
class AnswerStats:
    prompt_tokens: int = 0  # tokens in the rendered prompt
    evaluated_tokens: int = 0  # of those, how many were evaluated (the rest came from the KV cache)
    completion_tokens: int = 0
    ttft_s: float = 0.0  # request received -> first token decoded
    tokens_per_s: float = 0.0  # generated tokens after the first, per second
    total_s: float = 0.0
    stop_reason: str = "eos"  # eos | length | context | cancelled
    trimmed_messages: int = 0  # oldest messages left out so that the conversation fits the context
    adapters: list[dict[str, Any]] = field(default_factory=list)  # LoRA adapters used: {name, path, scale}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AnswerStats:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class PromptCount:
    """What a conversation would take as a prompt, before anything is dropped to fit."""

    tokens: int
    n_ctx: int
    limit: int  # beyond this many prompt tokens the oldest turns are left out (room kept for the answer)
    too_long: bool = False  # the system prompt and the last message alone exceed ``limit``

    @property
    def over(self) -> bool:
        return self.tokens > self.limit
