"""Response shapes of real OpenAI-compatible servers, written from their sources and docs, for
tests/fake_openai.py to replay. Each transcript is what the server sends for one request: the SSE
events of a streamed chat (role chunk, text pieces, finish chunk, usage), or an error body.

    llama-server (llama.cpp tools/server): the first chunk's delta is {"role": "assistant", "content":
        null}; reasoning in "reasoning_content"; the last chunk holds finish_reason, and "usage" plus
        llama.cpp's own "timings"; then "data: [DONE]". Errors: {"error": {"code", "message", "type"}}.
    vLLM (entrypoints/openai): "usage": null on every chunk is allowed, the usage chunk has
        "choices": []; reasoning in "reasoning" (earlier "reasoning_content"); errors
        {"object": "error", "message", "type": "NotFoundError", "param", "code"}.
    Ollama (openai/openai.go): "system_fingerprint": "fp_ollama", reasoning in "reasoning", the usage
        chunk after the finish one; errors {"error": {"message", "type": "api_error", ...}}.
    LM Studio: "reasoning_content" when its "separate reasoning" option is on; errors {"error": "..."}.
"""

from __future__ import annotations

import json
from typing import Any

CREATED = 1764650000


def _chunk(server: str, model: str, delta: dict[str, Any] | None = None, finish: str | None = None,
           **extra: Any) -> dict[str, Any]:
    choice: dict[str, Any] = {"index": 0, "delta": delta if delta is not None else {}, "finish_reason": finish}
    if server in ("vllm", "lmstudio"):
        choice["logprobs"] = None
    base: dict[str, Any] = {"id": "chatcmpl-7d1f0c2a", "object": "chat.completion.chunk", "created": CREATED,
                            "model": model, "choices": [choice]}
    if server == "llama-server":
        base["system_fingerprint"] = "b6881-8b11deea4"
    elif server == "ollama":
        base["system_fingerprint"] = "fp_ollama"
    elif server == "lmstudio":
        base["system_fingerprint"] = model
    base.update(extra)
    return base


def sse(events: list[dict[str, Any] | str]) -> list[str]:
    """The wire form: one "data: ..." event each, blank-line separated; str events pass as they are."""
    return [e if isinstance(e, str) else f"data: {json.dumps(e, separators=(',', ':'))}\n\n" for e in events]


DONE = "data: [DONE]\n\n"
USAGE = {"prompt_tokens": 23, "completion_tokens": 6, "total_tokens": 29}
PIECES = ["The", " capital", " of", " France", " is", " Paris."]
THOUGHTS = ["The user", " asks about", " France."]


def llama_server(reasoning: bool = False) -> list[str]:
    model = "qwen3-8b-q4_k_m.gguf"
    events: list[dict[str, Any] | str] = [_chunk("llama-server", model, {"role": "assistant", "content": None})]
    if reasoning:
        events += [_chunk("llama-server", model, {"reasoning_content": t}) for t in THOUGHTS]
    events += [_chunk("llama-server", model, {"content": t}) for t in PIECES]
    n = len(PIECES) + (len(THOUGHTS) if reasoning else 0)
    events.append(_chunk("llama-server", model, {}, "stop",
                         usage={"completion_tokens": n, "prompt_tokens": 23, "total_tokens": 23 + n},
                         timings={"prompt_n": 23, "prompt_ms": 41.2, "prompt_per_token_ms": 1.79,
                                  "prompt_per_second": 558.3, "predicted_n": n, "predicted_ms": 93.6,
                                  "predicted_per_token_ms": 15.6, "predicted_per_second": 64.1}))
    events.append(DONE)
    return sse(events)


def vllm(reasoning: bool = False, field: str = "reasoning") -> list[str]:
    model = "Qwen/Qwen3-8B"
    events: list[dict[str, Any] | str] = [_chunk("vllm", model, {"role": "assistant", "content": ""}, usage=None)]
    if reasoning:
        events += [_chunk("vllm", model, {field: t}, usage=None) for t in THOUGHTS]
    events += [_chunk("vllm", model, {"content": t}, usage=None) for t in PIECES]
    events.append(_chunk("vllm", model, {"content": ""}, "stop", usage=None))
    n = len(PIECES) + (len(THOUGHTS) if reasoning else 0)
    usage = {"prompt_tokens": 23, "total_tokens": 23 + n, "completion_tokens": n,
             "prompt_tokens_details": {"cached_tokens": 16}}
    events.append({"id": "chatcmpl-7d1f0c2a", "object": "chat.completion.chunk", "created": CREATED,
                   "model": model, "choices": [], "usage": usage})
    events.append(DONE)
    return sse(events)


def ollama(reasoning: bool = False) -> list[str]:
    model = "qwen3:8b"
    events: list[dict[str, Any] | str] = []
    if reasoning:
        events += [_chunk("ollama", model, {"role": "assistant", "content": "", "reasoning": t}) for t in THOUGHTS]
    events += [_chunk("ollama", model, {"role": "assistant", "content": t}) for t in PIECES]
    events.append(_chunk("ollama", model, {"role": "assistant", "content": ""}, "stop"))
    n = len(PIECES) + (len(THOUGHTS) if reasoning else 0)
    events.append({"id": "chatcmpl-7d1f0c2a", "object": "chat.completion.chunk", "created": CREATED, "model": model,
                   "system_fingerprint": "fp_ollama", "choices": [],
                   "usage": {"prompt_tokens": 23, "completion_tokens": n, "total_tokens": 23 + n}})
    events.append(DONE)
    return sse(events)


def lmstudio(reasoning: bool = False) -> list[str]:
    model = "qwen3-8b"
    events: list[dict[str, Any] | str] = [_chunk("lmstudio", model, {"role": "assistant", "content": ""})]
    if reasoning:
        events += [_chunk("lmstudio", model, {"role": "assistant", "reasoning_content": t}) for t in THOUGHTS]
    events += [_chunk("lmstudio", model, {"role": "assistant", "content": t}) for t in PIECES]
    n = len(PIECES) + (len(THOUGHTS) if reasoning else 0)
    events.append(_chunk("lmstudio", model, {}, "stop",
                         usage={"prompt_tokens": 23, "completion_tokens": n, "total_tokens": 23 + n}))
    events.append(DONE)
    return sse(events)


# -- model listings (GET /v1/models) and side probes ------------------------------------------------
MODELS = {
    "llama-server": {"object": "list", "data": [{"id": "qwen3-8b-q4_k_m.gguf", "object": "model", "created": CREATED,
                                                  "owned_by": "llamacpp", "meta": {"vocab_type": 2, "n_vocab": 151936,
                                                                                   "n_ctx_train": 40960, "n_embd": 4096,
                                                                                   "n_params": 8190735360,
                                                                                   "size": 5027783488}}]},
    "vllm": {"object": "list", "data": [{"id": "Qwen/Qwen3-8B", "object": "model", "created": CREATED,
                                         "owned_by": "vllm", "root": "Qwen/Qwen3-8B", "parent": None,
                                         "max_model_len": 32768, "permission": []}]},
    "ollama": {"object": "list", "data": [{"id": "qwen3:8b", "object": "model", "created": CREATED,
                                           "owned_by": "library"}]},
    "lmstudio": {"object": "list", "data": [{"id": "qwen3-8b", "object": "model", "owned_by": "organization_owner"}]},
}
PROPS = {"default_generation_settings": {"n_ctx": 8192, "params": {"temperature": 0.8}}, "total_slots": 1,
         "model_path": "/models/qwen3-8b-q4_k_m.gguf", "chat_template": "{{ messages }}", "build_info": "b6881-8b11deea4"}
OLLAMA_VERSION = {"version": "0.12.3"}
VLLM_VERSION = {"version": "0.11.0"}
LMSTUDIO_V0_MODELS = {"object": "list", "data": [{"id": "qwen3-8b", "object": "model", "type": "llm", "arch": "qwen3",
                                                  "quantization": "Q4_K_M", "state": "loaded",
                                                  "max_context_length": 32768}]}

# -- error bodies ----------------------------------------------------------------------------------
ERRORS = {
    "llama-server-401": {"error": {"code": 401, "message": "Invalid API Key", "type": "authentication_error"}},
    "llama-server-ctx": {"error": {"code": 400, "message": "the request exceeds the available context size, try "
                                   "increasing it", "type": "exceed_context_size_error", "n_prompt_tokens": 9000,
                                   "n_ctx": 8192}},
    "vllm-404": {"object": "error", "message": "The model `Qwen/Qwen3-80B` does not exist.", "type": "NotFoundError",
                 "param": None, "code": 404},
    "ollama-404": {"error": {"message": "model \"qwen3:80b\" not found, try pulling it first", "type": "api_error",
                             "param": None, "code": None}},
    "lmstudio-404": {"error": "Model \"qwen3-80b\" not found. Please specify a valid model."},
    "openai-429": {"error": {"message": "Rate limit reached for requests", "type": "requests",
                             "param": None, "code": "rate_limit_exceeded"}},
    "vllm-stream-error": {"error": {"object": "error", "message": "CUDA out of memory while decoding",
                                    "type": "InternalServerError", "param": None, "code": 500}},
}
