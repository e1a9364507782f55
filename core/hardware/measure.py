"""Measure what a model really takes: ``python -m hearthlm.core.hardware.measure MODEL N_CTX``.

Runs in a fresh process (the caller starts it, see ``measure_model``), loads llama.cpp first and
takes that as the baseline, then loads the model on the CPU, fills the context with a prompt
(``fill`` of n_ctx, evaluated in batches of 512 so the largest graph runs) and decodes a few
tokens. Prints JSON: the increase in resident memory (RSS, and PSS for comparison) after the load
and after the prompt. With ``conversations``, it then switches through that many other
conversations as long as the first (they share its opening text and differ in their last ~270
tokens): every switch saves the previous state into the engine's saved-state cache
(``state_cache_mb``), and ``rss_with_states`` is the resident memory with that cache filled.

RSS is the figure that matters: memory-mapped weights count once they are read (the model needs
them resident to run at speed), and nothing else shares them. PSS divides pages mapped by several
processes, so it shrinks when another process maps the same GGUF (a second engine, a test) --
it says more about the neighbours than about the model.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from typing import Any

FILLER = ("The quick brown fox jumps over the lazy dog while seven wizards quietly judge "
          "boxing matches in a village near the river. ")


def _memory() -> tuple[int, int]:
    import psutil

    info = psutil.Process().memory_full_info()
    return info.rss, getattr(info, "pss", info.rss)


def _gpu_bytes() -> int | None:
    """This process's memory on NVIDIA GPUs (NVML), None where NVML cannot tell."""
    import os

    from .gpu_readers import NvmlReader

    gpus = NvmlReader().read()
    if not gpus:
        return None
    return sum(g.processes.get(os.getpid(), 0) for g in gpus)


def run(path: str, n_ctx: int, fill: float = 1.0, kv_type: str = "f16", threads: int = 1,
        gpu_layers: int = 0, state_cache_mb: int = 0, conversations: int = 0) -> dict[str, Any]:
    from ..engine.protocol import GenerationParams, LoadParams
    from ..engine.runner import MIN_STATE_TOKENS, LlamaRunner

    runner = LlamaRunner()  # llama.cpp's libraries and backends loaded: the baseline
    rss0, pss0 = _memory()
    gpu0 = _gpu_bytes() if gpu_layers else None
    started = time.perf_counter()
    params = LoadParams(path, n_ctx=n_ctx, n_threads=threads, state_cache_mb=state_cache_mb, n_gpu_layers=gpu_layers,
                        type_k=kv_type, type_v=kv_type)
    runner.load(params, lambda _v: True)
    rss1, pss1 = _memory()
    n_prompt = max(8, int(n_ctx * fill) - 16)
    tokens = runner.tokenize(FILLER * (n_prompt // 8 + 8))[:n_prompt]
    answer = GenerationParams(max_tokens=4, temperature=0)
    runner.generate(tokens, answer, lambda _t: None, lambda: False)
    rss2, pss2 = _memory()
    # Conversations that open with the same long text (a pasted document, a long system prompt)
    # and then part ways: each switch evaluates only the new tail, yet saves a full-length state.
    tail = min(n_prompt, MIN_STATE_TOKENS + 16)
    shared = tokens[:n_prompt - tail]
    # conversations < 0: until the cache is full (a switch saved a state and another went). A
    # state's size is not the KV cache's: sliding-window layers save only their window's cells.
    i = 0
    while i < conversations or (conversations < 0 and i < 2000):
        held = len(runner.saved)
        own = runner.tokenize(f" Conversation {i + 1}: " + FILLER * (tail // 8 + 8))[:tail]
        runner.generate(shared + own, answer, lambda _t: None, lambda: False)
        i += 1
        if conversations < 0 and i > 2 and len(runner.saved) <= held:
            break
    conversations = i
    rss3, _pss3 = _memory()
    return {
        "path": path, "n_ctx": n_ctx, "prompt_tokens": len(tokens),
        "rss_after_load": rss1 - rss0, "pss_after_load": pss1 - pss0,
        "rss": rss2 - rss0, "pss": pss2 - pss0, "seconds": time.perf_counter() - started,
        "state_cache_mb": state_cache_mb, "conversations": conversations, "rss_with_states": rss3 - rss0,
        "saved_states": len(runner.saved), "saved_bytes": runner.saved.used_bytes,
        # below the budget when the machine was short of memory (the cache gives way: kv_states.py)
        "saved_limit": runner.saved.limit(), "evicted_for_memory": runner.saved.limit() < runner.saved.budget_bytes,
        # GPU: everything this process holds there, CUDA context included (it is created by the load)
        "gpu_layers": gpu_layers, "gpu_before": gpu0, "gpu": _gpu_bytes() if gpu_layers else None,
    }


def measure_model(path: str, n_ctx: int, fill: float = 1.0, kv_type: str = "f16", gpu_layers: int = 0,
                  timeout: float = 600.0, state_cache_mb: int = 0, conversations: int = 0) -> dict[str, Any]:
    """Run the measurement in a fresh child process and return its JSON."""
    result = subprocess.run(
        [sys.executable, "-m", "hearthlm.core.hardware.measure", str(path), str(n_ctx), str(fill), kv_type,
         str(gpu_layers), str(state_cache_mb), str(conversations)],
        capture_output=True, text=True, timeout=timeout, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"measurement failed ({result.returncode}): {result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> None:
    import os

    protocol = os.dup(1)
    os.dup2(2, 1)  # llama.cpp's prints go to stderr; the JSON line to the real stdout
    fill = float(argv[2]) if len(argv) > 2 else 1.0
    kv_type = argv[3] if len(argv) > 3 else "f16"
    gpu_layers = int(argv[4]) if len(argv) > 4 else 0
    state_cache_mb = int(argv[5]) if len(argv) > 5 else 0
    conversations = int(argv[6]) if len(argv) > 6 else 0
    out = run(argv[0], int(argv[1]), fill, kv_type, gpu_layers=gpu_layers, state_cache_mb=state_cache_mb,
              conversations=conversations)
    os.write(protocol, (json.dumps(out) + "\n").encode())


if __name__ == "__main__":
    main(sys.argv[1:])
