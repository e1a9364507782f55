"""``hearth tokenize MODEL [MODEL2 ...] TEXT|-``: a text's tokens with ids, count and characters per
token, for one model or several side by side. Loads only the vocabularies (never the weights)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

COLOURS = ("\033[48;5;153m", "\033[48;5;222m", "\033[48;5;151m", "\033[48;5;217m", "\033[48;5;183m")
RESET = "\033[0m"


def cmd_tokenize(args: argparse.Namespace) -> int:
    from ..messages import msg
    from . import messages as M
    from ..prompt.pieces import shown
    from ..hub.library import path_or_name
    from .vocab import Vocab

    from ..cli import stdin_text

    text = stdin_text() if args.text == "-" else args.text
    models = [args.model, *(args.compare or [])]
    results = []
    for model in models:
        with Vocab(path_or_name(model)) as vocab:
            results.append(vocab.tokenize(text))
    if args.json:
        data: Any = [r.to_dict() for r in results] if len(results) > 1 else results[0].to_dict()
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    colour = sys.stdout.isatty() and not args.plain
    for r in results:
        if len(results) > 1:
            print(f"== {r.model}")
        if colour:
            line = "".join(f"{COLOURS[i % len(COLOURS)]}\033[30m{shown(p)}{RESET}" for i, p in enumerate(r.pieces))
            print(line)
        print(" ".join(f"{p['id']}:{json.dumps(shown(p), ensure_ascii=False)}" for p in r.pieces))
        print(msg(M.TOKEN_SUMMARY, count=len(r.pieces), chars=len(text), ratio=r.chars_per_token))
    return 0


def register(subparsers: Any, parser_class: type[argparse.ArgumentParser]) -> None:
    t = subparsers.add_parser("tokenize", help="a text's tokens (pieces, ids, count) for one model or several")
    t.add_argument("model", metavar="MODEL", help="GGUF file or library name (only its vocabulary is loaded)")
    t.add_argument("text", metavar="TEXT", help="the text; '-' reads it from stdin")
    t.add_argument("--compare", metavar="MODEL", action="append", help="also tokenize with this model (repeatable)")
    t.add_argument("--plain", action="store_true", help="no colours even on a terminal")
    t.add_argument("--json", action="store_true", help="ids, pieces (text, bytes as hex, kind), count, chars per token")
    t.set_defaults(func=cmd_tokenize)
