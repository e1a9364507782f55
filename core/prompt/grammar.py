"""GBNF grammars that make an answer valid JSON: any object, or one matching a JSON schema.

The engine enforces a grammar with llama.cpp's grammar sampler (``GenerationParams.grammar``), so
OpenAI's ``response_format`` ``json_object`` / ``json_schema`` are guaranteed, not merely asked
for. The schema conversion is llama-cpp-python's own (``llama_cpp.llama_grammar``, a port of
llama.cpp's json_schema_to_grammar), imported only when a schema is converted: this module does
not load llama.cpp.

Whitespace between tokens is limited to one space (``space ::= " "?``), as in llama.cpp's
converter: a grammar that allowed any whitespace would let a small model emit newlines forever.
"""

from __future__ import annotations

import json
import re
from typing import Any

# Any JSON object (response_format json_object). Written here, in the converter's style.
JSON_OBJECT_GBNF = r"""root ::= object
value ::= object | array | string | number | ("true" | "false" | "null") space
object ::= "{" space ( string ":" space value ("," space string ":" space value)* )? "}" space
array ::= "[" space ( value ("," space value)* )? "]" space
string ::= "\"" char* "\"" space
char ::= [^"\\\x7F\x00-\x1F] | "\\" (["\\/bfnrt] | "u" [0-9a-fA-F] [0-9a-fA-F] [0-9a-fA-F] [0-9a-fA-F])
number ::= "-"? ("0" | [1-9] [0-9]{0,15}) ("." [0-9]{1,16})? ([eE] [-+]? [0-9]{1,4})? space
space ::= " "?
"""


class SchemaError(ValueError):
    """The schema cannot be turned into a grammar (not JSON, or a construct the converter lacks)."""


# A schema's counts become repetitions in the grammar, written out rule by rule: llama.cpp refuses a
# grammar whose repetitions pass about 1,000 ("exceeds sane defaults") and crashes parsing one of
# 100,000 (a maxLength of 100000 was a 800 KB grammar nested that deep); minLength 10**8 took 5 s
# and 1.5 GB to convert. So counts above this are refused before anything is converted.
MAX_REPEAT = 1000
MAX_GRAMMAR_CHARS = 256 * 1024
_COUNTS = ("minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties", "minContains",
           "maxContains")
_PATTERN_COUNT = re.compile(r"\{\s*(\d+)\s*(?:,\s*(\d*)\s*)?\}")


def _check_counts(schema: Any) -> None:
    """SchemaError for a count above MAX_REPEAT anywhere in ``schema`` (walked without recursion)."""
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        for key in _COUNTS:
            value = node.get(key)
            if isinstance(value, int | float) and not isinstance(value, bool) and value > MAX_REPEAT:
                raise SchemaError(f"{key} is {value:g}: a grammar can repeat at most {MAX_REPEAT} times")
        pattern = node.get("pattern")
        if isinstance(pattern, str):
            for match in _PATTERN_COUNT.finditer(pattern):
                if any(n and int(n) > MAX_REPEAT for n in match.groups()):
                    raise SchemaError(f"the pattern repeats {match.group(0)}: a grammar can repeat at most "
                                      f"{MAX_REPEAT} times")
        stack.extend(node.values())


def json_schema_to_gbnf(schema: dict[str, Any] | str) -> str:
    """A GBNF grammar whose sentences are the JSON documents valid under ``schema`` (a dict or its
    JSON text). Raises SchemaError when the schema is not JSON or cannot be converted."""
    try:
        text = schema if isinstance(schema, str) else json.dumps(schema)
        _check_counts(json.loads(text))
    except (ValueError, RecursionError) as exc:
        if isinstance(exc, SchemaError):
            raise
        raise SchemaError(f"the schema is not JSON: {exc}") from exc
    from llama_cpp.llama_grammar import json_schema_to_gbnf as convert

    try:
        grammar: str = convert(text)
    except Exception as exc:  # the converter raises plain exceptions for constructs it lacks
        raise SchemaError(f"the schema cannot be turned into a grammar: {exc}") from exc
    if len(grammar) > MAX_GRAMMAR_CHARS:
        raise SchemaError(f"its grammar would be {len(grammar):,} characters, more than the {MAX_GRAMMAR_CHARS:,} "
                          "llama.cpp is given")
    return grammar
