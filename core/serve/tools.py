"""Tool calls: the prompt side (tools into the template, tool messages into history) and the answer
side (calls parsed out of the text in the formats models are trained on).

Formats parsed:
    Hermes / Qwen     <tool_call>{"name": .., "arguments": {..}}</tool_call>   (one or more)
    Llama 3.x         {"name": .., "parameters": {..}}  (the whole answer; <|python_tag|> optional,
                      several separated by ';')
    Mistral           [TOOL_CALLS][{"name": .., "arguments": {..}}, ..]  or  [TOOL_CALLS]name[ARGS]{..}
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from typing import Any

_HERMES = re.compile(r"<tool_call>\s*(.*?)\s*(?:</tool_call>|$)", re.DOTALL)
_MISTRAL_NAMED = re.compile(r"\[TOOL_CALLS\]\s*([A-Za-z0-9_.\-]+)\s*\[ARGS\]\s*", re.DOTALL)


@dataclass
class ParsedAnswer:
    content: str
    calls: list[dict[str, Any]]  # OpenAI's tool_calls entries


def _call(name: str, arguments: Any) -> dict[str, Any]:
    args = arguments if isinstance(arguments, str) else json.dumps(arguments if arguments is not None else {},
                                                                    ensure_ascii=False)
    return {"id": f"call_{uuid.uuid4().hex[:24]}", "type": "function", "function": {"name": name, "arguments": args}}


def _from_object(obj: Any) -> dict[str, Any] | None:
    if not isinstance(obj, dict) or not isinstance(obj.get("name"), str):
        return None
    for key in ("arguments", "parameters"):
        if key in obj:
            return _call(obj["name"], obj[key])
    return _call(obj["name"], {})


def _json_values(text: str) -> list[Any] | None:
    """Every JSON value in ``text`` one after another (separated by blanks, ';' or ','); None if any
    part is not JSON."""
    decoder = json.JSONDecoder()
    values: list[Any] = []
    pos = 0
    while True:
        while pos < len(text) and text[pos] in " \t\r\n;,":
            pos += 1
        if pos >= len(text):
            return values
        try:
            value, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError:
            return None
        values.append(value)


def parse_tool_calls(text: str, tool_names: set[str]) -> ParsedAnswer:
    """Split an answer into its text and its tool calls (none when it has no call of a known tool)."""
    if "<tool_call>" in text:
        calls = []
        for body in _HERMES.findall(text):
            values = _json_values(body)
            for value in values or []:
                call = _from_object(value)
                if call is not None:
                    calls.append(call)
        if calls:
            return ParsedAnswer(_HERMES.sub("", text).strip(), calls)
    if "[TOOL_CALLS]" in text:
        head, _, rest = text.partition("[TOOL_CALLS]")
        named = list(_MISTRAL_NAMED.finditer(text))
        if named:
            calls = []
            decoder = json.JSONDecoder()
            for match in named:
                try:
                    args, _end = decoder.raw_decode(text, match.end())
                except json.JSONDecodeError:
                    continue
                calls.append(_call(match.group(1), args))
            if calls:
                return ParsedAnswer(head.strip(), calls)
        values = _json_values(rest.strip())
        if values:
            items = values[0] if isinstance(values[0], list) else values
            calls = [c for c in (_from_object(v) for v in items) if c is not None]
            if calls:
                return ParsedAnswer(head.strip(), calls)
    body = text.strip().removeprefix("<|python_tag|>").strip()
    if body.startswith("{"):  # Llama 3.x: the answer is the call(s)
        values = _json_values(body)
        if values:
            calls = [c for c in (_from_object(v) for v in values) if c is not None]
            if calls and len(calls) == len(values) and all(c["function"]["name"] in tool_names for c in calls):
                return ParsedAnswer("", calls)
    return ParsedAnswer(text, [])


# -- the prompt side --------------------------------------------------------------------------

def template_supports_tools(template: str | None) -> bool:
    return bool(template) and "tools" in template  # type: ignore[operator]


def history_for_template(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Messages as tools-aware templates expect them (HF convention: arguments as objects)."""
    out = []
    for m in messages:
        m = dict(m)
        if m.get("tool_calls"):
            calls = []
            for call in m["tool_calls"]:
                fn = dict(call.get("function", {}))
                try:
                    fn["arguments"] = json.loads(fn.get("arguments") or "{}")
                except (TypeError, json.JSONDecodeError):
                    pass
                calls.append({**call, "function": fn, **fn})
            m["tool_calls"] = calls
        if m.get("content") is None:
            m["content"] = ""
        out.append(m)
    return out


def tools_system_prompt(tools: list[dict[str, Any]]) -> str:
    """For a template that knows no tools: the Hermes instructions (the generic format llama.cpp
    and others fall back to), put into the system message."""
    listing = "\n".join(json.dumps(t, ensure_ascii=False) for t in tools)
    return ("You may call one or more functions to assist with the user query.\n\n"
            "You are provided with function signatures within <tools></tools> XML tags:\n"
            f"<tools>\n{listing}\n</tools>\n\n"
            "For each function call, return a json object with function name and arguments within "
            "<tool_call></tool_call> XML tags:\n"
            '<tool_call>\n{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call>')


def plain_history(messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Messages for a template without tool support: calls and results written as Hermes text, the
    tools described in the system message."""
    out: list[dict[str, Any]] = []
    for m in messages:
        role, content = m.get("role"), m.get("content") or ""
        if role == "assistant" and m.get("tool_calls"):
            calls = "\n".join("<tool_call>\n" + json.dumps({"name": c["function"]["name"],
                                                            "arguments": _loads(c["function"].get("arguments"))},
                                                           ensure_ascii=False) + "\n</tool_call>"
                              for c in m["tool_calls"])
            out.append({"role": "assistant", "content": (content + "\n" + calls).strip()})
        elif role == "tool":
            out.append({"role": "user", "content": f"<tool_response>\n{content}\n</tool_response>"})
        else:
            out.append({"role": role, "content": content})
    if tools:
        prompt = tools_system_prompt(tools)
        if out and out[0]["role"] == "system":
            out[0] = {"role": "system", "content": out[0]["content"] + "\n\n" + prompt}
        else:
            out.insert(0, {"role": "system", "content": prompt})
    return out


def _loads(text: Any) -> Any:
    try:
        return json.loads(text) if isinstance(text, str) else (text or {})
    except json.JSONDecodeError:
        return text
