"""The per-conversation settings panel: system prompt (with presets), chat template, sampling, limits.

A conversation stores only what the user changed here (``store.set_settings``); every other value
comes from the app's settings, so changing a default later still reaches old conversations.

Signals: changed(dict)  the conversation's own settings after an edit
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QSignalBlocker, Signal
from PySide6.QtWidgets import (QComboBox, QDoubleSpinBox, QFormLayout, QHBoxLayout, QInputDialog, QLabel,
                               QMessageBox, QPlainTextEdit, QPushButton, QSpinBox, QVBoxLayout, QWidget)

from hearthlm.core.chat.messages import CONTEXT
from hearthlm.core.chat.presets import PresetLibrary
from hearthlm.core.chat.session import LORA_KEY, TEMPLATE_KEY  # noqa: F401 (its users import it from here)
from hearthlm.core.chat.store import SYSTEM_PROMPT_KEY
from hearthlm.core.prompt.template import FORMATS
from hearthlm.core.settings import BOUNDS, Settings

from . import icons, theme
from .chat_adapters import AdaptersBox
from .messages import error_text, tr_msg

# (low, high, step, decimals; None: an integer box); the bounds are the settings' own (core/settings.py)
NUMBERS: dict[str, tuple[float, float, float, int | None]] = {
    key: (*BOUNDS[key], step, decimals) for key, (step, decimals) in (
        ("temperature", (0.05, 2)), ("top_p", (0.01, 2)), ("top_k", (1, None)), ("min_p", (0.01, 2)),
        ("repeat_penalty", (0.01, 2)), ("seed", (1, None)), ("max_tokens", (64, None)), ("n_ctx", (512, None)))
}


class ChatSettingsPanel(QWidget):
    changed = Signal(dict)

    def __init__(self, presets: PresetLibrary, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("chatSettings")
        self.presets = presets
        self._own: dict[str, Any] = {}
        self._defaults = Settings()
        self._model: str | None = None
        self._shown_for: tuple[str | None, str | None, str | None] = (None, None, None)  # see show_settings
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 0, 0)
        self.model_label = QLabel()
        self.model_label.setWordWrap(True)
        layout.addWidget(self.model_label)

        layout.addWidget(QLabel(self.tr("System prompt")))
        row = QHBoxLayout()
        self.preset_combo = QComboBox()
        self.preset_combo.setObjectName("presetCombo")
        self.save_preset = QPushButton(self.tr("Save…"))
        self.delete_preset = QPushButton(self.tr("Delete"))
        icons.set_icon(self.delete_preset, "delete")
        row.addWidget(self.preset_combo, 1)
        row.addWidget(self.save_preset)
        row.addWidget(self.delete_preset)
        layout.addLayout(row)
        self.system_prompt = QPlainTextEdit()
        self.system_prompt.setTabChangesFocus(True)  # Tab moves on (a keyboard user is not trapped)
        self.system_prompt.setAccessibleName(self.tr("System prompt"))
        self.system_prompt.setObjectName("systemPrompt")
        self.system_prompt.setPlaceholderText(self.tr("No system prompt"))
        self.system_prompt.setMaximumHeight(120)
        layout.addWidget(self.system_prompt)

        form = QFormLayout()
        self.template_combo = QComboBox()
        self.template_combo.addItem(self.tr("From the model file"), "")
        for key, (name, _text) in FORMATS.items():
            self.template_combo.addItem(name, key)
        form.addRow(self.tr("Chat template"), self.template_combo)
        self.fields: dict[str, QSpinBox | QDoubleSpinBox] = {}
        labels = {"temperature": self.tr("Temperature"), "top_p": self.tr("Top-p"), "top_k": self.tr("Top-k"),
                  "min_p": self.tr("Min-p"), "repeat_penalty": self.tr("Repeat penalty"), "seed": self.tr("Seed"),
                  "max_tokens": self.tr("Max tokens"), "n_ctx": self.tr("Context size")}
        for key, (low, high, step, decimals) in NUMBERS.items():
            box: QSpinBox | QDoubleSpinBox
            if decimals is None:
                box = QSpinBox()
                box.setRange(int(low), int(high))
                box.setSingleStep(int(step))
            else:
                box = QDoubleSpinBox()
                box.setRange(low, high)
                box.setSingleStep(step)
                box.setDecimals(decimals)
            box.setObjectName(key)
            if key == "seed":
                box.setSpecialValueText(self.tr("random"))
            box.setKeyboardTracking(False)
            box.valueChanged.connect(lambda value, k=key: self._edited(k, value))
            self.fields[key] = box
            form.addRow(labels[key], box)
        layout.addLayout(form)
        self.ctx_hint = QLabel(self.tr("A new context size applies when the model is next loaded."))
        self.ctx_hint.setWordWrap(True)
        self.ctx_hint.setObjectName("hint")
        theme.style(self.ctx_hint)
        layout.addWidget(self.ctx_hint)
        self.adapters = AdaptersBox()
        layout.addWidget(self.adapters)
        self.reset_button = QPushButton(self.tr("Use the defaults"))
        layout.addWidget(self.reset_button)
        layout.addStretch(1)

        self.preset_combo.activated.connect(self._preset_chosen)
        self.system_prompt.textChanged.connect(lambda: self._edited(SYSTEM_PROMPT_KEY, self.system_prompt.toPlainText()))
        self.template_combo.activated.connect(lambda _i: self._edited(TEMPLATE_KEY, self.template_combo.currentData()))
        self.save_preset.clicked.connect(self._save_preset)
        self.delete_preset.clicked.connect(self._delete_preset)
        self.reset_button.clicked.connect(self._reset)
        self.adapters.changed.connect(lambda specs: self._edited(LORA_KEY, specs))
        self._fill_presets()

    # -- showing -----------------------------------------------------------------------------

    def _fill_presets(self, select: str | None = None) -> None:
        with QSignalBlocker(self.preset_combo):
            self.preset_combo.clear()
            self.preset_combo.addItem(self.tr("Presets…"), None)
            for p in self.presets.all():
                label = QCoreApplication.translate(CONTEXT, p.name) if p.builtin else p.name
                self.preset_combo.addItem(label, p.name)
            index = self.preset_combo.findData(select) if select else 0
            self.preset_combo.setCurrentIndex(max(0, index))
        current = self.presets.get(self.preset_combo.currentData() or "")
        self.delete_preset.setEnabled(current is not None and not current.builtin)

    def show_settings(self, own: dict[str, Any], defaults: Settings, model: str | None,
                      architecture: str | None = None, loaded: str | None = None,
                      conversation: str | None = None) -> None:
        """Show a conversation's settings (``own``: what it stores) over the app's ``defaults``;
        ``architecture``: the loaded model's (adapters for others cannot be chosen); ``loaded``: its
        file (what a PEFT adapter is converted for); ``conversation``: whose settings they are."""
        self._own = dict(own)
        self._shown_for = (architecture, loaded, conversation)
        lora = own.get(LORA_KEY)
        self.adapters.show_adapters(lora if isinstance(lora, list) else [], architecture, loaded, conversation)
        self._defaults = defaults
        self._model = model
        self.model_label.setText(self.tr("Model: {name}").format(name=model.rsplit("/", 1)[-1]) if model
                                 else self.tr("Model: the one loaded"))
        blockers = [QSignalBlocker(w) for w in (self.system_prompt, self.template_combo, *self.fields.values())]
        self.system_prompt.setPlainText(str(own.get(SYSTEM_PROMPT_KEY, "")))
        index = self.template_combo.findData(own.get(TEMPLATE_KEY) or "")
        self.template_combo.setCurrentIndex(max(0, index))
        for key, box in self.fields.items():
            value = self.value(key)
            box.setValue(-1 if value is None else value)
        del blockers
        self._fill_presets(self._matching_preset())

    def _matching_preset(self) -> str | None:
        prompt = self._own.get(SYSTEM_PROMPT_KEY)
        return next((p.name for p in self.presets.all() if prompt and p.prompt == prompt), None)

    def value(self, key: str) -> Any:
        """The effective value: the conversation's own, else the app's setting."""
        if key in self._own:
            return self._own[key]
        return getattr(self._defaults, key, None)

    def own(self) -> dict[str, Any]:
        return dict(self._own)

    # -- editing -----------------------------------------------------------------------------

    def _edited(self, key: str, value: Any) -> None:
        if key == "seed" and value == -1:
            value = None
        if key in NUMBERS and NUMBERS[key][3] is None and value is not None:
            value = int(value)
        if key in (SYSTEM_PROMPT_KEY, TEMPLATE_KEY, LORA_KEY) and not value:
            self._own.pop(key, None)
        else:
            self._own[key] = value
        self.changed.emit(dict(self._own))

    def _preset_chosen(self, _index: int) -> None:
        preset = self.presets.get(self.preset_combo.currentData() or "")
        self.delete_preset.setEnabled(preset is not None and not preset.builtin)
        if preset is not None:
            self.system_prompt.setPlainText(preset.prompt)  # textChanged saves it

    def _save_preset(self) -> None:
        current = self.presets.get(self.preset_combo.currentData() or "")
        suggested = current.name if current is not None and not current.builtin else ""
        name, ok = QInputDialog.getText(self, self.tr("Save preset"), self.tr("Name of the preset:"), text=suggested)
        if not ok:
            return
        self.save_preset_as(name)

    def save_preset_as(self, name: str) -> bool:
        try:
            preset = self.presets.save(name, self.system_prompt.toPlainText())
        except Exception as exc:
            QMessageBox.warning(self, self.tr("Save preset"), error_text(exc))
            return False
        self._fill_presets(preset.name)
        return True

    def _delete_preset(self) -> None:
        name = self.preset_combo.currentData()
        if not name:
            return
        answer = QMessageBox.question(self, self.tr("Delete preset"),
                                      self.tr("Delete the preset “{name}”?").format(name=name))
        if answer == QMessageBox.StandardButton.Yes:
            self.delete_preset_named(name)

    def delete_preset_named(self, name: str) -> None:
        try:
            self.presets.delete(name)
        except Exception as exc:
            QMessageBox.warning(self, self.tr("Delete preset"), error_text(exc))
            return
        self._fill_presets()

    def _reset(self) -> None:
        self._own = {}
        self.show_settings({}, self._defaults, self._model, *self._shown_for)  # the same model and conversation
        self.changed.emit({})

    def warn_presets(self) -> str | None:
        return tr_msg(self.presets.warning) if self.presets.warning else None
