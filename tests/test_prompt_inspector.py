"""The prompt inspector shows the exact prompt the engine evaluates next: same token count as the
request's prompt_tokens, and the KV-cached part is what the request does not evaluate again."""

from __future__ import annotations

import pytest

import json

from hearthlm.core.engine import GenerationParams

pytestmark = pytest.mark.engine

GREEDY = GenerationParams(max_tokens=8, temperature=0)


def test_inspected_prompt_is_what_the_next_request_evaluates(engine):
    convo = [{"role": "system", "content": "You answer briefly."}, {"role": "user", "content": "Name a fruit."}]
    first = engine.chat(convo, GREEDY)
    follow = convo + [{"role": "assistant", "content": first.text}, {"role": "user", "content": "And a vegetable?"}]
    shown = engine.inspect_prompt(follow, GREEDY)
    assert shown is not None
    assert shown["pieces"][0]["kind"] == "control"  # <|im_start|> is a special token
    assert "You answer briefly." in shown["text"] and "And a vegetable?" in shown["text"]
    assert 0 < shown["cached"] < shown["tokens"]
    answer = engine.chat(follow, GREEDY)
    assert shown["tokens"] == answer.stats.prompt_tokens
    assert shown["tokens"] - shown["cached"] == answer.stats.evaluated_tokens


def test_the_context_policy_is_applied(engine):
    """History that does not fit is left out in the inspector as in the answer."""
    long = [{"role": "user" if i % 2 == 0 else "assistant", "content": f"Turn {i}: " + "words " * 60} for i in range(30)]
    params = GenerationParams(max_tokens=64, temperature=0)
    shown = engine.inspect_prompt(long, params)
    assert shown["trimmed"] > 0 and shown["tokens"] <= shown["n_ctx"]
    answer = engine.chat(long, GenerationParams(max_tokens=1, temperature=0))
    assert answer.stats.trimmed_messages == engine.inspect_prompt(long, GenerationParams(max_tokens=1))["trimmed"]
    assert shown["messages"][-1]["content"] == long[-1]["content"]


def test_hearth_chat_show_prompt(starter_model, tmp_path):
    """`hearth chat --conversation ID --show-prompt`: the prompt of the next question, whose count
    equals what answering that question then reports."""
    import subprocess
    import sys

    def hearth(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "hearthlm.core.cli", *args], capture_output=True, text=True,
                              timeout=300)

    common = ["--model", str(starter_model), "--max-tokens", "6", "--temperature", "0", "--threads", "1"]
    made = hearth("chat", *common, "--prompt", "Hello there", "--conversation", "new", "--json")
    assert made.returncode == 0, made.stderr
    cid = json.loads(made.stdout)["conversation"]
    plain = hearth("chat", "--conversation", cid, "--show-prompt", "--prompt", "What now?", *common)
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.startswith("<|im_start|>system") and "Hello there" in plain.stdout
    shown = hearth("chat", "--conversation", cid, "--show-prompt", "--prompt", "What now?", "--json", *common)
    data = json.loads(shown.stdout)
    assert data["text"] == plain.stdout
    answered = hearth("chat", "--conversation", cid, "--prompt", "What now?", "--json", *common)
    assert json.loads(answered.stdout)["prompt_tokens"] == data["tokens"]
