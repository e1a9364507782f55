"""The chat page: stored conversations on the left, the conversation in the middle, its settings on
the right; pick a model, talk to it, edit, regenerate, branch, stop, continue.

Conversations live in the ConversationStore (SQLite in the data dir). Every answer is written by
the store's AnswerWriter while it streams (from the engine job's thread), so a killed app loses at
most the last second of it. The engine holds no conversation: after a crash nothing is lost and a
new engine takes over; its prefix reuse and saved KV states make going back to a conversation cheap.

A conversation may answer from document collections (its settings' ``collections``): each question
is searched on a Job thread first (core/docs/chat_context.py), the engine gets the numbered excerpts
before the question, the store keeps the question as typed, and the answer's stats keep ``sources``
(shown under it as links that open the files) or ``docs_note`` (why no excerpt was used).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QInputDialog, QLabel, QMessageBox, QProgressBar,
                               QPushButton, QSplitter, QVBoxLayout, QWidget)

from hearthlm.core import messages as CM
from hearthlm.core.chat.presets import PresetLibrary
from hearthlm.core.chat.reasoning import MARKERS
from hearthlm.core.chat.store import SYSTEM_PROMPT_KEY, ConversationStore, Message, StoreError
from hearthlm.core.chat.store_writer import AnswerWriter
from hearthlm.core.chat.turns import continued_stats, question_parent, unanswered_question
from hearthlm.core.prompt.template import FORMATS, fallback_format, render_prompt
from hearthlm.core.default_model import default_model_path
from hearthlm.core.engine import GenerationParams
from hearthlm.core.messages import msg
from hearthlm.core.settings import Settings
from hearthlm.core.starter import STARTER_INSTALL_HINT, starter_model_path

from .chat_documents import COLLECTIONS_KEY, AnsweringFromLabel, DocumentsButton
from .chat_settings import TEMPLATE_KEY, ChatSettingsPanel
from .chat_view import ChatView
from .conversation_list import ConversationList
from .detached_job import run_detached
from .error_banner import ErrorBanner
from .engine_session import EngineSession
from .load_guard import guarded_load
from .jobs import Job
from .message_html import MessageView
from .messages import error_text, tr_msg
from .model_picker import ModelPicker
from .prompt_box import PromptBox
from .shortcuts_help import SHORTCUTS, ShortcutsDialog

_CLOSINGS = tuple(c for _o, c in MARKERS)
ESTIMATE_DELAY_MS = 350  # after the last keystroke: counting every key would only queue work
STORE_WAIT_NOTE_MS = 250  # a store write still waiting after this long says so in the status line


class ChatPage(QWidget):
    """Signals: answerSaved(int message id): an answer's end (or its discarding) is committed."""

    answerSaved = Signal(int)

    def __init__(self, settings: Settings, status: Callable[[str], None], parent: QWidget | None = None,
                 store: ConversationStore | None = None):
        super().__init__(parent)
        self.settings = settings
        self._status = status
        store_problem = None
        if store is None:
            try:
                store = ConversationStore(background_open=True)  # never waits for another process
            except StoreError as exc:  # unreadable file, newer schema, no space: chat on, in memory
                store_problem = exc
                store = ConversationStore(":memory:")
        self.store = store
        self.presets = PresetLibrary()
        self.session = EngineSession(self)
        self.conversation_id: str | None = None
        self._new_settings: dict[str, Any] = {}  # settings chosen before a new chat's first message
        self._writer: AnswerWriter | None = None
        self._continuing = False
        self._answer_started = 0.0
        self._reasoning_s: float | None = None
        self._tail = ""
        self._editing: int | None = None
        # The question a crash left unanswered: Restart re-asks it once the model is back.
        self._retry_question: int | None = None
        self._restarting = False
        self._expanded: set[int] = set()
        self._template_checks: dict[tuple, Any] = {}
        # Documents: the store (the Documents page's, once the window shares it), and the excerpts'
        # sources and note for the answer being written (kept in its stats when it ends).
        self._docs_store_provider: Callable[[], Any] | None = None
        self._docs_store: Any = None
        self._docs_store_ready: Callable[[], Any] | None = None
        self._docs_store_lock = threading.Lock()
        self._docs_opening = False
        self._docs_embed: Callable[..., Any] | None = None
        self._embed_service: Any = None  # made only when there is no Documents page to share
        self._docs: dict[str, Any] = {}
        self._retrieval: Job | None = None
        self._retrieval_cancelled = False
        self._sending = False  # a question is being written to the store (it may wait for the file)
        self._pending_writes = 0
        self._build()
        self._connect()
        self._shortcuts()
        self.conversations.refresh()
        # Said in the note line, which stays (the error banner is cleared by the next action).
        self._store_problem = None if store_problem is None else (
            error_text(store_problem) + " " + self.tr("Conversations are kept only until Hearth closes."))
        self._template_note()

    # -- layout --------------------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)
        top = QHBoxLayout()
        self.picker = ModelPicker()
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setMaximumWidth(160)
        self.progress.setVisible(False)
        self.settings_button = QPushButton(self.tr("Settings"))
        self.settings_button.setCheckable(True)
        self.settings_button.setToolTip(self.tr("This conversation's settings: system prompt, template, sampling"))
        self.help_button = QPushButton(self.tr("Shortcuts"))
        top.addWidget(self.picker, 1)
        top.addWidget(self.progress)
        top.addWidget(self.settings_button)
        top.addWidget(self.help_button)
        outer.addLayout(top)

        self.banner_row = ErrorBanner()
        self.banner, self.restart_button = self.banner_row.label, self.banner_row.restart_button
        self.details_button = self.banner_row.details_button  # the engine's last log lines
        outer.addWidget(self.banner_row)
        self.note = QLabel()  # template notes: no template in the file, template refused
        self.note.setObjectName("templateNote")
        self.note.setWordWrap(True)
        self.note.setStyleSheet("QLabel#templateNote { background: #fff4d6; color: #5c4300; padding: 6px;"
                                " border: 1px solid #ecd48a; border-radius: 4px; }")
        self.note.setVisible(False)
        outer.addWidget(self.note)

        self.conversations = ConversationList(self.store)
        self.view = ChatView()
        self.view.show_welcome()
        middle = QWidget()
        column = QVBoxLayout(middle)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.view, 1)
        self.edit_label = QLabel(self.tr("Editing a message: sending makes a new branch and keeps the old one (Esc cancels)."))
        self.edit_label.setWordWrap(True)
        self.edit_label.setStyleSheet("color: #2f6feb")
        self.edit_label.setVisible(False)
        column.addWidget(self.edit_label)
        self.answering_from = AnsweringFromLabel()
        column.addWidget(self.answering_from)
        bottom = QHBoxLayout()
        self.prompt = PromptBox()
        self.send_button = QPushButton(self.tr("Send"))
        self.send_button.setDefault(True)
        self.stop_button = QPushButton(self.tr("Stop"))
        self.stop_button.setEnabled(False)
        buttons = QVBoxLayout()
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.stop_button)
        self.documents_button = DocumentsButton(self.docs_store_now)
        buttons.addWidget(self.documents_button)
        buttons.addStretch(1)
        bottom.addWidget(self.prompt, 1)
        bottom.addLayout(buttons)
        column.addLayout(bottom)
        meter = QHBoxLayout()
        self.context_label = QLabel()
        self.context_label.setObjectName("contextMeter")
        self.context_bar = QProgressBar()
        self.context_bar.setTextVisible(False)
        self.context_bar.setMaximumHeight(8)
        self.context_bar.setMaximumWidth(200)
        meter.addWidget(self.context_bar)
        meter.addWidget(self.context_label, 1)
        column.addLayout(meter)

        self.settings_panel = ChatSettingsPanel(self.presets)
        self.settings_panel.setVisible(False)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.conversations)
        self.splitter.addWidget(middle)
        self.splitter.addWidget(self.settings_panel)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([220, 700, 280])
        outer.addWidget(self.splitter, 1)
        self._show_context(None)

    def _connect(self) -> None:
        self.picker.modelChosen.connect(self.model_chosen)
        self.prompt.submitted.connect(self.send)
        self.send_button.clicked.connect(self.send)
        self.stop_button.clicked.connect(self.stop)
        self.banner_row.restartRequested.connect(self._restart)
        self.settings_button.toggled.connect(self.settings_panel.setVisible)
        self.help_button.clicked.connect(self.show_help)
        self.view.action.connect(self._message_action)
        self.view.sourceClicked.connect(self.open_source)
        self.documents_button.collectionsChosen.connect(self.set_collections)
        c = self.conversations
        c.selected.connect(self._open_from_list)
        c.newRequested.connect(self.new_chat)
        c.renameRequested.connect(self._ask_rename)
        c.deleteRequested.connect(self._ask_delete)
        c.exportRequested.connect(self._ask_export)
        self.settings_panel.changed.connect(self._settings_changed)
        s = self.session
        s.loadProgress.connect(lambda v: self.progress.setValue(int(v * 100)))
        s.loaded.connect(self._loaded)
        s.loadFailed.connect(lambda message: self._load_failed(message, self.session.details))
        s.tokens.connect(self._tokens)
        s.answered.connect(self._answered)
        s.answerFailed.connect(self._answer_failed)
        s.restarting.connect(self._engine_restarting)
        s.busyChanged.connect(self._busy_changed)
        s.usage.connect(self._show_context)
        s.counted.connect(self._show_estimate)
        # The context meter follows the draft: counted by the engine once typing pauses.
        self._estimate_timer = QTimer(self)
        self._estimate_timer.setSingleShot(True)
        self._estimate_timer.setInterval(ESTIMATE_DELAY_MS)
        self._estimate_timer.timeout.connect(self._estimate_context)
        self.prompt.textChanged.connect(self._estimate_timer.start)

    def _shortcuts(self) -> None:
        handlers = {"new": self.new_chat, "search": self.conversations.focus_search, "stop": self._escape,
                    "regenerate": self.regenerate_last, "prompt": self.focus_prompt, "help": self.show_help}
        self.shortcut_objects: list[QShortcut] = []
        for key, _label, sequences in SHORTCUTS:
            if key not in handlers:
                continue
            for seq in sequences:
                shortcut = QShortcut(QKeySequence(seq), self)
                shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                shortcut.activated.connect(handlers[key])
                self.shortcut_objects.append(shortcut)

    def start(self, model: str | None) -> None:
        """Restore the most recent conversation and load its model (or the one asked for)."""
        starter = starter_model_path()
        if starter is not None:
            self.picker.add_model(str(starter), self.tr("SmolLM2 135M Instruct (starter)"))
        recent = self.store.list_conversations(limit=1)
        if recent:
            self._show_conversation(recent[0].id)
        chosen: Path | str | None = model or self._conversation_model() or default_model_path(self.settings)
        if chosen is None:
            self.show_error(self.tr("No model yet: open a GGUF file, or install the starter model with {hint}.")
                            .format(hint=STARTER_INSTALL_HINT), restart=False)
            return
        self.picker.add_model(str(chosen), select=True)
        self.load_model(str(chosen))

    def _conversation_model(self) -> str | None:
        if self.conversation_id is None:
            return None
        model = self.store.get(self.conversation_id).model
        return model if model and Path(model).is_file() else None

    # -- settings ------------------------------------------------------------------------

    def _own_settings(self) -> dict[str, Any]:
        if self.conversation_id is None:
            return dict(self._new_settings)
        return self.store.get(self.conversation_id).settings

    def setting(self, key: str) -> Any:
        own = self._own_settings()
        return own[key] if key in own else getattr(self.settings, key, None)

    def _params(self) -> GenerationParams:
        get = self.setting
        return GenerationParams(max_tokens=int(get("max_tokens")), temperature=float(get("temperature")),
                                top_p=float(get("top_p")), top_k=int(get("top_k")), min_p=float(get("min_p")),
                                repeat_penalty=float(get("repeat_penalty")), seed=get("seed"))

    def _settings_changed(self, own: dict[str, Any]) -> None:
        own = dict(own)
        if COLLECTIONS_KEY not in own and self.collections():  # the panel's Reset keeps the documents
            own[COLLECTIONS_KEY] = self.collections()
        if self.conversation_id is None:
            self._new_settings = own
            self._template_note()
        else:
            cid = self.conversation_id
            self._store_write(lambda: self.store.set_settings(cid, own), lambda _r: self._template_note())

    def _refresh_settings_panel(self) -> None:
        model = self.store.get(self.conversation_id).model if self.conversation_id else self.session.model_path
        self.settings_panel.show_settings(self._own_settings(), self.settings, model)

    # -- documents -----------------------------------------------------------------------

    def use_docs_store(self, provider: Callable[[], Any], embed: Callable[..., Any] | None = None,
                       ready: Callable[[], Any] | None = None) -> None:
        """Share the Documents page's store (one chromadb client per process and store) and the
        child process that embeds questions (``embed``: see core.docs.search.Embed). ``provider``
        may wait for the store (job threads only); ``ready`` returns it only if it is open."""
        self._docs_store_provider = provider
        self._docs_store_ready = ready
        self._docs_embed = embed

    def _own_embed_service(self) -> Any:
        """Without a Documents page to share with: this page's own embedding child process."""
        if self._embed_service is None:
            from hearthlm.core.docs.embed_service import EmbedService

            self._embed_service = EmbedService()
        return self._embed_service

    def docs_store(self) -> Any:
        """Job threads only: opening the store may wait for its lock (see docs_store_now)."""
        if self._docs_store_provider is not None:
            return self._docs_store_provider()
        with self._docs_store_lock:
            if self._docs_store is None:
                from hearthlm.core.docs.store import DocStore

                self._docs_store = DocStore()
            return self._docs_store

    def docs_store_now(self) -> Any:
        """The UI thread's way: the document store if it is open, else None (it opens on a job)."""
        if self._docs_store_ready is not None:
            return self._docs_store_ready()
        if self._docs_store is None and not self._docs_opening:
            self._docs_opening = True
            run_detached(self, lambda _emit: self.docs_store(), lambda _s: None,
                         lambda _e: setattr(self, "_docs_opening", False))
        return self._docs_store

    def collections(self) -> list[str]:
        """The document collections the open conversation answers from."""
        names = self._own_settings().get(COLLECTIONS_KEY) or []
        return [str(n) for n in names] if isinstance(names, list) else []

    def set_collections(self, names: list[str]) -> None:
        """Attach these collections (none: detach) to the open conversation, stored in its settings."""
        own = self._own_settings()
        if names:
            own[COLLECTIONS_KEY] = list(names)
        else:
            own.pop(COLLECTIONS_KEY, None)
        def shown(_r: Any = None) -> None:
            self._refresh_settings_panel()
            self._show_collections()

        if self.conversation_id is None:
            self._new_settings = own
            shown()
        else:
            cid = self.conversation_id
            self._store_write(lambda: self.store.set_settings(cid, own), shown)

    def _show_collections(self) -> None:
        names = self.collections()
        self.documents_button.set_chosen(names)
        self.answering_from.show_collections(names)

    def open_source(self, url: QUrl) -> None:
        """A source under an answer: open the file in the user's viewer (PDFs at the page)."""
        QDesktopServices.openUrl(url)

    def _retrieve(self, writer: AnswerWriter, history: list[dict[str, str]], then: Callable[[list[dict[str, str]]], None]
                  ) -> None:
        """Search the conversation's collections for the last question on a worker thread, then
        ``then(history)`` with the excerpts put before the question (on the UI thread)."""
        from hearthlm.core.docs.chat_context import retrieve

        names = self.collections()
        question = history[-1]["content"]
        info = self.session.model_info
        n_ctx = info.n_ctx if info is not None else int(self.setting("n_ctx") or self.settings.n_ctx)
        max_tokens = int(self.setting("max_tokens"))
        self._retrieval_cancelled = False

        embed = self._docs_embed or self._own_embed_service().embed

        def work(_emit: Any) -> Any:  # on the job's thread: no widgets
            return retrieve(self.docs_store(), names, question, n_ctx=n_ctx, max_tokens=max_tokens, history=history,
                            embed=embed)

        def done(found: Any) -> None:
            self._retrieval = None
            if self._retrieval_cancelled:
                self._writer = None
                self._guard(writer.discard)
                self.render()
                self._busy_changed(False)
                self._status(self.tr("Ready"))
                return
            self._docs = {"sources": found.sources, "tokens": found.tokens,
                          "note": found.note.to_json() if found.note else None}
            then(history[:-1] + [{**history[-1], "content": found.content}])

        job = Job(work, self)
        job.succeeded.connect(done)
        job.failed.connect(lambda exc: done(_NoDocs(question, exc)))  # retrieve() does not raise; still safe
        job.finished.connect(job.deleteLater)
        self._retrieval = job
        self._busy_changed(True)
        self.stop_button.setEnabled(True)
        self._status(self.tr("Searching the documents…"))
        job.start()

    # -- models --------------------------------------------------------------------------

    def load_model(self, path: str) -> None:
        self.hide_error()
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self._status(self.tr("Loading {name}…").format(name=Path(path).name))
        s = self.settings
        n_ctx = int(self.setting("n_ctx") or s.n_ctx)
        # The hardware guard checks the estimate against free memory first (gui/load_guard.py).
        guarded_load(self, path, s, lambda offload: self.session.load(
            path, **{"n_ctx": n_ctx, "n_gpu_layers": s.n_gpu_layers, "n_threads": s.n_threads, **offload}),
            self._load_failed, n_ctx=n_ctx)

    def model_chosen(self, path: str) -> None:
        """A model picked for the open conversation (here or on another page): remember it, load it."""
        if self.conversation_id is not None:
            cid = self.conversation_id
            self._store_write(lambda: self.store.set_model(cid, path), lambda _r: None)
        self.load_model(path)

    def _restart(self) -> None:
        path = self.session.model_path or self.picker.current_path()
        if path:
            self._restarting = True  # a failed reload offers Restart again; a good one re-asks the question
            self.load_model(path)

    def _engine_restarting(self, progress: float) -> None:
        """A question found the engine dead: the model reloads into a new one, then it answers."""
        if not self.progress.isVisible():
            self.progress.setVisible(True)
            self._status(self.tr("The engine had stopped: restarting it…"))
        self.progress.setValue(int(progress * 100))

    def _reask_after_restart(self) -> None:
        question, self._retry_question = self._retry_question, None
        if question is None or self.conversation_id is None or self.session.busy:
            return
        last = unanswered_question(self.store, self.conversation_id)
        if last is not None and last.id == question:
            self._begin(lambda: self.store.begin_answer(last.conversation_id, last.id))

    def _loaded(self, info: Any) -> None:
        self.progress.setVisible(False)
        self._status(self.tr("{name} · {quant} · context {ctx} tokens").format(
            name=info.name, quant=info.quantization, ctx=info.n_ctx))
        self._template_note()
        self._show_context(self._last_usage())
        self._refresh_settings_panel()
        self.prompt.setFocus()
        if self._restarting:
            self._restarting = False
            self._reask_after_restart()

    def _template_note(self, extra: str | None = None) -> None:
        """Say which template is used when it is not the model's own."""
        info = self.session.model_info
        texts = [self._store_problem] if self._store_problem else []
        chosen = self.setting(TEMPLATE_KEY)
        if chosen in FORMATS:
            texts.append(self.tr("Using the {format} chat template you chose for this conversation.")
                         .format(format=FORMATS[chosen][0]))
        elif info is not None and not info.has_chat_template:
            texts.append(tr_msg(msg(CM.NO_TEMPLATE, format=FORMATS[fallback_format(info.architecture)][0])))
        elif info is not None:
            note = self._model_template_note(info)
            if note is not None:
                texts.append(tr_msg(note))
        if extra and extra not in texts:
            texts.append(extra)
        self.note.setText("\n".join(texts))
        self.note.setVisible(bool(texts))

    def _model_template_note(self, info: Any) -> Any:
        """Try the model's own template once (in the sandbox) so that a refused or broken one is
        reported as soon as the model loads, not only under the first answer."""
        key = (str(info.path), info.raw.get("chat_template"))
        if key not in self._template_checks:
            rendered = render_prompt(info.raw.get("chat_template"), [{"role": "user", "content": "Hello"}],
                                     bos_token=info.raw.get("bos_token") or "", eos_token=info.raw.get("eos_token") or "",
                                     architecture=info.architecture)
            self._template_checks[key] = rendered.note
        return self._template_checks[key]

    def _load_failed(self, message: str, details: str = "") -> None:
        self.progress.setVisible(False)
        if self.session.model_path:  # keep showing the model that is still loaded
            self.picker.add_model(self.session.model_path, select=True)
            self._status(self.tr("Still using {name}").format(name=Path(self.session.model_path).name))
        else:
            self._status(self.tr("No model loaded"))
        restart, self._restarting = self._restarting, False
        self.show_error(message, restart=restart, details=details)

    # -- conversations -------------------------------------------------------------------

    @property
    def messages(self) -> list[dict[str, str]]:
        """The active branch as it goes to the engine (reasoning stripped, system prompt first)."""
        return self._history() if self.conversation_id else []

    def _history(self, keep_last_raw: bool = False) -> list[dict[str, str]]:
        return self.store.to_engine_messages(self.conversation_id, keep_last_reasoning=keep_last_raw)

    @property
    def answering(self) -> bool:
        return self._writer is not None

    def new_chat(self) -> None:
        if self.answering:
            return
        self.conversation_id = None
        self._new_settings = {}
        self._cancel_edit()
        self.view.show_welcome()
        self.conversations.mark_current(None)
        self._refresh_settings_panel()
        self._show_context(None)
        self._template_note()
        self._show_collections()
        self.focus_prompt()

    def open_conversation(self, conversation_id: str) -> None:
        if conversation_id == self.conversation_id:
            return
        if self.answering:
            self._status(self.tr("Wait for the answer to finish, or stop it, before switching conversations."))
            self.conversations.mark_current(self.conversation_id)
            return
        self._show_conversation(conversation_id)
        model = self._conversation_model()
        wanted_ctx = int(self.setting("n_ctx") or self.settings.n_ctx)
        info = self.session.model_info
        if model and (model != self.session.model_path or (info is not None and info.n_ctx != wanted_ctx)):
            self.picker.add_model(model, select=True)
            self.load_model(model)

    def _open_from_list(self, conversation_id: str) -> None:
        try:
            self.open_conversation(conversation_id)
        except Exception as exc:  # e.g. deleted meanwhile by `hearth conversations rm`
            self.show_error(error_text(exc), restart=False)
            self.conversations.refresh()

    def _show_conversation(self, conversation_id: str) -> None:
        self.conversation_id = conversation_id
        self._cancel_edit()
        self._expanded.clear()
        self.render()
        self.conversations.mark_current(conversation_id)
        self._refresh_settings_panel()
        self._show_context(self._last_usage())
        self._template_note()
        self._show_collections()

    def _views(self, path: list[Message]) -> list[MessageView]:
        views = []
        for i, m in enumerate(path):
            index, count, _ids = self.store.siblings(m.id)
            views.append(MessageView(m.id, m.role, m.content, m.state, m.stats, index, count,
                                     last=i == len(path) - 1, reasoning_open=m.id in self._expanded))
        return views

    def render(self, keep_scroll: bool = False) -> None:
        if self.conversation_id is None:
            self.view.show_welcome()
            return
        # The answer streaming now is shown by the view's streaming part, not as a message.
        path = [m for m in self.store.path(self.conversation_id) if m.role != "system" and m.state != "streaming"]
        self.view.show_messages(self._views(path), keep_scroll=keep_scroll)

    def rename_conversation(self, conversation_id: str, title: str) -> None:
        if title.strip():
            self._store_write(lambda: self.store.rename(conversation_id, title), lambda _r: self.conversations.refresh())

    def delete_conversation(self, conversation_id: str) -> None:
        if self.answering and conversation_id == self.conversation_id:
            self._status(self.tr("Stop the answer before deleting its conversation."))
            return
        if conversation_id == self.conversation_id:
            self.new_chat()

        self._store_write(lambda: self.store.delete(conversation_id), lambda _r: self.conversations.refresh())

    def export_conversation(self, conversation_id: str, fmt: str, path: str) -> None:
        text = self.store.export(conversation_id, fmt, tr=lambda t: QCoreApplication.translate("core", t))
        Path(path).write_text(text, encoding="utf-8")

    def _ask_rename(self, conversation_id: str) -> None:
        title, ok = QInputDialog.getText(self, self.tr("Rename conversation"), self.tr("Title:"),
                                         text=self.store.get(conversation_id).title)
        if ok:
            self._guard(lambda: self.rename_conversation(conversation_id, title))

    def _ask_delete(self, conversation_id: str) -> None:
        title = self.store.get(conversation_id).title or self.tr("New chat")
        answer = QMessageBox.question(self, self.tr("Delete conversation"),
                                      self.tr("Delete “{title}” and all its messages? This cannot be undone.")
                                      .format(title=title))
        if answer == QMessageBox.StandardButton.Yes:
            self._guard(lambda: self.delete_conversation(conversation_id))

    def _ask_export(self, conversation_id: str, fmt: str) -> None:
        title = self.store.get(conversation_id).title or "conversation"
        safe = "".join(ch if ch.isalnum() or ch in " -_" else "_" for ch in title).strip() or "conversation"
        filters = self.tr("Markdown (*.md)") if fmt == "md" else self.tr("JSON (*.json)")
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export conversation"),
                                              str(Path.home() / f"{safe}.{fmt}"), filters)
        if path:
            self._guard(lambda: self.export_conversation(conversation_id, fmt, path))

    def _guard(self, action: Callable[[], None]) -> None:
        try:
            action()
        except Exception as exc:  # a store or disk error: one sentence, nothing else changes
            self.show_error(error_text(exc), restart=False)

    # -- asking --------------------------------------------------------------------------

    def _ready_to_ask(self) -> bool:
        if self.session.busy or self._retrieval is not None:
            return False
        if self.session.model_path is None:
            self.show_error(self.tr("Choose a model first."), restart=False)
            return False
        return True

    def send(self) -> None:
        if not self._ready_to_ask():
            return
        if self._sending:
            return
        text = self.prompt.take_text()
        if not text:
            return
        self.hide_error()
        editing, conversation_id = self._editing, self.conversation_id
        model, settings = self.session.model_path, dict(self._new_settings)

        def write() -> Any:  # on the store's writer thread: no widgets
            if editing is not None:
                question = self.store.edit_message(editing, text)
            else:
                cid = conversation_id or self.store.create(model=model, settings=settings).id
                question = self.store.add_message(cid, question_parent(self.store, cid), "user", text)
            return self.store.begin_answer(question.conversation_id, question.id)

        def written(writer: AnswerWriter) -> None:
            self._sending = False
            if editing is not None:
                self._cancel_edit()
            if self.conversation_id is None:
                self.conversation_id, self._new_settings = writer.conversation_id, {}
            self.render()
            self.conversations.refresh()
            self._ask(writer)

        def failed(exc: BaseException) -> None:
            self._sending = False
            self._busy_changed(False)
            self.prompt.setPlainText(text)  # nothing typed is lost
            self.show_error(error_text(exc), restart=False)

        self._sending = True
        self._busy_changed(True)
        self._store_write(write, written, failed)

    def _store_write(self, fn: Callable[[], Any], then: Callable[[Any], None],
                     failed: Callable[[BaseException], None] | None = None) -> None:
        """``fn()`` on the store's writer thread (a write may wait for another process's, up to the
        busy timeout); ``then(result)`` on the UI thread once committed. The UI thread never waits:
        a write still pending after STORE_WAIT_NOTE_MS shows "Waiting for the conversation store…"."""
        future = self.store.submit(fn)
        self._pending_writes += 1

        def note() -> None:
            if not future.done():
                self._status(self.tr("Waiting for the conversation store…"))

        def over(callback: Callable[[Any], None], arg: Any) -> None:
            self._pending_writes -= 1
            callback(arg)

        on_failure = failed or (lambda exc: self.show_error(error_text(exc), restart=False))
        QTimer.singleShot(STORE_WAIT_NOTE_MS, self, note)
        run_detached(self, lambda _emit: future.result(), lambda r: over(then, r), lambda e: over(on_failure, e))

    def pending_writes(self) -> int:
        """Store writes submitted whose follow-up has not run yet (0: the page shows the store)."""
        return self._pending_writes

    def regenerate(self, message_id: int) -> None:
        """A new answer beside ``message_id`` (which stays, as the other branch)."""
        if not self._ready_to_ask():
            return
        old = self.store.message(message_id)
        if old.parent_id is None:
            return
        self._begin(lambda: self.store.begin_answer(old.conversation_id, old.parent_id))

    def _begin(self, start: Callable[[], AnswerWriter], **ask: Any) -> None:
        """Start an answer whose writer ``start()`` makes on the store's writer thread; then ask."""
        if self._sending:
            return

        def started(writer: AnswerWriter) -> None:
            self._sending = False
            self._ask(writer, **({"rerender": True} | ask))

        def failed(exc: BaseException) -> None:
            self._sending = False
            self._busy_changed(False)
            self.show_error(error_text(exc), restart=False)

        self._sending = True
        self._busy_changed(True)
        self._store_write(start, started, failed)

    def regenerate_last(self) -> None:
        if self.conversation_id is None or self.session.busy:
            return
        path = self.store.path(self.conversation_id)
        if not path:
            return
        last = path[-1]
        if last.role == "assistant":
            self.regenerate(last.id)
        elif last.role == "user" and self._ready_to_ask():  # a question left without an answer
            self._begin(lambda: self.store.begin_answer(last.conversation_id, last.id))

    def continue_answer(self, message_id: int) -> None:
        """Go on from the end of a stopped answer, appending to it."""
        if not self._ready_to_ask() or self.conversation_id is None:
            return
        path = self.store.path(self.conversation_id)
        if not path or path[-1].id != message_id or path[-1].role != "assistant":
            return
        history = self._history(keep_last_raw=True)
        self.hide_error()
        views = self._views([m for m in path[:-1] if m.role != "system"])
        self.view.show_messages(views)
        self._begin(lambda: self.store.resume_answer(message_id), history=history, continuing=True, rerender=False)

    def _ask(self, writer: AnswerWriter, history: list[dict[str, str]] | None = None, continuing: bool = False,
             rerender: bool = False) -> None:
        if rerender:
            self.render()
        self._writer = writer
        self._continuing = continuing
        self._answer_started = time.monotonic()
        self._reasoning_s = None
        self._tail = ""
        self.view.begin_answer(writer.id, writer.text if continuing else "")
        self._docs = {}
        history = history if history is not None else self._history()
        if not continuing and self.collections() and history and history[-1].get("role") == "user":
            self._retrieve(writer, history, lambda with_docs: self._ask_engine(writer, with_docs, continuing))
        else:
            self._ask_engine(writer, history, continuing)

    def _ask_engine(self, writer: AnswerWriter, history: list[dict[str, str]], continuing: bool) -> None:
        self.stop_button.setEnabled(True)
        self._status(self.tr("Answering…"))
        template = self.setting(TEMPLATE_KEY) or None
        self.session.ask(history, self._params(), template=template, continue_answer=continuing,
                         on_piece=writer.append)

    def stop(self) -> None:
        if self._retrieval is not None:  # still searching the documents: no answer then
            self._retrieval_cancelled = True
        self.session.stop()

    def _escape(self) -> None:
        if self.session.busy:
            self.stop()
        elif self._editing is not None:
            self._cancel_edit()
            self.prompt.clear()

    # -- answer events -------------------------------------------------------------------

    def _tokens(self, text: str) -> None:
        self.view.append_answer(text)
        if self._reasoning_s is None:  # when did the reasoning end? (for "Thought for N s")
            window = self._tail + text
            if any(c in window for c in _CLOSINGS):
                self._reasoning_s = time.monotonic() - self._answer_started
            self._tail = window[-24:]

    def _stats(self, answer: Any, writer: AnswerWriter) -> dict[str, Any]:
        stats = answer.stats.to_dict()
        if self._reasoning_s is not None:
            stats["reasoning_s"] = round(self._reasoning_s, 2)
        if answer.note:
            stats["note"] = answer.note.to_json()
        stats.update(self._docs_stats())
        if self._continuing:  # one answer in two parts: both parts' tokens, the first part's sources
            stats = continued_stats(self.store.message(writer.id).stats, stats)
        return stats

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

    def _answered(self, answer: Any) -> None:
        writer, self._writer = self._writer, None
        self.stop_button.setEnabled(False)
        self.progress.setVisible(False)  # shown while a dead engine was restarted for this answer
        if writer is not None:
            try:
                end = writer.discard if not writer.text and answer.cancelled else \
                    (lambda w=writer, stats=self._stats(answer, writer): w.finish(stats))  # noqa: B008 (taken now)
            except Exception as exc:
                self.show_error(error_text(exc), restart=False)
                end = writer.interrupt

            def saved(_r: Any = None, w: AnswerWriter = writer) -> None:
                self._finish_view(w.id)
                self.conversations.refresh()
                self.answerSaved.emit(w.id)

            # committed on the store's writer thread: the view is finished once it is
            self._store_write(end, saved, lambda exc: (self.show_error(error_text(exc), restart=False), saved()))
        s = answer.stats
        self._show_context(s.prompt_tokens + s.completion_tokens)
        if answer.note:
            self._template_note(tr_msg(answer.note))
        self._status(self.tr("Ready"))
        self.conversations.refresh()
        self.prompt.setFocus()

    def _finish_view(self, message_id: int) -> None:
        """Replace the streamed plain text by the rendered answer (only that part of the document)."""
        try:
            m = self.store.message(message_id)
        except Exception:
            self.render()  # discarded: show the branch as it now is
            return
        index, count, _ids = self.store.siblings(m.id)
        # Only this message changed: the messages above (and their ‹ n/m › counters) were rendered
        # before the answer started.
        self.view.replace_answer(MessageView(m.id, m.role, m.content, m.state, m.stats, index, count, last=True))

    def _answer_failed(self, message: str, crashed: bool) -> None:
        writer, self._writer = self._writer, None
        self.stop_button.setEnabled(False)
        self.progress.setVisible(False)
        if writer is not None:
            docs = self._docs_stats() or None
            end = (lambda: writer.interrupt(docs)) if writer.text else writer.discard
            # Nothing written: the question stays once, unanswered; Restart asks it again.
            self._retry_question = writer.parent_id if crashed and not writer.text else None
            self._store_write(end, lambda _r: self.render(), lambda _e: self.render())
        self.show_error(message, restart=crashed, details=self.session.details if crashed else "")
        self._status(self.tr("Engine stopped") if crashed else self.tr("Ready"))

    def _busy_changed(self, busy: bool) -> None:
        self.send_button.setEnabled(not busy)
        self.picker.setEnabled(not busy)
        if not busy:
            self.stop_button.setEnabled(False)

    # -- message links -------------------------------------------------------------------

    def _message_action(self, kind: str, message_id: int) -> None:
        if kind == "edit":
            self.start_edit(message_id)
        elif kind == "regen":
            self.regenerate(message_id)
        elif kind == "continue":
            self.continue_answer(message_id)
        elif kind in ("prev", "next"):
            self.switch_branch(message_id, -1 if kind == "prev" else 1)
        elif kind == "think":
            self._expanded ^= {message_id}
            self.render(keep_scroll=True)
        elif kind == "copy":
            self._status(self.tr("Copied to the clipboard"))

    def start_edit(self, message_id: int) -> None:
        if self.session.busy:
            return
        self._editing = message_id
        self.prompt.setPlainText(self.store.message(message_id).content)
        self.edit_label.setVisible(True)
        self.focus_prompt()

    def _cancel_edit(self) -> None:
        self._editing = None
        self.edit_label.setVisible(False)

    def switch_branch(self, message_id: int, step: int) -> None:
        if self.session.busy:
            return
        index, count, ids = self.store.siblings(message_id)
        target = index + step
        if 0 <= target < count:
            self._store_write(lambda: self.store.switch(ids[target]),
                              lambda _r: (self.render(keep_scroll=True), self._show_context(self._last_usage())))

    # -- context meter -------------------------------------------------------------------

    def _last_usage(self) -> int | None:
        if self.conversation_id is None:
            return None
        for m in reversed(self.store.path(self.conversation_id)):
            if m.role == "assistant" and m.stats and m.stats.get("prompt_tokens"):
                return int(m.stats["prompt_tokens"]) + int(m.stats.get("completion_tokens", 0))
        return None

    def _estimate_context(self) -> None:
        """Ask the engine what the draft would take (history + the typed message), off the UI thread."""
        text = self.prompt.toPlainText().strip()
        if self.session.busy or self.session.model_info is None or self._editing is not None:
            return
        try:
            if not text:
                self._show_context(self._last_usage())
                return
            history = self._history() if self.conversation_id is not None else None
        except StoreError:  # an estimate only: the store's own error shows when the user sends
            return
        if history is None:
            system = self.setting(SYSTEM_PROMPT_KEY)
            history = [{"role": "system", "content": system}] if isinstance(system, str) and system.strip() else []
        self.session.estimate(history + [{"role": "user", "content": text}], self._params(),
                              self.setting(TEMPLATE_KEY) or None)

    def _show_estimate(self, count: Any) -> None:
        if count is None or self.session.busy or not self.prompt.toPlainText().strip():
            return
        self.context_bar.setRange(0, max(1, count.n_ctx))
        self.context_bar.setValue(min(count.n_ctx, count.tokens))
        if count.too_long:
            text = self.tr("Context: ≈ {used:,} / {n_ctx:,} tokens: this message alone is too long for the "
                           "context; shorten it or raise the context size").format(used=count.tokens, n_ctx=count.n_ctx)
        elif count.over:
            text = self.tr("Context: ≈ {used:,} / {n_ctx:,} tokens with this message; the oldest turns "
                           "will be left out to fit").format(used=count.tokens, n_ctx=count.n_ctx)
        else:
            text = self.tr("Context: ≈ {used:,} / {n_ctx:,} tokens with this message").format(
                used=count.tokens, n_ctx=count.n_ctx)
        self.context_label.setText(text)

    def _show_context(self, used: int | None) -> None:
        info = self.session.model_info
        n_ctx = info.n_ctx if info is not None else int(self.setting("n_ctx") or self.settings.n_ctx)
        self.context_bar.setRange(0, max(1, n_ctx))
        self.context_bar.setValue(min(n_ctx, used or 0))
        if used is None:
            self.context_label.setText(self.tr("Context: {n_ctx:,} tokens").format(n_ctx=n_ctx))
        else:
            self.context_label.setText(self.tr("Context: {used:,} / {n_ctx:,} tokens used").format(used=used, n_ctx=n_ctx))

    # -- misc ----------------------------------------------------------------------------

    def focus_prompt(self) -> None:
        self.prompt.setFocus()

    def show_help(self) -> None:
        ShortcutsDialog(self).exec()

    def show_error(self, message: str, restart: bool, details: str = "") -> None:
        """One sentence in the banner; ``details`` (an engine's log lines) behind its Details button."""
        self.banner_row.show_error(message, restart, details)

    def hide_error(self) -> None:
        self.banner_row.setVisible(False)

    def shutdown(self) -> None:
        self._estimate_timer.stop()
        self._estimate_timer.blockSignals(True)  # edits while closing (the prompt is cleared) count nothing
        if self._retrieval is not None:
            self._retrieval.wait(10_000)
        # An answer that ends while the window closes is kept as 'interrupted' below; its late
        # answered/tokens signals must not reach this page once the store and widgets are going.
        self.session.blockSignals(True)
        self.session.shutdown()
        if self._writer is not None:
            self._writer.interrupt()
        self.store.close()
        if self._embed_service is not None:
            self._embed_service.close()


class _NoDocs:
    """The answer to a retrieval job that failed outright: the question alone, with the reason."""

    def __init__(self, question: str, exc: BaseException):
        from hearthlm.core.docs import messages as DM

        self.content, self.sources, self.tokens = question, [], 0
        self.note = msg(DM.CHAT_DOCS_FAILED, reason=getattr(exc, "msg", None) or str(exc))
