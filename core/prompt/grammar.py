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


def json_schema_to_gbnf(schema: dict[str, Any] | str) -> str:
    """A GBNF grammar whose sentences are the JSON documents valid under ``schema`` (a dict or its
    JSON text). Raises SchemaError when the schema is not JSON or cannot be converted."""
    text = schema if isinstance(schema, str) else json.dumps(schema)
    try:
        json.loads(text)
    except ValueError as exc:
        raise SchemaError(f"the schema is not JSON: {exc}") from exc
    from llama_cpp.llama_grammar import json_schema_to_gbnf as convert

    try:
        return convert(text)
    except Exception as exc:  # the converter raises plain exceptions for constructs it lacks
        raise SchemaError(f"the schema cannot be turned into a grammar: {exc}") from exc
