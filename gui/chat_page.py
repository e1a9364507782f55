"""The chat page: a view of one ChatSession (core/chat/session.py), which owns the conversation's
flow — send, edit, regenerate, continue, stop, branches, restart after a crash, documents, stats and
every store write. This page shows what the session says and passes on what the user does; the
window and ``hearth chat --conversation`` share that flow.

Widgets: gui/chat_layout.py. The session's work runs on Jobs through gui/session_qt.py (its
QtRunner); every session event arrives on the UI thread. ``events`` holds the engine's Qt signals.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QSplitter, QWidget

from hearthlm.core.chat.presets import PresetLibrary
from hearthlm.core.chat.session import ChatSession
from hearthlm.core.chat.store import ConversationStore, StoreError
from hearthlm.core.default_model import default_model_path
from hearthlm.core.engine import Engine
from hearthlm.core.paths import log_dir
from hearthlm.core.settings import Settings
from hearthlm.core.starter import STARTER_INSTALL_HINT, starter_model_path

from . import chat_layout
from .conversation_dialogs import ConversationActions
from .chat_documents import ChatDocsSource
from .chat_model import ModelLoading
from .message_html import MessageView
from .messages import error_text, tr_msg
from .session_qt import QtRunner, SessionSignals
from .shortcuts_help import SHORTCUTS, ShortcutsDialog

if TYPE_CHECKING:  # the widgets chat_layout.build makes, for the annotations below
    from .chat_documents import AnsweringFromLabel, DocumentsButton
    from .chat_settings import ChatSettingsPanel
    from .chat_view import ChatView
    from .context_meter import ContextMeter
    from .conversation_list import ConversationList
    from .error_banner import ErrorBanner
    from .model_picker import ModelPicker
    from .prompt_box import PromptBox
    from .welcome import FirstRunPanel

ESTIMATE_DELAY_MS = 350  # after the last keystroke: counting every key would only queue work


class ChatPage(QWidget):
    """Signals: answerSaved(int message id): an answer's end (or its discarding) is committed."""

    answerSaved = Signal(int)

    # The widgets chat_layout.build sets on the page (annotations only: no class attributes).
    picker: ModelPicker
    progress: QProgressBar
    settings_button: QPushButton
    help_button: QPushButton
    tokens_button: QPushButton
    prompt_button: QPushButton
    banner_row: ErrorBanner
    banner: QLabel
    restart_button: QPushButton
    details_button: QPushButton
    note: QLabel
    conversations: ConversationList
    view: ChatView
    first_run: FirstRunPanel
    edit_label: QLabel
    answering_from: AnsweringFromLabel
    prompt: PromptBox
    send_button: QPushButton
    stop_button: QPushButton
    documents_button: DocumentsButton
    context_meter: ContextMeter
    context_bar: QProgressBar
    context_label: QLabel
    settings_panel: ChatSettingsPanel
    splitter: QSplitter

    def __init__(self, settings: Settings, status: Callable[[str], None], parent: QWidget | None = None,
                 store: ConversationStore | None = None):
        super().__init__(parent)
        self.settings, self._status = settings, status
        store_problem = None
        if store is None:
            try:
                store = ConversationStore(background_open=True)  # never waits for another process
            except StoreError as exc:  # unreadable file, newer schema, no space: chat on, in memory
                store_problem, store = exc, ConversationStore(":memory:")
        self.store = store
        self.presets = PresetLibrary()
        self.docs = ChatDocsSource(self)
        self.runner = QtRunner(self)
        self.session = ChatSession(store, settings, self.runner, retrieve=self.docs.retrieve,
                                   make_engine=lambda: Engine(log_path=log_dir() / "engine.log"))
        self.events = SessionSignals(self.session, self)
        self._editing: int | None = None
        self._expanded: set[int] = set()
        chat_layout.build(self, store, self.presets, self.docs.store_now)
        self._show_context(None)
        self.models = ModelLoading(self)
        self.conversation_actions = ConversationActions(self)  # the list's rename, delete, export
        self._connect()
        self._shortcuts()
        self.conversations.refresh()
        # Said in the note line, which stays (the error banner is cleared by the next action).
        self._store_problem = None if store_problem is None else (
            error_text(store_problem) + " " + self.tr("Conversations are kept only until Hearth closes."))
        self._template_note()

    def _connect(self) -> None:
        self.prompt.submitted.connect(self.send)
        self.send_button.clicked.connect(self.send)
        self.stop_button.clicked.connect(self.stop)
        self.settings_button.toggled.connect(self.settings_panel.setVisible)
        self.help_button.clicked.connect(self.show_help)
        self.tokens_button.clicked.connect(self.open_tokenizer)
        self.prompt_button.clicked.connect(self.open_prompt_inspector)
        self.view.action.connect(self._message_action)
        self.view.sourceClicked.connect(lambda url: QDesktopServices.openUrl(QUrl(url)))
        self.documents_button.collectionsChosen.connect(self.session.set_collections)
        c = self.conversations
        c.selected.connect(self._open_from_list)
        c.newRequested.connect(self.new_chat)
        c.renameRequested.connect(self.conversation_actions.ask_rename)
        c.deleteRequested.connect(self.conversation_actions.ask_delete)
        c.exportRequested.connect(self.conversation_actions.ask_export)
        self.settings_panel.changed.connect(self.session.set_settings)
        s = self.session
        s.busy_changed.connect(self._busy_changed)
        s.usage.connect(self._show_context)
        s.context.connect(self._show_context)
        s.counted.connect(self._show_estimate)
        s.tokens.connect(self.view.append_answer)
        s.answer_started.connect(self.view.begin_answer)
        s.answer_started.connect(lambda *_a: self.first_run.follow(conversation_empty=False))
        s.searching.connect(lambda: self._working(self.tr("Searching the documents…")))
        s.search_stopped.connect(lambda: self._status(self.tr("Ready")))
        s.asking.connect(lambda: self._working(self.tr("Answering…")))
        s.answered.connect(self._answered)
        s.answer_saved.connect(self._saved)
        s.answer_failed.connect(self._answer_failed)
        s.shown.connect(lambda keep_scroll: self.show_conversation(keep_scroll=keep_scroll))
        s.opened.connect(self._opened)
        s.settings_changed.connect(self._settings_changed)
        s.conversations_changed.connect(self.conversations.refresh)
        s.note_changed.connect(lambda note: self._template_note(tr_msg(note) if note else None))
        s.question_returned.connect(self.prompt.setPlainText)  # nothing typed is lost
        s.edit_done.connect(self._cancel_edit)
        s.store_waiting.connect(lambda: self._status(self.tr("Waiting for the conversation store…")))
        s.error.connect(lambda exc: self.show_error(error_text(exc), restart=False))
        s.adapters_failed.connect(lambda exc: self.show_error(error_text(exc), restart=False))
        s.adapters_applied.connect(lambda _specs: self._status(self.tr("LoRA adapters applied")))
        # The context meter follows the draft: counted by the engine once typing pauses.
        self._estimate_timer = QTimer(self, singleShot=True, interval=ESTIMATE_DELAY_MS)
        self._estimate_timer.timeout.connect(self._estimate_context)
        self.prompt.textChanged.connect(self._estimate_timer.start)

    def _shortcuts(self) -> None:
        handlers = {"new": self.new_chat, "search": self.conversations.focus_search, "stop": self._escape,
                    "regenerate": self.session.regenerate_last, "prompt": self.focus_prompt, "help": self.show_help,
                    "zoom_in": lambda: self.view.zoom(1), "zoom_out": lambda: self.view.zoom(-1),
                    "zoom_reset": lambda: self.view.zoom(-self.view.zoom_steps)}
        self.shortcut_objects: list[QShortcut] = []
        for key, _label, sequences in SHORTCUTS:
            for seq in sequences if key in handlers else ():
                shortcut = QShortcut(QKeySequence(seq), self)
                shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                shortcut.activated.connect(handlers[key])
                self.shortcut_objects.append(shortcut)

    def start(self, model: str | None) -> None:
        """Restore the most recent conversation and load its model (or the one asked for)."""
        starter = starter_model_path()
        if starter is not None:
            self.picker.add_model(str(starter), self.tr("SmolLM2 135M Instruct (starter)"))
        self.picker.add_remote_models(self.settings)
        recent = self.store.list_conversations(limit=1)
        if recent:
            self.session.open(recent[0].id)
        chosen: Path | str | None = model or self.models.conversation_model() or default_model_path(self.settings)
        if starter is not None and chosen is not None and Path(chosen) == starter:
            self.first_run.offer(str(starter))
        if chosen is None:
            self.show_error(self.tr("No model yet: open a GGUF file, or install the starter model with {hint}.")
                            .format(hint=STARTER_INSTALL_HINT), restart=False)
            return
        self.picker.add_model(str(chosen), select=True)
        self.load_model(str(chosen))

    @property
    def conversation_id(self) -> str | None:
        return self.session.conversation_id

    @property
    def answering(self) -> bool:
        return self.session.answering

    def _settings_changed(self) -> None:
        model = self.session.conversation_model() if self.conversation_id else self.session.model_path
        info = self.session.model_info
        self.settings_panel.show_settings(self.session.own_settings(), self.settings, model,
                                          info.architecture if info is not None else None,
                                          self.session.model_path if info is not None else None,
                                          self.conversation_id)
        names = self.session.collections()
        self.documents_button.set_chosen(names)
        self.answering_from.show_collections(names)
        self._template_note()

    # -- models --------------------------------------------------------------------------

    def load_model(self, path: str) -> None:
        self.models.load(path)

    def model_chosen(self, path: str) -> None:  # here or on another page: remembered, loaded
        self.models.model_chosen(path)

    def _template_note(self, extra: str | None = None) -> None:
        """Say which template is used when it is not the model's own (and the answer's own note)."""
        problem: str | None = getattr(self, "_store_problem", None)
        texts = [problem] if problem else []
        chosen, note = self.session.template_note()
        if chosen is not None:
            texts.append(self.tr("Using the {format} chat template you chose for this conversation.")
                         .format(format=chosen))
        elif note is not None:
            texts.append(tr_msg(note))
        if extra and extra not in texts:
            texts.append(extra)
        self.note.setText("\n".join(texts))
        self.note.setVisible(bool(texts))

    # -- conversations -------------------------------------------------------------------

    def new_chat(self) -> None:
        if self.session.open(None):
            self.focus_prompt()

    def open_conversation(self, conversation_id: str) -> None:
        if conversation_id == self.conversation_id:
            return
        if not self.session.open(conversation_id):
            self._status(self.tr("Wait for the answer to finish, or stop it, before switching conversations."))
            self.conversations.mark_current(self.conversation_id)
            return
        model = self.models.conversation_model()
        info = self.session.model_info
        if model and (model != self.session.model_path or (
                info is not None and info.n_ctx != self.session.load_params(model).n_ctx)):
            self.picker.add_model(model, select=True)
            self.load_model(model)

    def _open_from_list(self, conversation_id: str) -> None:
        try:
            self.open_conversation(conversation_id)
        except Exception as exc:  # e.g. deleted meanwhile by `hearth conversations rm`
            self.show_error(error_text(exc), restart=False)
            self.conversations.refresh()

    def _opened(self, conversation_id: str | None) -> None:
        self._cancel_edit()
        self._expanded.clear()
        self.show_conversation()
        self.conversations.mark_current(conversation_id)

    def show_conversation(self, keep_scroll: bool = False, drop_last: bool = False) -> None:
        if self.conversation_id is None:
            self.first_run.follow(conversation_empty=True)
            self.view.show_welcome()
            return
        # The answer streaming now is shown by the view's streaming part, not as a message.
        path = [m for m in self.store.path(self.conversation_id) if m.role != "system" and m.state != "streaming"]
        path = path[:-1] if drop_last else path
        self.first_run.follow(conversation_empty=not path)
        views = [MessageView.of(self.store, m, last=i == len(path) - 1, reasoning_open=m.id in self._expanded)
                 for i, m in enumerate(path)]
        self.view.show_messages(views, keep_scroll=keep_scroll)

    # -- asking --------------------------------------------------------------------------

    def _ready_to_ask(self) -> bool:
        if not self.session.busy and self.session.model_path is None:
            self.show_error(self.tr("Choose a model first."), restart=False)
            return False
        return self.session.can_ask()

    def send(self) -> None:
        if not self._ready_to_ask():
            return
        text = self.prompt.take_text()
        if text:
            self.hide_error()
            self.session.send(text, editing=self._editing)

    def regenerate(self, message_id: int) -> None:
        """A new answer beside ``message_id`` (which stays, as the other branch)."""
        if self._ready_to_ask():
            self.session.regenerate(message_id)

    def continue_answer(self, message_id: int) -> None:
        """Go on from the end of a stopped answer, appending to it."""
        if self._ready_to_ask() and self.session.continue_answer(message_id):
            self.hide_error()
            self.show_conversation(drop_last=True)  # the answer goes on in the view's streaming part

    def stop(self) -> None:
        self.session.stop()

    def _escape(self) -> None:
        if self.session.busy:
            self.stop()
        elif self._editing is not None:
            self._cancel_edit()
            self.prompt.clear()

    # -- answer events -------------------------------------------------------------------

    def _working(self, status: str) -> None:
        """The session searches or answers: it can be stopped now."""
        self.stop_button.setEnabled(True)
        self._status(status)

    def _answered(self, _answer: Any) -> None:
        self.stop_button.setEnabled(False)
        self.progress.setVisible(False)  # shown while a dead engine was restarted for this answer
        self._status(self.tr("Ready"))
        self.conversations.refresh()
        self.prompt.setFocus()

    def _saved(self, message_id: int) -> None:
        """Replace the streamed plain text by the rendered answer (only that part of the document)."""
        try:
            m = self.store.message(message_id)
        except Exception:
            self.show_conversation()  # discarded: show the branch as it now is
        else:
            # Only this message changed: the messages above were rendered before the answer started.
            self.view.replace_answer(MessageView.of(self.store, m, last=True))
        self.answerSaved.emit(message_id)

    def _answer_failed(self, exc: BaseException, crashed: bool) -> None:
        self.stop_button.setEnabled(False)
        self.progress.setVisible(False)
        self.show_error(error_text(exc), restart=crashed, details=self.events.details if crashed else "")
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
            self.session.switch_branch(message_id, -1 if kind == "prev" else 1)
        elif kind == "think":
            self._expanded ^= {message_id}
            self.show_conversation(keep_scroll=True)
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

    # -- context meter -------------------------------------------------------------------

    def _estimate_context(self) -> None:
        """Ask the engine what the draft would take (history + the typed message), off the UI thread."""
        if self._editing is None:
            try:
                self.session.estimate(self.prompt.toPlainText().strip())
            except StoreError:  # an estimate only: the store's own error shows when the user sends
                pass

    def _show_estimate(self, count: Any) -> None:
        if count is not None and not self.session.busy and self.prompt.toPlainText().strip():
            self.context_meter.show_estimate(count)

    def _show_context(self, used: int | None) -> None:
        self.context_meter.show_used(used, self.session.n_ctx())

    # -- misc ----------------------------------------------------------------------------

    def focus_prompt(self) -> None:
        self.prompt.setFocus()

    def open_tokenizer(self, models: list[tuple[str, str]] | None = None) -> Any:
        """The tokenizer inspector (gui/tokenizer_dialog.py), the picker's models to choose from."""
        from .tokenizer_dialog import TokenizerDialog

        return TokenizerDialog.open_for(self, models)

    def open_prompt_inspector(self) -> Any:
        """The prompt inspector for the open conversation and the draft (gui/prompt_inspector.py)."""
        from .prompt_inspector import PromptInspector

        return PromptInspector.open_for(self)

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
        # An answer that ends while the window closes is kept as 'interrupted'; its late results
        # must not reach this page once the store and widgets are going.
        self.runner.close()
        self.session.shutdown()
        self.docs.close()
