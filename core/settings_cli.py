"""``hearth settings``: what the window's Preferences and default chat settings set, from a shell.

    hearth settings [list] [--json]     every setting, its value and what it does
    hearth settings get KEY
    hearth settings set KEY VALUE       checked as the window checks it (type, choices, bounds)
    hearth settings reset KEY           back to its default

The Hugging Face token and the remote endpoints have commands of their own (their secrets live in
the keychain, never in settings.json), so they are listed but not set here.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from dataclasses import fields
from typing import Any

from .cli_args import number_text
from .errors import UsageError
from .settings import BOUNDS, CHOICES, Settings, load_settings, save_setting, settings_path

NOT_HERE = {
    "version": "version is the file's schema version, which Hearth keeps itself.",
    "hf_token": "The Hugging Face token is kept in the keychain, not here: set it with the Models page's "
                "Token… button, the HF_TOKEN variable or `hf auth login`.",
    "remotes": "Remote endpoints are set with `hearth remote add` and `hearth remote rm`.",
}
TRUE, FALSE = ("true", "yes", "on", "1"), ("false", "no", "off", "0")


def register(subparsers: Any, parser_class: type) -> None:
    p = subparsers.add_parser("settings", help="show or change Hearth's settings (what Preferences sets, and "
                                               "the chat defaults)")
    sub = p.add_subparsers(dest="settings_command", parser_class=parser_class)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_list)
    listing = sub.add_parser("list", help="every setting, its value and what it does")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(func=cmd_list)
    get = sub.add_parser("get", help="one setting's value")
    get.add_argument("key")
    get.set_defaults(func=cmd_get)
    put = sub.add_parser("set", help="change a setting (checked as the window checks it)")
    put.add_argument("key")
    put.add_argument("value")
    put.set_defaults(func=cmd_set)
    reset = sub.add_parser("reset", help="put a setting back to its default")
    reset.add_argument("key")
    reset.set_defaults(func=cmd_reset)


def shown(key: str, value: Any) -> Any:
    """A value as listed: the token is never printed, only whether Hearth keeps one (in settings.json
    until the next start moves it, then in the keychain)."""
    if key == "hf_token":
        from .secrets import hf_token

        return "(set)" if value or hf_token() else ""
    if key == "remotes":
        return sorted(value)
    return value


def _key(key: str, *, settable: bool) -> str:
    names = [f.name for f in fields(Settings)]
    if key not in names:
        raise UsageError(f"There is no setting named “{key}”; `hearth settings` lists them.")
    if settable and key in NOT_HERE:
        raise UsageError(NOT_HERE[key])
    return key


def parse_value(key: str, text: str) -> Any:
    """``text`` as the type and range the setting ``key`` takes; UsageError in one sentence if not."""
    default = getattr(Settings(), key)
    if key in CHOICES:
        if text not in CHOICES[key]:
            allowed = ", ".join(repr(c) for c in CHOICES[key])
            raise UsageError(f"{key} must be one of {allowed}, not {text!r}.")
        return text
    if default is None:  # a path: empty unsets it
        if text and key == "default_model":  # checked now: a wrong one made every start quietly use the starter
            from .hub.library import path_or_name
            from .modelfile import read_gguf

            path = Path(path_or_name(text)).expanduser()
            read_gguf(path)  # no file, a folder, not a GGUF: its one sentence
            return str(path.absolute())
        return text or None
    if isinstance(default, bool):
        if text.lower() in TRUE:
            return True
        if text.lower() in FALSE:
            return False
        raise UsageError(f"{key} is true or false, not {text!r}.")
    if isinstance(default, (int, float)):
        try:
            value: int | float = int(text) if isinstance(default, int) else float(text)
        except ValueError:
            kind = "a whole number" if isinstance(default, int) else "a number"
            raise UsageError(f"{key} must be {kind}, not {text!r}.") from None
        low, high = BOUNDS.get(key, (0, float("inf")))
        if not low <= value <= high:
            raise UsageError(f"{key} must be between {number_text(low)} and {number_text(high)}, not {text}.")
        return value
    return text


def _save(key: str, value: Any) -> int:
    """Save one setting and say what it now is."""
    save_setting(key, value)
    print(f"{key} = {json.dumps(value, ensure_ascii=False)}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    settings, described = load_settings(), Settings.describe()
    if args.json:
        data = {f.name: {"value": shown(f.name, getattr(settings, f.name)), "description": described[f.name]}
                for f in fields(Settings)}
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    print(f"# {settings_path()}")
    for f in fields(Settings):
        print(f"{f.name} = {json.dumps(shown(f.name, getattr(settings, f.name)), ensure_ascii=False)}")
        print(f"    {described[f.name]}")
    return 0


def cmd_get(args: argparse.Namespace) -> int:
    key = _key(args.key, settable=False)
    print(json.dumps(shown(key, getattr(load_settings(), key)), ensure_ascii=False))
    return 0


def cmd_set(args: argparse.Namespace) -> int:
    key = _key(args.key, settable=True)
    return _save(key, parse_value(key, args.value))


def cmd_reset(args: argparse.Namespace) -> int:
    key = _key(args.key, settable=True)
    return _save(key, getattr(Settings(), key))
