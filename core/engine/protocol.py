"""What the parent and the engine process say to each other: one JSON object per line.

Parent -> engine (stdin):  {"cmd": "load"|"chat"|"adapters"|"warm"|"cancel"|"quit", "id": n, ...}
  ids are the parent's; several chats may be in flight at once, events carry their id; a cancel
  names the one request it stops
  adapters: {"adapters": [{"path", "scale"}, ...]} applies LoRA adapters to the live context;
        "warm": {"messages", "template", "params"} (optional) then evaluates that conversation's
        prompt under them ahead of its next question (any request arriving meanwhile goes first)
  warm: {"warm": {"messages", "template", "params"}} the same warm-up under the adapters in use
        (a conversation just opened, a model just loaded); left out while answers are in progress
  count / inspect (no id, answered out of turn): a prompt's token count / the exact prompt
  chat: {"messages": [...], "template": name|null, "params": {...}} or {"prompt": ".."};
        "continue": true makes the last (assistant) message an unfinished answer to go on from;
        "adapters": [...] (optional) the LoRA adapters this answer needs, applied first.
        Adapters apply to the whole context: a change waits until the answers in progress end.
Engine -> parent (the protocol channel; framing and the handshake: core/child):
  {"ev": "ready", "pid": ..}                     once, at start
  {"ev": "progress", "id": n, "value": 0..1}     while loading
  {"ev": "loaded", "id": n, "info": {...}}
  {"ev": "prompt", "id": n, "prompt_tokens": .., "note": ..}   prompt rendered and tokenized
  {"ev": "token", "id": n, "text": "..", "used": n, "lp": [..]}   decoded text ("lp": its tokens'
                                                 log-probabilities, only when top_logprobs > 0)
  {"ev": "done", "id": n, "stats": {...}}
  {"ev": "adapters", "id": n, "adapters": [...], "key": ".."}   adapters applied
  {"ev": "warmed", "id": n, "tokens": n, "evaluated": n, "complete": bool, "s": ..}   a warm-up ended
  {"ev": "inspected", "cid": n, "prompt": {...}|null}
  {"ev": "error", "id": n, "message": "..", "msg": {..}, "busy": true?}   busy: the queue was full
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
    # window share one engine). ``n_ctx`` is what EACH sequence may hold, as a user of
    # `hearth serve --parallel 4 --ctx 4096` expects of every client (Ollama's NUM_PARALLEL works the
    # same way): the context is made with n_ctx * n_parallel cells, one stream of n_ctx per sequence
    # (llama.cpp's kv_unified off), so the KV memory grows n_parallel-fold. llama-server's -np
    # divides -c between slots instead.
    n_parallel: int = 1
    # Requests beyond n_parallel wait in the engine, at most this many; more get EngineBusy.
    max_queued: int = 16

    def __post_init__(self) -> None:
        from .offload_params import check_offload_params

        check_offload_params(self.flash_attn, self.type_k, self.type_v)
        if int(self.n_parallel) < 1:
            from .. import messages as M
            from ..errors import EngineError

            raise EngineError(M.BAD_PARALLEL, value=self.n_parallel)


@dataclass
class GenerationParams:
    max_tokens: int = 512
    temperature: float = 0.7  # 0 means greedy
    top_p: float = 0.95
    top_k: int = 40
    min_p: float = 0.05
    repeat_penalty: float = 1.0
    seed: int | None = None
    # The answer ends before the first of these strings (stop_reason "stop"); text that may begin
    # one is held back, so no part of a stop string is ever streamed.
    stop: list[str] = field(default_factory=list)
    # GBNF (start symbol "root") the answer must follow, enforced by llama.cpp's grammar sampler;
    # core/prompt/grammar.py makes one from a JSON schema. Invalid: EngineError, nothing started.
    grammar: str | None = None
    # > 0: each token's log-probability and this many alternatives (at most 20, as OpenAI) are
    # returned: Answer.logprobs and Engine.chat(on_logprobs=...). The model's own distribution
    # (log-softmax of the raw logits), before the repeat penalty and the sampling settings.
    top_logprobs: int = 0

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
    stop_reason: str = "eos"  # eos | length | stop (a stop string) | context | cancelled
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
