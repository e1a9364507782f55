"""The chat session without Qt (core/chat/session.py): the flows the window shows, driven from a plain
thread with a ThreadRunner. Real engine processes on the starter model, a real store in a tmp dir;
the documents' retrieval is injected (a callable returning fixed excerpts) where a test needs it."""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from pathlib import Path

import pytest
from conftest import TEST_THREADS
from hearthlm.core import messages as CM
from hearthlm.core.chat.runner import ThreadRunner
from hearthlm.core.chat.session import COLLECTIONS_KEY, ChatSession
from hearthlm.core.chat.store import ConversationStore
from hearthlm.core.docs.chat_context import ChatDocs
from hearthlm.core.settings import Settings

pytestmark = pytest.mark.engine
TIMEOUT_S = 120.0


class Harness:
    """A session, its runner and what its events said (each event checked to run on this thread)."""

    def __init__(self, tmp_path: Path, model: Path, retrieve=None, **overrides):
        self.owner = threading.current_thread()
        self.store = ConversationStore(tmp_path / "conversations.db")
        self.runner = ThreadRunner()
        settings = Settings()
        base = {"n_ctx": 1024, "max_tokens": 8, "temperature": 0.0, "seed": 1, "n_threads": TEST_THREADS}
        self.session = ChatSession(self.store, settings, self.runner, retrieve=retrieve, overrides=base | overrides)
        self.seen: dict[str, list] = {}
        for name in ("answered", "answer_failed", "answer_saved", "loaded", "load_failed", "error", "note_changed",
                     "tokens", "shown", "context"):
            getattr(self.session, name).connect(lambda *args, n=name: self._record(n, args))

    def _record(self, name: str, args: tuple) -> None:
        assert threading.current_thread() is self.owner, f"{name} emitted off the owner thread"
        self.seen.setdefault(name, []).append(args)

    def count(self, name: str) -> int:
        return len(self.seen.get(name, []))

    def settle(self, until=lambda: True) -> None:
        """Pump until ``until()``, the engine is idle and every store write has landed."""
        s = self.session
        self.runner.run_until(lambda: until() and not s.busy and not s.sending and not s.retrieving
                              and not s.pending_writes(), TIMEOUT_S)

    def load(self, model: Path) -> None:
        loads = self.count("loaded") + self.count("load_failed")
        self.session.load(str(model))
        self.settle(lambda: self.count("loaded") + self.count("load_failed") > loads)

    def ask(self, action) -> None:
        """Run ``action()`` (send, regenerate, …) and wait for its answer or failure to be stored."""
        ends = self.count("answer_saved") + self.count("answer_failed")
        assert action() is not False
        self.settle(lambda: self.count("answer_saved") + self.count("answer_failed") > ends)

    def path(self) -> list:
        return self.store.path(self.session.conversation_id)

    def close(self) -> None:
        self.session.shutdown()


@pytest.fixture
def chat(tmp_path: Path, starter_model: Path):
    h = Harness(tmp_path, starter_model)
    h.load(starter_model)
    yield h
    h.close()


def kill_engine(h: Harness) -> int:
    pid = h.session.engine_pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while h.session.engine_pid is not None:  # dead, while idle
        assert time.monotonic() < deadline, "the engine did not die"
        time.sleep(0.02)
    return pid


def test_send_edit_branches_regenerate_and_switch(chat: Harness) -> None:
    s = chat.session
    chat.ask(lambda: s.send("Hello"))
    question, answer = chat.path()
    assert (question.role, question.content, answer.role, answer.state) == ("user", "Hello", "assistant", "complete")
    assert answer.stats["completion_tokens"] > 0 and chat.seen["answered"][-1][0].text == answer.content

    chat.ask(lambda: s.regenerate(answer.id))  # a second answer beside the first
    regenerated = chat.path()[-1]
    assert regenerated.id != answer.id and chat.store.siblings(regenerated.id)[:2] == (1, 2)

    s.switch_branch(regenerated.id, -1)
    chat.settle()
    assert chat.path()[-1].id == answer.id  # the first answer is active again
    assert chat.seen["shown"][-1] == (True,)  # shown again, keeping the scroll

    chat.ask(lambda: s.send("Hi there", editing=question.id))  # edit: a new branch of the question
    edited, _ = chat.path()
    assert edited.content == "Hi there" and edited.id != question.id
    assert chat.store.siblings(edited.id)[:2] == (1, 2)
    assert [m.content for m in chat.store.path(s.conversation_id)][:1] == ["Hi there"]
    assert chat.store.message(question.id).content == "Hello"  # the old branch stays


def test_store_writes_run_in_order_on_the_writer_thread(chat: Harness) -> None:
    store = chat.store
    submitted: list[int] = []
    ran: list[tuple[int, str]] = []
    real_submit = store.submit

    def submit(fn):  # each write numbered as submitted; where and when it ran is noted
        n = len(submitted)
        submitted.append(n)

        def logged():
            ran.append((n, threading.current_thread().name))
            return fn()
        return real_submit(logged)

    store.submit = submit  # type: ignore[method-assign]
    s = chat.session
    chat.ask(lambda: s.send("Hello"))
    s.rename(s.conversation_id, "Greeting")
    s.set_settings({"temperature": 0.0})
    chat.settle()
    assert len(submitted) >= 4  # the question with its answer's start, the answer's end, rename, settings
    assert [n for n, _ in ran] == submitted  # every one, in the order submitted
    assert {name for _, name in ran} == {"hearth-store-writer"}
    assert store.get(s.conversation_id).title == "Greeting"
    assert store.get(s.conversation_id).settings == {"temperature": 0.0}


def test_continue_keeps_stats_and_sources_with_the_exact_token_sum(tmp_path: Path, starter_model: Path) -> None:
    sources = [{"n": 1, "source": "/manual.pdf", "page": 2, "link": "file:///manual.pdf#page=2"}]
    asked: list = []

    def retrieve(names, question, **budget):  # on a worker thread, like the real one
        asked.append((names, question, budget["n_ctx"]))
        return ChatDocs(f"[1] The red valve releases steam.\n\n{question}", sources, 42)

    h = Harness(tmp_path, starter_model, retrieve=retrieve, max_tokens=2000, repeat_penalty=1.0)
    h.load(starter_model)
    s = h.session
    s.set_collections(["Manuals"])
    stopped = []

    def stop_after_some(_text: str) -> None:
        if not stopped:  # at the first piece: the rest of a long answer is left
            stopped.append(True)
            s.stop()

    s.tokens.connect(stop_after_some)
    h.ask(lambda: s.send("What does the red valve release?"))
    s.tokens.disconnect(stop_after_some)
    assert asked == [(["Manuals"], "What does the red valve release?", 1024)]
    first = h.seen["answered"][-1][0]
    partial = h.path()[-1]
    assert first.stats.stop_reason == "cancelled" and partial.state == "complete"
    assert partial.stats["sources"] == sources and partial.stats["docs_tokens"] == 42
    assert partial.stats["completion_tokens"] == first.stats.completion_tokens
    assert h.path()[0].content == "What does the red valve release?"  # the question as typed

    s.overrides["max_tokens"] = 7
    h.ask(lambda: s.continue_answer(partial.id))
    more = h.seen["answered"][-1][0]
    continued = h.path()[-1]
    assert len(asked) == 1  # continuing searches nothing
    assert continued.id == partial.id and continued.content == partial.content + more.text
    assert more.stats.completion_tokens == 7
    assert continued.stats["completion_tokens"] == first.stats.completion_tokens + 7
    assert continued.stats["sources"] == sources and continued.stats["docs_tokens"] == 42
    h.close()


def test_engine_killed_while_idle_restarts_on_the_next_question(chat: Harness) -> None:
    s = chat.session
    chat.ask(lambda: s.send("Hello"))
    old = kill_engine(chat)
    chat.ask(lambda: s.send("Are you back?"))
    assert not chat.seen.get("answer_failed")
    assert s.engine_pid not in (None, old) and s.engine.keeper.restarts == 1
    assert [(m.role, m.state) for m in chat.path()] == [("user", "complete"), ("assistant", "complete")] * 2
    assert s.model_info is not None and s.model_info.n_ctx == 1024  # the same load parameters


def test_failed_restart_keeps_the_question_once_and_the_next_goes_beside_it(tmp_path: Path, starter_model: Path
                                                                            ) -> None:
    model = tmp_path / "model.gguf"
    shutil.copyfile(starter_model, model)
    h = Harness(tmp_path, model)
    h.load(model)
    s = h.session
    h.ask(lambda: s.send("Hello"))
    kill_engine(h)
    away = model.rename(tmp_path / "elsewhere.gguf")  # the restart cannot load the model again

    h.ask(lambda: s.send("Are you back?"))
    exc, crashed = h.seen["answer_failed"][-1]
    assert crashed and str(exc) == ("The engine had stopped and could not be restarted with model.gguf: "
                                    f"No model file at {model}.")
    turns = lambda: [(m.role, m.content if m.role == "user" else "") for m in h.path()]  # noqa: E731
    assert turns() == [("user", "Hello"), ("assistant", ""), ("user", "Are you back?")]
    assert s.retry_question == h.path()[-1].id

    h.ask(lambda: s.send("Still there?"))  # beside the unanswered question, not under it
    assert turns() == [("user", "Hello"), ("assistant", ""), ("user", "Still there?")]
    last = h.path()[-1]
    assert h.store.siblings(last.id)[:2] == (1, 2)

    s.begin_restart()  # Restart with the file still missing: it is offered again
    h.load(model)
    assert h.seen["load_failed"][-1][1] is True

    away.rename(model)  # Restart with the file back: the unanswered question is asked again
    answers = h.count("answered")
    s.begin_restart()
    h.load(model)
    h.settle(lambda: h.count("answered") > answers)
    path = h.path()
    assert [m.content for m in path[:3]] == ["Hello", path[1].content, "Still there?"]
    assert path[3].role == "assistant" and path[3].parent_id == last.id and path[3].state == "complete"
    assert len(path) == 4
    h.close()


def test_context_policy_note_is_said_and_kept(tmp_path: Path, starter_model: Path) -> None:
    h = Harness(tmp_path, starter_model, n_ctx=512)
    h.load(starter_model)
    s = h.session
    conv = h.store.create(model=str(starter_model))
    parent = None
    for i in range(12):  # a history far longer than 512 tokens: the oldest turns are left out
        parent = h.store.add_message(conv.id, parent.id if parent else None, "user", f"Question {i}: " + "tell me more " * 20)
        parent = h.store.add_message(conv.id, parent.id, "assistant", "Some long answer text. " * 10)
    assert s.open(conv.id)
    h.ask(lambda: s.send("And now?"))
    answer = h.seen["answered"][-1][0]
    assert answer.note is not None and answer.note.template == CM.CONTEXT_TRIMMED
    assert h.seen["note_changed"][-1] == (answer.note,)  # the view shows it under the template note
    assert h.path()[-1].stats["note"] == answer.note.to_json()
    assert COLLECTIONS_KEY not in s.own_settings()
    h.close()
