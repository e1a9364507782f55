"""GBNF grammars for response_format and forced tool calls (enforced by llama.cpp's grammar sampler).
The JSON conversion is the engine's (core/prompt/grammar.py); this module shapes it for the API."""

from __future__ import annotations

import json
import re
from typing import Any

from ..prompt.grammar import JSON_OBJECT_GBNF, json_schema_to_gbnf

_ROOT = re.compile(r"^root(\s*::=)", re.MULTILINE)


def json_object_grammar() -> str:
    return JSON_OBJECT_GBNF


def schema_grammar(schema: dict[str, Any]) -> str:
    """GBNF for JSON that validates against ``schema``. Raises SchemaError (a ValueError) for a
    schema it cannot convert: the engine's converter turns every failure into one."""
    return json_schema_to_gbnf(schema)


def tool_call_grammar(tools: list[dict[str, Any]], opening: str = "<tool_call>\n",
                      closing: str = "\n</tool_call>") -> str:
    """GBNF for exactly one call of one of ``tools`` in the Hermes format: ``opening`` then
    ``{"name": ..., "arguments": {...}}`` then ``closing`` (tool_choice "required" or a named function)."""
    variants = []
    for tool in tools:
        fn = tool["function"]
        params = fn.get("parameters") or {"type": "object"}
        variants.append({"type": "object", "properties": {"name": {"const": fn["name"]}, "arguments": params},
                         "required": ["name", "arguments"]})
    schema = variants[0] if len(variants) == 1 else {"oneOf": variants}
    body = _ROOT.sub(r"call\1", schema_grammar(schema), count=1)
    return f"root ::= {json.dumps(opening)} call {json.dumps(closing)}\n{body}"
