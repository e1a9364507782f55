"""The server under several clients, against llama-cpp-python's own server and the raw decode loop.

Measured in one run, with the same model and thread count everywhere:

* concurrency -- 4 ``openai``-client streams at once through ``hearth serve``: their aggregate
  tokens/s (all tokens / wall time from the first request to the last answer's end) divided by one
  client alone. Target >= 1.8 on a 2-core CPU. Two cases, each with the same cache state for the
  1-client and the 4-client run (an earlier version of this script let the 1-client run hit the
  prefix cache while the first 4-client run evaluated three new prompts):
  - follow-up: every prompt is in the server's prefix cache, as a chat's next turn (only the new
    tokens are evaluated): what batching the decode gives;
  - new prompts: every run sends prompts never seen before, so their evaluation is counted.
  Beside each, the ceiling: the same job done by llama.cpp directly (4 sequences in one
  llama_decode per step vs 1, in this process, no HTTP), i.e. what this CPU allows.
* vs llama.cpp's Python server -- the same 4 clients against ``python -m llama_cpp.server``
  (same model, threads, context): Hearth's aggregate / its aggregate. Target >= 1.5.
* one long stream -- one client streaming 1,000 tokens through the server, tokens/s over the
  generation (first to last piece, client side) / the raw decode loop of bench/engine_overhead.py
  (RawReference, in this process). Target >= 0.95.
* time to first token under 4 clients with new prompts, p50 and p95 (Hearth and llama_cpp.server);
  the comparison with llama_cpp.server uses new prompts too (no cache helps either side).

Each repetition runs the contenders back to back in alternating order; the verdicts are medians of
the paired ratios, with their spread (min-max). Every answer is a greedy text completion of
engine_overhead.py's story prompt, which the starter model continues without an end token.

Run:  python bench/serve.py [--threads N] [--reps 3] [--tokens 128] [--long 1000] [--quick]
      (llama_cpp.server needs its extra: pip install -e ".[bench]", i.e. llama-cpp-python[server])
Progress goes to stderr; a markdown fragment for bench/RESULTS.md to stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from engine_overhead import PROMPT, RawReference, log  # noqa: E402

CLIENTS = 4
N_CTX = 2048
# Four prompts: the story's opening with a different first line each, so no client reuses another's cache.
PROMPTS = [f"Part {i + 1}.\n\n{PROMPT}" for i in range(CLIENTS)]


def new_prompts(tag: str) -> list[str]:
    """Four prompts no earlier run sent (the prefix cache cannot help)."""
    return [f"Run {tag}, part {i + 1}.\n\n{PROMPT}" for i in range(CLIENTS)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_hearth(model: str, threads: int, home: str) -> tuple[subprocess.Popen, str]:
    cmd = [sys.executable, "-m", "hearthlm.core.cli", "--home", home, "serve", "--port", "0", "--json",
           "--model", model, "--threads", str(threads), "--ctx", str(N_CTX), "--parallel", str(CLIENTS)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=open(Path(home) / "serve.log", "w"), text=True)
    info = json.loads(proc.stdout.readline())
    return proc, info["address"]


def start_llama_server(model: str, threads: int, home: str) -> tuple[subprocess.Popen, str]:
    import httpx

    port = free_port()
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", model, "--host", "127.0.0.1", "--port", str(port),
           "--n_threads", str(threads), "--n_threads_batch", str(threads), "--n_ctx", str(N_CTX)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=open(Path(home) / "llama_server.log", "w"))
    base = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:  # e.g. the port was taken meanwhile: never measure someone else's server
            raise RuntimeError(f"llama_cpp.server exited ({proc.returncode}): see {home}/llama_server.log")
        try:
            if httpx.get(base + "/models", timeout=2).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.5)
    raise RuntimeError("llama_cpp.server did not start (are fastapi, sse-starlette, starlette-context installed?)")


def one_stream(client, model: str, prompt: str, n: int, out: dict) -> None:
    """Stream one completion; records the request time, each piece's arrival and the token count."""
    out["sent"] = time.perf_counter()
    arrivals, tokens = [], None
    stream = client.completions.create(model=model, prompt=prompt, max_tokens=n, temperature=0, stream=True,
                                       stream_options={"include_usage": True})
    for chunk in stream:
        if chunk.usage is not None:
            tokens = chunk.usage.completion_tokens
        if chunk.choices and chunk.choices[0].text:
            arrivals.append(time.perf_counter())
    out["arrivals"] = arrivals
    out["tokens"] = tokens if tokens is not None else len(arrivals)  # llama_cpp.server: one piece per token
    out["done"] = time.perf_counter()


def run_clients(base: str, model: str, n: int, k: int, prompts: list[str] = PROMPTS) -> dict:
    import openai

    client = openai.OpenAI(base_url=base, api_key="x", max_retries=0, timeout=600)
    outs = [dict() for _ in range(k)]
    threads = [threading.Thread(target=one_stream, args=(client, model, prompts[i], n, outs[i])) for i in range(k)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    end = max(o["done"] for o in outs)
    total = sum(o["tokens"] for o in outs)
    return {"aggregate": total / (end - start), "tokens": total,
            "ttft": [o["arrivals"][0] - o["sent"] for o in outs if o["arrivals"]],
            "gen_rate": [(o["tokens"] - 1) / (o["arrivals"][-1] - o["arrivals"][0])
                         for o in outs if len(o["arrivals"]) > 1]}


class RawBatch:
    """The ceiling: llama.cpp decoding k greedy sequences together, one llama_decode per step, in
    this process (no server, no HTTP, no client), with the server's context settings (n_ctx per
    sequence, one KV stream per sequence, n_batch 512) and the same threads."""

    def __init__(self, ll, model, threads: int):
        self.ll = ll
        cp = ll.llama_context_default_params()
        cp.n_ctx, cp.n_batch, cp.n_ubatch = N_CTX * CLIENTS, 512, 512
        cp.n_seq_max, cp.kv_unified = CLIENTS, False
        cp.n_threads = cp.n_threads_batch = threads
        cp.no_perf = True
        self.ctx = ll.llama_init_from_model(model, cp)
        self.memory = ll.llama_get_memory(self.ctx)
        self.n_vocab = ll.llama_vocab_n_tokens(ll.llama_model_get_vocab(model))
        self.batch = ll.llama_batch_init(512, 0, CLIENTS)

    def _decode(self, items: list[tuple[int, int, int, bool]]) -> None:
        b = self.batch
        b.n_tokens = len(items)
        for i, (token, pos, seq, want) in enumerate(items):
            b.token[i], b.pos[i], b.n_seq_id[i], b.seq_id[i][0], b.logits[i] = token, pos, 1, seq, want
        if self.ll.llama_decode(self.ctx, b) != 0:
            raise RuntimeError("llama_decode failed")

    def aggregate(self, prompts: list[list[int]], n: int, cached: bool) -> float:
        """Tokens/s of ``n`` greedy tokens for each prompt, decoded together. ``cached``: the prompts
        minus their last token are evaluated before the clock starts (a prefix-cache hit)."""
        import numpy as np

        ll = self.ll
        ll.llama_memory_clear(self.memory, True)
        if cached:
            for s, toks in enumerate(prompts):
                self._decode([(t, p, s, False) for p, t in enumerate(toks[:-1])])
        start = time.perf_counter()
        first = len(prompts[0]) - 1 if cached else 0
        self._decode([(t, p, s, p == len(toks) - 1) for s, toks in enumerate(prompts)
                      for p, t in enumerate(toks) if p >= first])
        pos = [len(t) for t in prompts]
        for step in range(n):
            picked = []
            for i in range(len(prompts)):
                addr = ll.llama_get_logits_ith(self.ctx, i if step else -len(prompts) + i)
                logits = np.ctypeslib.as_array(addr, shape=(self.n_vocab,))
                picked.append(int(logits.argmax()))
            if step == n - 1:
                break
            self._decode([(picked[s], pos[s], s, True) for s in range(len(prompts))])
            pos = [p + 1 for p in pos]
        return len(prompts) * n / (time.perf_counter() - start)

    def close(self) -> None:
        self.ll.llama_batch_free(self.batch)
        self.ll.llama_free(self.ctx)


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    i = min(len(values) - 1, max(0, round(q * (len(values) - 1))))
    return values[i]


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def main() -> int:
    from hearthlm.core.engine.runner import default_threads
    from hearthlm.core.starter import starter_model_path

    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=default_threads())
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--tokens", type=int, default=128, help="tokens per client in the concurrency runs")
    ap.add_argument("--long", type=int, default=1000, help="tokens of the one long stream")
    ap.add_argument("--quick", action="store_true", help="1 repetition, 48 and 200 tokens")
    args = ap.parse_args()
    if args.quick:
        args.reps, args.tokens, args.long = 1, 48, 200
    model = str(starter_model_path())
    home = tempfile.mkdtemp(prefix="hearth-bench-serve-")
    procs = []
    try:
        hearth, hearth_base = start_hearth(model, args.threads, home)
        procs.append(hearth)
        llama, llama_base = start_llama_server(model, args.threads, home)
        procs.append(llama)
        hearth_model = "SmolLM2-135M-Instruct.Q4_1"
        llama_model = model
        log(f"hearth at {hearth_base}, llama_cpp.server at {llama_base}, {args.threads} threads")
        # Warm: both load their model; Hearth's four slots then hold the follow-up prompts.
        run_clients(hearth_base, hearth_model, 8, 1)
        run_clients(llama_base, llama_model, 8, 1)
        run_clients(hearth_base, hearth_model, args.tokens, CLIENTS)

        import llama_cpp

        raw = RawReference(llama_cpp, model, N_CTX, args.threads)
        raw_tokens = raw.tokenize(PROMPTS[0])
        ceiling = RawBatch(llama_cpp, raw.model, args.threads)

        ratios: dict[str, list[float]] = {"follow": [], "new": [], "raw_follow": [], "raw_new": []}
        vs_llama, long_ratio = [], []
        h_ttft, l_ttft, rows = [], [], []
        for rep in range(args.reps):
            names = ["h4", "h1", "n4", "n1", "l4", "raw"]
            order = names if rep % 2 == 0 else names[::-1]
            got: dict[str, dict] = {}
            for name in order:
                if name == "raw":  # the ceiling, both cases
                    fresh = [raw.tokenize(p) for p in new_prompts(f"raw {rep}")]
                    follow = [raw.tokenize(p) for p in PROMPTS]
                    got["raw"] = {"c4": ceiling.aggregate(follow, args.tokens, True),
                                  "c1": ceiling.aggregate(follow[:1], args.tokens, True),
                                  "n4": ceiling.aggregate(fresh, args.tokens, False),
                                  "n1": ceiling.aggregate(fresh[:1], args.tokens, False)}
                    log(f"rep {rep + 1} raw: " + ", ".join(f"{k} {v:.1f}" for k, v in got["raw"].items()))
                    continue
                base, m = (llama_base, llama_model) if name == "l4" else (hearth_base, hearth_model)
                prompts = PROMPTS if name in ("h4", "h1") else new_prompts(f"{rep} {name}")
                if name in ("h4", "h1"):  # follow-up: the prompts in the slots again (new prompts may have taken them)
                    run_clients(base, m, 1, CLIENTS)
                got[name] = run_clients(base, m, args.tokens, CLIENTS if name.endswith("4") else 1, prompts)
                log(f"rep {rep + 1} {name}: {got[name]['aggregate']:.1f} tokens/s aggregate")
            agg = {k: v["aggregate"] for k, v in got.items() if k != "raw"}
            ratios["follow"].append(agg["h4"] / agg["h1"])
            ratios["new"].append(agg["n4"] / agg["n1"])
            ratios["raw_follow"].append(got["raw"]["c4"] / got["raw"]["c1"])
            ratios["raw_new"].append(got["raw"]["n4"] / got["raw"]["n1"])
            vs_llama.append(agg["n4"] / agg["l4"])
            h_ttft += got["n4"]["ttft"]
            l_ttft += got["l4"]["ttft"]
            # one long stream vs the raw loop, alternating
            pair = {}
            for name in (["raw", "long"] if rep % 2 == 0 else ["long", "raw"]):
                if name == "raw":
                    pair["raw"], _ = raw.generate(raw_tokens, args.long)
                else:
                    pair["long"] = run_clients(hearth_base, hearth_model, args.long, 1)["gen_rate"][0]
            long_ratio.append(pair["long"] / pair["raw"])
            log(f"rep {rep + 1} long: server {pair['long']:.1f} vs raw {pair['raw']:.1f} tokens/s")
            rows.append((rep + 1, agg["h1"], agg["h4"], agg["n1"], agg["n4"], agg["l4"], pair["long"], pair["raw"],
                         ratios["raw_follow"][-1], ratios["raw_new"][-1]))
        ceiling.close()
        raw.close()
    finally:
        for proc in procs:
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(home, ignore_errors=True)

    print(f"### Serve ({platform.machine()}, {os.cpu_count()} CPUs, {args.threads} threads, SmolLM2-135M Q4_1, "
          f"{args.reps} repetitions, {args.tokens} tokens per client, long stream {args.long} tokens)\n")
    print("Aggregate tokens/s. Follow-up: the prompts are in the prefix cache; new: never seen before. "
          "Ceiling: llama.cpp itself, 4 sequences per llama_decode ÷ 1, same threads and settings.\n")
    print("| rep | Hearth 1 / 4 clients, follow-up | Hearth 1 / 4 clients, new | llama_cpp.server 4 clients, new "
          "| ceiling 4÷1 follow-up / new | Hearth long stream | raw loop |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r[0]} | {r[1]:.1f} / {r[2]:.1f} | {r[3]:.1f} / {r[4]:.1f} | {r[5]:.1f} | {r[8]:.2f} / {r[9]:.2f} "
              f"| {r[6]:.1f} | {r[7]:.1f} |")
    print("\nMedians of the paired ratios (min-max):\n")
    print("| measure | Hearth | ceiling (llama.cpp alone) | target |")
    print("|---|---|---|---|")
    print(f"| 4 clients ÷ 1 client, follow-up | {spread(ratios['follow'])} | {spread(ratios['raw_follow'])} | >= 1.8 |")
    print(f"| 4 clients ÷ 1 client, new prompts | {spread(ratios['new'])} | {spread(ratios['raw_new'])} | >= 1.8 |")
    print(f"| Hearth ÷ llama_cpp.server, 4 clients, new prompts | {spread(vs_llama)} | | >= 1.5 |")
    print(f"| one client {args.long} tokens ÷ raw loop | {spread(long_ratio)} | | >= 0.95 |")
    print(f"| TTFT under 4 clients, new prompts: Hearth p50 / p95 | {pct(h_ttft, .5):.2f} s / {pct(h_ttft, .95):.2f} s | | |")
    print(f"| TTFT under 4 clients, new prompts: llama_cpp.server p50 / p95 | {pct(l_ttft, .5):.2f} s / "
          f"{pct(l_ttft, .95):.2f} s | | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
