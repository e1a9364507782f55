"""The chat page's widgets and their places: the model picker and buttons on top, the error banner
and template note, the stored conversations on the left, the conversation, prompt and context meter
in the middle, its settings on the right. ``build`` sets them as the page's attributes (their
sentences keep the page's translation context, "ChatPage")."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QSplitter, QVBoxLayout, QWidget

from hearthlm.core.chat.presets import PresetLibrary
from hearthlm.core.chat.store import ConversationStore

from . import icons, theme
from .chat_documents import AnsweringFromLabel, DocumentsButton
from .chat_settings import ChatSettingsPanel
from .chat_view import ChatView
from .context_meter import ContextMeter
from .conversation_list import ConversationList
from .error_banner import ErrorBanner
from .model_picker import ModelPicker
from .prompt_box import PromptBox
from .welcome import FirstRunPanel

if TYPE_CHECKING:  # chat_page imports this module
    from .chat_page import ChatPage


def build(page: ChatPage, store: ConversationStore, presets: PresetLibrary, docs_store_now: Callable[[], Any]) -> None:
    outer = QVBoxLayout(page)
    outer.setContentsMargins(6, 6, 6, 6)
    top = QHBoxLayout()
    page.picker = ModelPicker()
    page.progress = QProgressBar()
    page.progress.setRange(0, 100)
    page.progress.setMaximumWidth(160)
    page.progress.setVisible(False)
    page.settings_button = QPushButton(QCoreApplication.translate("ChatPage", "Settings"))
    icons.set_icon(page.settings_button, "settings")
    page.settings_button.setCheckable(True)
    page.settings_button.setToolTip(QCoreApplication.translate("ChatPage", "This conversation's settings: system prompt, template, sampling"))
    page.help_button = QPushButton(QCoreApplication.translate("ChatPage", "Shortcuts"))
    icons.set_icon(page.help_button, "keyboard")
    page.tokens_button = QPushButton(QCoreApplication.translate("ChatPage", "Tokens…"))
    icons.set_icon(page.tokens_button, "tokenizer")
    page.tokens_button.setToolTip(QCoreApplication.translate("ChatPage", "See how models split a text into tokens"))
    page.prompt_button = QPushButton(QCoreApplication.translate("ChatPage", "Prompt…"))
    icons.set_icon(page.prompt_button, "inspect")
    page.prompt_button.setToolTip(QCoreApplication.translate("ChatPage", "The exact prompt the model gets next, and what the KV cache holds"))
    for widget, stretch in ((page.picker, 1), (page.progress, 0), (page.tokens_button, 0), (page.prompt_button, 0),
                            (page.settings_button, 0), (page.help_button, 0)):
        top.addWidget(widget, stretch)
    outer.addLayout(top)

    page.banner_row = ErrorBanner()
    page.banner, page.restart_button = page.banner_row.label, page.banner_row.restart_button
    page.details_button = page.banner_row.details_button  # the engine's last log lines
    outer.addWidget(page.banner_row)
    page.note = QLabel()  # template notes: no template in the file, template refused
    page.note.setObjectName("templateNote")
    theme.style(page.note)
    page.note.setWordWrap(True)
    page.note.setVisible(False)
    outer.addWidget(page.note)

    page.conversations = ConversationList(store)
    page.view = ChatView()
    page.view.show_welcome()
    middle = QWidget()
    column = QVBoxLayout(middle)
    column.setContentsMargins(0, 0, 0, 0)
    page.first_run = FirstRunPanel()  # shown while the starter is the only model (gui/welcome.py)
    page.first_run.setVisible(False)
    column.addWidget(page.first_run)
    column.addWidget(page.view, 1)
    page.edit_label = QLabel(QCoreApplication.translate("ChatPage", "Editing a message: sending makes a new branch and keeps the old one (Esc cancels)."))
    page.edit_label.setWordWrap(True)
    page.edit_label.setObjectName("editNote")
    theme.style(page.edit_label)
    page.edit_label.setVisible(False)
    column.addWidget(page.edit_label)
    page.answering_from = AnsweringFromLabel()
    column.addWidget(page.answering_from)
    bottom = QHBoxLayout()
    page.prompt = PromptBox()
    page.send_button = QPushButton(QCoreApplication.translate("ChatPage", "Send"))
    icons.set_icon(page.send_button, "send")
    page.send_button.setDefault(True)
    page.stop_button = QPushButton(QCoreApplication.translate("ChatPage", "Stop"))
    icons.set_icon(page.stop_button, "stop")
    page.stop_button.setEnabled(False)
    buttons = QVBoxLayout()
    buttons.addWidget(page.send_button)
    buttons.addWidget(page.stop_button)
    page.documents_button = DocumentsButton(docs_store_now)
    buttons.addWidget(page.documents_button)
    buttons.addStretch(1)
    bottom.addWidget(page.prompt, 1)
    bottom.addLayout(buttons)
    column.addLayout(bottom)
    page.context_meter = ContextMeter()
    page.context_bar, page.context_label = page.context_meter.bar, page.context_meter.label
    column.addWidget(page.context_meter)

    page.settings_panel = ChatSettingsPanel(presets)
    page.settings_panel.setVisible(False)
    page.splitter = QSplitter(Qt.Orientation.Horizontal)
    page.splitter.addWidget(page.conversations)
    page.splitter.addWidget(middle)
    page.splitter.addWidget(page.settings_panel)
    page.splitter.setStretchFactor(1, 1)
    page.splitter.setSizes([220, 700, 280])
    outer.addWidget(page.splitter, 1)
