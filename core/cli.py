"""The ``hearth`` command: every job the GUI does, headless. With no subcommand it opens the window.

Errors are one line on stderr and a non-zero exit status: 1 for a failed job, 2 for bad usage.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any, NoReturn
from collections.abc import Sequence

from . import messages as M
from .cli_args import number_text, positive_int
from .errors import HearthError, UsageError
from .messages import msg

EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_BROKEN_PIPE = 1, 2, 130, 141  # 141: 128 + SIGPIPE, as a shell reports


def _fail(message: str, code: int = EXIT_FAILED) -> int:
    print(f"hearth: error: {message}", file=sys.stderr, flush=True)
    return code


def stdin_text() -> str:
    """Standard input as text; UTF-8 or a HearthError that says so (Python's own reading let the
    undecodable bytes through as surrogates, which failed later with a traceback)."""
    data = sys.stdin.buffer.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HearthError(f"the text on standard input is not UTF-8 (byte 0x{data[exc.start]:02x} at position "
                          f"{exc.start}): convert it first, e.g. with iconv -f GBK -t UTF-8") from None


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2), flush=True)


# -- chat ----------------------------------------------------------------------------------

def cmd_chat(args: argparse.Namespace) -> int:
    from .settings import BOUNDS, load_settings

    for option, key in (("temperature", "temperature"), ("ctx", "n_ctx"), ("threads", "n_threads"),
                        ("gpu_layers", "n_gpu_layers"), ("max_tokens", "max_tokens")):
        value, (low, high) = getattr(args, option), BOUNDS[key]
        if value is not None and not low <= value <= high:  # what `hearth settings set` and the window accept
            return _fail(f"--{option.replace('_', '-')} must be from {number_text(low)} to {number_text(high)}, "
                         f"not {number_text(value)}.", EXIT_USAGE)

    settings = load_settings()
    if args.text is not None and args.prompt is not None:
        return _fail("give the prompt once: as the argument or with --prompt, not both.", EXIT_USAGE)
    prompt = args.text if args.text is not None else args.prompt
    if prompt is None and args.show_prompt:
        prompt = ""  # the prompt as the conversation stands
    elif prompt is None or prompt == "-":
        if sys.stdin.isatty():
            return _fail('give a prompt: hearth chat "TEXT" (or pipe it in with --prompt -).', EXIT_USAGE)
        prompt = stdin_text()
    if not prompt.strip() and not args.show_prompt:
        # the session asks nothing empty, as the window's Send does not: say so rather than wait for an answer
        return _fail("the prompt is empty: there is nothing to answer.", EXIT_USAGE)
    store = conversation = None
    try:
        if args.conversation:
            from .chat.store import ConversationStore

            store = ConversationStore()
            if args.conversation != "new":
                conversation = store.get(store.resolve(args.conversation))
        return _chat(args, settings, prompt, store, conversation)
    finally:
        if store is not None:
            store.close()


def _chat(args: argparse.Namespace, settings: Any, prompt: str, store: Any, conversation: Any) -> int:
    """One question through the window's own ChatSession (core/chat/session.py): the same turns,
    branches, stats and store writes. Without ``--conversation`` the session keeps it in memory."""
    from .chat.runner import ThreadRunner
    from .chat.session import COLLECTIONS_KEY, ChatSession
    from .chat.store import SYSTEM_PROMPT_KEY, ConversationStore
    from .default_model import default_model_path
    from .engine import Engine
    from .paths import log_dir
    from .remote import is_remote
    from .starter import STARTER_INSTALL_HINT

    if args.model:
        from .hub.library import path_or_name

        # a path, remote:NAME/MODEL, or a name from `hearth models list` (as tokenize, quantize and serve take)
        model = args.model if is_remote(args.model) else Path(path_or_name(args.model))
    elif conversation is not None and conversation.model:
        model = conversation.model if is_remote(conversation.model) else Path(conversation.model)
    else:
        model = default_model_path(settings)
    if model is None:
        return _fail(f"no model: pass --model PATH, or install the starter model with {STARTER_INSTALL_HINT}.")

    overrides: dict[str, Any] = {"seed": args.seed}
    for key, value in (("max_tokens", args.max_tokens), ("temperature", args.temperature), ("n_ctx", args.ctx),
                       ("n_gpu_layers", args.gpu_layers), ("n_threads", args.threads)):
        if value is not None:
            overrides[key] = value
    if args.lora:
        from .lora.info import parse_lora_arg

        overrides["lora"] = [parse_lora_arg(value) for value in args.lora]
    sources = docs = None
    if getattr(args, "collection", None) and (prompt or not args.show_prompt):  # documents: the best chunks that fit go before the question
        from .docs.chat_context import ChatDocs
        from .docs.cli import attach_documents

        max_tokens = int(overrides.get("max_tokens", settings.max_tokens))
        prompt_with_docs, sources = attach_documents(args.collection, prompt, args.ctx or settings.n_ctx, max_tokens)
        docs = ChatDocs(prompt_with_docs, sources)
        overrides[COLLECTIONS_KEY] = list(args.collection)
    kept = store is not None
    runner = ThreadRunner()
    # The question follows the load at once: nothing to prepare while a user types.
    settings = dataclasses.replace(settings, prepare_conversations=False)
    session = ChatSession(store if kept else ConversationStore(":memory:"), settings, runner,
                          make_engine=lambda: Engine(log_path=log_dir() / "engine.log"),
                          retrieve=(lambda *_a, **_k: docs) if docs is not None else None, overrides=overrides)
    outcome: dict[str, Any] = {}
    stream = not args.json
    printed = False

    def on_tokens(text: str) -> None:
        nonlocal printed
        if stream:
            printed = True
            sys.stdout.write(text)
            sys.stdout.flush()

    session.tokens.connect(on_tokens)
    session.loaded.connect(lambda info: outcome.setdefault("info", info))
    for event in (session.load_failed, session.answer_failed, session.error):
        event.connect(lambda exc, *_: outcome.setdefault("error", exc))
    session.answered.connect(lambda answer: outcome.setdefault("answer", answer))
    session.answer_saved.connect(lambda message_id: outcome.setdefault("message", message_id))
    session.inspected.connect(lambda shown: outcome.setdefault("prompt", shown))
    interrupted = False

    def on_sigint(_sig: int, _frame: Any) -> None:
        nonlocal interrupted
        interrupted = True
        session.stop()

    def settle(until: Any) -> None:
        runner.run_until(lambda: until() and not session.pending_writes(), timeout_s=24 * 3600)

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        if conversation is not None:
            session.open(conversation.id)
            if args.system:
                session.set_settings({**session.own_settings(), SYSTEM_PROMPT_KEY: args.system})
        elif args.system:
            session.new_settings = {SYSTEM_PROMPT_KEY: args.system}
        session.load(str(model))
        settle(lambda: "info" in outcome or "error" in outcome)
        if "error" not in outcome and args.show_prompt:
            session.inspect(prompt)
            settle(lambda: "prompt" in outcome)
            return _show_prompt(outcome["prompt"], args.json)
        if "error" not in outcome:
            # stored once the model has loaded: a bad model file leaves no empty conversation behind
            session.choose_model(str(outcome["info"].path))
            if not session.send(prompt):
                outcome["error"] = RuntimeError("the question could not be asked: the engine is not ready.")
            settle(lambda: "answer" in outcome or "error" in outcome)
        if "answer" in outcome and kept:
            settle(lambda: "message" in outcome or "error" in outcome)
    finally:
        signal.signal(signal.SIGINT, previous)
        session.engine.shutdown()
        if not kept:
            session.store.close()
    if "error" in outcome:
        if printed:
            sys.stdout.write("\n")
        exc = outcome["error"]
        return _fail(_error_sentence(exc) if isinstance(exc, HearthError) else str(exc))
    from .lora.info import adapters_line

    answer, info, conversation_id = outcome["answer"], outcome["info"], session.conversation_id
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
            "adapters": answer.stats.adapters,
            "note": answer.note,
            **({"sources": sources} if sources is not None else {}),
            **({"conversation": conversation_id, "message": outcome["message"]} if kept else {}),
        })
    else:
        sys.stdout.write("\n")
        for source in sources or []:
            print(f"[{source['n']}] {source['link']}", file=sys.stderr)
        if answer.note:
            print(f"hearth: note: {answer.note}", file=sys.stderr)
        s = answer.stats
        lora = ", " + str(adapters_line(s.adapters)) if s.adapters else ""
        print(f"[{s.prompt_tokens} prompt tokens, {s.completion_tokens} generated, first token after "
              f"{s.ttft_s:.2f} s, {s.tokens_per_s:.1f} tokens/s, stopped: {s.stop_reason}{lora}]", file=sys.stderr)
        if kept and conversation_id is not None:
            print(f"hearth: {msg(M.CONVERSATION_SAVED, id=conversation_id, short=conversation_id[:8])}",
                  file=sys.stderr)
    return EXIT_INTERRUPTED if interrupted else 0


def _show_prompt(shown: dict[str, Any] | None, as_json: bool) -> int:
    """``--show-prompt``: the exact prompt on stdout (special tokens highlighted and the part the KV
    cache holds dimmed on a terminal), its counts on stderr."""
    if shown is None:
        return _fail("the engine did not show the prompt.")
    if as_json:
        _print_json(shown)
        return 0
    from .prompt.pieces import shown as piece_text

    pieces, cached = shown["pieces"], shown["cached"]
    if sys.stdout.isatty():
        out = []
        for i, piece in enumerate(pieces):
            text = piece_text(piece)
            if piece["kind"] in ("control", "user"):
                text = f"\033[1;35m{text}\033[22;39m"
            out.append(("\033[2m" if i < cached else "") + text + ("\033[0m" if i < cached else ""))
        sys.stdout.write("".join(out) + "\n")
    else:
        sys.stdout.write(shown["text"])
        if not shown["text"].endswith("\n"):
            sys.stdout.write("\n")
    print(f"[{shown['tokens']} prompt tokens of a {shown['n_ctx']}-token context; {cached} already in the KV "
          f"cache, {shown['tokens'] - cached} to evaluate; {shown['trimmed']} older messages left out]", file=sys.stderr)
    return 0


def _error_sentence(exc: HearthError) -> str:
    """The error's sentence; for an engine crash, where its log lines are (not the lines)."""
    from .errors import EngineCrashed

    if isinstance(exc, EngineCrashed) and exc.log_path:
        return str(msg(M.CRASH_SEE_LOG, sentence=exc.msg, path=exc.log_path))
    return str(exc)


# -- conversations -------------------------------------------------------------------------

def cmd_conversations(args: argparse.Namespace) -> int:
    from .chat.store import ConversationStore

    with ConversationStore() as store:
        return args.conv_func(store, args)


def _conv_list(store: Any, args: argparse.Namespace) -> int:
    from .chat.store_export import conversation_json

    conversations = store.list_conversations()
    if args.json:
        _print_json([conversation_json(c) for c in conversations])
    elif not conversations:
        print(msg(M.NO_CONVERSATIONS), file=sys.stderr)
    else:
        from datetime import datetime

        rows = [(c.id[:8], datetime.fromtimestamp(c.updated).strftime("%Y-%m-%d %H:%M"), str(c.message_count),
                 c.title or msg(M.UNTITLED)) for c in conversations]
        header = (msg(M.COL_ID), msg(M.COL_UPDATED), msg(M.COL_MESSAGES), msg(M.COL_TITLE))
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(3)]
        for row in [header, *rows]:
            print(f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:>{widths[2]}}  {row[3]}")
    return 0


def _conv_show(store: Any, args: argparse.Namespace) -> int:
    from .chat.store_export import ROLE_NAMES, conversation_json, iso_time

    conv = store.get(store.resolve(args.id))
    branch = []
    for message in store.path(conv.id):
        index, count, _ = store.siblings(message.id)
        branch.append((message, index, count))
    if args.json:
        _print_json({**conversation_json(conv), "messages": [
            {**m.to_dict(), "created": iso_time(m.created), "siblings": {"index": i, "count": n}}
            for m, i, n in branch]})
        return 0
    print(f"# {conv.title or msg(M.UNTITLED)}")
    print(conv.id + (f"  {msg(M.EXPORT_MODEL, model=Path(conv.model).name)}" if conv.model else ""))
    for message, index, count in branch:
        marker = f"  \u2039 {index + 1}/{count} \u203a" if count > 1 else ""
        print(f"\n[{message.id}] {msg(ROLE_NAMES.get(message.role, message.role))}{marker}")
        print(message.content)
        if message.state == "interrupted":
            print(msg(M.EXPORT_INTERRUPTED))
        elif message.state == "streaming":
            print(msg(M.EXPORT_STREAMING))
    return 0


def _conv_export(store: Any, args: argparse.Namespace) -> int:
    text = store.export(store.resolve(args.id), args.format)
    if args.output:
        target = Path(args.output).expanduser()
        try:
            target.write_text(text, encoding="utf-8")
        except OSError as exc:
            return _fail(f"cannot write {target}: {exc.strerror or exc}.")
        print(msg(M.EXPORT_WRITTEN, path=str(target)), file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _conv_rm(store: Any, args: argparse.Namespace) -> int:
    conv = store.get(store.resolve(args.id))
    store.delete(conv.id)
    if args.json:
        _print_json({"deleted": conv.id, "title": conv.title})
    else:
        print(msg(M.CONVERSATION_DELETED, title=conv.title or msg(M.UNTITLED), id=conv.id))
    return 0


def _conv_search(store: Any, args: argparse.Namespace) -> int:
    query = " ".join(args.query)
    hits = store.search(query, limit=args.limit)
    if args.json:
        _print_json([{"conversation": h.conversation_id, "message": h.message_id, "title": h.title,
                      "snippet": h.snippet, "highlights": [list(span) for span in h.highlights]} for h in hits])
        return 0
    if not hits:
        print(msg(M.NOTHING_FOUND, query=query), file=sys.stderr)
    for hit in hits:
        text = hit.snippet
        for start, end in reversed(hit.highlights):
            text = f"{text[:start]}[{text[start:end]}]{text[end:]}"
        where = f"{hit.conversation_id[:8]}" + (f"#{hit.message_id}" if hit.message_id is not None else "")
        print(f"{where}  {hit.title or msg(M.UNTITLED)}: {text}" if hit.message_id is not None else f"{where}  {text}")
    return 0


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
    from .paths import cache_dir
    from .qt_platform import cannot_open

    why = cannot_open(remember=cache_dir() / "qt-platform-checked")  # Qt itself would abort with a page of noise
    if why is not None:
        return _fail(f"the window cannot open: {why}.")
    try:
        from hearthlm.gui.app import run
    except ImportError as exc:
        return _fail(f"the window cannot open: {exc}. Reinstall Hearth with its GUI dependencies (PySide6).")
    return run(model=getattr(args, "model", None), ask=getattr(args, "ask", None))


def _say_settings_notice() -> None:
    """A damaged settings file is set aside when first loaded; say so once, on stderr."""
    from .settings import load_settings, take_settings_notice

    load_settings()
    note = take_settings_notice()
    if note is not None:
        print(f"hearth: warning: {note}", file=sys.stderr, flush=True)


def _move_plain_secrets() -> None:
    """A token an older Hearth left in settings.json goes to the keychain; say so once, on stderr."""
    from .secrets import move_plain_secrets

    note = move_plain_secrets()
    if note is not None:
        print(f"hearth: {note}", file=sys.stderr, flush=True)


# -- parser --------------------------------------------------------------------------------

# Modules that add subcommands (see build_parser); one line per area.
AREA_COMMANDS: tuple[str, ...] = (
    "hearthlm.core.hub.cli",
    "hearthlm.core.quantize.cli",
    "hearthlm.core.docs.cli",
    "hearthlm.core.hardware.cli",
    "hearthlm.core.lora.cli",
    "hearthlm.core.tokens.cli",
    "hearthlm.core.remote.cli",
    "hearthlm.core.serve.cli",
    "hearthlm.core.settings_cli",
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, exit 2
        print(f"hearth: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


class _VersionAction(argparse.Action):
    """``--version``, which looks the version up only when asked (see core/__init__.py)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help=kwargs.get("help", "show the version and exit"))

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        from . import __version__

        print(f"hearth {__version__}")  # to stdout, as argparse's own version action does
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="hearth", description="Run large language models on your own machine.")
    parser.add_argument("--version", action=_VersionAction)
    parser.add_argument("--home", metavar="DIR",
                        help="keep every file Hearth writes under DIR (same as HEARTH_HOME)")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    chat = sub.add_parser("chat", help="answer one prompt, streaming to stdout")
    chat.add_argument("text", nargs="?", metavar="PROMPT", help="the prompt (the same as --prompt TEXT)")
    chat.add_argument("--model", metavar="PATH", help="GGUF file, or remote:NAME/MODEL for a model on a remote "
                                                      "endpoint (default: your default model, else the starter)")
    chat.add_argument("--prompt", metavar="TEXT", help="the prompt; '-' reads it from stdin")
    chat.add_argument("--system", metavar="TEXT", help="a system prompt")
    chat.add_argument("--max-tokens", type=int, metavar="N")
    chat.add_argument("--temperature", type=float, metavar="T")
    chat.add_argument("--seed", type=int, metavar="S")
    chat.add_argument("--ctx", type=int, metavar="N", help="context size in tokens")
    chat.add_argument("--gpu-layers", type=int, metavar="N", help="layers to offload to the GPU")
    chat.add_argument("--threads", type=int, metavar="N", help="CPU threads (default: one per physical core)")
    chat.add_argument("--json", action="store_true", help="print one JSON object instead of streaming")
    chat.add_argument("--conversation", metavar="ID|new",
                      help="continue a stored conversation (its id or the start of it), or start one with 'new'; "
                           "the answer is saved as it streams")
    chat.add_argument("--collection", metavar="NAME", action="append",
                      help="answer from a document collection (hearth docs); repeat for several")
    chat.add_argument("--lora", metavar="FILE[:SCALE]", action="append",
                      help="apply a GGUF LoRA adapter at SCALE (0-2, default 1); repeat for several")
    chat.add_argument("--show-prompt", action="store_true",
                      help="print the exact prompt the engine would evaluate (with --prompt: for that question) "
                           "and its token count, instead of answering")
    chat.set_defaults(func=cmd_chat)

    conv = sub.add_parser("conversations", help="list, show, export, search and delete stored conversations")
    conv_sub = conv.add_subparsers(dest="conv_command", metavar="{list,show,export,rm,search}",
                                 parser_class=_Parser, required=True)
    conv.set_defaults(func=cmd_conversations)
    c_list = conv_sub.add_parser("list", help="every conversation, the most recent first")
    c_list.add_argument("--json", action="store_true")
    c_list.set_defaults(conv_func=_conv_list)
    c_show = conv_sub.add_parser("show", help="the active branch of a conversation")
    c_show.add_argument("id", metavar="ID", help="the conversation's id, or the start of it")
    c_show.add_argument("--json", action="store_true")
    c_show.set_defaults(conv_func=_conv_show)
    c_export = conv_sub.add_parser("export", help="a conversation as Markdown (active branch) or JSON (every branch)")
    c_export.add_argument("id", metavar="ID", help="the conversation's id, or the start of it")
    c_export.add_argument("--format", choices=("md", "json"), default="md")
    c_export.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    c_export.set_defaults(conv_func=_conv_export)
    c_rm = conv_sub.add_parser("rm", help="delete a conversation and all its messages")
    c_rm.add_argument("id", metavar="ID", help="the conversation's id, or the start of it")
    c_rm.add_argument("--json", action="store_true")
    c_rm.set_defaults(conv_func=_conv_rm)
    c_search = conv_sub.add_parser("search", help="full-text search of titles and messages (Chinese too)")
    c_search.add_argument("query", metavar="QUERY", nargs="+")
    c_search.add_argument("--limit", type=positive_int, default=50, metavar="N", help="the most results (default 50)")
    c_search.add_argument("--json", action="store_true")
    c_search.set_defaults(conv_func=_conv_search)

    doctor = sub.add_parser("doctor", help="report versions, the llama.cpp build, devices and paths")
    doctor.add_argument("--json", action="store_true")
    doctor.set_defaults(func=cmd_doctor)

    # Each area adds its own subcommands: a module with register(subparsers, parser_class) whose
    # parsers set func=handler(args) -> exit code (HearthError becomes a one-line error here).
    for module_name in AREA_COMMANDS:
        importlib.import_module(module_name).register(sub, _Parser)

    gui = sub.add_parser("gui", help="open the window (the default with no subcommand)")
    gui.add_argument("--model", metavar="PATH", help="GGUF file to select at start")
    gui.add_argument("--ask", metavar="TEXT", help="ask TEXT in the window, print the answer as JSON and close "
                                                   "(checks an install end to end)")
    gui.set_defaults(func=cmd_gui)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.home:
        home = Path(args.home).expanduser().resolve()
        if home.exists() and not home.is_dir():
            return _fail(f"--home {home} is a file: give a folder (it is made if it does not exist).", EXIT_USAGE)
        os.environ["HEARTH_HOME"] = str(home)
    if args.command is None or args.func is cmd_gui:
        return cmd_gui(args)  # the window shows a settings notice itself
    _say_settings_notice()
    _move_plain_secrets()
    for name in ("max_tokens", "ctx"):
        value = getattr(args, name, None)
        if value is not None and value <= 0:
            return _fail(f"--{name.replace('_', '-')} must be a positive number.", EXIT_USAGE)
    try:
        if args.command == "estimate":  # a library name too; here, as hardware/ may not import the library
            from .hub.library import path_or_name

            args.model = path_or_name(args.model)
        return args.func(args)
    except UsageError as exc:
        return _fail(str(exc), EXIT_USAGE)
    except HearthError as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # the reader left (`hearth … | head`): stop quietly, as a Unix tool does
        _drop_stdout()
        return EXIT_BROKEN_PIPE


def _drop_stdout() -> None:
    """Point stdout at the null device, so that the interpreter's last flush at exit finds no broken
    pipe to complain about (the recipe of Python's signal module documentation)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real file behind stdout (a test's capture)
        pass


if __name__ == "__main__":
    sys.exit(main())
