"""A conversation's LoRA adapters in its settings panel: one row per adapter with a scale from 0 to 2
(slider and number), a remove button, and "Add LoRA adapter…" listing the library's adapters (those
made for another architecture than the loaded model's are shown but cannot be chosen), a file, or a
PEFT folder (adapter_config.json + adapter_model.safetensors), converted for the loaded model on a
job thread (core/lora/convert.py, as ``hearth lora convert``) into the library, then attached.

Signals: changed(list)  ``[{"path", "scale"}, ...]`` after an edit (applied live by the session)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (QDoubleSpinBox, QFileDialog, QHBoxLayout, QLabel, QMenu, QPushButton, QSlider,
                               QToolButton, QVBoxLayout, QWidget)

from . import theme
from .detached_job import run_detached
from .messages import error_text, tr_msg

SLIDER_STEPS = 100  # the slider moves in 0.01 steps: scale = value / 100


def library_adapters(_emit: Any) -> list[dict[str, Any]]:
    """The library's LoRA adapters (on a job thread: it reads file headers)."""
    from hearthlm.core.hub.library import list_models

    return [{"name": m.name, "path": m.path, "architecture": m.architecture, "alpha": m.lora_alpha}
            for m in list_models() if m.kind == "lora"]


class AdapterRow(QWidget):
    """Signals: scaleChanged(float), removed()"""

    scaleChanged = Signal(float)
    removed = Signal()

    def __init__(self, path: str, scale: float, parent: QWidget | None = None):
        super().__init__(parent)
        self.path = path
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 2)
        top = QHBoxLayout()
        self.name = QLabel(Path(path).name)
        self.name.setToolTip(path)
        self.remove = QToolButton()
        self.remove.setText("×")
        self.remove.setToolTip(self.tr("Detach this adapter"))
        top.addWidget(self.name, 1)
        top.addWidget(self.remove)
        layout.addLayout(top)
        row = QHBoxLayout()
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, 2 * SLIDER_STEPS)
        self.slider.setTracking(False)  # applied when released, not at every pixel
        self.spin = QDoubleSpinBox()
        self.spin.setRange(0.0, 2.0)
        self.spin.setSingleStep(0.05)
        self.spin.setDecimals(2)
        self.spin.setKeyboardTracking(False)
        self.spin.setToolTip(self.tr("Scale: 0 turns the adapter off, 1 applies it as trained, up to 2"))
        row.addWidget(self.slider, 1)
        row.addWidget(self.spin)
        layout.addLayout(row)
        self.set_scale(scale)
        self.slider.valueChanged.connect(lambda v: self._changed(v / SLIDER_STEPS))
        self.slider.sliderMoved.connect(self._preview)
        self.spin.valueChanged.connect(self._changed)
        self.remove.clicked.connect(self.removed.emit)

    def set_scale(self, scale: float) -> None:
        with QSignalBlocker(self.slider), QSignalBlocker(self.spin):
            self.slider.setValue(round(scale * SLIDER_STEPS))
            self.spin.setValue(scale)

    def _preview(self, value: int) -> None:  # the number follows the drag; applied on release
        with QSignalBlocker(self.spin):
            self.spin.setValue(value / SLIDER_STEPS)

    def scale(self) -> float:
        return round(self.spin.value(), 2)

    def _changed(self, value: float) -> None:
        self.set_scale(value)
        self.scaleChanged.emit(self.scale())


class AdaptersBox(QWidget):
    changed = Signal(list)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("adaptersBox")
        self.architecture: str | None = None
        self.base: str | None = None  # the loaded model's file: what a PEFT folder is converted for
        self.owner: str | None = None  # the conversation whose adapters these are
        self.rows: list[AdapterRow] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel(self.tr("LoRA adapters")))
        self.rows_layout = QVBoxLayout()
        layout.addLayout(self.rows_layout)
        self.add_button = QPushButton(self.tr("Add LoRA adapter…"))
        self.add_button.setObjectName("addAdapter")
        layout.addWidget(self.add_button)
        self.note = QLabel()  # how a conversion went, in one sentence
        self.note.setObjectName("adaptersNote")
        self.note.setWordWrap(True)
        self.note.setVisible(False)
        layout.addWidget(self.note)
        self.menu = QMenu(self)
        self.add_button.clicked.connect(self._list_library)

    # -- showing ---------------------------------------------------------------------------------

    def show_adapters(self, adapters: list[dict[str, Any]], architecture: str | None, base: str | None = None,
                      owner: str | None = None) -> None:
        self.architecture = architecture
        self.base = base
        self.owner = owner
        for row in self.rows:
            row.setParent(None)
            row.deleteLater()
        self.rows = []
        for spec in adapters:
            self._add_row(str(spec["path"]), float(spec.get("scale", 1.0)))

    def _add_row(self, path: str, scale: float) -> None:
        row = AdapterRow(path, scale)
        row.scaleChanged.connect(lambda _s: self._emit())
        row.removed.connect(lambda r=row: self.detach(r))
        self.rows.append(row)
        self.rows_layout.addWidget(row)

    def adapters(self) -> list[dict[str, Any]]:
        return [{"path": r.path, "scale": r.scale()} for r in self.rows]

    def _emit(self) -> None:
        self.changed.emit(self.adapters())

    # -- editing ---------------------------------------------------------------------------------

    def attach(self, path: str, scale: float = 1.0) -> None:
        if any(r.path == path for r in self.rows):
            return
        self._add_row(path, scale)
        self._emit()

    def detach(self, row: AdapterRow) -> None:
        self.rows.remove(row)
        row.setParent(None)
        row.deleteLater()
        self._emit()

    def _list_library(self) -> None:
        self.add_button.setEnabled(False)
        run_detached(self, library_adapters, self.show_menu, lambda _exc: self.show_menu([]))

    def show_menu(self, found: list[dict[str, Any]], popup: bool = True) -> None:
        """The menu of adapters: usable ones first; another architecture's greyed out with why."""
        self.add_button.setEnabled(True)
        self.menu.clear()
        usable = [a for a in found if self.architecture and a["architecture"] == self.architecture]
        for adapter in usable + [a for a in found if a not in usable]:
            alpha = f", α {adapter['alpha']:g}" if adapter.get("alpha") is not None else ""
            action = self.menu.addAction(f"{adapter['name']} ({adapter['architecture']}{alpha})")
            action.setToolTip(adapter["path"])
            if adapter in usable:
                action.triggered.connect(lambda _c=False, p=adapter["path"]: self.attach(p))
            else:
                action.setEnabled(False)
                action.setText(self.tr("{name} — for {arch} models, not usable with this one").format(
                    name=adapter["name"], arch=adapter["architecture"]))
        if not found:
            self.menu.addAction(self.tr("No LoRA adapters in the library")).setEnabled(False)
        self.menu.addSeparator()
        self.menu.addAction(self.tr("Open a GGUF adapter file…"), self._open_file)
        convert = self.menu.addAction(self.tr("Convert a PEFT adapter folder…"), self._convert_folder)
        convert.setEnabled(self.base is not None)
        convert.setToolTip(self.tr("A folder with adapter_config.json and adapter_model.safetensors, as PEFT "
                                   "saves it: converted to GGUF for the loaded model, kept in the library, "
                                   "and attached") if self.base else self.tr("Load a model first"))
        if popup:
            self.menu.popup(self.add_button.mapToGlobal(self.add_button.rect().bottomLeft()))

    def _open_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("LoRA adapter"), "", self.tr("GGUF files (*.gguf)"))
        if path:
            self.attach(path)

    def _convert_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("PEFT adapter folder"))
        if folder:
            self.convert(folder)

    def convert(self, folder: str) -> None:
        """Convert the PEFT adapter in ``folder`` for the loaded model on a job thread, then attach it
        (to the conversation it was asked for: after a switch it is only kept in the library); a
        refusal is one sentence under the button."""
        base, owner = self.base, self.owner
        if base is None:
            return
        self.add_button.setEnabled(False)
        self._say(self.tr("Converting {name} for {model}…").format(name=Path(folder).name, model=Path(base).name))

        def work(_emit: Any) -> Any:
            from hearthlm.core.lora.convert import convert

            return convert(folder, base)

        def done(result: Any) -> None:
            self.add_button.setEnabled(True)
            if self.owner != owner:  # another conversation is shown now: not attached to it unasked
                self._say(self.tr("Converted {name}; it is in the library (Add LoRA adapter…).").format(
                    name=result.path.name))
                return
            said = self.tr("Converted {name}: {count} LoRA matrices, rank {rank}, alpha {alpha:g}.").format(
                name=result.path.name, count=result.count, rank=result.rank, alpha=result.alpha)
            if result.left_out:
                from hearthlm.core.lora import messages as LM
                from hearthlm.core.messages import msg

                said += " " + tr_msg(msg(LM.LEFT_OUT, count=result.left_out))
            self._say(said)
            self.attach(str(result.path))

        def failed(exc: BaseException) -> None:
            self.add_button.setEnabled(True)
            self._say(error_text(exc), error=True)

        run_detached(self, work, done, failed)

    def _say(self, text: str, error: bool = False) -> None:
        self.note.setText(text)
        self.note.setObjectName("errorNote" if error else "adaptersNote")
        theme.style(self.note)  # an error in the theme's error colour, which follows a theme change
        self.note.setVisible(bool(text))
