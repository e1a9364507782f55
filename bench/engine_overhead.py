"""How much generation speed Hearth's engine costs compared with driving llama.cpp directly.

Three ways of generating the same greedy tokens from the same model, run alternately in one run:

* reference  -- llama-cpp-python's low-level API in this process: load, tokenize, decode the
                prompt, then ``llama_sampler_sample`` (greedy chain) + ``llama_decode`` of one token
                per step; no detokenization, and end-of-generation tokens are simply ignored.
* Hearth     -- ``hearthlm.core.engine.Engine.complete``: a child process, JSON lines on a pipe,
                every piece streamed back through ``on_token``. Reported twice: the engine's own
                ``stats.tokens_per_s`` (first to last token inside the child) and a parent-side rate
                (first to last ``on_token`` call, so the pipe and the parent's threads are included).
                The parent-side rate is the headline.
* Llama      -- llama-cpp-python's ``Llama.create_completion(stream=True)``, for context.

All three use the same n_ctx (2048), n_batch (512), thread count
(``hearthlm.core.engine.runner.default_threads()``, or ``--threads``), flash attention ("auto",
llama.cpp's default: on for this model on the CPU) and greedy sampling, and generate exactly N
tokens: the prompt is the start of a story that the starter model continues past N tokens without
an end-of-generation token (checked on every run). Rates are over the generation phase only:
(N - 1) tokens / (time of the N-th token - time of the first).

The verdict is the median of paired ratios: each repetition runs the reference and Hearth back to
back, in alternating order (reference first on even repetitions, Hearth first on odd ones), and
divides the two. A ratio of medians would pair a fast reference run with a slow Hearth run whenever
the machine's load drifts. CPU time is reported beside wall time: the reference's is this process's
``process_time`` over its generation loop (not its prompt, which Hearth has cached); Hearth's is the engine process's (psutil) plus this process's during the answer.
With one thread (``--threads 1``) CPU time hardly depends on other load, so it separates what
Hearth adds from what the machine takes away; with more threads llama.cpp's threads spin at
barriers and CPU time tracks wall time.

``--profile FILE`` runs the engine process under cProfile (HEARTH_ENGINE_PROFILE) and prints
where its main thread spent its time.

Also measured: cancel latency -- ``Engine.cancel()`` from another thread after ~50 streamed tokens,
until ``complete()`` returns.

Run:   python bench/engine_overhead.py            (N = 256 and 1500, 5 runs of each, ~10 minutes)
       python bench/engine_overhead.py --quick    (N = 64 and 256, 1 run of each)
Progress goes to stderr; a markdown fragment for bench/RESULTS.md goes to stdout at the end.
Nothing is written outside a temporary HEARTH_HOME, which is removed at exit.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import platform
import statistics
import sys
import tempfile
import threading
import time

N_CTX = 2048
N_BATCH = 512
CANCEL_AFTER = 50
CANCEL_RUNS = 5
TARGET_RATIO = 0.98  # Hearth parent-side / reference, at 1,500 tokens
TARGET_CANCEL_MS = 200.0

# Greedy SmolLM2-135M continues this for well over 1,500 tokens without an end-of-generation token.
PROMPT = (
    "Chapter One\n\n"
    "The rain had not stopped for three days when Eleanor finally opened the letter. It had arrived "
    "on a Tuesday, in a cream envelope with no return address, and she had left it on the kitchen "
    "table beside the bowl of apples, as if it might go away on its own. Outside, the river was "
    "rising. The old men at the harbour said it had not been this high since the winter her "
    "grandfather disappeared, and"
)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


# -- the raw reference loop -----------------------------------------------------------------------


class RawReference:
    """A model and a context driven directly through llama-cpp-python's ctypes API."""

    def __init__(self, llama_cpp, path: str, n_ctx: int, threads: int):
        self.ll = ll = llama_cpp
        ll.llama_backend_init()
        mparams = ll.llama_model_default_params()
        mparams.n_gpu_layers = 0
        self.model = ll.llama_model_load_from_file(os.fsencode(path), mparams)
        if not self.model:
            raise RuntimeError(f"could not load {path}")
        cparams = ll.llama_context_default_params()
        cparams.n_ctx = n_ctx
        cparams.n_batch = N_BATCH
        cparams.n_ubatch = min(N_BATCH, 512)
        cparams.n_threads = threads
        cparams.n_threads_batch = threads
        cparams.no_perf = True
        self.ctx = ll.llama_init_from_model(self.model, cparams)
        if not self.ctx:
            raise RuntimeError("could not create a context")
        self.vocab = ll.llama_model_get_vocab(self.model)
        self.memory = ll.llama_get_memory(self.ctx)

    def tokenize(self, text: str) -> list[int]:
        """As Hearth tokenizes a raw prompt: BOS if the vocabulary wants one, special tokens parsed."""
        ll = self.ll
        raw = text.encode("utf-8")
        add_bos = bool(ll.llama_vocab_get_add_bos(self.vocab))
        capacity = len(raw) + 8
        buf = (ll.llama_token * capacity)()
        n = ll.llama_tokenize(self.vocab, raw, len(raw), buf, capacity, add_bos, True)
        if n < 0:
            raise RuntimeError("tokenize failed")
        return list(buf[:n])

    def detokenize(self, tokens: list[int]) -> str:
        piece = ctypes.create_string_buffer(256)
        out = bytearray()
        for token in tokens:
            n = self.ll.llama_token_to_piece(self.vocab, token, piece, 256, 0, False)
            out += piece.raw[:max(n, 0)]
        return out.decode("utf-8", "replace")

    def generate(self, prompt_tokens: list[int], n: int) -> tuple[float, list[int]]:
        """Greedy-generate exactly ``n`` tokens; returns (tokens/s after the first, tokens)."""
        ll, ctx = self.ll, self.ctx
        ll.llama_memory_clear(self.memory, True)
        # The prompt minus its last token, then the last token alone: what Hearth (and Llama) do
        # when the same prompt comes again and its prefix is still in the KV cache. The logits of a
        # one-token batch differ in the last bits from those of a long batch, and greedy decoding
        # can follow them elsewhere: evaluated this way, all three produce the same tokens.
        head, last = prompt_tokens[:-1], prompt_tokens[-1:]
        for chunk in [head[i:i + N_BATCH] for i in range(0, len(head), N_BATCH)] + [last]:
            arr = (ll.llama_token * len(chunk))(*chunk)
            if ll.llama_decode(ctx, ll.llama_batch_get_one(arr, len(chunk))) != 0:
                raise RuntimeError("prompt decode failed")
        sampler = ll.llama_sampler_chain_init(ll.llama_sampler_chain_default_params())
        ll.llama_sampler_chain_add(sampler, ll.llama_sampler_init_greedy())
        # CPU time from here: Hearth's engine has the prompt cached and evaluates one token of it.
        self.generation_cpu = time.process_time()
        one = (ll.llama_token * 1)()
        batch = ll.llama_batch_get_one(one, 1)
        sample, decode, now = ll.llama_sampler_sample, ll.llama_decode, time.perf_counter
        tokens: list[int] = []
        first_at = last_at = 0.0
        try:
            for i in range(n):
                token = sample(sampler, ctx, -1)
                last_at = now()
                if i == 0:
                    first_at = last_at
                tokens.append(token)
                if i == n - 1:
                    break  # like Hearth and Llama: the last token is not decoded
                one[0] = token
                rc = decode(ctx, batch)
                if rc != 0:
                    raise RuntimeError(f"llama_decode returned {rc}")
        finally:
            ll.llama_sampler_free(sampler)
        self.generation_cpu = time.process_time() - self.generation_cpu
        return (n - 1) / (last_at - first_at), tokens

    def count_eog(self, tokens: list[int]) -> int:
        return sum(1 for t in tokens if self.ll.llama_vocab_is_eog(self.vocab, t))

    def close(self) -> None:
        self.ll.llama_free(self.ctx)
        self.ll.llama_model_free(self.model)


# -- Hearth and Llama runs ------------------------------------------------------------------------


def child_cpu(engine) -> float:
    import psutil

    times = psutil.Process(engine.pid).cpu_times()
    return times.user + times.system


REPEAT_PENALTY = [1.0]  # --repeat-penalty: Hearth's only (the app's default is 1.1; the reference stays greedy)


def run_hearth(engine, GenerationParams, n: int) -> dict:
    arrivals: list[float] = []
    now = time.perf_counter

    def on_token(_text: str) -> None:
        arrivals.append(now())

    cpu_child, cpu_self = child_cpu(engine), time.process_time()
    params = GenerationParams(temperature=0, max_tokens=n, repeat_penalty=REPEAT_PENALTY[0])
    answer = engine.complete(PROMPT, params, on_token=on_token)
    cpu = child_cpu(engine) - cpu_child + time.process_time() - cpu_self
    stats = answer.stats
    if stats.completion_tokens != n or stats.stop_reason != "length":
        raise SystemExit(
            f"Hearth stopped after {stats.completion_tokens} of {n} tokens ({stats.stop_reason}): "
            f"choose a PROMPT the model continues for longer."
        )
    return {
        "engine": stats.tokens_per_s,
        "parent": (n - 1) / (arrivals[-1] - arrivals[0]),
        "callbacks": len(arrivals),
        "text": answer.text,
        "cpu_ms": cpu / n * 1000.0,
    }


def run_reference(ref, prompt_tokens: list[int], n: int) -> dict:
    rate, tokens = ref.generate(prompt_tokens, n)
    return {"rate": rate, "tokens": tokens, "cpu_ms": ref.generation_cpu / n * 1000.0}


def run_llama(llm, n: int) -> dict:
    arrivals: list[float] = []
    pieces: list[str] = []
    finish = None
    now = time.perf_counter
    for chunk in llm.create_completion(PROMPT, max_tokens=n, temperature=0, stream=True):
        choice = chunk["choices"][0]
        if choice["text"]:
            arrivals.append(now())
            pieces.append(choice["text"])
        if choice.get("finish_reason"):
            finish = choice["finish_reason"]
    return {
        "rate": (n - 1) / (arrivals[-1] - arrivals[0]) if finish == "length" else float("nan"),
        "finish": finish,
        "chunks": len(arrivals),
        "text": "".join(pieces),
    }


def cancel_latency(engine, GenerationParams) -> tuple[float, int]:
    """ms from ``cancel()`` (another thread, after CANCEL_AFTER tokens) until ``complete()`` returns."""
    reached = threading.Event()
    count = [0]
    cancelled_at = [0.0]

    def on_token(_text: str) -> None:
        count[0] += 1
        if count[0] == CANCEL_AFTER:
            reached.set()

    def canceller() -> None:
        reached.wait()
        cancelled_at[0] = time.perf_counter()
        engine.cancel()

    thread = threading.Thread(target=canceller, daemon=True)
    thread.start()
    answer = engine.complete(PROMPT, GenerationParams(temperature=0, max_tokens=N_CTX - 200), on_token=on_token)
    returned_at = time.perf_counter()
    thread.join(timeout=5)
    if not answer.cancelled:
        raise SystemExit(f"the cancelled answer stopped with {answer.stats.stop_reason!r}")
    return (returned_at - cancelled_at[0]) * 1000.0, answer.stats.completion_tokens


# -- main -----------------------------------------------------------------------------------------


def fmt(value: float, spec: str = ".1f") -> str:
    return "n/a" if value != value else format(value, spec)


def spread(values: list[float], spec: str = ".1f") -> str:
    values = [v for v in values if v == v]
    if len(values) < 2:
        return ""
    return f" ({min(values):{spec}}–{max(values):{spec}})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: N = 64 and 256, 1 run each")
    parser.add_argument("--reps", type=int, default=None, help="pairs at each N (default 5, --quick 1)")
    parser.add_argument("--sizes", type=int, nargs="+", default=None, help="token counts (default 256 1500)")
    parser.add_argument("--threads", type=int, default=0, help="llama.cpp threads for all (default: the app's)")
    parser.add_argument("--no-llama", action="store_true", help="leave out the Llama.create_completion column")
    parser.add_argument("--profile", metavar="FILE", help="cProfile the engine process; stats saved to FILE")
    parser.add_argument("--repeat-penalty", type=float, default=1.0,
                        help="Hearth's repeat penalty (1.1 is `hearth chat`'s default); the reference stays plain greedy")
    args = parser.parse_args()
    REPEAT_PENALTY[0] = args.repeat_penalty
    sizes = args.sizes or ([64, 256] if args.quick else [256, 1500])
    reps = args.reps or (1 if args.quick else 5)

    home = tempfile.TemporaryDirectory(prefix="hearth-bench-")
    os.environ["HEARTH_HOME"] = home.name
    sys.dont_write_bytecode = True
    try:
        return bench(args, sizes, reps, home.name)
    finally:
        home.cleanup()


def bench(args, sizes: list[int], reps: int, home: str) -> int:
    started = time.perf_counter()
    load_before = os.getloadavg()

    import llama_cpp

    from hearthlm.core.engine import Engine, GenerationParams, LoadParams
    from hearthlm.core.engine.runner import default_threads
    from hearthlm.core.engine.worker import PROFILE_ENV
    from hearthlm.core.starter import starter_model_path

    path = starter_model_path()
    if path is None:
        log('The starter model is not installed: pip install "hearthlm[starter]"')
        return 2
    threads = args.threads or default_threads()

    # Quiet llama.cpp's log in this process (the engine filters its own).
    quiet = llama_cpp.llama_log_callback(lambda level, text, user: None)
    llama_cpp.llama_log_set(quiet, None)

    log(f"model {path.name}, n_ctx {N_CTX}, {threads} threads, sizes {sizes}, {reps} pair(s) each")
    env = dict(os.environ, HEARTH_HOME=home, PYTHONDONTWRITEBYTECODE="1")
    if args.profile:
        env[PROFILE_ENV] = os.path.abspath(args.profile)
    engine = Engine(env=env).start()
    llm = None
    ref = None
    try:
        engine.load(LoadParams(path=str(path), n_ctx=N_CTX, n_batch=N_BATCH, n_threads=threads))
        ref = RawReference(llama_cpp, str(path), N_CTX, threads)
        prompt_tokens = ref.tokenize(PROMPT)
        if len(prompt_tokens) + max(sizes) + 1 >= N_CTX:
            raise SystemExit("the prompt is too long for the context")
        if not args.no_llama:
            from llama_cpp import Llama

            # flash_attn=True: Llama turns flash attention off unless told, while llama.cpp's default
            # (Hearth, the reference) is "auto", which turns it on for this model on the CPU. Off, the
            # attention costs differ at long contexts and the greedy tokens differ too.
            llm = Llama(model_path=str(path), n_ctx=N_CTX, n_batch=N_BATCH, n_ubatch=min(N_BATCH, 512),
                        n_threads=threads, n_threads_batch=threads, n_gpu_layers=0, flash_attn=True,
                        verbose=False)
            llama_cpp.llama_log_set(quiet, None)

        # Warm-up: first decodes are slower (page faults, thread pools), and afterwards Hearth and
        # Llama hold the prompt in their KV caches, as they will on every measured run.
        ref.generate(prompt_tokens, 16)
        run_hearth(engine, GenerationParams, 16)
        if llm is not None:
            run_llama(llm, 16)

        results: dict[int, dict[str, list]] = {}
        notes: list[str] = []
        for n in sizes:
            r = results[n] = {"ref": [], "engine": [], "parent": [], "pairs": [], "ref_cpu": [],
                              "hearth_cpu": [], "cpu_pairs": [], "llama": []}
            for rep in range(reps):
                # Alternate which of the pair goes first: whatever the one before leaves behind
                # (spinning threads, a warm cache, a load spike) falls on each side equally often.
                order = ("ref", "hearth") if rep % 2 == 0 else ("hearth", "ref")
                for kind in order:
                    if kind == "ref":
                        rr = run_reference(ref, prompt_tokens, n)
                    else:
                        h = run_hearth(engine, GenerationParams, n)
                r["ref"].append(rr["rate"])
                r["engine"].append(h["engine"])
                r["parent"].append(h["parent"])
                r["pairs"].append(h["parent"] / rr["rate"])
                r["ref_cpu"].append(rr["cpu_ms"])
                r["hearth_cpu"].append(h["cpu_ms"])
                r["cpu_pairs"].append(rr["cpu_ms"] / h["cpu_ms"])
                line = (f"N={n} pair {rep + 1}/{reps} ({' then '.join(order)}): reference {rr['rate']:.1f} tok/s "
                        f"({rr['cpu_ms']:.2f} ms CPU/token), Hearth engine {h['engine']:.1f} / parent "
                        f"{h['parent']:.1f} tok/s ({h['cpu_ms']:.2f} ms CPU/token): ratio {r['pairs'][-1]:.3f}")
                if llm is not None:
                    lr = run_llama(llm, n)
                    r["llama"].append(lr["rate"] / rr["rate"] if lr["finish"] == "length" else float("nan"))
                    line += f"; Llama stream {fmt(lr['rate'])} tok/s ({lr['finish']})"
                    if lr["finish"] != "length":
                        notes.append(f"N={n}: Llama.create_completion stopped early ({lr['finish']}).")
                log(line)
                if rep == 0:
                    ref_text = ref.detokenize(rr["tokens"])
                    eog = ref.count_eog(rr["tokens"])
                    if eog:
                        notes.append(f"N={n}: the reference sampled {eog} end-of-generation token(s) "
                                     f"and went on (Hearth would have stopped).")
                    if h["text"] != ref_text and args.repeat_penalty == 1.0:
                        notes.append(f"N={n}: Hearth's text differs from the reference's greedy tokens.")
                    if llm is not None and lr["finish"] == "length" and lr["text"] != ref_text:
                        notes.append(f"N={n}: Llama's text differs from the reference's greedy tokens.")
                    if h["callbacks"] != n:
                        notes.append(f"N={n}: {h['callbacks']} on_token calls for {n} tokens "
                                     f"(pieces are per decoded text, not per token).")

        cancels: list[float] = []
        for i in range(CANCEL_RUNS):
            ms, produced = cancel_latency(engine, GenerationParams)
            cancels.append(ms)
            log(f"cancel {i + 1}/{CANCEL_RUNS}: {ms:.1f} ms (stopped after {produced} tokens)")
    finally:
        engine.close()  # the engine writes its profile when it quits
        if llm is not None:
            llm.close()
        if ref is not None:
            ref.close()

    elapsed = time.perf_counter() - started
    load_after = os.getloadavg()

    # -- the markdown fragment ----------------------------------------------------------------
    out = []
    out.append(f"Run: {time.strftime('%Y-%m-%d %H:%M')}, {'--quick, ' if args.quick else ''}"
               f"{reps} alternating pair(s) per N, medians (min–max); {elapsed:.0f} s in all; "
               f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after.  ")
    out.append(f"Model: {path.name}; n_ctx {N_CTX}, n_batch {N_BATCH}, {threads} threads, flash attention "
               f"auto, greedy (Hearth's repeat penalty {args.repeat_penalty}); llama-cpp-python {llama_cpp.__version__}; Python {platform.python_version()}.")
    out.append("")
    header = ("| N | reference tok/s | Hearth parent-side tok/s | Hearth engine-side tok/s "
              "| **paired ratio** (Hearth / ref) | ratio of medians | CPU ms/token ref | CPU ms/token Hearth "
              "| paired CPU ratio (ref / Hearth) |")
    rule = "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    if llm is not None:
        header += " Llama stream / ref (paired) |"
        rule += "---:|"
    out += [header, rule]
    headline = None
    for n in sizes:
        r = results[n]
        ref_m, eng_m, par_m = median(r["ref"]), median(r["engine"]), median(r["parent"])
        paired = median(r["pairs"])
        row = (f"| {n} | {ref_m:.1f}{spread(r['ref'])} | {par_m:.1f}{spread(r['parent'])} "
               f"| {eng_m:.1f}{spread(r['engine'])} | **{paired:.3f}**{spread(r['pairs'], '.3f')} "
               f"| {par_m / ref_m:.3f} | {median(r['ref_cpu']):.2f}{spread(r['ref_cpu'], '.2f')} "
               f"| {median(r['hearth_cpu']):.2f}{spread(r['hearth_cpu'], '.2f')} "
               f"| {median(r['cpu_pairs']):.3f}{spread(r['cpu_pairs'], '.3f')} |")
        if llm is not None:
            ok = [v for v in r["llama"] if v == v]
            row += f" {fmt(median(ok), '.3f')}{spread(ok, '.3f')} |"
        out.append(row)
        if n == max(sizes) and n >= 1500:
            headline = (paired, r["pairs"])
    out.append("")
    cancel_m = median(cancels)
    out.append(f"Cancel latency (`Engine.cancel()` from another thread after {CANCEL_AFTER} tokens, until "
               f"`complete()` returns): median {cancel_m:.1f} ms of {len(cancels)} "
               f"({min(cancels):.1f}–{max(cancels):.1f}).")
    out.append("")
    out.append("Targets:")
    if headline is None:
        out.append(f"- Hearth / reference ≥ {TARGET_RATIO} at 1,500 tokens (median of paired ratios): "
                   f"not measured (no N ≥ 1,500 in this run).")
    else:
        value, pairs = headline
        verdict = "met" if value >= TARGET_RATIO else "NOT met"
        out.append(f"- Hearth / reference ≥ {TARGET_RATIO} at {max(sizes):,} tokens (median of {len(pairs)} paired "
                   f"ratios: {', '.join(f'{p:.3f}' for p in pairs)}): {value:.3f}, {verdict}.")
    verdict = "met" if cancel_m <= TARGET_CANCEL_MS else "NOT met"
    out.append(f"- cancel latency ≤ {TARGET_CANCEL_MS:.0f} ms: {cancel_m:.1f} ms, {verdict}.")
    if notes:
        out.append("")
        out.append("Notes:")
        out += [f"- {note}" for note in dict.fromkeys(notes)]
    print("\n".join(out), flush=True)
    if args.profile:
        print_profile(args.profile)
    return 0


def print_profile(path: str, top: int = 12) -> None:
    """The engine's main thread: where its time went (llama.cpp calls show as ctypes built-ins)."""
    import io
    import pstats

    buffer = io.StringIO()
    pstats.Stats(path, stream=buffer).sort_stats("tottime").print_stats(top)
    print("\nEngine process profile (cProfile, by own time):\n```")
    print("\n".join(line for line in buffer.getvalue().splitlines() if line.strip())[:6000])
    print("```")


if __name__ == "__main__":
    sys.exit(main())
