"""A question sent while the engine is still warming its conversation (after a LoRA change): time to
the first token, and how much of the prompt the question evaluated itself. The warm-up evaluates the
history in pieces of n_batch tokens; the question that continues that conversation lets the piece in
flight finish (it is the question's own prefix) instead of aborting it (core/engine/worker.py
``_extends_warmup``). Starter model, 2 threads, a ~1,200-token history, the question sent ``--delay``
seconds after the change; every round uses a new history (nothing cached from the one before).

    PYTHONPATH=. python bench/warm_midway.py [--delay 0.8] [--rounds 4]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from hearthlm.core.engine import Engine, GenerationParams, LoadParams  # noqa: E402
from hearthlm.core.starter import starter_model_path  # noqa: E402
from lora_samples import write_adapter  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--delay", type=float, default=0.8, help="seconds between the change and the question")
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="hearth-midway-"))
    first = [{"path": str(write_adapter(folder / "a.gguf", seed=1)), "scale": 1.0}]
    second = [{"path": str(write_adapter(folder / "b.gguf", seed=2)), "scale": 1.0}]
    gp = GenerationParams(max_tokens=1, temperature=0)
    samples = []
    with Engine() as engine:
        engine.load(LoadParams(str(starter_model_path()), n_ctx=2048, n_threads=2))
        for r in range(args.rounds):
            history = [{"role": "system", "content": " ".join(f"Fact {i} of round {r}: the river rises in May."
                                                              for i in range(80))},
                       {"role": "user", "content": "Summarise."}, {"role": "assistant", "content": "It rises in May."}]
            engine.set_adapters(first)
            engine.set_adapters(second, warm=history, params=gp, wait_warm=False)  # the change, warming
            time.sleep(args.delay)
            started = time.perf_counter()
            answer = engine.chat(history + [{"role": "user", "content": "When does it rise?"}], gp, adapters=second)
            samples.append((time.perf_counter() - started, answer.stats.prompt_tokens, answer.stats.evaluated_tokens))
            engine.set_adapters([])
    for s, prompt, evaluated in samples:
        print(f"first token {s:.3f} s after sending; prompt {prompt} tokens, evaluated by the question {evaluated}")
    print(f"median {statistics.median(s for s, _p, _e in samples):.3f} s (delay {args.delay} s, {args.rounds} rounds)")


if __name__ == "__main__":
    main()
