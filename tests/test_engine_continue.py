"""The engine continues an unfinished assistant answer (Engine.chat(..., continue_answer=True))."""

from __future__ import annotations

import pytest

from hearthlm.core.engine import GenerationParams

pytestmark = pytest.mark.engine


def test_continuing_a_cut_answer_gives_the_rest_of_the_same_greedy_answer(engine):
    question = [{"role": "user", "content": "List the days of the week."}]
    greedy = GenerationParams(max_tokens=16, temperature=0.0)
    engine.stream_interval_ms, before = 0, engine.stream_interval_ms  # one piece per token
    try:
        pieces: list[str] = []
        full = engine.chat(question, greedy, on_token=pieces.append)
        assert full.stats.completion_tokens == 16 and len(pieces) >= 12
        partial = "".join(pieces[:6])
        rest = engine.chat(question + [{"role": "assistant", "content": partial}],
                           GenerationParams(max_tokens=6, temperature=0.0), continue_answer=True)
    finally:
        engine.stream_interval_ms = before
    # The prompt ended inside the open assistant turn, so the model went on from the cut.
    assert full.text.startswith(partial + rest.text)
    assert rest.text and rest.stats.prompt_tokens > full.stats.prompt_tokens
    # Without continue, the same messages would start a new turn (a closed answer, then a new one).
    closed = engine.chat(question + [{"role": "assistant", "content": partial}], GenerationParams(max_tokens=1, temperature=0.0))
    assert closed.stats.prompt_tokens > rest.stats.prompt_tokens
