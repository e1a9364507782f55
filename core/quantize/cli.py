"""``hearth quantize`` and ``hearth perplexity``.

SRC is a local GGUF path, or a model of the library by name (e.g. REPO/FILE after `hearth models pull`).
Progress goes to stderr; the result to stdout (``--json`` for a machine-readable object).
Ctrl+C cancels: the child process is killed and nothing it was writing is left behind.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2), flush=True)


def _progress_printer(enabled: bool) -> Callable[[dict], None]:
    last: dict[str, object] = {"key": None}  # (stage, twentieths done) last printed

    def on_event(ev: dict) -> None:
        if not enabled or ev.get("stage") == "plan":  # a dry run's plan takes a blink
            return
        key = (ev.get("stage"), ev["done"] * 20 // max(ev.get("total", 1), 1))
        if key != last["key"]:
            last["key"] = key
            print(f"  {ev.get('stage')}: {ev.get('done')}/{ev.get('total')}", file=sys.stderr, flush=True)

    return on_event


def _run(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a blocking job on a thread so Ctrl+C can cancel it cleanly."""
    cancel = threading.Event()
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["result"] = fn(*args, cancel=cancel, **kwargs)
        except BaseException as exc:  # handed back to the main thread
            box["error"] = exc

    thread = threading.Thread(target=target, name="quantize-cli")
    thread.start()
    interrupted = False
    while thread.is_alive():
        try:
            thread.join(0.2)
        except KeyboardInterrupt:  # the job stops and removes what it was writing; a second Ctrl+C waits too
            interrupted = True
            cancel.set()
    if interrupted:
        print("hearth: cancelled.", file=sys.stderr)
        raise SystemExit(130)
    if "error" in box:
        raise box["error"]
    return box["result"]


def cmd_list_types(args: argparse.Namespace) -> int:
    from .types import TYPES

    if args.json:
        _print_json([t.to_json() for t in TYPES])
        return 0
    for t in TYPES:
        flag = "  [needs imatrix]" if t.needs_imatrix else ""
        print(f"{t.name:<10} {t.bpw:>6.2f} bpw  {t.explanation}{flag}")
    return 0


def cmd_quantize(args: argparse.Namespace) -> int:
    from . import api

    if args.list_types:
        return cmd_list_types(args)
    if args.type_name and args.type and args.type_name.upper() != args.type.upper():
        print(f"hearth: error: two output types ({args.type_name} and --type {args.type}): give one.", file=sys.stderr)
        return 2
    args.type = args.type or args.type_name  # `hearth quantize model.gguf Q4_K_M`, as llama-quantize takes it
    if not args.src or not args.type:
        print("hearth: error: give SRC and the type: hearth quantize SRC Q4_K_M (or --list-types).", file=sys.stderr)
        return 2
    from ..hub.library import path_or_name

    args.src = path_or_name(args.src)  # a path, or a library model's name (REPO/FILE, a file name)
    calibration = args.calibration
    if calibration == "default":
        calibration = str(api.default_calibration())
    warning = api.requantize_warning(args.src) if _is_file(args.src) else None
    if warning is not None:
        print(f"hearth: warning: {warning}", file=sys.stderr)
        if not args.allow_requantize and not args.dry_run:
            print("hearth: error: pass --allow-requantize to quantize it anyway.", file=sys.stderr)
            return 1
    result = _run(api.quantize, args.src, args.type, out=args.output, imatrix=args.imatrix,
                  calibration=calibration, dry_run=args.dry_run, allow_requantize=args.allow_requantize,
                  nthread=args.threads, imatrix_ctx=args.imatrix_ctx,
                  on_event=_progress_printer(not args.json))
    if args.json:
        _print_json(result)
    elif args.dry_run:
        print(f"{result['type']}: {result['predicted_bytes'] / 2**20:.2f} MiB "
              f"({result['predicted_bytes']:,} bytes, {result['bpw']:.2f} bits per weight)")
    else:
        print(f"{result['out']}: {result['type']}, {result['size_bytes'] / 2**20:.2f} MiB, "
              f"{result['bpw']:.2f} bits per weight, {result['quantize_seconds']:.1f} s"
              + (f", importance matrix {result['imatrix']}" if result.get("imatrix") else ""))
    return 0


def _is_file(path: str) -> bool:
    return Path(path).expanduser().is_file()


def cmd_perplexity(args: argparse.Namespace) -> int:
    from . import api
    from ..quantized_models import record_quality, load_results

    from ..hub.library import path_or_name

    args.model = path_or_name(args.model)  # a path, or a name from `hearth models list`
    args.base = path_or_name(args.base) if args.base else None
    text = args.text or str(api.default_eval_text())
    # no --ctx: 512, or less for a short text (as the window measures); a --ctx given is kept as given
    out = _run(api.perplexity, args.model, text, n_ctx=args.ctx or 512, nthread=args.threads, base=args.base,
               max_windows=args.max_windows, fit_ctx=args.ctx is None, on_event=_progress_printer(not args.json))
    model = str(Path(args.model).expanduser())
    if any(r.get("out") == model for r in load_results()):  # keep the measurement with the record
        record_quality(model, out["result"], out.get("base"))
    if args.json:
        _print_json(out)
        return 0
    r = out["result"]
    print(f"PPL = {r['ppl']:.4f} +/- {r['ppl_err']:.4f}  ({r['n_scored']} tokens scored in "
          f"{r['n_windows']} windows of {r['n_ctx']})")
    if out.get("base"):
        b = out["base"]
        print(f"base PPL = {b['ppl']:.4f} +/- {b['ppl_err']:.4f}; ΔPPL = {r['ppl'] - b['ppl']:+.4f}")
        print(f"KL divergence = {r['kl']:.6f} +/- {r['kl_err']:.6f}; same top token {100 * r['same_top']:.1f}%")
    return 0


def register(subparsers: Any, parser_class: type[argparse.ArgumentParser]) -> None:
    q = subparsers.add_parser("quantize", help="quantize a GGUF model with llama.cpp (every type)")
    q.add_argument("src", nargs="?", metavar="SRC", help="source GGUF path or library name such as REPO/FILE (F32/F16/BF16; a quantized one needs --allow-requantize)")
    q.add_argument("type_name", nargs="?", metavar="TYPE", help="output type, as llama-quantize takes it (the same as --type)")
    q.add_argument("--type", "-t", metavar="T", help="output type, e.g. Q4_K_M (see --list-types)")
    q.add_argument("-o", "--output", metavar="OUT", help="output file (default: <data>/models/quantized/<name>-<T>.gguf)")
    im = q.add_mutually_exclusive_group()
    im.add_argument("--imatrix", metavar="FILE", help="importance matrix (GGUF or legacy .dat, as llama-imatrix writes)")
    im.add_argument("--calibration", metavar="TEXT_FILE",
                    help="compute an importance matrix from this text first ('default': the bundled English+Chinese text)")
    q.add_argument("--imatrix-ctx", type=int, default=512, metavar="N", help="window size for the importance matrix (default 512)")
    q.add_argument("--dry-run", action="store_true", help="only report the output size")
    q.add_argument("--allow-requantize", action="store_true", help="quantize an already quantized file (loses more quality)")
    q.add_argument("--threads", type=int, default=0, metavar="N", help="threads (default: all cores)")
    q.add_argument("--list-types", action="store_true", help="list every type with bits per weight and what it is for")
    q.add_argument("--json", action="store_true", help="print the result as JSON")
    q.set_defaults(func=cmd_quantize)

    p = subparsers.add_parser("perplexity", help="perplexity of a model on a text, and KL divergence vs a base model")
    p.add_argument("model", metavar="MODEL", help="GGUF file")
    p.add_argument("--text", metavar="FILE", help="UTF-8 text (default: a bundled English text)")
    p.add_argument("--ctx", type=int, metavar="N", help="window size; the second half of each is scored (default 512, "
                                                         "or less when the text is short)")
    p.add_argument("--base", metavar="MODEL", help="also compute KL divergence vs this model (e.g. the F16 source)")
    p.add_argument("--max-windows", type=int, default=0, metavar="N", help="evaluate at most N windows (default: all)")
    p.add_argument("--threads", type=int, default=0, metavar="N", help="threads (default: all cores)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=cmd_perplexity)
