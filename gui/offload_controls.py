"""GPU layers (0…all, or auto), flash attention and KV cache type for one model, remembered
per model (core/hardware/offload_store.py).

Signals: changed()  after the user changed a value (already saved)

On a llama.cpp build that cannot offload, the GPU layer controls are disabled and a sentence
says how to install a GPU build; flash attention and the KV cache type still apply on the CPU.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QSpinBox,
                               QWidget)

from hearthlm.core.hardware.offload_store import (FLASH_ATTN_CHOICES, KV_TYPE_CHOICES, OffloadChoice,
                                                  get_choice, set_choice)

from . import theme

INSTALL_GPU_COMMAND = "python3 packaging/install.py --build cuda|vulkan|metal"


class OffloadControls(QGroupBox):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(self.tr("GPU offload"), parent)
        theme.style(self)
        self.model: str | None = None
        self._loading = False
        self.layers = QSpinBox()
        self.layers.setAccessibleName(self.tr("GPU layers"))
        self.layers.setRange(0, 999)
        self.auto = QCheckBox(self.tr("Auto (the most that fit)"))
        row = QHBoxLayout()
        row.addWidget(self.layers)
        row.addWidget(self.auto)
        row.addStretch(1)
        self.flash = QComboBox()
        self.flash.setAccessibleName(self.tr("Flash attention"))
        for value, label in zip(FLASH_ATTN_CHOICES, (self.tr("Auto"), self.tr("On"), self.tr("Off")), strict=True):
            self.flash.addItem(label, value)
        self.kv = QComboBox()
        self.kv.setAccessibleName(self.tr("KV cache type"))
        for value, label in zip(KV_TYPE_CHOICES, (self.tr("f16 (full precision)"), self.tr("q8_0 (half the memory)"),
                                                  self.tr("q4_0 (a quarter)")), strict=True):
            self.kv.addItem(label, value)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setObjectName("offloadNote")
        form = QFormLayout(self)
        form.addRow(self.tr("GPU layers"), row)
        form.addRow(self.tr("Flash attention"), self.flash)
        form.addRow(self.tr("KV cache"), self.kv)
        form.addRow(self.note)
        self.layers.valueChanged.connect(self._save)
        self.auto.toggled.connect(self._save)
        self.flash.currentIndexChanged.connect(self._save)
        self.kv.currentIndexChanged.connect(self._save)
        self.set_gpu_offload(None)
        self.set_model(None)

    def set_gpu_offload(self, supported: bool | None) -> None:
        """None while the build is being checked."""
        self.gpu_supported = supported
        enabled = bool(supported)
        self.layers.setEnabled(enabled and not self.auto.isChecked())
        self.auto.setEnabled(enabled)
        if supported is None:
            self.note.setText(self.tr("Checking whether this llama.cpp build can use a GPU…"))
        elif not supported:
            self.note.setText(self.tr("This llama.cpp build runs on the CPU only, so there are no layers to offload. "
                                      "To use a GPU, install a GPU build: {command}").format(command=INSTALL_GPU_COMMAND))
        else:
            self.note.setText(self.tr("Layers beyond the model's count mean all of them. Changes apply at the next load."))

    def set_model(self, path: str | None, n_layers: int | None = None) -> None:
        self.model = path
        self.setEnabled(path is not None)
        self.setTitle(self.tr("GPU offload for {name}").format(name=Path(path).name) if path else self.tr("GPU offload"))
        choice = get_choice(path) if path else OffloadChoice()
        self._loading = True
        try:
            self.layers.setRange(0, (n_layers + 1) if n_layers else 999)
            self.layers.setSuffix(f" / {n_layers + 1}" if n_layers else "")
            self.auto.setChecked(choice.gpu_layers == "auto")
            self.layers.setValue(choice.gpu_layers if isinstance(choice.gpu_layers, int) else 0)
            self.flash.setCurrentIndex(max(0, self.flash.findData(choice.flash_attn)))
            self.kv.setCurrentIndex(max(0, self.kv.findData(choice.kv_type)))
        finally:
            self._loading = False
        self._sync()

    def choice(self) -> OffloadChoice:
        layers: int | str = "auto" if self.auto.isChecked() else self.layers.value()
        return OffloadChoice.from_dict({"gpu_layers": layers, "flash_attn": self.flash.currentData(),
                                        "kv_type": self.kv.currentData()})

    def _sync(self) -> None:
        self.layers.setEnabled(bool(self.gpu_supported) and not self.auto.isChecked())
        # A quantized V cache needs flash attention: "Off" is not offered then.
        quantized = self.kv.currentData() != "f16"
        model = self.flash.model()
        assert isinstance(model, QStandardItemModel)  # a QComboBox's own model, typed as the base class
        item = model.item(self.flash.findData("off"))
        if item is not None:
            item.setEnabled(not quantized)
        if quantized and self.flash.currentData() == "off":
            self.flash.setCurrentIndex(self.flash.findData("auto"))

    def _save(self) -> None:
        if self._loading:
            return
        self._sync()
        if self.model:
            set_choice(self.model, self.choice())
            self.changed.emit()
