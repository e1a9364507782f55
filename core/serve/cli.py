"""``hearth serve``: the OpenAI-compatible API, headless."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..cli_args import port_number, positive_int
from ..messages import msg
from . import messages as M
from .config import DEFAULT_HOST, DEFAULT_PORT, ServeConfig, read_key


def cmd_serve(args: argparse.Namespace) -> int:
    from .server import Server

    config = ServeConfig(
        host=args.host, port=args.port, models=list(args.model or []), parallel=args.parallel, ctx=args.ctx,
        threads=args.threads, gpu_layers=args.gpu_layers, idle_unload_s=max(0.0, args.idle_unload) * 60,
        api_key=read_key(args.api_key, args.api_key_file),
        cors_origins=list(args.cors_origin or []), allow_hosts=list(args.allow_host or []),
        max_tokens_limit=args.max_tokens_limit, max_queue=args.max_queue, max_streams=args.max_streams,
        max_body_bytes=args.max_body_mb * 1024 * 1024)
    server = Server(config)  # checks the config (a key off loopback, no '*' origin), resolves the models
    server.services.pool.on_unload = lambda served: print(
        msg(M.UNLOADED_IDLE, model=served.id, minutes=config.idle_unload_s / 60), file=sys.stderr, flush=True)

    def listening(s: Server) -> None:
        info = s.describe()
        if args.json:  # one line: scripts wait for it
            print(json.dumps(info, ensure_ascii=False), flush=True)
        else:
            models = ", ".join(m["id"] for m in info["models"])
            print(msg(M.SERVING, models=models, address=info["address"]), file=sys.stderr, flush=True)

    server.serve_forever(on_listening=listening)
    return 0


def register(subparsers: Any, parser_class: type) -> None:
    p = subparsers.add_parser("serve", help="serve models over an OpenAI-compatible HTTP API")
    p.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST}; "
                                                         "any other needs an API key)")
    p.add_argument("--port", type=port_number, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0: any free one)")
    p.add_argument("--model", action="append", metavar="PATH|NAME",
                   help="a GGUF file or a name from `hearth models list`; repeat for several, each loaded on first "
                        "use (default: your default model, else the starter)")
    p.add_argument("--parallel", type=positive_int, default=4, metavar="N",
                   help="clients answered at once per model (default 4)")
    p.add_argument("--ctx", type=int, default=2048, metavar="N", help="context per client, in tokens (default 2048)")
    p.add_argument("--threads", type=int, default=0, metavar="N", help="CPU threads (default: one per physical core)")
    p.add_argument("--gpu-layers", type=int, default=0, metavar="N", help="layers to offload to the GPU")
    p.add_argument("--idle-unload", type=float, default=60.0, metavar="MINUTES",
                   help="unload a model after this many minutes without requests, freeing its memory; the next "
                        "request loads it again (default 60; 0: never)")
    p.add_argument("--api-key", metavar="KEY", help="require this key (also: HEARTH_API_KEY)")
    p.add_argument("--api-key-file", metavar="FILE", help="require the key written in FILE")
    p.add_argument("--cors-origin", action="append", metavar="ORIGIN",
                   help="let web pages from ORIGIN call the API (repeatable; none by default)")
    p.add_argument("--allow-host", action="append", metavar="NAME",
                   help="accept this Host name besides localhost and the bound address (repeatable)")
    p.add_argument("--max-tokens-limit", type=int, default=4096, metavar="N", help="largest max_tokens accepted")
    p.add_argument("--max-queue", type=int, default=16, metavar="N", help="requests that may wait per model")
    p.add_argument("--max-streams", type=int, default=32, metavar="N", help="streams open at once")
    p.add_argument("--max-body-mb", type=int, default=8, metavar="MB", help="largest request body")
    p.add_argument("--json", action="store_true", help="print the address and models as one JSON line on start")
    p.set_defaults(func=cmd_serve)
