"""``hearth docs``: add, list, remove, query and watch document collections."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any
from collections.abc import Callable

from ..cli_args import positive_int
from ..errors import HearthError
from ..messages import msg
from . import messages as M

EXIT_FAILED = 1


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2), flush=True)


_sent: Callable[[dict[str, Any]], None] | None = None  # the --progress channel, once open


def _progress(args: argparse.Namespace) -> Callable[[dict[str, Any]], None] | None:
    """With ``--progress`` (the window runs the command as a child, core/child): events go to the
    protocol channel, after the ready handshake; anything else printed goes to stderr."""
    global _sent
    if not args.progress:
        return None
    from ..child.side import checkpoint, protect_stdout

    channel = protect_stdout()
    channel.ready()
    checkpoint("request")
    _sent = lambda event: channel.send(**event)  # noqa: E731
    return _sent


def _says_failure(command: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """A command the window runs with --progress: when it fails, the window also gets the sentence as
    a ``failed`` event with its template (so it is shown translated; stderr has it in English)."""
    def run(args: argparse.Namespace) -> int:
        try:
            return command(args)
        except HearthError as exc:
            if _sent is not None:
                _sent({"event": "failed", "message": str(exc), "message_msg": exc.msg.to_json()})
            raise
    return run


def _store() -> Any:
    from .store import DocStore

    return DocStore()


def cmd_add(args: argparse.Namespace) -> int:
    progress = _progress(args)  # first: the handshake comes before the heavy imports
    from .ingest import ingest

    partial = False  # a large file's progress line is open on stderr

    def emit(event: dict[str, Any]) -> None:
        nonlocal partial
        if progress:  # JSON lines for the window (which runs this command as a child process)
            progress(event)
        elif event["event"] == "file" and not args.json:
            if partial:
                print(file=sys.stderr, flush=True)
                partial = False
            _print_result(event)
        elif event["event"] == "chunks" and not args.json:  # within a large file, rewritten in place
            text = msg(M.STATUS_INDEXING, chunks=event["chunks"])
            print(f"\r[{event['done'] + 1}/{event['total']}] {event['path']}: {text}", end="", file=sys.stderr,
                  flush=True)
            partial = True
        elif event["event"] == "cross" and not args.json:
            _print_cross(event)
            partial = True

    from . import shared_server

    def retrying(sentence: Any, seconds: float) -> None:  # a shared collection's server failed a batch
        if progress:
            progress({"event": "retry", "message": str(sentence), "message_msg": sentence.to_json(),
                      "seconds": seconds})
        else:
            print(f"hearth: note: {sentence}", file=sys.stderr, flush=True)

    shared_server.on_retry = retrying
    with _store() as store:
        if args.server:  # create the collection on the server, or join it (network)
            _add_shared(store, args)
        elif not args.paths:
            from .errors import StoreError

            if Path(args.collection).expanduser().exists():  # `hearth docs add notes.pdf`: the name was left out
                raise StoreError(M.PATH_FOR_COLLECTION, path=args.collection, collection="My documents")
            raise StoreError(M.SHARED_NEEDS_PATHS)
        results = ingest(store, args.collection, args.paths, embedder=args.embedder, emit=emit,
                         watch=True if args.watch else None) if args.paths else []
        if args.cross_language:
            from . import cross_language

            name = store.get_collection(args.collection.strip()).name
            cross_language.enable(store, name)
            cross_language.fill(store, name, emit)
    if partial and not args.progress:
        print(file=sys.stderr)
    counts = {s: sum(1 for r in results if r.status == s) for s in ("added", "unchanged", "removed", "failed")}
    if args.json:
        _print_json({"collection": args.collection, **counts, "files": [r.to_json() for r in results]})
    elif not args.progress:
        print(msg(M.ADD_SUMMARY, **counts), file=sys.stderr)
    return EXIT_FAILED if counts["failed"] else 0


def _add_shared(store: Any, args: argparse.Namespace) -> None:
    from .embedders import DEFAULT_EMBEDDER, get_embedder, normalize_name

    from .embedders import MiniLMEmbedder

    name = normalize_name(args.embedder or DEFAULT_EMBEDDER)
    # the dimension is the model's; the server's collection keeps the model it was made with
    dimension = MiniLMEmbedder.dimension if name == DEFAULT_EMBEDDER else get_embedder(name).dimension
    store.shared.add(args.collection, args.server, args.token_env, name, dimension)


def _print_cross(event: dict[str, Any]) -> None:
    text = msg(M.CROSS_PROGRESS, done=event["done"], total=event["total"])
    print(f"\r{event['collection']}: {text}", end="", file=sys.stderr, flush=True)


def _cross_json(info: Any) -> dict[str, Any] | None:
    return {"embedder": info.cross_embedder, "chunks": info.cross_chunks} if info.cross_embedder else None


def _print_result(event: dict[str, Any]) -> None:
    status = event["status"]
    if status == "failed":
        print(f"hearth: error: {event['error']}", file=sys.stderr, flush=True)
        return
    if status == "skipped":  # a link out of the folder: one sentence, not a failure
        print(f"hearth: warning: {event['error']}", file=sys.stderr, flush=True)
        return
    text = {"added": msg(M.STATUS_ADDED, chunks=event["chunks"]), "unchanged": msg(M.STATUS_UNCHANGED),
            "removed": msg(M.STATUS_REMOVED)}.get(status, status)
    print(f"[{event['done']}/{event['total']}] {event['path']}: {text}", flush=True)


def _follow_shared(store: Any, names: list[str]) -> None:
    """Shared collections catch up with their servers; one that cannot be reached is listed as this
    installation last saw it, with one sentence."""
    from .errors import StoreError

    for name in names:
        if store.shared.config(name) is not None:
            try:
                store.shared.sync(name, force=True)
            except StoreError as exc:
                print(f"hearth: note: {exc}", file=sys.stderr)


def cmd_list(args: argparse.Namespace) -> int:
    with _store() as store:
        _follow_shared(store, [args.collection] if args.collection else list(store.shared.all()))
        if args.collection:
            info = store.get_collection(args.collection)
            docs = store.documents(info.name)
            if args.json:
                _print_json({"name": info.name, "embedder": info.embedder, "dimension": info.dimension,
                             "cross_language": _cross_json(info),
                             "documents": [{"path": d.path, "state": d.state, "chunks": d.chunks, "kind": d.kind,
                                            "size": d.size, "error": str(d.error) if d.error else None}
                                           for d in docs],
                             "folders": [{"path": p, "watched": w} for _, p, w in store.folders(info.name)]})
                return 0
            for d in docs:
                detail = f"{d.chunks} chunks" if d.state == "complete" else f"error: {d.error}"
                print(f"{d.path}\t{d.kind or '-'}\t{detail}")
            return 0
        infos = store.list_collections()
        shared = store.shared.all()
    if args.json:
        _print_json([{"name": c.name, "embedder": c.embedder, "dimension": c.dimension, "documents": c.documents,
                      "chunks": c.chunks, "failed": c.failed, "cross_language": _cross_json(c),
                      "server": shared[c.name].url if c.name in shared else None} for c in infos])
    elif not infos:
        print(msg(M.NO_COLLECTIONS), file=sys.stderr)
    else:
        for c in infos:
            where = f"\t{shared[c.name].url}" if c.name in shared else ""
            cross = f"\tcross-language {c.cross_chunks}/{c.chunks}" if c.cross_embedder else ""
            print(f"{c.name}\t{c.documents} documents\t{c.chunks} chunks\t{c.failed} failed\t{c.embedder}{cross}{where}")
    return 0


def cmd_rm(args: argparse.Namespace) -> int:
    with _store() as store:
        info = store.get_collection(args.collection)
        if not args.paths:
            store.delete_collection(info.name)
            removed: Any = info.name
        else:
            paths = [str(Path(p).expanduser().absolute()) for p in args.paths]
            known = {d.path for d in store.documents(info.name)}
            for p in paths:
                if p not in known and not any(k.startswith(p.rstrip("/") + "/") for k in known):
                    from .errors import StoreError

                    raise StoreError(M.NOT_IN_COLLECTION, path=p, name=info.name)
            targets = [k for k in known for p in paths if k == p or k.startswith(p.rstrip("/") + "/")]
            store.remove_documents(info.name, targets)
            removed = targets
    if args.json:
        _print_json({"collection": info.name, "removed": removed})
    return 0


def cmd_query(args: argparse.Namespace) -> int:
    from .search import search

    notes: list[Any] = []
    with _store() as store:
        hits = search(store, args.collection, " ".join(args.question), k=args.k, notes=notes)
    for note in notes:  # a shared collection's server is down: answered by keywords only
        print(f"hearth: note: {note}", file=sys.stderr)
    if args.json:
        _print_json([{"rank": i, **h.to_json()} for i, h in enumerate(hits, start=1)])
        return 0
    if not hits:
        print(msg(M.NO_RESULTS), file=sys.stderr)
    for i, h in enumerate(hits, start=1):
        where = f"page {h.page}" if h.page else (h.section or "")
        found = ", ".join(f"{way} #{rank}" for way, rank in h.places().items())
        print(f"[{i}] {h.source}" + (f"  ({where})" if where else "") + f"  found by {found}")
        print("    " + " ".join(h.text.split())[:300])
    return 0


def cmd_context(args: argparse.Namespace) -> int:
    from .search import build_context

    with _store() as store:
        ctx = build_context(store, " ".join(args.question), args.collection, args.budget)
    for note in ctx.notes:
        print(f"hearth: note: {note}", file=sys.stderr)
    if args.json:
        _print_json({"prompt": ctx.prompt, "tokens": ctx.tokens, "sources": ctx.sources()})
    else:
        print(ctx.prompt)
    return 0


def cmd_embedder(args: argparse.Namespace) -> int:
    progress = _progress(args)  # first: the handshake comes before the heavy imports
    from .ingest import change_embedder

    def emit(event: dict[str, Any]) -> None:
        if progress:
            progress(event)
        elif event["event"] == "embedded":
            print(f"\r{event['done']}/{event['total']}", end="", file=sys.stderr, flush=True)

    with _store() as store:
        n = change_embedder(store, args.collection, args.embedder, emit)
    if not args.progress:
        print(file=sys.stderr)
    if args.json:
        _print_json({"collection": args.collection, "embedder": args.embedder, "chunks": n})
    return 0


def cmd_cross_language(args: argparse.Namespace) -> int:
    """Give a collection a cross-language index and fill it (resumes where a stopped run left it),
    or take it away with ``--off``."""
    progress = _progress(args)  # first: the handshake comes before the heavy imports
    from . import cross_language

    def emit(event: dict[str, Any]) -> None:
        if progress:
            progress(event)
        elif not args.json:
            _print_cross(event)

    with _store() as store:
        name = store.get_collection(args.collection).name
        cross_language.enable(store, name, not args.off)
        added = 0 if args.off else cross_language.fill(store, name, emit)
        info = store.get_collection(name)
    if not args.progress and not args.json and not args.off:
        print(file=sys.stderr)
    if args.json:
        _print_json({"collection": name, "cross_language": _cross_json(info), "embedded": added})
    return 0


def cmd_watch(args: argparse.Namespace) -> int:
    import time

    from .ingest import FileResult, ingest
    from .watch import FolderWatcher

    progress = _progress(args)

    def show(result: Any) -> None:
        event = {"event": "file", "done": None, "total": None, **result.to_json()}
        if progress:
            progress(event)
        elif result.status != "unchanged":
            _print_result({**event, "done": "-", "total": "-"})

    def show_all(results: list[FileResult]) -> None:
        for r in results:
            show(r)

    with _store() as store:
        info = store.get_collection(args.collection) if not args.folders else None
        name = info.name if info else args.collection
        folders = [str(Path(f).expanduser().absolute()) for f in args.folders] or \
            [p for _, p, _ in store.folders(name)]
        for result in ingest(store, name, folders, watch=True):  # catch up with what changed meanwhile
            show(result)
        watcher = FolderWatcher(store, name, folders, on_results=show_all).start()
        if progress:
            progress({"event": "watching", "folders": folders})
        else:
            print(f"watching {', '.join(folders)} (Ctrl-C stops)", file=sys.stderr, flush=True)
        try:
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            pass
        finally:
            watcher.stop()
    return 0


def register(subparsers: Any, parser_class: type) -> None:
    docs = subparsers.add_parser("docs", help="document collections: add files, ask questions with sources")
    sub = docs.add_subparsers(dest="docs_command", metavar="{add,list,rm,query,context,embedder,cross-language,watch}",
                              parser_class=parser_class, required=True)

    add = sub.add_parser("add", help="index files and folders into a collection (created if new)")
    add.add_argument("collection", metavar="COLLECTION")
    add.add_argument("paths", metavar="PATH", nargs="*", help="files and folders (none: only create/join with --server)")
    add.add_argument("--embedder", metavar="NAME", help="for a new collection: minilm (English, the default), "
                     "e5 (multilingual: Chinese questions find English documents and the reverse) or gguf:PATH")
    add.add_argument("--server", metavar="URL",
                     help="keep the collection on a Chroma server (http[s]://HOST:PORT), shared with other installations")
    add.add_argument("--token-env", metavar="VAR",
                     help="the environment variable holding the server's token (sent as Authorization: Bearer)")
    add.add_argument("--watch", action="store_true", help="remember the folders as watched")
    add.add_argument("--cross-language", action="store_true",
                     help="also keep a cross-language index (see `hearth docs cross-language`)")
    add.add_argument("--json", action="store_true")
    add.add_argument("--progress", action="store_true", help="print one JSON line per event")
    add.set_defaults(func=_says_failure(cmd_add))

    ls = sub.add_parser("list", help="collections, or the documents of one")
    ls.add_argument("collection", metavar="COLLECTION", nargs="?")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=cmd_list)

    rm = sub.add_parser("rm", help="remove files (or folders) from a collection, or the whole collection")
    rm.add_argument("collection", metavar="COLLECTION")
    rm.add_argument("paths", metavar="PATH", nargs="*")
    rm.add_argument("--json", action="store_true")
    rm.set_defaults(func=cmd_rm)

    query = sub.add_parser("query", help="the chunks that best answer a question, with their sources")
    query.add_argument("collection", metavar="COLLECTION", type=lambda s: [c for c in s.split(",") if c])
    query.add_argument("question", metavar="QUESTION", nargs="+")
    query.add_argument("-k", type=positive_int, default=5, metavar="N", help="how many results (default 5)")
    query.add_argument("--json", action="store_true")
    query.set_defaults(func=cmd_query)

    ctx = sub.add_parser("context", help="the prompt block with numbered sources that a chat would get")
    ctx.add_argument("collection", metavar="COLLECTION", type=lambda s: [c for c in s.split(",") if c])
    ctx.add_argument("question", metavar="QUESTION", nargs="+")
    ctx.add_argument("--budget", type=positive_int, default=1500, metavar="TOKENS",
                     help="the most tokens of excerpts (default 1500)")
    ctx.add_argument("--json", action="store_true")
    ctx.set_defaults(func=cmd_context)

    emb = sub.add_parser("embedder", help="re-embed a collection with another model (e5, minilm or gguf:PATH)")
    emb.add_argument("collection", metavar="COLLECTION")
    emb.add_argument("embedder", metavar="NAME")
    emb.add_argument("--json", action="store_true")
    emb.add_argument("--progress", action="store_true", help="print one JSON line per event")
    emb.set_defaults(func=_says_failure(cmd_embedder))

    cross = sub.add_parser(
        "cross-language", help="a second, multilingual index (e5) that Chinese questions also ask: better "
        "answers from English documents, at about ten times the indexing time; filled in the background")
    cross.add_argument("collection", metavar="COLLECTION")
    cross.add_argument("--off", action="store_true", help="remove the collection's cross-language index")
    cross.add_argument("--json", action="store_true")
    cross.add_argument("--progress", action="store_true", help="print one JSON line per event")
    cross.set_defaults(func=_says_failure(cmd_cross_language))

    watch = sub.add_parser("watch", help="keep a collection up to date with its folders until Ctrl-C")
    watch.add_argument("collection", metavar="COLLECTION")
    watch.add_argument("folders", metavar="FOLDER", nargs="*", help="default: the collection's folders")
    watch.add_argument("--progress", action="store_true", help="print one JSON line per event")
    watch.set_defaults(func=_says_failure(cmd_watch))


def attach_documents(collections: list[str], question: str, n_ctx: int, max_tokens: int
                     ) -> tuple[str, list[dict[str, Any]]]:
    """For ``hearth chat --collection``: the question with the fitted excerpts before it, and the
    sources (numbered as cited). Half of what the answer leaves of the context goes to excerpts."""
    from .search import build_context

    budget = max(128, (n_ctx - max_tokens) // 2)
    with _store() as store:
        ctx = build_context(store, question, collections, budget)
    if not ctx.hits:
        return question, []
    return f"{ctx.prompt}\n\n{question}", ctx.sources()
