"""Reasoning split from answers (core/chat/reasoning.py): every marker family, partial answers, history."""

from __future__ import annotations

import pytest

from hearthlm.core.chat.reasoning import has_reasoning, split_reasoning, strip_reasoning


@pytest.mark.parametrize("text", [
    "<think>step one\nstep two</think>\n\nThe answer is 4.",
    "<thinking>step one\nstep two</thinking>The answer is 4.",
    "<reasoning>step one\nstep two</reasoning>The answer is 4.",
    "[THINK]step one\nstep two[/THINK]The answer is 4.",
    "<|begin_of_thought|>step one\nstep two<|end_of_thought|>The answer is 4.",
    "◁think▷step one\nstep two◁/think▷The answer is 4.",
    "<|channel|>analysis<|message|>step one\nstep two<|end|><|start|>assistant<|channel|>final<|message|>The answer is 4.<|return|>",
    # Qwen3 / DeepSeek-R1: the template opened the block, only the closing marker is generated.
    "step one\nstep two</think>\n\nThe answer is 4.",
])
def test_each_marker_family_is_split(text):
    split = split_reasoning(text)
    assert split.reasoning == "step one\nstep two"
    assert split.answer == "The answer is 4."
    assert not split.open
    assert strip_reasoning(text) == "The answer is 4."


def test_an_unfinished_block_is_open_reasoning():
    split = split_reasoning("<think>still working on it")
    assert split.open and split.reasoning == "still working on it" and split.answer == ""
    assert has_reasoning("<think>x")


def test_text_without_markers_is_left_alone():
    text = "Plain answer with <b>tags</b> and [brackets]."
    assert split_reasoning(text).answer == text
    assert strip_reasoning(text) == text
    assert not has_reasoning(text)


def test_several_blocks_and_chinese():
    split = split_reasoning("<think>先想一想</think>答案是四。<think>再检查</think>没错。")
    assert split.reasoning == "先想一想\n\n再检查"
    assert split.answer == "答案是四。没错。"


def test_the_store_sends_answers_back_without_reasoning_but_keeps_it():
    from hearthlm.core.chat.store import ConversationStore

    with ConversationStore(":memory:") as store:
        conv = store.create()
        q = store.add_message(conv.id, None, "user", "2+2?")
        a = store.add_message(conv.id, q.id, "assistant", "<think>add them</think>It is 4.")
        sent = store.to_engine_messages(conv.id)[-1]
        assert sent["content"] == "It is 4." and sent["reasoning_content"] == "add them"
        assert store.to_engine_messages(conv.id, keep_last_reasoning=True)[-1]["content"].startswith("<think>")
        assert store.message(a.id).content == "<think>add them</think>It is 4."


def test_reasoning_reaches_only_the_templates_that_ask_for_it():
    """ChatML drops it; a Qwen3-style template that reads reasoning_content renders it."""
    from hearthlm.core.chat.store import ConversationStore
    from hearthlm.core.prompt.template import render_prompt

    asks = ("{% for m in messages %}<|{{ m.role }}|>{% if m.reasoning_content %}<think>{{ m.reasoning_content }}"
            "</think>{% endif %}{{ m.content }}\n{% endfor %}")
    with ConversationStore(":memory:") as store:
        conv = store.create()
        q = store.add_message(conv.id, None, "user", "2+2?")
        store.add_message(conv.id, q.id, "assistant", "<think>add them</think>It is 4.")
        messages = store.to_engine_messages(conv.id)
    assert "add them" not in render_prompt("chatml", messages).text
    assert "<think>add them</think>It is 4." in render_prompt(asks, messages, add_generation_prompt=False).text
