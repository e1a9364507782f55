"""One message as the HTML subset QTextBrowser shows: Markdown (markdown-it-py), code highlighted by
pygments with a Copy link, reasoning collapsed behind a link, and the message's action links.

Links are commands the view handles (``anchorClicked``), never URLs opened for the model:
    copy:ID  copycode:ID:N  edit:ID  regen:ID  continue:ID  prev:ID  next:ID  think:ID
and ``file:`` links of an answer's sources (the documents it was given, from the store, never from
the model's text), which open the file.
Model text is never taken as HTML (markdown-it's ``html`` option is off; link targets the model
wrote are shown as text, not made clickable).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

from markdown_it import MarkdownIt
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import TextLexer, get_lexer_by_name, guess_lexer
from pygments.util import ClassNotFound
from PySide6.QtCore import QCoreApplication

from hearthlm.core.chat.reasoning import split_reasoning
from hearthlm.core.messages import Msg

from . import theme
from .code_style import accessible_style
from .messages import tr_msg

_FORMATTERS: dict[str, HtmlFormatter] = {}


def _formatter() -> HtmlFormatter:
    """pygments in the theme's style: a dark one in dark mode."""
    c = theme.colors()
    if c.name not in _FORMATTERS:
        style = accessible_style(c.code_style, c.code_bg)
        _FORMATTERS[c.name] = HtmlFormatter(nowrap=True, noclasses=True, style=style)
    return _FORMATTERS[c.name]


def _link(href: str, label: str, icon: str = "") -> str:
    """A command link; ``icon`` (gui/icons.py) is drawn before the label by ChatView.loadResource."""
    image = (f'<img src="icon:{theme.colors().name}/{icon}" width="12" height="12">&nbsp;' if icon else "")
    return f'<a href="{href}">{image}{html.escape(label)}</a>'


@dataclass
class MessageView:
    """What the view needs to show one message of the active branch."""
    id: int
    role: str
    content: str
    state: str = "complete"
    stats: dict[str, Any] | None = None
    sibling_index: int = 0
    sibling_count: int = 1
    last: bool = False  # the active branch's last message (Continue is offered there)
    reasoning_open: bool = False  # the user expanded the reasoning

    @classmethod
    def of(cls, store: Any, m: Any, last: bool = False, reasoning_open: bool = False) -> MessageView:
        """Message ``m`` of ``store`` (a ConversationStore), with its place among its siblings."""
        index, count, _ids = store.siblings(m.id)
        return cls(m.id, m.role, m.content, m.state, m.stats, index, count, last=last, reasoning_open=reasoning_open)


@dataclass
class Rendered:
    html: str
    code: list[str] = field(default_factory=list)  # code blocks, for their Copy links


def _lexer(lang: str, code: str) -> Any:
    if lang:
        try:
            return get_lexer_by_name(lang)
        except ClassNotFound:
            pass
    try:
        return guess_lexer(code) if len(code) > 40 else TextLexer()
    except ClassNotFound:
        return TextLexer()


def code_block_html(code: str, lang: str, message_id: int, index: int) -> str:
    c = theme.colors()
    body = highlight(code, _lexer(lang, code), _formatter()).rstrip("\n")
    label = html.escape(lang) if lang else "&nbsp;"
    copy = _link(f"copycode:{message_id}:{index}", QCoreApplication.translate("ChatView", "Copy"), "copy")
    # A one-cell table: the part of Qt's rich text that reliably draws a background and a border.
    return (f'<table width="100%" cellspacing="0" cellpadding="8" border="0" bgcolor="{c.code_bg}"'
            f' style="margin-top:6px; margin-bottom:6px"><tr><td>'
            f'<p style="margin:0"><span style="color:{c.muted}; font-size:small">{label}</span>'
            f'&nbsp;&nbsp;<span style="font-size:small">{copy}</span></p>'
            f'<pre style="margin:0; white-space:pre-wrap; color:{c.text}">{body}</pre></td></tr></table>')


def _fence(_self: Any, tokens: list, idx: int, _options: Any, env: dict) -> str:
    token = tokens[idx]
    lang = (token.info or "").strip().split(" ")[0]
    code = env["code"]
    code.append(token.content.rstrip("\n"))
    return code_block_html(token.content, lang, env["id"], len(code) - 1)


def _build_markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "breaks": True}).enable(["table", "strikethrough"])
    md.add_render_rule("fence", _fence)
    md.add_render_rule("code_block", _fence)
    # The model's links are shown underlined, not made clickable (a click must never open a URL
    # the model wrote, nor be taken for one of the view's own commands).
    md.add_render_rule("link_open", lambda *_a: "<u>")
    md.add_render_rule("link_close", lambda *_a: "</u>")
    return md


_MD = _build_markdown()


def markdown_html(text: str, message_id: int) -> Rendered:
    env: dict[str, Any] = {"code": [], "id": message_id}
    return Rendered(_MD.render(text, env), env["code"])


def plain_html(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


def role_label(role: str) -> str:
    return {"user": QCoreApplication.translate("ChatView", "You"), "assistant": QCoreApplication.translate("ChatView", "Assistant"), "system": QCoreApplication.translate("ChatView", "System")}.get(role, role)


def header_html(role: str) -> str:
    color = theme.colors().user if role == "user" else theme.colors().assistant
    return f'<p style="margin-top:16px; margin-bottom:2px"><b style="color:{color}">{html.escape(role_label(role))}</b></p>'


def stats_text(stats: dict[str, Any] | None) -> str:
    if not stats or not stats.get("completion_tokens") and not stats.get("ttft_s"):
        return ""
    text = QCoreApplication.translate("ChatView", "{ttft:.2f} s to first token · {tps:.1f} tokens/s · {n} tokens").format(
        ttft=float(stats.get("ttft_s", 0)), tps=float(stats.get("tokens_per_s", 0)), n=int(stats.get("completion_tokens", 0)))
    reason = stats.get("stop_reason")
    if reason == "cancelled":
        text += " · " + QCoreApplication.translate("ChatView", "stopped")
    elif reason == "length":
        text += " · " + QCoreApplication.translate("ChatView", "reached the answer length limit")
    adapters = stats.get("adapters")
    if isinstance(adapters, list) and adapters:  # the LoRA adapters this answer was made with
        names = ", ".join(f"{a.get('name')} ×{float(a.get('scale', 1)):g}" for a in adapters if isinstance(a, dict))
        text += " · " + QCoreApplication.translate("ChatView", "LoRA: {names}").format(names=names)
    return text


def can_continue(m: MessageView) -> bool:
    reason = (m.stats or {}).get("stop_reason")
    return m.role == "assistant" and m.last and (m.state == "interrupted" or reason in ("cancelled", "length"))


def _links(m: MessageView) -> str:
    links = [_link(f"copy:{m.id}", QCoreApplication.translate("ChatView", "Copy"), "copy")]
    if m.role == "user":
        links.append(_link(f"edit:{m.id}", QCoreApplication.translate("ChatView", "Edit"), "edit"))
    elif m.role == "assistant":
        links.append(_link(f"regen:{m.id}", QCoreApplication.translate("ChatView", "Regenerate"), "regenerate"))
        if can_continue(m):
            links.append(_link(f"continue:{m.id}", QCoreApplication.translate("ChatView", "Continue"), "continue"))
    if m.sibling_count > 1:
        prev = f'<a href="prev:{m.id}">‹</a>' if m.sibling_index > 0 else "‹"
        nxt = f'<a href="next:{m.id}">›</a>' if m.sibling_index < m.sibling_count - 1 else "›"
        links.append(f"{prev} {m.sibling_index + 1}/{m.sibling_count} {nxt}")
    return " · ".join(links)


def _reasoning_html(m: MessageView, reasoning: str, still_open: bool) -> str:
    seconds = (m.stats or {}).get("reasoning_s")
    if still_open and m.state == "streaming":
        title = QCoreApplication.translate("ChatView", "Thinking…")
    elif isinstance(seconds, (int, float)) and seconds > 0:
        title = QCoreApplication.translate("ChatView", "Thought for {n} s").format(n=max(1, round(seconds)))
    else:
        title = QCoreApplication.translate("ChatView", "Reasoning")
    arrow = "▾" if m.reasoning_open else "▸"
    c = theme.colors()
    out = (f'<p style="margin-top:2px; margin-bottom:4px"><a href="think:{m.id}" style="color:{c.muted}">'
           f'{arrow} {html.escape(title)}</a></p>')
    if m.reasoning_open:
        out += (f'<table width="100%" cellspacing="0" cellpadding="6" border="0" bgcolor="{c.reasoning_bg}"><tr><td>'
                f'<p style="color:{c.reasoning_text}; margin:0">{plain_html(reasoning)}</p></td></tr></table>')
    return out


SNIPPET_CHARS = 160


def sources_html(sources: list[dict[str, Any]]) -> str:
    """The excerpts an answer was given: [n] file name (a link that opens it, PDFs at the page),
    page or section, and the start of the excerpt."""
    rows: list[str] = []
    for s in sources:
        source = str(s.get("source", ""))
        name = source.replace("\\", "/").rsplit("/", 1)[-1] or source
        if s.get("page"):
            where = QCoreApplication.translate("ChatView", "page {n}").format(n=s["page"])
        else:
            where = str(s.get("section") or "")
        snippet = str(s.get("snippet") or "")
        snippet = snippet[:SNIPPET_CHARS] + ("…" if len(snippet) > SNIPPET_CHARS else "")
        rows.append(f'<b>[{int(s.get("n", len(rows) + 1))}]</b> <a href="{html.escape(str(s.get("link", "")), quote=True)}">'
                    f"{html.escape(name)}</a>"
                    + (f" · {html.escape(where)}" if where else "")
                    + (f' — <span style="color:{theme.colors().muted}">{html.escape(snippet)}</span>' if snippet else ""))
    title = html.escape(QCoreApplication.translate("ChatView", "Sources"))
    return (f'<p style="font-size:small; margin-top:4px; margin-bottom:4px"><b>{title}</b><br>'
            + "<br>".join(rows) + "</p>")


def message_html(m: MessageView) -> Rendered:
    """The whole message: header, (reasoning), body, notes, stats and links."""
    parts = [header_html(m.role)]
    code: list[str] = []
    if m.role == "assistant":
        split = split_reasoning(m.content)
        if split.reasoning or split.open:
            parts.append(_reasoning_html(m, split.reasoning, split.open))
        body = markdown_html(split.answer, m.id)
        parts.append(body.html)
        code = body.code
    else:
        parts.append(f"<p>{plain_html(m.content)}</p>")
    stats = m.stats or {}
    if m.role == "assistant" and isinstance(stats.get("sources"), list) and stats["sources"]:
        parts.append(sources_html(stats["sources"]))
    notes = []
    for key in ("note", "docs_note"):
        note = Msg.from_json(stats.get(key)) if stats.get(key) else None
        if note is not None:
            notes.append(tr_msg(note))
    if m.state == "interrupted":
        notes.append(QCoreApplication.translate("ChatView", "This answer was interrupted."))
    for text in notes:
        parts.append(f'<p style="color:{theme.colors().warn}"><i>{html.escape(text)}</i></p>')
    footer = stats_text(stats) if m.role == "assistant" else ""
    line = (html.escape(footer) + " · " if footer else "") + _links(m)
    parts.append(f'<p style="color:{theme.colors().muted}; font-size:small; margin-bottom:10px">{line}</p>')
    return Rendered("".join(parts), code)


def answer_text(content: str) -> str:
    """What Copy puts on the clipboard for an answer: the answer without its reasoning."""
    return split_reasoning(content).answer
