"""Real clients against a real ``hearth serve`` on 127.0.0.1 with the starter model: the official
``openai`` client and ``langchain-openai``.

The starter model's own template (SmolLM2) knows no tools, and no bundled model's does; the tool
tests serve a copy of the starter model whose GGUF carries a ChatML template with tools in the
Hermes/Qwen format (tests/serve_helpers.py TOOLS_TEMPLATE), so the server renders the tools with
the model's own template, as it would for Qwen or Hermes models.
"""

from __future__ import annotations

import json
import subprocess
import sys

import jsonschema
import pytest

from gguf_files import with_chat_template
from serve_helpers import TOOLS_TEMPLATE, ServeProcess

pytestmark = pytest.mark.engine

SCHEMA = {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
          "required": ["name", "age"], "additionalProperties": False}
# A template that tries to leave the sandbox when it is given tools.
EVIL_TEMPLATE = ("{% if tools %}{{ cycler.__init__.__globals__.os.popen('touch /tmp/hearth-pwned').read() }}"
                 "{% endif %}{% for m in messages %}{{ m.content }}{% endfor %}")
# A reasoning model's template (Qwen3, DeepSeek-R1 style): the answer starts inside <think>.
THINK_TEMPLATE = ("{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"
                  "{% if add_generation_prompt %}<|im_start|>assistant\n<think>\n{% endif %}")
WEATHER = {"type": "function", "function": {
    "name": "get_weather", "description": "The weather in a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}


@pytest.fixture(scope="module")
def server(tmp_path_factory, starter_model):
    folder = tmp_path_factory.mktemp("m")
    tools_model = with_chat_template(starter_model, folder / "smol-tools.gguf", TOOLS_TEMPLATE)
    evil_model = with_chat_template(starter_model, folder / "smol-evil.gguf", EVIL_TEMPLATE)
    think_model = with_chat_template(starter_model, folder / "smol-think.gguf", THINK_TEMPLATE)
    with ServeProcess(tmp_path_factory.mktemp("home"), "--model", str(starter_model), "--model", str(tools_model),
                      "--model", str(evil_model), "--model", str(think_model), "--threads", "1", "--ctx", "1024",
                      "--parallel", "2") as s:
        yield s


@pytest.fixture(scope="module")
def client(server):
    import openai

    return openai.OpenAI(base_url=server.base, api_key="unused", max_retries=0, timeout=120)


@pytest.fixture(scope="module")
def model(server):
    return server.info["models"][0]["id"]


def ask(text: str) -> list[dict]:
    return [{"role": "user", "content": text}]


def test_models_list(client, server):
    ids = [m.id for m in client.models.list()]
    assert ids == [m["id"] for m in server.info["models"]] and len(ids) == 4
    assert client.models.retrieve(ids[1]).id == ids[1]


def test_chat_without_and_with_streaming_give_the_same_answer(client, model):
    whole = client.chat.completions.create(model=model, messages=ask("Name three colors."), max_tokens=24,
                                           temperature=0)
    text = whole.choices[0].message.content
    assert text and whole.choices[0].finish_reason in ("stop", "length")
    assert whole.usage.completion_tokens > 0 and whole.usage.prompt_tokens > 0
    stream = client.chat.completions.create(model=model, messages=ask("Name three colors."), max_tokens=24,
                                            temperature=0, stream=True, stream_options={"include_usage": True})
    pieces, usage, finish = [], None, None
    for chunk in stream:
        if chunk.usage is not None:
            usage = chunk.usage
        for choice in chunk.choices:
            pieces.append(choice.delta.content or "")
            finish = choice.finish_reason or finish
    assert "".join(pieces) == text
    assert finish == whole.choices[0].finish_reason
    assert usage is not None and usage.completion_tokens == whole.usage.completion_tokens


def test_content_parts_and_stop_strings(client, model):
    full = client.chat.completions.create(model=model, messages=ask("Count from 1 to 10."), max_tokens=40,
                                          temperature=0).choices[0].message.content
    words = full.split()
    assert len(words) > 3
    stop = words[2]
    cut = client.chat.completions.create(
        model=model, messages=[{"role": "user", "content": [{"type": "text", "text": "Count from 1 "},
                                                            {"type": "text", "text": "to 10."}]}],
        max_tokens=40, temperature=0, stop=[stop])
    assert cut.choices[0].message.content == full[:full.index(stop)]
    assert cut.choices[0].finish_reason == "stop"


def test_text_completion(client, model):
    r = client.completions.create(model=model, prompt="The capital of France is", max_tokens=8, temperature=0)
    assert r.choices[0].text.strip() and r.usage.completion_tokens > 0


def test_json_schema_structured_output_parses_and_validates(client, model):
    r = client.chat.completions.create(
        model=model, messages=ask("Invent a person."), max_tokens=120, temperature=0,
        response_format={"type": "json_schema", "json_schema": {"name": "person", "schema": SCHEMA, "strict": True}})
    jsonschema.validate(json.loads(r.choices[0].message.content), SCHEMA)


def test_json_object_output_parses(client, model):
    r = client.chat.completions.create(model=model, messages=ask("Describe a cat."), max_tokens=80, temperature=0,
                                       response_format={"type": "json_object"})
    assert isinstance(json.loads(r.choices[0].message.content), dict)


def test_logprobs(client, model):
    r = client.chat.completions.create(model=model, messages=ask("Hi"), max_tokens=4, temperature=0, logprobs=True,
                                       top_logprobs=2)
    entries = r.choices[0].logprobs.content
    assert len(entries) == r.usage.completion_tokens and all(len(e.top_logprobs) == 2 for e in entries)


def test_embeddings_with_minilm_and_a_served_gguf(client, model):
    import numpy as np

    r = client.embeddings.create(model="minilm", input=["cat on the mat", "feline on a rug", "tax law reform"])
    vectors = np.array([d.embedding for d in r.data])
    assert vectors.shape == (3, 384)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    one = client.embeddings.create(model="minilm", input="cat on the mat", encoding_format="float")
    # (int8 MiniLM's activations are quantized per batch: alone, the vector differs slightly)
    assert float(np.asarray(one.data[0].embedding) @ vectors[0]) > 0.99
    gguf = client.embeddings.create(model=model, input="hello")
    assert len(gguf.data[0].embedding) > 100


def test_a_forced_tool_call_is_returned_as_tool_calls(client, server):
    tools_model = server.info["models"][1]["id"]
    r = client.chat.completions.create(model=tools_model, messages=ask("What is the weather in Paris?"),
                                       tools=[WEATHER], tool_choice={"type": "function", "function": {"name": "get_weather"}},
                                       max_tokens=60, temperature=0)
    choice = r.choices[0]
    assert choice.finish_reason == "tool_calls"
    call = choice.message.tool_calls[0]
    assert call.function.name == "get_weather"
    assert isinstance(json.loads(call.function.arguments)["city"], str)


def test_a_tool_result_goes_back_through_the_models_tools_template(client, server):
    """The second half of a tool round trip: the call and its result are rendered with the model's
    own template (with ``tools``) and answered."""
    tools_model = server.info["models"][1]["id"]
    messages = [*ask("What is the weather in Paris?"),
                {"role": "assistant", "content": None, "tool_calls": [{
                    "id": "call_1", "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}]},
                {"role": "tool", "tool_call_id": "call_1", "content": "Sunny, 24 degrees"}]
    r = client.chat.completions.create(model=tools_model, messages=messages, tools=[WEATHER], max_tokens=24,
                                       temperature=0)
    assert r.choices[0].message.content or r.choices[0].message.tool_calls
    # the same conversation to the starter model (no tools in its template): tools go in the system prompt
    r = client.chat.completions.create(model=server.info["models"][0]["id"], messages=messages, tools=[WEATHER],
                                       max_tokens=24, temperature=0)
    assert r.choices[0].message.content or r.choices[0].message.tool_calls


def test_langchain_with_structured_output(server, model):
    from langchain_openai import ChatOpenAI
    from pydantic import BaseModel

    class Person(BaseModel):
        name: str
        age: int

    llm = ChatOpenAI(base_url=server.base, api_key="unused", model=model, temperature=0, max_tokens=120,
                     max_retries=0)
    person = llm.with_structured_output(Person).invoke("Invent a person.")
    assert isinstance(person, Person)


def test_langchain_plain_chat(server, model):
    from langchain_openai import ChatOpenAI

    llm = ChatOpenAI(base_url=server.base, api_key="unused", model=model, temperature=0, max_tokens=12,
                     max_retries=0)
    assert llm.invoke("Say hello.").content
    assert "".join(chunk.content for chunk in llm.stream("Say hello."))


def test_collections_list_query_and_grounded_chat(server, client, model, tmp_path):
    doc = tmp_path / "notes.txt"
    doc.write_text("The lighthouse keeper of Brindle Point is named Odalys Ferrand. She paints the lamp room blue "
                   "every spring.\n\nThe harbour of Brindle Point freezes in February.", encoding="utf-8")
    home = ["--home", str(server.home)]
    subprocess.run([sys.executable, "-m", "hearthlm.core.cli", *home, "docs", "add", "notes", str(doc)],
                   check=True, capture_output=True, timeout=300)
    with server.client() as c:
        listed = c.get("/v1/hearth/collections").json()["data"]
        assert [x["name"] for x in listed] == ["notes"] and listed[0]["chunks"] >= 1
        r = c.post("/v1/hearth/collections/notes/query", json={"query": "Who keeps the lighthouse?", "k": 3})
        assert r.status_code == 200
        cli = subprocess.run([sys.executable, "-m", "hearthlm.core.cli", *home, "docs", "query", "notes",
                              "Who keeps the lighthouse?", "-k", "3", "--json"], check=True, capture_output=True,
                             text=True, timeout=300)
        assert r.json()["data"] == json.loads(cli.stdout)
        assert c.post("/v1/hearth/collections/nope/query", json={"query": "x"}).status_code == 404
    answer = client.chat.completions.create(model=model, messages=ask("Who keeps the lighthouse?"), max_tokens=16,
                                            temperature=0, extra_body={"hearth": {"collections": ["notes"]}})
    sources = answer.model_extra["hearth"]["sources"]
    assert sources and sources[0]["source"] == str(doc)


def test_a_template_that_escapes_the_sandbox_is_refused_and_runs_nothing(client, server, tmp_path):
    import openai
    from pathlib import Path

    evil = server.info["models"][2]["id"]
    Path("/tmp/hearth-pwned").unlink(missing_ok=True)
    with pytest.raises(openai.BadRequestError) as info:
        client.chat.completions.create(model=evil, messages=ask("Hi"), tools=[WEATHER], max_tokens=4)
    assert info.value.body["code"] == "template_error"
    assert not Path("/tmp/hearth-pwned").exists()


def test_reasoning_is_returned_as_reasoning_content(client, server):
    think = server.info["models"][3]["id"]
    kwargs = dict(model=think, messages=ask("What is 2 + 2? Think first."), max_tokens=48, temperature=0)
    whole = client.chat.completions.create(**kwargs).choices[0].message
    reasoning = getattr(whole, "reasoning_content", None)
    assert reasoning and "<think>" not in reasoning and "</think>" not in (whole.content or "")
    parts = {"reasoning_content": [], "content": []}
    for chunk in client.chat.completions.create(**kwargs, stream=True):
        for choice in chunk.choices:
            for key in parts:
                parts[key].append(getattr(choice.delta, key, None) or "")
    assert "".join(parts["reasoning_content"]).strip() == reasoning
    assert "".join(parts["content"]).strip() == (whole.content or "").strip()
