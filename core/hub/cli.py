"""``hearth models …``: search the hub, list a repo's GGUFs, pull, and manage the library."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from ..errors import HearthError
from . import messages as M
from .errors import HubError, LibraryError
from .names import human_size

if TYPE_CHECKING:
    from .api import RepoFiles
    from .fit import Budget, Fit
    from .names import GGUFEntry
    from .queue import Download

EXIT_OK, EXIT_FAILED, EXIT_INTERRUPTED = 0, 1, 130


def _json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2), flush=True)


def _table(rows: list[list[str]], header: list[str]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=False)).rstrip())


# -- search / files ---------------------------------------------------------------------------------
def cmd_search(args: argparse.Namespace) -> int:
    from .api import search_models

    found = search_models(args.query, sort=args.sort, limit=args.limit)
    if args.json:
        _json([m.to_dict() for m in found])
        return EXIT_OK
    if not found:
        print("No GGUF models found.")
        return EXIT_OK
    _table([[m.id, f"{m.downloads:,}", f"{m.likes:,}", m.last_modified[:10], "gated" if m.gated else ""]
            for m in found], ["MODEL", "DOWNLOADS", "LIKES", "UPDATED", ""])
    return EXIT_OK


def _budget() -> Budget:
    from .fit import machine_budget

    return machine_budget()


def _fit_of(listing: Any, entry: Any, budget: Any, size_only: bool) -> Fit:
    """The estimate's verdict from the file's header on the hub, or the file-size guess."""
    from .fit import devices_from_budget, verdict
    from .remote_header import remote_fit

    if size_only or not entry.complete:
        return verdict(entry.size, budget)
    return remote_fit(listing.repo, entry, devices_from_budget(budget), budget, revision=listing.revision)


def cmd_files(args: argparse.Namespace) -> int:
    from .api import repo_files

    listing = repo_files(args.repo, revision=args.revision)
    budget = _budget()
    if args.json:
        data = listing.to_dict()
        for item, entry in zip(data["files"], listing.entries, strict=False):
            item["fit"] = _fit_of(listing, entry, budget, args.size_only).to_dict()
        _json(data)
        return EXIT_OK
    print(f"{listing.repo} @ {listing.revision[:12]}  license: {listing.license or 'unknown'}"
          + ("  (gated)" if listing.gated else ""))
    if not listing.entries:
        print(str(HubError(M.NO_GGUF_FILES, repo=listing.repo)))
    rows = []
    for entry in listing.entries:
        fit = _fit_of(listing, entry, budget, args.size_only)
        parts = f"{entry.parts} parts" + ("" if entry.complete else " (incomplete set)") if entry.parts > 1 else ""
        rows.append([entry.name, human_size(entry.size), entry.quant or "?", str(fit.label), parts])
    if rows:
        _table(rows, ["FILE", "SIZE", "QUANT", "FIT", ""])
    for name in listing.unsafe:
        print(str(HubError(M.UNSAFE_NAME, name=name)), file=sys.stderr)
    return EXIT_OK


# -- pull --------------------------------------------------------------------------------------------
def _choose(listing: RepoFiles, wanted: str | None) -> GGUFEntry:
    if not listing.entries:
        raise HubError(M.NO_GGUF_FILES, repo=listing.repo)
    choices = ", ".join(e.name for e in listing.entries)
    if wanted:
        entry = listing.find(wanted)
        if entry is None:
            raise HubError(M.NO_SUCH_GGUF, repo=listing.repo, file=wanted, choices=choices)
        if not entry.complete:
            raise HubError(M.INCOMPLETE_SET, repo=listing.repo, file=entry.name, parts=entry.parts)
        return entry
    if len(listing.entries) == 1:
        return listing.entries[0]
    raise HubError(M.CHOOSE_FILE, repo=listing.repo, choices=choices)


class _Progress:
    """A bar on a terminal; otherwise a plain line every few seconds."""

    def __init__(self, stream: TextIO, is_tty: bool) -> None:
        self.stream, self.tty = stream, is_tty
        self._last_line = 0.0
        self._last_state = ""

    def show(self, item: Download) -> None:
        total = item.total or 0
        pct = 100.0 * item.done / total if total else 0.0
        speed = f"{human_size(item.speed)}/s" if item.speed else "-"
        eta = f"{int(item.eta) // 60}:{int(item.eta) % 60:02d}" if item.eta is not None else "-"
        if self.tty:
            width = 30
            filled = int(width * pct / 100)
            line = (f"\r{item.name[:40]} [{'#' * filled}{'.' * (width - filled)}] {pct:5.1f}% "
                    f"{human_size(item.done)}/{human_size(total)} {speed} ETA {eta} {item.state:<11}")
            self.stream.write(line)
            self.stream.flush()
            return
        now = time.monotonic()
        if item.state != self._last_state or now - self._last_line >= 5:
            self._last_line, self._last_state = now, item.state
            self.stream.write(f"{item.state} {pct:.1f}% {item.done}/{total} bytes {speed} ETA {eta}\n")
            self.stream.flush()

    def end(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


def cmd_pull(args: argparse.Namespace) -> int:
    from .. import paths
    from .api import repo_files
    from .queue import DownloadQueue

    listing = repo_files(args.repo, revision=args.revision)
    entry = _choose(listing, args.file)
    # Its own queue file: a window running at the same time keeps its queue to itself. The partial
    # bytes are in the shared cache, so running the same pull again continues where it stopped.
    queue = DownloadQueue(paths.data_dir() / "hub" / "cli-queue.json")
    item = queue.add(args.repo, entry, revision=listing.revision)
    progress = None if args.json else _Progress(sys.stderr, sys.stderr.isatty())
    if progress is not None:
        queue.subscribe(progress.show)
    queue.start()
    try:
        result = queue.wait(item.id)
    except KeyboardInterrupt:
        queue.close()
        if progress is not None:
            progress.end()
        return EXIT_INTERRUPTED
    queue.close()
    if progress is not None:
        progress.end()
    if result.state == "ready":
        queue.remove(result.id)
    if args.json:
        _json(result.to_dict())
    elif result.state == "ready":
        print(result.path)
    if result.state != "ready":
        print(f"hearth: error: {result.message}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


# -- library -----------------------------------------------------------------------------------------
def cmd_list(args: argparse.Namespace) -> int:
    from .library import SOURCE_NAMES, list_models

    models = list_models()
    if args.json:
        _json([m.to_dict() for m in models])
        return EXIT_OK
    if not models:
        print("No models yet: try `hearth models recommended` or `hearth models import PATH`.")
        return EXIT_OK
    rows = []
    for m in models:
        params = f"{m.parameters / 1e9:.2f}B" if m.parameters >= 1e8 else (f"{m.parameters / 1e6:.0f}M" if m.parameters else "?")
        if m.kind == "model":
            rows.append([m.name, "model", SOURCE_NAMES.get(m.source, m.source), m.architecture or "?", params,
                         m.quantization or "?", human_size(m.size), str(m.context_length or "?"),
                         "yes" if m.has_chat_template else "no"])
        else:  # a LoRA adapter: for models of its architecture; rank and alpha instead of context/template
            rows.append([m.name, "LoRA" if m.kind == "lora" else "adapter", SOURCE_NAMES.get(m.source, m.source),
                         m.architecture or "?", params, f"rank {m.lora_rank}" if m.lora_rank else "?",
                         human_size(m.size), f"alpha {m.lora_alpha:g}" if m.lora_alpha is not None else "?", "-"])
    _table(rows, ["NAME", "KIND", "FROM", "ARCH", "PARAMS", "QUANT", "SIZE", "CONTEXT", "TEMPLATE"])
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from .library import add_path

    added = add_path(args.path)
    if args.json:
        _json([m.to_dict() for m in added])
    else:
        for m in added:
            print(f"added {m.path}")
    return EXIT_OK


def cmd_rm(args: argparse.Namespace) -> int:
    from .library import delete, find, forget_path, user_paths

    model = find(args.name)
    if model.source == "user":
        root = next((p for p in user_paths() if model.path == p or model.path.startswith(p.rstrip("/") + "/")), None)
        if root is None or not forget_path(root):
            raise LibraryError(M.NOT_IN_LIBRARY, name=args.name)
        result = {"removed": model.name, "path": root, "deleted_files": False}
        text = f"removed {root} from the library (the files stay where they are)"
    else:
        delete(model)
        result = {"removed": model.name, "path": model.path, "deleted_files": True}
        text = f"deleted {model.name}"
    if args.json:
        _json(result)
    else:
        print(text)
    return EXIT_OK


def cmd_recommended(args: argparse.Namespace) -> int:
    from .recommended import recommended_with_fit

    models = recommended_with_fit(_budget(), estimate=not args.size_only)
    if args.json:
        _json(models)
        return EXIT_OK
    _table([[m["repo"], m["file"], human_size(m["size"]), m["license"], m["kind"], m["fit"]["label"]]
            for m in models], ["REPO", "FILE", "SIZE", "LICENSE", "KIND", "FIT"])
    return EXIT_OK


def register(subparsers: Any, parser_class: type[argparse.ArgumentParser]) -> None:
    models = subparsers.add_parser("models", help="search Hugging Face, download models, manage the library")
    sub = models.add_subparsers(dest="models_command", parser_class=parser_class, required=True)

    def add(name: str, func: Callable[[argparse.Namespace], int], help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_)
        p.add_argument("--json", action="store_true", help="machine-readable output")
        p.set_defaults(func=func)
        return p

    p = add("search", cmd_search, "search the hub for GGUF models")
    p.add_argument("query", nargs="?", default="")
    p.add_argument("--sort", choices=["downloads", "likes", "recent"], default="downloads")
    p.add_argument("--limit", type=int, default=30)
    p = add("files", cmd_files, "list a repo's GGUF files with size, quantization and fit")
    p.add_argument("repo")
    p.add_argument("--revision", default="main")
    p.add_argument("--size-only", action="store_true",
                   help="judge fit by file size alone (do not read each file's header from the hub)")
    p = add("pull", cmd_pull, "download a model (all parts of a split GGUF), verified by sha256")
    p.add_argument("repo")
    p.add_argument("file", nargs="?", help="the GGUF to download (needed when the repo has several)")
    p.add_argument("--revision", default="main")
    add("list", cmd_list, "every model on this machine (Hearth, yours, LM Studio, Ollama, GPT4All, Jan)")
    p = add("import", cmd_import, "add a GGUF file or a folder of them to the library (used in place)")
    p.add_argument("path")
    p = add("rm", cmd_rm, "delete a model Hearth downloaded, or take an added path off the list")
    p.add_argument("name")
    p = add("recommended", cmd_recommended, "suggested first models, with a fit verdict for this machine")
    p.add_argument("--size-only", action="store_true",
                   help="judge fit by file size alone (do not read each file's header from the hub)")


__all__ = ["register", "HearthError", "Path"]
