"""Text made from stored conversations: default titles, Markdown and JSON exports."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from collections.abc import Callable

from .. import messages as M

if TYPE_CHECKING:
    from .store_types import Conversation, Message

TITLE_CHARS = 40
EXPORT_FORMAT = "hearth.conversation"
EXPORT_VERSION = 1
ROLE_NAMES = {"user": M.ROLE_USER, "assistant": M.ROLE_ASSISTANT, "system": M.ROLE_SYSTEM, "tool": M.ROLE_TOOL}


def default_title(text: str, limit: int = TITLE_CHARS) -> str:
    """A title from a first message: its first ``limit`` characters on one line, cut at a space when
    one is near the end (text without spaces, like Chinese, is cut anywhere)."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-—，。；：") + "…"


def iso_time(timestamp: float) -> str:
    """Local time with its UTC offset, to the second: 2026-05-09T07:35:25+02:00."""
    return datetime.fromtimestamp(timestamp).astimezone().isoformat(timespec="seconds")


def _short_time(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M")


def export_markdown(conv: Conversation, path: list[Message], branches: int,
                    tr: Callable[[str], str] | None = None) -> str:
    """The active branch as Markdown. ``tr`` translates a template (default: English)."""
    t = tr or (lambda template: template)
    lines = [f"# {conv.title or t(M.UNTITLED)}", ""]
    if conv.model:
        lines += [t(M.EXPORT_MODEL).format(model=Path(conv.model).name) + "  "]
    lines += [t(M.EXPORT_DATES).format(created=_short_time(conv.created), updated=_short_time(conv.updated)), ""]
    if branches > 1:
        lines += ["> " + t(M.EXPORT_BRANCHES).format(count=branches), ""]
    for message in path:
        lines += ["---", "", f"## {t(ROLE_NAMES.get(message.role, message.role))}", "", message.content.rstrip(), ""]
        if message.state == "interrupted":
            lines += [f"*{t(M.EXPORT_INTERRUPTED)}*", ""]
        elif message.state == "streaming":
            lines += [f"*{t(M.EXPORT_STREAMING)}*", ""]
        stats = message.stats or {}
        if message.role == "assistant" and "completion_tokens" in stats:
            values = {k: stats.get(k, 0) or 0 for k in ("prompt_tokens", "completion_tokens", "ttft_s", "tokens_per_s")}
            lines += [f"*{t(M.EXPORT_STATS).format(**values)}*", ""]
    return "\n".join(lines).rstrip() + "\n"


def _message_json(message: Message) -> dict:
    return {**message.to_dict(), "created": iso_time(message.created)}


def conversation_json(conv: Conversation) -> dict:
    return {"id": conv.id, "title": conv.title, "created": iso_time(conv.created), "updated": iso_time(conv.updated),
            "model": conv.model, "settings": conv.settings, "active_leaf": conv.active_leaf,
            "message_count": conv.message_count}


def export_json(conv: Conversation, path: list[Message], tree: list[Message]) -> str:
    """Everything: ``messages`` is the active branch in order; ``tree`` holds every message of every
    branch (``parent_id`` links them; siblings are alternatives, oldest first)."""
    data = {"format": EXPORT_FORMAT, "version": EXPORT_VERSION, **conversation_json(conv),
            "messages": [_message_json(m) for m in path], "tree": [_message_json(m) for m in tree]}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
