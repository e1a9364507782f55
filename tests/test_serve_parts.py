"""The server's text handling without a model: tool-call formats, stop strings, reasoning deltas,
grammars, Host names."""

from __future__ import annotations

import json

import pytest

from hearthlm.core.serve.config import ServeConfig
from hearthlm.core.serve.grammar import json_object_grammar, schema_grammar, tool_call_grammar
from hearthlm.core.serve.security import allowed_hosts, host_name
from hearthlm.core.serve.streamtext import ReasoningSplitter, StopCutter
from hearthlm.core.serve.tools import parse_tool_calls, plain_history

NAMES = {"get_weather", "add"}


def args(call):
    return json.loads(call["function"]["arguments"])


def test_hermes_qwen_tool_calls():
    text = 'Let me look.\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>\n' \
           '<tool_call>{"name": "add", "arguments": {"a": 1, "b": 2}}</tool_call>'
    parsed = parse_tool_calls(text, NAMES)
    assert parsed.content == "Let me look."
    assert [c["function"]["name"] for c in parsed.calls] == ["get_weather", "add"]
    assert args(parsed.calls[1]) == {"a": 1, "b": 2}
    assert parsed.calls[0]["id"] != parsed.calls[1]["id"] and parsed.calls[0]["type"] == "function"


def test_llama3_json_tool_calls():
    parsed = parse_tool_calls('<|python_tag|>{"name": "get_weather", "parameters": {"city": "Oslo"}}', NAMES)
    assert parsed.content == "" and args(parsed.calls[0]) == {"city": "Oslo"}
    two = parse_tool_calls('{"name": "add", "parameters": {"a": 1}}; {"name": "add", "parameters": {"a": 2}}', NAMES)
    assert [args(c)["a"] for c in two.calls] == [1, 2]
    # JSON that is not a call of a known tool stays an answer
    assert parse_tool_calls('{"name": "Ann", "age": 3}', NAMES).calls == []


def test_mistral_tool_calls():
    parsed = parse_tool_calls('[TOOL_CALLS][{"name": "add", "arguments": {"a": 5}}]', NAMES)
    assert args(parsed.calls[0]) == {"a": 5}
    newer = parse_tool_calls('[TOOL_CALLS]get_weather[ARGS]{"city": "Rome"}', NAMES)
    assert newer.calls[0]["function"]["name"] == "get_weather" and args(newer.calls[0]) == {"city": "Rome"}


def test_plain_text_has_no_calls():
    assert parse_tool_calls("The weather is nice.", NAMES).calls == []
    assert parse_tool_calls("<tool_call>not json</tool_call>", NAMES).calls == []


def test_tool_history_for_a_template_without_tools():
    history = plain_history([{"role": "user", "content": "hi"},
                             {"role": "assistant", "content": "", "tool_calls": [
                                 {"function": {"name": "add", "arguments": '{"a": 1}'}}]},
                             {"role": "tool", "content": "3"}],
                            [{"type": "function", "function": {"name": "add"}}])
    assert history[0]["role"] == "system" and "<tools>" in history[0]["content"]
    assert '"arguments": {"a": 1}' in history[2]["content"]
    assert history[3] == {"role": "user", "content": "<tool_response>\n3\n</tool_response>"}


@pytest.mark.parametrize("pieces", [["Hello wor", "ld! STOP here"], ["Hello world! ST", "OP here"],
                                    ["Hello world! S", "T", "O", "P"], ["Hello world! STOP"]])
def test_stop_strings_cut_exactly_across_pieces(pieces):
    cutter = StopCutter(["STOP", "END"])
    out = "".join(cutter.feed(p) for p in pieces) + cutter.flush()
    assert out == "Hello world! " and cutter.hit


def test_a_held_back_prefix_is_released_when_it_is_not_a_stop():
    cutter = StopCutter(["STOP"])
    assert cutter.feed("go ST") == "go "
    assert cutter.feed("ART") == "START"
    assert cutter.flush() == "" and not cutter.hit


def test_reasoning_deltas():
    splitter = ReasoningSplitter()
    deltas = [splitter.feed(p) for p in ["<think>Let me", " think.</think>", "The answer", " is 4."]]
    assert "".join(d[0] for d in deltas) == "Let me think."
    assert "".join(d[1] for d in deltas) == "The answer is 4."


def test_grammars_have_a_root_and_name_the_tool():
    assert "root" in json_object_grammar()
    assert schema_grammar({"type": "object", "properties": {"a": {"type": "integer"}}}).count("root ::=") == 1
    g = tool_call_grammar([{"type": "function", "function": {"name": "get_weather", "parameters": {
        "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}])
    assert g.startswith('root ::= "<tool_call>\\n" call') and g.count("root ::=") == 1 and "get_weather" in g


def test_host_names():
    assert host_name("LocalHost:8080") == "localhost"
    assert host_name("[::1]:8080") == "::1"
    assert host_name("::1") == "::1"
    hosts = allowed_hosts(ServeConfig(host="192.168.1.5", allow_hosts=["My.Box"]))
    assert {"localhost", "127.0.0.1", "::1", "192.168.1.5", "my.box"} <= hosts
    assert "evil.example" not in hosts and "0.0.0.0" not in hosts


def test_the_client_table_forgets_idle_connections_when_it_is_full(monkeypatch):
    """One entry per connection (address:port): a long-running server must not keep them all."""
    from hearthlm.core.serve import activity

    monkeypatch.setattr(activity, "MAX_CLIENTS", 50)
    table = activity.Activity()
    for port in range(200):
        table.finish(table.begin(f"10.0.0.1:{port}", "GET", "/v1/models"), 200)
        if port == 120:
            for client in table.clients.values():
                client.last_seen -= 3600  # an hour ago: idle
    busy = table.begin("10.0.0.2:1", "POST", "/v1/chat/completions")  # answering
    table.clients["10.0.0.2:1"].last_seen -= 3600
    for port in range(300, 360):
        table.finish(table.begin(f"10.0.0.1:{port}", "GET", "/v1/models"), 200)
    assert len(table.clients) <= 50  # and a flood of recent ones: the idle seen longest ago go first
    assert "10.0.0.1:359" in table.clients
    assert "10.0.0.2:1" in table.clients  # still answering: kept however old
    assert not any(k.endswith(":3") for k in table.clients)  # an hour idle: forgotten
    table.finish(busy, 200)
