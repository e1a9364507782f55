"""The window's question embedder runs in a child process: same vectors as in-process, errors
as sentences, a crash costs one question and the next one starts a new child."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import numpy as np
import pytest

from hearthlm.core.child.side import FAULT_ENV
from hearthlm.core.docs.embed_service import EmbedService
from hearthlm.core.docs.embedders import get_embedder
from hearthlm.core.docs.errors import EmbedderError

# runs an embedding model (MiniLM or e5): out of the fast tier, which runs no model (README, Developing)
pytestmark = pytest.mark.engine


TEXTS = ["Where is the lighthouse lamp made?", "大熊猫吃什么？", ""]


@pytest.fixture
def service():
    s = EmbedService()
    yield s
    s.close()


def test_vectors_match_the_in_process_embedder(service: EmbedService) -> None:
    vectors = service.embed("minilm", TEXTS)
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(vectors, get_embedder("minilm").embed(TEXTS), atol=1e-5)
    assert service.pid is not None and service.pid != os.getpid()
    assert service.embed("minilm", []).shape == (0, 384)


@pytest.mark.engine  # llama.cpp on the starter model
def test_a_gguf_embedder_runs_in_the_child(service: EmbedService, starter_model: Path) -> None:
    vectors = service.embed(f"gguf:{starter_model}", ["The harbour lighthouse."])
    assert vectors.shape == (1, 576)
    assert abs(float(np.linalg.norm(vectors[0])) - 1.0) < 1e-4


def test_two_embedders_embed_at_once_and_each_call_gets_its_own_vectors(service: EmbedService,
                                                                          starter_model: Path) -> None:
    """A Chinese question's e5 embedding goes beside the collection's own (core/docs/search.py): the
    child runs each model on its own thread. A GGUF model loading and embedding (hundreds of ms)
    does not hold up MiniLM's questions sent after it; each reply reaches its own caller."""
    import threading
    import time

    service.embed("minilm", ["start the child"])
    gguf_done: list[float] = []
    slow = threading.Thread(target=lambda: (service.embed(f"gguf:{starter_model}", ["The harbour lighthouse."] * 8),
                                            gguf_done.append(time.perf_counter())))
    slow.start()
    time.sleep(0.05)  # the GGUF request is in the child first
    questions = [f"Question number {i} about lighthouses." for i in range(5)]
    answers, finished = {}, []
    threads = [threading.Thread(target=lambda q=q: answers.__setitem__(q, service.embed("minilm", [q])))
               for q in questions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    finished.append(time.perf_counter())
    slow.join(120)
    assert gguf_done and finished[0] < gguf_done[0]  # MiniLM did not wait for the GGUF model
    for q in questions:  # one text a call, as asked (the int8 graph's vectors depend on their batch)
        np.testing.assert_allclose(answers[q][0], get_embedder("minilm").embed([q])[0], atol=1e-5)


def test_errors_are_sentences_and_the_child_keeps_serving(service: EmbedService) -> None:
    with pytest.raises(EmbedderError, match="Unknown embedding model"):
        service.embed("nonsense", ["x"])
    pid = service.pid
    assert service.embed("minilm", ["still here"]).shape == (1, 384) and service.pid == pid


def test_a_killed_child_is_replaced_by_the_next_question(service: EmbedService) -> None:
    service.embed("minilm", ["first"])
    first = service.pid
    assert first is not None
    os.kill(first, signal.SIGKILL)
    vectors = service.embed("minilm", ["second"])
    assert vectors.shape == (1, 384) and service.pid not in (None, first)


def test_a_crash_while_embedding_is_one_sentence_then_it_recovers() -> None:
    service = EmbedService(env={**os.environ, FAULT_ENV: "segv@request"})
    try:
        with pytest.raises(EmbedderError) as caught:
            service.embed("minilm", ["boom"])
        sentence = str(caught.value)
        assert "SIGSEGV" in sentence and "the next question starts it again" in sentence
        assert "\n" not in sentence
        service.env.pop(FAULT_ENV)
        assert service.embed("minilm", ["fine again"]).shape == (1, 384)
    finally:
        service.close()


def test_close_ends_the_child(service: EmbedService) -> None:
    service.embed("minilm", ["x"])
    pid = service.pid
    service.close()
    assert service.pid is None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # close() waited for it: gone and reaped
