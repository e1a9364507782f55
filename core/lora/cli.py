"""``hearth lora convert PEFT_DIR --base MODEL.gguf -o OUT.gguf`` and ``hearth lora info FILE``."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def cmd_convert(args: argparse.Namespace) -> int:
    from ..messages import msg
    from . import messages as M
    from .convert import convert

    done = convert(args.peft_dir, args.base, args.output)
    if args.json:
        print(json.dumps({"path": str(done.path), "tensors": done.count, "architecture": done.architecture,
                          "rank": done.rank, "alpha": done.alpha, "left_out": done.left_out}, indent=2))
    else:
        print(msg(M.CONVERTED, path=str(done.path), count=done.count, arch=done.architecture, rank=done.rank,
                  alpha=done.alpha), file=sys.stderr)
        if done.left_out:
            print(f"hearth: note: {msg(M.LEFT_OUT, count=done.left_out)}", file=sys.stderr)
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    from ..modelfile import read_gguf
    from .info import adapter_info, check_fits

    info = adapter_info(args.file)
    fits = None
    if args.model:
        check_fits(info, read_gguf(args.model))  # raises with the sentence when it does not fit
        fits = True
    data = {"path": str(info.path), "architecture": info.architecture, "alpha": info.alpha, "rank": info.rank,
            "targets": info.targets, **({"fits": fits} if fits is not None else {})}
    if args.json:
        print(json.dumps(data, indent=2))
    else:
        print(f"{info.name}: LoRA for {info.architecture}, rank {info.rank}, alpha {info.alpha:g}, "
              f"{len(info.targets)} tensors" + (" (fits the model)" if fits else ""))
    return 0


def register(subparsers: Any, parser_class: type[argparse.ArgumentParser]) -> None:
    lora = subparsers.add_parser("lora", help="LoRA adapters: convert a PEFT adapter to GGUF, inspect one")
    sub = lora.add_subparsers(dest="lora_command", parser_class=parser_class, required=True)
    c = sub.add_parser("convert", help="PEFT adapter folder (safetensors) to a GGUF LoRA for a base model")
    c.add_argument("peft_dir", metavar="PEFT_DIR", help="folder with adapter_config.json and adapter_model.safetensors")
    c.add_argument("--base", required=True, metavar="MODEL.gguf", help="the GGUF base model the adapter was trained on")
    c.add_argument("-o", "--output", metavar="OUT.gguf",
                   help="where to write it (default: a new file in Hearth's adapters folder, listed in the library)")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_convert)
    i = sub.add_parser("info", help="a GGUF LoRA adapter's architecture, rank, alpha and targets")
    i.add_argument("file", metavar="FILE")
    i.add_argument("--model", metavar="MODEL.gguf", help="also check that it fits this model")
    i.add_argument("--json", action="store_true")
    i.set_defaults(func=cmd_info)
