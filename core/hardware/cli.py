"""``hearth estimate`` and ``hearth monitor``."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from ..errors import UsageError
from ..messages import msg
from . import messages as HM

INSTALL_GPU_COMMAND = "python3 packaging/install.py --build cuda|vulkan|metal"


class HardwareError(UsageError):
    """Bad input to a hardware command."""


def register(subparsers: Any, parser_class: type) -> None:
    est = subparsers.add_parser("estimate", help="estimate the memory a model needs, per device")
    est.add_argument("model", help="a GGUF file")
    est.add_argument("--ctx", type=int, default=None, help="context size in tokens (default: the settings' n_ctx)")
    est.add_argument("--gpu-layers", default="0", help="layers to offload: a number, or auto (default 0)")
    est.add_argument("--kv-type", default="f16", choices=["f16", "q8_0", "q4_0"], help="KV cache type")
    est.add_argument("--flash-attn", default="auto", choices=["auto", "on", "off"])
    est.add_argument("--state-cache-mb", type=int, default=None,
                     help="RAM for saved states of recent conversations (default: the engine's, 1024)")
    est.add_argument("--json", action="store_true", help="print JSON")
    est.set_defaults(func=cmd_estimate)

    mon = subparsers.add_parser("monitor", help="CPU, RAM, GPUs and an engine's memory, once a second")
    mon.add_argument("--once", action="store_true", help="print one sample and stop")
    mon.add_argument("--interval", type=float, default=1.0, help="seconds between samples (default 1)")
    mon.add_argument("--pid", type=int, default=None, help="a process to follow (e.g. an engine)")
    mon.add_argument("--count", type=int, default=0, help="stop after this many samples (0: until Ctrl-C)")
    mon.add_argument("--json", action="store_true", help="print one JSON object per sample")
    mon.set_defaults(func=cmd_monitor)


# -- estimate ------------------------------------------------------------------------------

def cmd_estimate(args: argparse.Namespace) -> int:
    from ..settings import load_settings
    from .devices import gpu_offload_supported, memory_devices
    from .estimate import MARGIN_FRACTION, RESERVE_BYTES, estimate
    from .guard import default_state_cache_mb, format_bytes

    n_ctx = load_settings().n_ctx if args.ctx is None else args.ctx
    if n_ctx < 16:
        raise HardwareError(HM.EST_BAD_CTX, value=repr(args.ctx))
    layers: int | str = args.gpu_layers.strip().lower()
    if layers != "auto":
        layers = _int(args.gpu_layers, HM.EST_BAD_LAYERS)
        if layers < 0:
            raise HardwareError(HM.EST_BAD_LAYERS, value=repr(args.gpu_layers))
    cache_mb = default_state_cache_mb() if args.state_cache_mb is None else args.state_cache_mb
    if cache_mb < 0:
        raise HardwareError(HM.EST_BAD_STATE_CACHE, value=repr(args.state_cache_mb))
    devices = memory_devices()
    offload = gpu_offload_supported()
    if not offload:
        devices = devices[:1]
    result = estimate(args.model, n_ctx=n_ctx, gpu_layers=layers, kv_type=args.kv_type,
                      flash_attn=args.flash_attn != "off", devices=devices, state_cache_bytes=cache_mb * 1024 * 1024)
    if args.json:
        data = result.to_dict()
        data["gpu_offload"] = offload
        print(json.dumps(data, indent=2))
        return 0
    fa = {"auto": "auto (on)", "on": "on", "off": "off"}[args.flash_attn]
    print(f"{result.model}")
    print(f"{result.architecture}, {result.n_layer} layers, context {result.n_ctx:,} tokens, KV cache "
          f"{result.kv_type}, flash attention {fa}, GPU layers {result.gpu_layers} of {result.n_layer + 1}"
          f"{' (auto)' if layers == 'auto' else ''}")
    header = ("device", "weights", "KV cache", "compute", "other", "saved states", "total", "with margin", "free",
              "verdict")
    rows = []
    for d in result.devices:
        verdict = msg(HM.EST_UNKNOWN) if d.fits is None else msg(HM.EST_FITS) if d.fits else msg(HM.EST_NO_FIT)
        rows.append((d.name, format_bytes(d.weights + d.repacked), format_bytes(d.kv_cache),
                     format_bytes(d.compute), format_bytes(d.overhead + d.output_buffer),
                     format_bytes(d.state_cache) if d.kind == "cpu" else "-", format_bytes(d.total),
                     format_bytes(d.need_with_margin), format_bytes(d.free_bytes) if d.free_bytes else "?",
                     str(verdict)))
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(w) if i in (0, 9) else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=False))))
    cpu = result.device("cpu")
    print(f"total {format_bytes(result.total)} with a full batch of prompt evaluated and the saved states full"
          + (f"; {format_bytes(cpu.at_load)} on the CPU right after loading" if cpu else ""))
    print(msg(HM.EST_STATES, budget=format_bytes(cache_mb * 1024 * 1024)))
    print(msg(HM.EST_MARGIN, margin=round(MARGIN_FRACTION * 100), cpu_reserve=format_bytes(RESERVE_BYTES["cpu"]),
              gpu_reserve=format_bytes(RESERVE_BYTES["gpu"])))
    if not offload:
        print(msg(HM.EST_NO_GPU, command=INSTALL_GPU_COMMAND))
    return 0  # a verdict is data, not a failure (--json has "fits")


def _int(value: str, template: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise HardwareError(template, value=repr(value)) from None


# -- monitor -------------------------------------------------------------------------------

def _line(sample: Any) -> str:
    from .guard import format_bytes

    parts = [time.strftime("%H:%M:%S", time.localtime(sample.t)), f"CPU {sample.cpu_pct:5.1f}%",
             f"RAM {format_bytes(sample.ram_used)} / {format_bytes(sample.ram_total)}"]
    if sample.swap_total:
        parts.append(f"swap {format_bytes(sample.swap_used)}")
    if sample.engine_rss is not None:
        parts.append(f"pid {sample.engine_pid} RSS {format_bytes(sample.engine_rss)} CPU {sample.engine_cpu_pct:.0f}%")
    for g in sample.gpus:
        text = f"{g.name} {format_bytes(g.used_bytes)} / {format_bytes(g.total_bytes)}"
        if g.utilization_pct is not None:
            text += f" {g.utilization_pct:.0f}%"
        if g.temperature_c is not None:
            text += f" {g.temperature_c:.0f}°C"
        parts.append(text)
    return " | ".join(parts)


def cmd_monitor(args: argparse.Namespace) -> int:
    from .monitor import Sampler

    if args.interval <= 0:
        raise HardwareError(HM.MON_BAD_INTERVAL, value=args.interval)
    sampler = Sampler(interval=args.interval)
    sampler.engine_pid = args.pid
    count = 1 if args.once else args.count
    if args.once:
        sampler.sample()  # CPU % needs two readings
        time.sleep(min(args.interval, 0.5))
    shown = 0
    try:
        while True:
            sample = sampler.sample()
            print(json.dumps(sample.to_dict()) if args.json else _line(sample), flush=True)
            shown += 1
            if count and shown >= count:
                return 0
            time.sleep(args.interval)
    except KeyboardInterrupt:
        return 130
    finally:
        sys.stdout.flush()
