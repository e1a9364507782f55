"""The first question in a conversation opened from the store: cold vs prepared while the user types.

A conversation from an earlier run (or one the engine has evicted, or after a model load) is not in
the KV cache: its first question evaluates the whole history. The window now evaluates it when the
conversation opens or its model loads (``Engine.warm``, core/chat/session.py ``warm``), while the
user reads and types. Measured here through the engine client, as the window drives it:

* cold (the reference, what every peer does): the question sent to an engine that never saw the
  conversation; time to its first token.
* prepared: ``Engine.warm(history)`` when it "opens", waiting for the warm-up to end (the user's
  pause; its time is given apart), then the same question; time to its first token.
* hasty: the warm-up starts, and the question is sent at once (it goes first and keeps the part
  the warm-up finished); timed from sending it, to show what an impatient user pays (nothing more).

Each pair uses a conversation text of its own (a number in its first sentence), so nothing of an
earlier pair is cached or restored from a saved state. Cases interleaved, order alternating;
verdict on the median of paired ratios (prepared / cold) with their spread.

Run:  python bench/reopen_warm.py [--history-words 400] [--repeats 5] [--threads 2]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTION = {"role": "user", "content": "Which of these facts matters most for a sailor?"}
WORDS = ("The lighthouse keeper wrote down the weather, the ships that passed, the state of the lamp "
         "and the oil it burned each night, and what the tide did at dawn.").split()


def conversation(n: int, words: int) -> list[dict[str, str]]:
    """A stored conversation of about ``words`` words of history, its own from the first token."""
    text = " ".join((WORDS * (words // len(WORDS) + 1))[:words])
    return [{"role": "system", "content": f"Log number {n}. {text}"},
            {"role": "user", "content": "What did the keeper write down?"},
            {"role": "assistant", "content": "The weather, the ships, the lamp, its oil and the tide."}]


def first_token_s(engine, messages, params) -> tuple[float, int, int]:
    """Seconds from sending to the first token; the answer's prompt and evaluated tokens."""
    started = time.perf_counter()
    first: list[float] = []

    def on_token(_text: str) -> bool:
        if not first:
            first.append(time.perf_counter() - started)
        return False  # the first token is all that is timed

    answer = engine.chat(messages, params, on_token=on_token)
    return first[0], answer.stats.prompt_tokens, answer.stats.evaluated_tokens


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from hearthlm.core.engine import Engine, GenerationParams, LoadParams
    from hearthlm.core.starter import starter_model_path

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--history-words", type=int, default=400)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2, help="llama.cpp threads (the app's default here)")
    parser.add_argument("--model", default=None, help="a GGUF path (default: the starter)")
    args = parser.parse_args()
    model = args.model or str(starter_model_path())
    params = GenerationParams(max_tokens=4, temperature=0)
    cold, prepared, warm_s, hasty, ratios = [], [], [], [], []
    n = 0
    with Engine() as engine:
        engine.load(LoadParams(model, n_ctx=4096, n_threads=args.threads))
        engine.chat([{"role": "user", "content": "Hi"}], params)  # the first decode's one-off costs
        for r in range(args.repeats):
            pair: dict[str, float] = {}
            for case in (("cold", "prepared") if r % 2 == 0 else ("prepared", "cold")):
                n += 1
                history = conversation(n, args.history_words)
                if case == "prepared":
                    event = engine.warm(history, params, wait=True)
                    assert event is not None and event.get("complete"), event
                    warm_s.append(float(event["s"]))
                s, prompt, evaluated = first_token_s(engine, history + [QUESTION], params)
                pair[case] = s
                (cold if case == "cold" else prepared).append(s)
                print(f"  {case:<9} {s:.3f} s  prompt {prompt}, evaluated {evaluated}", flush=True)
            ratios.append(pair["prepared"] / pair["cold"])
            # The hasty user: the warm-up starts, the question follows at once.
            n += 1
            history = conversation(n, args.history_words)
            warming = threading.Thread(target=lambda h=history: engine.warm(h, params, wait=True))
            warming.start()
            time.sleep(0.02)  # the warm command is on its way
            s, prompt, evaluated = first_token_s(engine, history + [QUESTION], params)
            warming.join(60)
            hasty.append(s)
            print(f"  hasty     {s:.3f} s  prompt {prompt}, evaluated {evaluated}", flush=True)
    med = statistics.median
    print(f"\n{Path(model).name}, {args.threads} threads, ~{args.history_words} words of history, "
          f"{args.repeats} pairs (medians):")
    print(f"  cold, first token             {med(cold):.3f} s")
    print(f"  prepared, first token         {med(prepared):.3f} s  (the warm-up before it: {med(warm_s):.3f} s)")
    print(f"  hasty (question at once)      {med(hasty):.3f} s")
    print(f"  paired ratio prepared / cold  {med(ratios):.3f}  (spread {min(ratios):.3f}-{max(ratios):.3f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
