"""One chat conversation's flow, without Qt: send, edit (a new branch), regenerate, continue, stop,
switch branch, restart after a crash, the context meter's counts, the answer's stats and sources,
the template / context-policy note, and every store write.

The window (gui/chat_page.py) is a view of a ``ChatSession``; ``hearth chat --conversation`` drives
the same session from the command line, so the two cannot drift apart.

Threads. The session lives on its *owner thread* (the UI thread in the window): call its methods
there, and every event below is emitted there. Work that may wait runs through the ``Runner``
(core/chat/runner.py): the engine (``EngineLink``), the document search (``retrieve``, injected),
and the store writes, which run on the store's writer thread in the order they were submitted
(``ConversationStore.submit``). The answer's text is appended to the store by its AnswerWriter on
the engine's worker thread as it streams.

Events (``Event``; arguments in brackets):
    busy_changed(bool)        a question is being stored, searched or answered (or a model loads)
    shown(bool keep_scroll)   the active branch changed: show it again
    opened(str | None)        another conversation (None: a new chat) is open
    settings_changed()        the open conversation's own settings changed (documents included)
    conversations_changed()   titles or order of the stored conversations changed
    answer_started(int, str)  the streaming answer's message id and its text so far
    searching()               the documents are searched for the question
    search_stopped()          stopped while searching: no answer (its empty message is dropped)
    asking()                  the engine has the question
    tokens(str)               new answer text
    usage(int)                prompt + answer tokens while answering
    context(int | None)       the context meter's count after an answer / a switch (None: empty)
    counted(PromptCount | None) the draft's estimated prompt (see ``estimate``)
    answered(Answer)          the engine's answer ended (its store write follows: answer_saved)
    answer_saved(int)         an answer's end (or its discarding) is committed
    answer_failed(exc, bool)  the answer failed; True: the engine died (Restart re-asks the question)
    note_changed(Msg | None)  the template / context-policy note; the Msg is the last answer's note
    question_returned(str)    a question could not be stored: the text is given back
    edit_done()               an edited question became its new branch
    store_waiting()           a store write has waited STORE_WAIT_S for another process's lock
    error(exc)                one sentence for the user (a store or disk error)
    load_progress(float), loaded(ModelInfo), restarting(float)   from the engine
    load_failed(exc, bool)    True: it was a Restart (offer it again)
    adapters_applied(list), adapters_failed(exc)   LoRA adapters put on the live context (or refused)
    inspected(dict | None)    the exact prompt of ``inspect`` (the prompt inspector)
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, NamedTuple

from .. import messages as CM
from ..engine import Engine, GenerationParams, LoadParams
from ..messages import Msg, msg
from .engine_link import EngineLink
from .reasoning import MARKERS
from .runner import Event, Runner
from .store import SYSTEM_PROMPT_KEY, ConversationStore
from .store_writer import AnswerWriter
from ..prompt.template import FORMATS, fallback_format, render_prompt
from ..remote.engine import remote_engine_for
from .turns import continued_stats, question_parent, unanswered_question

TEMPLATE_KEY = "template"  # a conversation's own chat template (a FORMATS key), in its settings
COLLECTIONS_KEY = "collections"  # the document collections a conversation answers from
LORA_KEY = "lora"  # a conversation's LoRA adapters: [{"path": ..., "scale": 0..2}, ...]
STORE_WAIT_S = 0.25  # a store write still waiting after this long says so (store_waiting)
_CLOSINGS = tuple(c for _o, c in MARKERS)

# retrieve(names, question, n_ctx=, max_tokens=, history=) -> ChatDocs (core/docs/chat_context.py),
# on a worker thread; it never raises for the documents' sake.
Retrieve = Callable[..., Any]


class TemplateNote(NamedTuple):
    """Which template is used when it is not the model's own: the chosen format's name, or the
    note about the model's (missing, refused) template."""

    chosen: str | None
    note: Msg | None


class ChatSession:
    def __init__(self, store: ConversationStore, settings: Any, runner: Runner, *,
                 make_engine: Callable[[], Engine] = Engine, retrieve: Retrieve | None = None,
                 overrides: dict[str, Any] | None = None):
        self.store, self.settings, self.runner = store, settings, runner
        # remote:NAME/MODEL loads make a RemoteEngine (core/remote) with this session's settings
        self.engine = EngineLink(runner, make_engine, lambda params: remote_engine_for(params, self.settings))
        self.retrieve = retrieve
        self.overrides = dict(overrides or {})  # the command line's --max-tokens, --ctx, …: above all
        self.conversation_id: str | None = None
        self.new_settings: dict[str, Any] = {}  # settings chosen before a new chat's first message
        self.writer: AnswerWriter | None = None
        self.retry_question: int | None = None  # a crash left it unanswered: Restart re-asks it
        self.retrieving = False
        self.sending = False  # a question is being written to the store (it may wait for the file)
        self._restarting = False
        self._retrieval_cancelled = False
        self._continuing = False
        # An answer's prompt + answer tokens until its stats are committed (conversation id → tokens):
        # the meter asks last_usage() in between, e.g. when the draft is cleared.
        self._usage_not_saved: dict[str, int] = {}
        self._answer_started = 0.0
        self._reasoning_s: float | None = None
        self._tail = ""
        self._docs: dict[str, Any] = {}
        self._pending_writes = 0
        self._template_checks: dict[tuple, Msg | None] = {}
        # The session's events (see the module docstring), each an Event called on the owner thread.
        self.busy_changed = Event()
        self.shown = Event()
        self.opened = Event()
        self.settings_changed = Event()
        self.conversations_changed = Event()
        self.answer_started = Event()
        self.searching = Event()
        self.search_stopped = Event()
        self.asking = Event()
        self.context = Event()
        self.answered = Event()
        self.answer_saved = Event()
        self.answer_failed = Event()
        self.note_changed = Event()
        self.question_returned = Event()
        self.edit_done = Event()
        self.store_waiting = Event()
        self.error = Event()
        self.load_failed = Event()
        self.loaded = Event()
        e = self.engine
        self.tokens, self.usage, self.counted = e.tokens, e.usage, e.counted
        self.adapters_applied, self.adapters_failed, self.inspected = e.adapters_applied, Event(), e.inspected
        self.warmed = e.warmed
        e.adapters_failed.connect(self._adapters_refused)
        self.load_progress, self.restarting = e.load_progress, e.restarting
        e.tokens.connect(self._tokens)
        e.answered.connect(self._answered)
        e.answer_failed.connect(self._answer_failed)
        e.loaded.connect(self._loaded)
        e.load_failed.connect(lambda exc: self.load_failed.emit(exc, self.take_restart()))
        e.busy_changed.connect(self.busy_changed.emit)

    # -- state -------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """The engine works (loads, answers)."""
        return self.engine.busy

    @property
    def answering(self) -> bool:
        return self.writer is not None

    @property
    def model_info(self) -> Any:
        return self.engine.model_info

    @property
    def model_path(self) -> str | None:
        return self.engine.model_path

    @property
    def engine_pid(self) -> int | None:
        return self.engine.engine_pid

    def pending_writes(self) -> int:
        """Store writes submitted whose follow-up has not run yet (0: the store is as shown)."""
        return self._pending_writes

    # -- settings ----------------------------------------------------------------------------

    def own_settings(self) -> dict[str, Any]:
        if self.conversation_id is None:
            return dict(self.new_settings)
        return self.store.get(self.conversation_id).settings

    def setting(self, key: str) -> Any:
        if key in self.overrides:
            return self.overrides[key]
        own = self.own_settings()
        return own[key] if key in own else getattr(self.settings, key, None)

    def params(self) -> GenerationParams:
        get = self.setting
        return GenerationParams(max_tokens=int(get("max_tokens")), temperature=float(get("temperature")),
                                top_p=float(get("top_p")), top_k=int(get("top_k")), min_p=float(get("min_p")),
                                repeat_penalty=float(get("repeat_penalty")), seed=get("seed"))

    def n_ctx(self) -> int:
        """The context of the loaded model, else the one the conversation asks for."""
        info = self.model_info
        return info.n_ctx if info is not None else int(self.setting("n_ctx") or self.settings.n_ctx)

    def set_settings(self, own: dict[str, Any]) -> None:
        """The open conversation's own settings (the panel's); its documents stay unless given.
        Changed LoRA adapters or scales go on the live context at once (no reload)."""
        own = dict(own)
        if COLLECTIONS_KEY not in own and self.collections():  # the panel's Reset keeps the documents
            own[COLLECTIONS_KEY] = self.collections()
        before = self.adapters()
        self._set_own(own)
        after = _adapter_specs(self.overrides.get(LORA_KEY, own.get(LORA_KEY)))
        if after != before:
            # The conversation so far is evaluated under them while the user types the next question.
            self.engine.apply_adapters(after, self.draft_messages(""), self.params(), self.setting(TEMPLATE_KEY) or None)

    def _set_own(self, own: dict[str, Any]) -> None:
        if self.conversation_id is None:
            self.new_settings = own
            self.settings_changed.emit()
        else:
            cid = self.conversation_id
            self.write(lambda: self.store.set_settings(cid, own), lambda _r: self.settings_changed.emit())

    def collections(self) -> list[str]:
        """The document collections the open conversation answers from."""
        names = self.overrides.get(COLLECTIONS_KEY) or self.own_settings().get(COLLECTIONS_KEY) or []
        return [str(n) for n in names] if isinstance(names, list) else []

    def set_collections(self, names: list[str]) -> None:
        """Attach these collections (none: detach) to the open conversation, kept in its settings."""
        own = self.own_settings()
        if names:
            own[COLLECTIONS_KEY] = list(names)
        else:
            own.pop(COLLECTIONS_KEY, None)
        self._set_own(own)

    def adapters(self) -> list[dict[str, Any]]:
        """The open conversation's LoRA adapters, ``{"path", "scale"}`` each (the command line's
        --lora above them)."""
        return _adapter_specs(self.setting(LORA_KEY))

    def set_adapters(self, adapters: list[dict[str, Any]]) -> None:
        """Attach these adapters (none: detach) to the open conversation, kept in its settings, and
        put them on the live context at once (``adapters_applied`` / ``adapters_failed``)."""
        own = self.own_settings()
        if adapters:
            own[LORA_KEY] = _adapter_specs(adapters)
        else:
            own.pop(LORA_KEY, None)
        self.set_settings(own)

    def _adapters_refused(self, exc: BaseException) -> None:
        """An adapter was refused: the conversation keeps the adapters still in use (not one that
        would fail every answer), the panel shows them, and the sentence is said."""
        engine = self.engine.engine
        in_use = [dict(a) for a in getattr(engine, "adapters", [])] if engine is not None else []
        own = self.own_settings()
        if in_use:
            own[LORA_KEY] = in_use
        else:
            own.pop(LORA_KEY, None)
        self._set_own(own)
        self.adapters_failed.emit(exc)

    def template_note(self) -> TemplateNote:
        chosen = self.setting(TEMPLATE_KEY)
        if chosen in FORMATS:
            return TemplateNote(FORMATS[chosen][0], None)
        info = self.model_info
        if info is None or info.raw.get("remote"):  # a remote server applies its own template
            return TemplateNote(None, None)
        if not info.has_chat_template:
            return TemplateNote(None, msg(CM.NO_TEMPLATE, format=FORMATS[fallback_format(info.architecture)][0]))
        # The model's own template, tried once (in the sandbox) so that a refused or broken one is
        # reported as soon as the model loads, not only under the first answer.
        key = (str(info.path), info.raw.get("chat_template"))
        if key not in self._template_checks:
            rendered = render_prompt(info.raw.get("chat_template"), [{"role": "user", "content": "Hello"}],
                                     bos_token=info.raw.get("bos_token") or "", eos_token=info.raw.get("eos_token") or "",
                                     architecture=info.architecture)
            self._template_checks[key] = rendered.note
        return TemplateNote(None, self._template_checks[key])

    # -- the model ---------------------------------------------------------------------------

    def load_params(self, path: str, **offload: Any) -> LoadParams:
        """``offload``: the hardware guard's choice (n_gpu_layers, flash_attn, type_k, type_v), above
        the settings."""
        get = self.setting
        base = {"n_ctx": int(get("n_ctx") or self.settings.n_ctx), "n_gpu_layers": int(get("n_gpu_layers") or 0),
                "n_threads": int(get("n_threads") or 0)}
        return LoadParams(path=path, **(base | offload))

    def load(self, path: str, **offload: Any) -> None:
        self.engine.load(self.load_params(path, **offload))

    def conversation_model(self) -> str | None:
        return self.store.get(self.conversation_id).model if self.conversation_id is not None else None

    def choose_model(self, path: str) -> None:
        """Remember ``path`` as the open conversation's model (the caller loads it)."""
        if self.conversation_id is not None:
            cid = self.conversation_id
            self.write(lambda: self.store.set_model(cid, path), lambda _r: None)

    def begin_restart(self) -> None:
        """The next load is a Restart: once loaded, the question a crash left unanswered is asked again."""
        self._restarting = True

    def take_restart(self) -> bool:
        """A load failed or was refused: was it a Restart (offer it again)?"""
        restart, self._restarting = self._restarting, False
        return restart

    def _loaded(self, info: Any) -> None:
        self.loaded.emit(info)
        self.note_changed.emit(None)
        self.context.emit(self.last_usage())
        if self.take_restart():
            question, self.retry_question = self.retry_question, None
            if question is None or self.conversation_id is None or self.busy:
                return
            last = unanswered_question(self.store, self.conversation_id)
            if last is not None and last.id == question:
                self._begin(lambda: self.store.begin_answer(last.conversation_id, last.id))
                return
        self.warm()

    def warm(self) -> None:
        """Evaluate the open conversation's prompt in the engine now, while the user reads and
        types (a conversation just opened, a model just loaded): its next question then evaluates
        only itself instead of the whole history (seconds for a long one). Any question sent
        meanwhile goes first and keeps what was done. The settings' ``prepare_conversations``
        turns it off."""
        if not getattr(self.settings, "prepare_conversations", True) or self.busy or self.model_info is None:
            return
        cid, store = self.conversation_id, self.store
        if cid is None:  # a new chat: its system prompt, from the settings (no store read)
            draft = self.draft_messages("")
            messages: Callable[[], list[dict[str, str]]] = lambda: draft  # noqa: E731
        else:  # the history is read on the job's thread, not the window's
            messages = lambda: store.to_engine_messages(cid)  # noqa: E731
        self.engine.warm(messages, self.params(), self.setting(TEMPLATE_KEY) or None, self.adapters())

    # -- conversations -----------------------------------------------------------------------

    def history(self, keep_last_raw: bool = False) -> list[dict[str, str]]:
        """The active branch as it goes to the engine (reasoning stripped, system prompt first)."""
        if self.conversation_id is None:
            return []
        return self.store.to_engine_messages(self.conversation_id, keep_last_reasoning=keep_last_raw)

    def open(self, conversation_id: str | None) -> bool:
        """Show another conversation (None: a new chat); False while an answer is written."""
        if self.answering:
            return False
        if conversation_id is not None:
            self.store.get(conversation_id)  # raises for one deleted meanwhile
        self.conversation_id = conversation_id
        self.new_settings = {}
        self.opened.emit(conversation_id)
        self.context.emit(self.last_usage())
        self.note_changed.emit(None)
        self.settings_changed.emit()
        self.warm()
        return True

    def last_usage(self) -> int | None:
        if self.conversation_id is None:
            return None
        if self.conversation_id in self._usage_not_saved:
            return self._usage_not_saved[self.conversation_id]
        for m in reversed(self.store.path(self.conversation_id)):
            if m.role == "assistant" and m.stats and m.stats.get("prompt_tokens"):
                return int(m.stats["prompt_tokens"]) + int(m.stats.get("completion_tokens", 0))
        return None

    def rename(self, conversation_id: str, title: str) -> None:
        if title.strip():
            self.write(lambda: self.store.rename(conversation_id, title), lambda _r: self.conversations_changed.emit())

    def delete(self, conversation_id: str) -> bool:
        """False while its answer is written."""
        if conversation_id == self.conversation_id:
            if self.answering:
                return False
            self.open(None)
        self.write(lambda: self.store.delete(conversation_id), lambda _r: self.conversations_changed.emit())
        return True

    def switch_branch(self, message_id: int, step: int) -> None:
        if self.busy:
            return
        index, count, ids = self.store.siblings(message_id)
        target = index + step
        if 0 <= target < count:
            def switched(_r: Any) -> None:
                self.shown.emit(True)
                self.context.emit(self.last_usage())

            self.write(lambda: self.store.switch(ids[target]), switched)

    # -- store writes ------------------------------------------------------------------------

    def write(self, fn: Callable[[], Any], then: Callable[[Any], None],
              failed: Callable[[BaseException], None] | None = None) -> None:
        """``fn()`` on the store's writer thread (a write may wait for another process's, up to the
        busy timeout); ``then(result)`` on the owner thread once committed. The owner never waits: a
        write still waiting after STORE_WAIT_S emits store_waiting."""
        future: Future = self.store.submit(fn)
        self._pending_writes += 1

        def wait(emit: Callable[[Any], None]) -> Any:  # on a worker thread
            try:
                return future.result(timeout=STORE_WAIT_S)
            except FutureTimeout:
                emit(None)
                return future.result()

        def over(callback: Callable[[Any], None], arg: Any) -> None:
            self._pending_writes -= 1
            callback(arg)

        on_failure = failed or self.error.emit
        self.runner.start(wait, lambda _e: self.store_waiting.emit(), lambda r: over(then, r),
                          lambda e: over(on_failure, e))

    # -- asking ------------------------------------------------------------------------------

    def can_ask(self) -> bool:
        """No question in progress and a model chosen (else False; NO_MODEL is for the caller to say)."""
        return not (self.busy or self.retrieving or self.sending) and self.model_path is not None

    def send(self, text: str, editing: int | None = None) -> bool:
        """Ask ``text``: a new question at the end of the active branch (beside a question a crash
        left unanswered), or, ``editing`` a question, as its new branch. False if not asked now."""
        if not self.can_ask() or not text:
            return False
        conversation_id, model, settings = self.conversation_id, self.model_path, dict(self.new_settings)

        def write() -> AnswerWriter:  # on the store's writer thread
            if editing is not None:
                question = self.store.edit_message(editing, text)
            else:
                cid = conversation_id or self.store.create(model=model, settings=settings).id
                question = self.store.add_message(cid, question_parent(self.store, cid), "user", text)
            return self.store.begin_answer(question.conversation_id, question.id)

        def written(writer: AnswerWriter) -> None:
            self.sending = False
            if editing is not None:
                self.edit_done.emit()
            if self.conversation_id is None:
                self.conversation_id, self.new_settings = writer.conversation_id, {}
            self.shown.emit(False)
            self.conversations_changed.emit()
            self._ask(writer)

        def failed(exc: BaseException) -> None:
            self.sending = False
            self.busy_changed.emit(False)
            self.question_returned.emit(text)  # nothing typed is lost
            self.error.emit(exc)

        self.sending = True
        self.busy_changed.emit(True)
        self.write(write, written, failed)
        return True

    def regenerate(self, message_id: int) -> bool:
        """A new answer beside ``message_id`` (which stays, as the other branch)."""
        if not self.can_ask():
            return False
        old = self.store.message(message_id)
        if old.parent_id is None:
            return False
        self._begin(lambda: self.store.begin_answer(old.conversation_id, old.parent_id))
        return True

    def regenerate_last(self) -> bool:
        """The last answer again, or an answer to a question left without one."""
        if self.conversation_id is None or self.busy:
            return False
        path = self.store.path(self.conversation_id)
        if not path:
            return False
        last = path[-1]
        if last.role == "assistant":
            return self.regenerate(last.id)
        if last.role == "user" and self.can_ask():
            self._begin(lambda: self.store.begin_answer(last.conversation_id, last.id))
            return True
        return False

    def continue_answer(self, message_id: int) -> bool:
        """Go on from the end of a stopped answer, appending to it."""
        if not self.can_ask() or self.conversation_id is None:
            return False
        path = self.store.path(self.conversation_id)
        if not path or path[-1].id != message_id or path[-1].role != "assistant":
            return False
        history = self.history(keep_last_raw=True)
        self._begin(lambda: self.store.resume_answer(message_id), history=history, continuing=True, rerender=False)
        return True

    def _begin(self, start: Callable[[], AnswerWriter], **ask: Any) -> None:
        """Start an answer whose writer ``start()`` makes on the store's writer thread; then ask."""
        if self.sending:
            return

        def started(writer: AnswerWriter) -> None:
            self.sending = False
            self._ask(writer, **({"rerender": True} | ask))

        def failed(exc: BaseException) -> None:
            self.sending = False
            self.busy_changed.emit(False)
            self.error.emit(exc)

        self.sending = True
        self.busy_changed.emit(True)
        self.write(start, started, failed)

    def _ask(self, writer: AnswerWriter, history: list[dict[str, str]] | None = None, continuing: bool = False,
             rerender: bool = False) -> None:
        if rerender:
            self.shown.emit(False)
        self.writer = writer
        self._continuing = continuing
        self._answer_started = time.monotonic()
        self._reasoning_s = None
        self._tail = ""
        self._docs = {}
        self.answer_started.emit(writer.id, writer.text if continuing else "")
        history = history if history is not None else self.history()
        names = self.collections()
        if not continuing and names and self.retrieve is not None and history and history[-1].get("role") == "user":
            self._retrieve(writer, names, history)
        else:
            self._ask_engine(writer, history, continuing)

    def _retrieve(self, writer: AnswerWriter, names: list[str], history: list[dict[str, str]]) -> None:
        """Search the collections for the last question on a worker thread, then ask the engine with
        the excerpts put before the question (the store keeps the question as typed)."""
        question = history[-1]["content"]
        n_ctx, max_tokens, retrieve = self.n_ctx(), int(self.setting("max_tokens")), self.retrieve
        assert retrieve is not None
        self._retrieval_cancelled = False

        def work(_emit: Any) -> Any:  # on a worker thread
            return retrieve(names, question, n_ctx=n_ctx, max_tokens=max_tokens, history=history)

        def done(found: Any) -> None:
            self.retrieving = False
            if self._retrieval_cancelled:  # stopped while searching: no answer then
                self.writer = None
                self.write(writer.discard, lambda _r: self.shown.emit(False))
                self.busy_changed.emit(False)
                self.search_stopped.emit()
                return
            self._docs = {"sources": found.sources, "tokens": found.tokens,
                          "note": found.note.to_json() if found.note else None}
            self._ask_engine(writer, history[:-1] + [{**history[-1], "content": found.content}], False)

        def failed(_exc: BaseException) -> None:  # retrieve() says its failures in a note; still safe
            done(_NoDocs(question))

        self.retrieving = True
        self.busy_changed.emit(True)
        self.searching.emit()
        self.runner.start(work, None, done, failed)

    def _ask_engine(self, writer: AnswerWriter, history: list[dict[str, str]], continuing: bool) -> None:
        self.asking.emit()
        self.engine.ask(history, self.params(), template=self.setting(TEMPLATE_KEY) or None,
                        continue_answer=continuing, on_piece=writer.append, adapters=self.adapters())

    def stop(self) -> None:
        """Stop the answer (or the document search) in progress; what was written stays."""
        if self.retrieving:
            self._retrieval_cancelled = True
        self.engine.stop()

    # -- the answer's end --------------------------------------------------------------------

    def _tokens(self, text: str) -> None:
        if self._reasoning_s is None:  # when did the reasoning end? (for "Thought for N s")
            window = self._tail + text
            if any(c in window for c in _CLOSINGS):
                self._reasoning_s = time.monotonic() - self._answer_started
            self._tail = window[-24:]

    def _docs_stats(self) -> dict[str, Any]:
        """What the answer keeps about its excerpts: the numbered sources, their estimated tokens
        (the next turn's history no longer holds them), and the note when none were used."""
        out: dict[str, Any] = {}
        if self._docs.get("sources"):
            out["sources"] = self._docs["sources"]
            out["docs_tokens"] = self._docs.get("tokens", 0)
        if self._docs.get("note"):
            out["docs_note"] = self._docs["note"]
        return out

    def _stats(self, answer: Any) -> dict[str, Any]:
        stats = answer.stats.to_dict()
        if self._reasoning_s is not None:
            stats["reasoning_s"] = round(self._reasoning_s, 2)
        if answer.note:
            stats["note"] = answer.note.to_json()
        stats.update(self._docs_stats())
        return stats

    def _answered(self, answer: Any) -> None:
        writer, self.writer = self.writer, None
        if writer is not None:
            stats, continuing = self._stats(answer), self._continuing

            def end() -> None:  # on the store's writer thread
                if not writer.text and answer.cancelled:
                    writer.discard()
                    return
                try:  # one answer in two parts: both parts' tokens, the first part's sources
                    final = continued_stats(self.store.message(writer.id).stats, stats) if continuing else stats
                except Exception:
                    writer.interrupt()  # kept, as interrupted; the error is said
                    raise
                writer.finish(final)

            def saved(_r: Any = None, w: AnswerWriter = writer) -> None:
                self._usage_not_saved.pop(w.conversation_id, None)
                self.answer_saved.emit(w.id)
                self.conversations_changed.emit()

            def not_saved(exc: BaseException) -> None:
                self.error.emit(exc)
                saved()

            self._usage_not_saved[writer.conversation_id] = answer.stats.prompt_tokens + answer.stats.completion_tokens
            self.write(end, saved, not_saved)
        s = answer.stats
        self.context.emit(s.prompt_tokens + s.completion_tokens)
        self.answered.emit(answer)
        if answer.note:
            self.note_changed.emit(answer.note)

    def _answer_failed(self, exc: BaseException, crashed: bool) -> None:
        writer, self.writer = self.writer, None
        if writer is not None:
            docs = self._docs_stats() or None
            end = (lambda: writer.interrupt(docs)) if writer.text else writer.discard
            # Nothing written: the question stays once, unanswered; Restart asks it again.
            self.retry_question = writer.parent_id if crashed and not writer.text else None
            self.write(end, lambda _r: self.shown.emit(False), lambda _e: self.shown.emit(False))
        self.answer_failed.emit(exc, crashed)

    # -- the draft ---------------------------------------------------------------------------

    def estimate(self, text: str) -> bool:
        """Count what the draft ``text`` would take with the history (``counted`` reports it); an
        empty draft shows the last answer's count. False when nothing is counted now."""
        if self.busy or self.model_info is None:
            return False
        if not text:
            self.context.emit(self.last_usage())
            return False
        if self.conversation_id is not None:
            history = self.history()
        else:
            system = self.setting(SYSTEM_PROMPT_KEY)
            history = [{"role": "system", "content": system}] if isinstance(system, str) and system.strip() else []
        self.engine.estimate(history + [{"role": "user", "content": text}], self.params(),
                             self.setting(TEMPLATE_KEY) or None)
        return True

    def draft_messages(self, text: str) -> list[dict[str, str]]:
        """What sending ``text`` now would give the engine before the document search: the
        active branch (system prompt first) and the draft; with no draft, the branch as it is."""
        if self.conversation_id is not None:
            history = self.history()
        else:
            system = self.setting(SYSTEM_PROMPT_KEY)
            history = [{"role": "system", "content": system}] if isinstance(system, str) and system.strip() else []
        return history + ([{"role": "user", "content": text}] if text else [])

    def inspect(self, text: str = "") -> bool:
        """The prompt inspector: the exact prompt the engine would evaluate if ``text`` were sent
        now -- template, system prompt, the documents' excerpts (searched as sending would),
        history after the context policy -- reported by ``inspected``. False without a model."""
        if self.model_info is None:
            return False
        messages = self.draft_messages(text)
        names, retrieve = self.collections(), self.retrieve
        before = None
        if text and names and retrieve is not None:
            n_ctx, max_tokens = self.n_ctx(), int(self.setting("max_tokens"))

            def before() -> list[dict[str, Any]]:  # on a worker thread, as _retrieve does
                try:
                    found = retrieve(names, text, n_ctx=n_ctx, max_tokens=max_tokens, history=messages)
                except Exception:
                    return messages
                return messages[:-1] + [{**messages[-1], "content": found.content}]

        self.engine.inspect(messages, self.params(), self.setting(TEMPLATE_KEY) or None, self.adapters(), before)
        return True

    def shutdown(self) -> None:
        """Stop what runs, keep an answer in progress as interrupted, close the engine and store."""
        self.stop()
        self.engine.shutdown()
        if self.writer is not None:
            self.writer.interrupt()
        self.store.close()


def _adapter_specs(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        return []
    return [{"path": str(a["path"]), "scale": float(a.get("scale", 1.0))}
            for a in value if isinstance(a, dict) and a.get("path")]


class _NoDocs:
    """The answer to a retrieval that raised: the question alone."""

    def __init__(self, question: str):
        self.content, self.tokens, self.note = question, 0, None
        self.sources: list[dict[str, Any]] = []
