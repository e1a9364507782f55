"""Stop strings (core/engine/stops.py) and the JSON grammars (core/prompt/grammar.py), without an engine."""

from __future__ import annotations

import pytest

from hearthlm.core.engine.stops import StopFilter
from hearthlm.core.prompt.grammar import JSON_OBJECT_GBNF, SchemaError, json_schema_to_gbnf


def feed_all(stops: list[str], pieces: list[str]) -> tuple[list[str], bool]:
    f = StopFilter(stops)
    out: list[str] = []
    for piece in pieces:
        text, stopped = f.feed(piece)
        if text:
            out.append(text)
        if stopped:
            return out, True
    rest = f.flush()
    if rest:
        out.append(rest)
    return out, False


def test_text_ends_before_a_stop_string_split_across_pieces() -> None:
    out, stopped = feed_all(["END"], ["Hello E", "N", "D and more"])
    assert stopped and "".join(out) == "Hello "
    assert all("E" not in piece for piece in out)  # no part of the stop string was released


def test_a_false_start_is_released_once_it_cannot_be_a_stop() -> None:
    f = StopFilter(["</answer>"])
    assert f.feed("x </an") == ("x ", False)
    assert f.feed("d more") == ("</and more", False)


def test_the_earliest_of_several_stop_strings_wins() -> None:
    out, stopped = feed_all(["world", "lo w"], ["hello world"])
    assert stopped and "".join(out) == "hel"


def test_held_text_is_released_when_the_answer_ends_without_a_stop() -> None:
    out, stopped = feed_all(["\n\nUser:"], ["Fine.", "\n\nUs"])
    assert not stopped and "".join(out) == "Fine.\n\nUs"


def test_no_stops_pass_everything_through() -> None:
    assert StopFilter([]).feed("anything") == ("anything", False)
    assert StopFilter([""]).feed("anything") == ("anything", False)


def test_json_schema_grammar_and_errors() -> None:
    grammar = json_schema_to_gbnf({"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]})
    assert "root ::=" in grammar and '"\\"n\\""' in grammar
    with pytest.raises(SchemaError):
        json_schema_to_gbnf("{not json")
    assert JSON_OBJECT_GBNF.startswith("root ::= object")
