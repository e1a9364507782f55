"""``hearth remote add|list|test|rm``: OpenAI-compatible endpoints, as the Models page's Remote
section manages them. A model on one is then ``remote:NAME/MODEL`` (``hearth chat --model``)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..messages import msg
from . import make_ref
from . import messages as M

EXIT_OK, EXIT_FAILED = 0, 1


def _json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2), flush=True)


def register(subparsers: Any, parser_class: type) -> None:
    remote = subparsers.add_parser("remote", help="OpenAI-compatible servers to chat with (llama-server, vLLM, "
                                                  "Ollama, LM Studio, another Hearth)")
    sub = remote.add_subparsers(dest="remote_command", metavar="{add,list,test,rm}", parser_class=parser_class,
                                required=True)
    add = sub.add_parser("add", help="add an endpoint; its key goes to the keychain, never to settings.json")
    add.add_argument("name", metavar="NAME", help="a short name: models become remote:NAME/MODEL")
    add.add_argument("url", metavar="URL", help="the OpenAI-compatible base URL, e.g. http://gpu-box:8080/v1")
    key = add.add_mutually_exclusive_group()
    key.add_argument("--key-env", metavar="VAR", help="read the API key from this environment variable (now)")
    key.add_argument("--key-file", metavar="F", help="read the API key from this file (now)")
    add.add_argument("--ca-file", metavar="F", help="PEM file of the CA that signed the server's certificate")
    add.add_argument("--timeout", type=float, metavar="S",
                     help="longest wait for the server, in seconds (default 120)")
    add.add_argument("--replace", action="store_true", help="change an endpoint that exists")
    add.add_argument("--json", action="store_true")
    add.set_defaults(func=cmd_add)
    lst = sub.add_parser("list", help="the endpoints and the models each one offers")
    lst.add_argument("--no-models", action="store_true", help="do not ask the servers for their models")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=cmd_list)
    test = sub.add_parser("test", help="probe an endpoint: models, server, context, tool calls")
    test.add_argument("name", metavar="NAME")
    test.add_argument("--no-tools", action="store_true", help="skip the tool-call probe (it generates a little)")
    test.add_argument("--json", action="store_true")
    test.set_defaults(func=cmd_test)
    rm = sub.add_parser("rm", help="remove an endpoint and its key")
    rm.add_argument("name", metavar="NAME")
    rm.add_argument("--json", action="store_true")
    rm.set_defaults(func=cmd_rm)


def cmd_add(args: argparse.Namespace) -> int:
    from ..secrets import secret_store
    from ..settings import load_settings
    from .endpoints import add_endpoint, key_from, save_endpoints

    settings = load_settings()
    store = secret_store()
    key = key_from(args.key_env, args.key_file)
    endpoint = add_endpoint(settings, args.name, args.url, key=key, ca_file=args.ca_file, timeout_s=args.timeout,
                            store=store, replace=args.replace)
    save_endpoints(settings, endpoint.name)
    warning = msg(M.PLAIN_HTTP_KEY, name=endpoint.name) if key and endpoint.url.startswith("http://") \
        and not _local(endpoint.url) else None
    if args.json:
        _json({**_endpoint_json(endpoint), "secret_store": store.kind, "warning": warning})
        return EXIT_OK
    print(msg(M.ENDPOINT_ADDED, name=endpoint.name, url=endpoint.url, store=store.describe()) if key
          else msg(M.ENDPOINT_ADDED_NO_KEY, name=endpoint.name, url=endpoint.url))
    if warning:
        print(f"hearth: warning: {warning}", file=sys.stderr)
    return EXIT_OK


def _local(url: str) -> bool:
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname or ""
    return host in ("localhost", "127.0.0.1", "::1")


def _endpoint_json(endpoint: Any) -> dict[str, Any]:
    return {"name": endpoint.name, "url": endpoint.url, "has_key": endpoint.has_key, "ca_file": endpoint.ca_file,
            "timeout_s": endpoint.timeout_s}


def _models(endpoint: Any, store: Any) -> tuple[list[str], str | None]:
    from ..errors import HearthError
    from .http import make_client
    from .probe import list_models

    try:
        with make_client(endpoint, endpoint.key(store)) as client:
            return [str(e.get("id") or e.get("name")) for e in list_models(client, endpoint)], None
    except HearthError as exc:
        return [], str(exc)


def cmd_list(args: argparse.Namespace) -> int:
    from ..secrets import secret_store
    from ..settings import load_settings
    from .endpoints import endpoints, remember_probe, save_endpoints

    store = secret_store()
    settings = load_settings()
    rows = []
    listed = []
    for endpoint in endpoints(settings):
        models, error = ([], None) if args.no_models else _models(endpoint, store)
        if not args.no_models and error is None:  # the window's model picker offers them
            remember_probe(settings, endpoint.name, models, endpoint.server)
            listed.append(endpoint.name)
        rows.append({**_endpoint_json(endpoint), "models": [make_ref(endpoint.name, m) for m in models],
                     "error": error})
    if listed:
        save_endpoints(settings, *listed)
    if args.json:
        _json({"endpoints": rows, "secret_store": store.kind, "secret_store_description": store.describe()})
        return EXIT_OK
    if not rows:
        print(msg(M.NO_ENDPOINTS), file=sys.stderr)
        return EXIT_OK
    for row in rows:
        key = "key" if row["has_key"] else "no key"
        print(f"{row['name']}  {row['url']}  ({key})")
        for ref in row["models"]:
            print(f"  {ref}")
        if row["error"]:
            print(f"  {row['error']}")
    print(msg(M.KEYS_KEPT_IN, store=store.describe()), file=sys.stderr)
    return EXIT_OK


def cmd_test(args: argparse.Namespace) -> int:
    from ..secrets import secret_store
    from ..settings import load_settings
    from .endpoints import get_endpoint
    from .probe import probe

    settings = load_settings()
    endpoint = get_endpoint(settings, args.name)
    result = probe(endpoint, endpoint.key(secret_store()), tools=not args.no_tools)
    if result.ok:  # the window's model picker offers what was found
        from .endpoints import remember_probe, save_endpoints

        remember_probe(settings, endpoint.name, [m["id"] for m in result.models], result.server)
        save_endpoints(settings, endpoint.name)
    if args.json:
        _json(result.to_json())
        return EXIT_OK if result.ok else EXIT_FAILED
    if not result.ok:
        print(f"hearth: error: {result.error}", file=sys.stderr)
        return EXIT_FAILED
    print(f"{result.name}  {result.url}")
    print(f"  server: {result.server}" + (f" {result.version}" if result.version else ""))
    print(f"  answered /models in {result.latency_s:.3f} s")
    if result.n_ctx:
        print(f"  context: {result.n_ctx} tokens")
    tools = {True: "yes", False: "no", None: "not probed"}[result.tools]
    print(f"  tool calls: {tools}")
    for model in result.models:
        print(f"  {model['ref']}" + (f"  (context {model['n_ctx']})" if model.get("n_ctx") else ""))
    return EXIT_OK


def cmd_rm(args: argparse.Namespace) -> int:
    from ..settings import load_settings
    from .endpoints import remove_endpoint, save_endpoints

    settings = load_settings()
    remove_endpoint(settings, args.name)
    save_endpoints(settings, args.name)
    if args.json:
        _json({"removed": args.name})
    else:
        print(msg(M.ENDPOINT_REMOVED, name=args.name))
    return EXIT_OK
