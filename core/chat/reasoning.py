"""Reasoning ("thinking") text in answers: find it, split it from the answer, keep it out of history.

Models mark their reasoning in different ways; the ones in use:

    <think>…</think>                      DeepSeek-R1, Qwen3, QwQ, SmolLM3, many fine-tunes
    <thinking>…</thinking>, <reasoning>…</reasoning>
    [THINK]…[/THINK]                      Magistral / Mistral reasoning models
    <|channel|>analysis<|message|>…<|end|>   gpt-oss (harmony); the answer follows <|channel|>final<|message|>
    <|begin_of_thought|>…<|end_of_thought|>
    ◁think▷…◁/think▷                      Kimi

Templates of several of these (Qwen3, DeepSeek-R1) end the generation prompt with the opening
marker, so the answer starts inside the reasoning and only the closing marker appears: text before
a closing marker that has no opening one is reasoning too.

The store keeps answers exactly as generated; ``strip_reasoning`` is applied to the history sent
back to the model (templates of reasoning models drop earlier reasoning the same way).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# (opening, closing) markers; the harmony closing also accepts the start of the final channel.
MARKERS: tuple[tuple[str, str], ...] = (
    ("<think>", "</think>"),
    ("<thinking>", "</thinking>"),
    ("<reasoning>", "</reasoning>"),
    ("[THINK]", "[/THINK]"),
    ("<|begin_of_thought|>", "<|end_of_thought|>"),
    ("◁think▷", "◁/think▷"),
    ("<|channel|>analysis<|message|>", "<|end|>"),
)
# Harmony's wrapper around the final answer: removed from what is shown.
_HARMONY_FINAL = re.compile(r"(<\|start\|>assistant)?<\|channel\|>final<\|message\|>")
_HARMONY_TAIL = re.compile(r"<\|(return|end|call)\|>\s*$")


@dataclass(frozen=True)
class Split:
    reasoning: str  # all reasoning parts, joined by blank lines ('' when none)
    answer: str  # the text the user asked for
    open: bool  # the text ends inside reasoning (still thinking, or stopped while thinking)


def _find_block(text: str, start: int) -> tuple[int, int, int, int] | None:
    """The first reasoning block at or after ``start``: (begin, content_begin, content_end, end);
    content_end == end == len(text) when it is not closed yet."""
    best: tuple[int, int, int, int] | None = None
    for opening, closing in MARKERS:
        i = text.find(opening, start)
        if i < 0 or (best is not None and i >= best[0]):
            continue
        c = i + len(opening)
        j = text.find(closing, c)
        best = (i, c, j, j + len(closing)) if j >= 0 else (i, c, len(text), len(text))
    return best


def _leading_close(text: str) -> int | None:
    """Where a closing marker ends when the text started inside reasoning (no opening before it)."""
    best: tuple[int, int] | None = None
    for opening, closing in MARKERS:
        j = text.find(closing)
        if j < 0 or opening in text[:j]:
            continue
        if best is None or j < best[0]:
            best = (j, len(closing))
    if best is None:
        return None
    # Only when nothing before it looks like an answer that opened another kind of block.
    return best[0] if _find_block(text[:best[0]], 0) is None else None


def split_reasoning(text: str) -> Split:
    """Separate reasoning from the answer (works on a partial, still-streaming answer too)."""
    parts: list[str] = []
    answer: list[str] = []
    pos = 0
    is_open = False
    lead = _leading_close(text)
    if lead is not None:
        closing = next(c for o, c in MARKERS if text.startswith(c, lead))
        parts.append(text[:lead])
        pos = lead + len(closing)
    while True:
        block = _find_block(text, pos)
        if block is None:
            answer.append(text[pos:])
            break
        begin, cbegin, cend, end = block
        answer.append(text[pos:begin])
        parts.append(text[cbegin:cend])
        if cend == end:  # no closing marker yet
            is_open = True
        pos = end
        if pos >= len(text):
            break
    shown = _HARMONY_TAIL.sub("", _HARMONY_FINAL.sub("", "".join(answer)))
    reasoning = "\n\n".join(p.strip() for p in parts if p.strip())
    return Split(reasoning, shown.strip() if parts else shown, is_open)


def strip_reasoning(text: str) -> str:
    """The answer without its reasoning: what goes back to the model as history."""
    split = split_reasoning(text)
    return split.answer if split.reasoning or split.open else text


def has_reasoning(text: str) -> bool:
    split = split_reasoning(text)
    return bool(split.reasoning) or split.open
