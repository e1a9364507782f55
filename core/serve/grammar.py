"""GBNF grammars for response_format and forced tool calls (enforced by llama.cpp's grammar sampler).

Until the engine's own converter lands (``core/prompt/grammar.py``: ``json_schema_to_gbnf``,
``JSON_OBJECT_GBNF``), llama-cpp-python's converter is used; this module is the one place that
chooses, so the fold-in is one import.
"""

from __future__ import annotations

import json
import re
from typing import Any

try:  # the engine's converter, once it exists
    from ..prompt.grammar import JSON_OBJECT_GBNF as _JSON_OBJECT  # type: ignore[import-not-found]
    from ..prompt.grammar import json_schema_to_gbnf as _convert  # type: ignore[import-not-found]
except ImportError:  # llama-cpp-python's (pure Python, no llama.cpp load)
    _JSON_OBJECT = None
    _convert = None

_ROOT = re.compile(r"^root(\s*::=)", re.MULTILINE)


def json_object_grammar() -> str:
    if _JSON_OBJECT is not None:
        return _JSON_OBJECT
    from llama_cpp.llama_grammar import JSON_GBNF

    return JSON_GBNF


def schema_grammar(schema: dict[str, Any]) -> str:
    """GBNF for JSON that validates against ``schema``. Raises ValueError for a schema it cannot convert."""
    try:
        if _convert is not None:
            return _convert(schema)
        from llama_cpp.llama_grammar import json_schema_to_gbnf

        return json_schema_to_gbnf(json.dumps(schema))
    except (ValueError, KeyError, TypeError, RecursionError, NotImplementedError, AssertionError) as exc:
        raise ValueError(str(exc) or type(exc).__name__) from exc


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
