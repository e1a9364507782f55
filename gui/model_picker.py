"""Choose the model: the default and starter models, files opened before, any GGUF on disk, or a
model on a remote endpoint (remote:NAME/MODEL, listed by the Models page's Remote section).

Signals: modelChosen(str)  the path of the chosen GGUF
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QFileDialog, QHBoxLayout, QLabel, QPushButton, QWidget

from hearthlm.core.remote import make_ref, parse_ref

from . import icons


class ModelPicker(QWidget):
    modelChosen = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel(self.tr("Model:"))
        self.combo = QComboBox()
        self.combo.setAccessibleName(self.tr("Model"))
        self.combo.setObjectName("modelCombo")
        self.combo.setMinimumWidth(320)
        self.open_button = QPushButton(self.tr("Open GGUF…"))
        icons.set_icon(self.open_button, "folder")
        layout.addWidget(self.label)
        layout.addWidget(self.combo, 1)
        layout.addWidget(self.open_button)
        self.combo.activated.connect(self._activated)
        self.open_button.clicked.connect(self._browse)

    def add_model(self, path: str, label: str | None = None, select: bool = False) -> None:
        index = self.combo.findData(path)
        if index < 0:
            self.combo.addItem(label or self.label_for(path), path)
            self.combo.setItemData(self.combo.count() - 1, path, Qt.ItemDataRole.ToolTipRole)
            index = self.combo.count() - 1
        if select:
            self.combo.setCurrentIndex(index)

    def given_label(self, path: str) -> str | None:
        """The label the model was added with when it is not just its file name (the starter's)."""
        index = self.combo.findData(path)
        text = self.combo.itemText(index) if index >= 0 else ""
        return text if text and text != self.label_for(path) else None

    def label_for(self, path: str) -> str:
        remote = parse_ref(path)
        if remote is None:
            return Path(path).name
        name, model = remote
        shown = Path(model).name if model.endswith(".gguf") else model
        return self.tr("{model} on {endpoint} (remote)").format(model=shown, endpoint=name)

    def add_remote_models(self, settings: object) -> None:
        """The models each endpoint listed last (kept in the settings; no network here)."""
        from hearthlm.core.remote.endpoints import endpoints

        for endpoint in endpoints(settings):
            for model in endpoint.models:
                self.add_model(make_ref(endpoint.name, model))

    def current_path(self) -> str | None:
        return self.combo.currentData()

    def _activated(self, index: int) -> None:
        path = self.combo.itemData(index)
        if path:
            self.modelChosen.emit(path)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Open a model"), str(Path.home()),
                                              self.tr("GGUF models (*.gguf);;All files (*)"))
        if path:
            self.add_model(path, select=True)
            self.modelChosen.emit(path)
