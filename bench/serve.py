"""The server under several clients, against llama-cpp-python's own server and the raw decode loop.

Measured in one run, with the same model and thread count everywhere:

* concurrency -- 4 ``openai``-client streams at once through ``hearth serve``: their aggregate
  tokens/s (all tokens / wall time from the first request to the last answer's end) divided by one
  client alone. Target >= 1.8 on a 2-core CPU (needs the continuous-batching engine; with today's
  engine the server answers one request at a time and the ratio is ~1).
* vs llama.cpp's Python server -- the same 4 clients against ``python -m llama_cpp.server``
  (same model, threads, context): Hearth's aggregate / its aggregate. Target >= 1.5.
* one long stream -- one client streaming 1,000 tokens through the server, tokens/s over the
  generation (first to last piece, client side) / the raw decode loop of bench/engine_overhead.py
  (RawReference, in this process). Target >= 0.95.
* time to first token under 4 clients, p50 and p95 (Hearth and llama_cpp.server).

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


def run_clients(base: str, model: str, n: int, k: int) -> dict:
    import openai

    client = openai.OpenAI(base_url=base, api_key="x", max_retries=0, timeout=600)
    outs = [dict() for _ in range(k)]
    threads = [threading.Thread(target=one_stream, args=(client, model, PROMPTS[i], n, outs[i])) for i in range(k)]
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
        run_clients(hearth_base, hearth_model, 8, 1)  # warm: both load their model
        run_clients(llama_base, llama_model, 8, 1)

        import llama_cpp

        raw = RawReference(llama_cpp, model, N_CTX, args.threads)
        raw_tokens = raw.tokenize(PROMPTS[0])

        four_vs_one, vs_llama, long_ratio = [], [], []
        h_ttft, l_ttft, rows = [], [], []
        for rep in range(args.reps):
            order = ["h4", "h1", "l4"] if rep % 2 == 0 else ["l4", "h1", "h4"]
            got = {}
            for name in order:
                base, m = (llama_base, llama_model) if name == "l4" else (hearth_base, hearth_model)
                got[name] = run_clients(base, m, args.tokens, CLIENTS if name.endswith("4") else 1)
                log(f"rep {rep + 1} {name}: {got[name]['aggregate']:.1f} tokens/s aggregate")
            four_vs_one.append(got["h4"]["aggregate"] / got["h1"]["aggregate"])
            vs_llama.append(got["h4"]["aggregate"] / got["l4"]["aggregate"])
            h_ttft += got["h4"]["ttft"]
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
            rows.append((rep + 1, got["h1"]["aggregate"], got["h4"]["aggregate"], got["l4"]["aggregate"],
                         pair["long"], pair["raw"]))
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
    print("| rep | Hearth 1 client | Hearth 4 clients | llama_cpp.server 4 clients | Hearth long stream | raw loop |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r[0]} | {r[1]:.1f} | {r[2]:.1f} | {r[3]:.1f} | {r[4]:.1f} | {r[5]:.1f} |")
    print("\ntokens/s (aggregate for the client runs, generation rate for the long stream and the raw loop)\n")
    print("| measure | median (min-max) | target |")
    print("|---|---|---|")
    print(f"| 4 clients / 1 client (Hearth) | {spread(four_vs_one)} | >= 1.8 |")
    print(f"| Hearth / llama_cpp.server, 4 clients | {spread(vs_llama)} | >= 1.5 |")
    print(f"| one client {args.long} tokens / raw loop | {spread(long_ratio)} | >= 0.95 |")
    print(f"| TTFT under 4 clients, Hearth p50 / p95 | {pct(h_ttft, .5):.2f} s / {pct(h_ttft, .95):.2f} s | |")
    print(f"| TTFT under 4 clients, llama_cpp.server p50 / p95 | {pct(l_ttft, .5):.2f} s / {pct(l_ttft, .95):.2f} s | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
