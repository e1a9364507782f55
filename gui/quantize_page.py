"""The quantize wizard: pick a source GGUF and a type, see the output size first, quantize with
progress and cancel, then see what it cost (PPL, ΔPPL, KL vs the source) in a table and a plot.

All llama.cpp work runs in the quantize child process (core/quantize/child.py) driven from a
gui.jobs.Job thread; Cancel kills the child, and nothing it was writing is left.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (QAbstractItemView, QButtonGroup, QCheckBox, QFileDialog, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QMessageBox,
                               QProgressBar, QPushButton, QRadioButton, QSplitter, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from hearthlm.core.quantize.types import TYPES, QuantType

from . import icons, theme
from .detached_job import run_detached
from .jobs import Job
from .messages import error_text, tr_msg
from .quantize_chart import QualityChart

EVAL_CTX = 256


def _mib(n: float | None) -> str:
    return f"{n / 2**20:,.1f} MiB" if n else "–"


class QuantizePage(QWidget):
    quantizeFinished = Signal(str)  # the written file's path

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._job: Job | None = None
        self._predicting = False  # the job running predicts sizes (a new source replaces it)
        self._on_done: Callable[[dict[str, Any]], None] | None = None  # the running job's result goes here
        self._predict_after = False  # sizes to predict once the quantization running ends
        self._cancel: threading.Event | None = None
        self._predicted: dict[str, int] = {}
        self._last_source = ""
        self._closing = False
        self.threads = 0  # llama.cpp threads for every job (0: all cores); tests use 1
        self._build()
        self._fill_types()
        self.refresh_results()

    # -- layout --------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        src_row = QHBoxLayout()
        self.source = QLineEdit()
        self.source.setAccessibleName(self.tr("Model to quantize"))
        self.source.setPlaceholderText(self.tr("Source GGUF (F16, BF16 or F32 is best)"))
        browse = QPushButton(self.tr("Browse…"))
        icons.set_icon(browse, "folder")
        browse.clicked.connect(self._browse_source)
        src_row.addWidget(QLabel(self.tr("Source:")))
        src_row.addWidget(self.source, 1)
        src_row.addWidget(browse)
        layout.addLayout(src_row)
        self.source.editingFinished.connect(self._source_changed)

        split = QSplitter(Qt.Orientation.Vertical)
        top = QWidget()
        top_layout = QHBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        self.types = QTableWidget(0, 4)
        self.types.setAccessibleName(self.tr("Quantization types"))
        self.types.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.types.setHorizontalHeaderLabels([self.tr("Type"), self.tr("Bits/weight"), self.tr("Predicted size"),
                                              self.tr("What it is")])
        self.types.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.types.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.types.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.types.verticalHeader().setVisible(False)
        header = self.types.horizontalHeader()
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.types.itemSelectionChanged.connect(self._type_changed)
        top_layout.addWidget(self.types, 3)

        side = QVBoxLayout()
        box = QGroupBox(self.tr("Importance matrix"))
        theme.style(box)
        form = QVBoxLayout(box)
        self.im_none = QRadioButton(self.tr("None"))
        self.im_default = QRadioButton(self.tr("Compute from the bundled text (English + Chinese)"))
        self.im_text = QRadioButton(self.tr("Compute from my text…"))
        self.im_file = QRadioButton(self.tr("Use an imatrix file…"))
        self.im_group = QButtonGroup(self)
        for i, b in enumerate((self.im_none, self.im_default, self.im_text, self.im_file)):
            self.im_group.addButton(b, i)
            form.addWidget(b)
        self.im_path = QLineEdit()
        self.im_path.setAccessibleName(self.tr("Importance matrix file or text"))
        self.im_path.setPlaceholderText(self.tr("text or imatrix file"))
        im_browse = QPushButton(self.tr("Browse…"))
        icons.set_icon(im_browse, "folder")
        im_browse.clicked.connect(self._browse_imatrix)
        row = QHBoxLayout()
        row.addWidget(self.im_path, 1)
        row.addWidget(im_browse)
        form.addLayout(row)
        self.im_none.setChecked(True)
        self.im_group.idToggled.connect(lambda *_: self._update_type_rows())
        side.addWidget(box)
        self.measure = QCheckBox(self.tr("Measure quality after quantizing (PPL, KL vs source)"))
        self.measure.setChecked(True)
        side.addWidget(self.measure)
        self.requant_note = QLabel()
        self.requant_note.setWordWrap(True)
        self.requant_note.setObjectName("warningNote")
        theme.style(self.requant_note)
        side.addWidget(self.requant_note)
        self.prediction = QLabel()
        self.prediction.setWordWrap(True)
        side.addWidget(self.prediction)
        side.addStretch(1)
        buttons = QHBoxLayout()
        self.run_button = QPushButton(self.tr("Quantize"))
        icons.set_icon(self.run_button, "quantize-run")
        self.run_button.clicked.connect(self.start)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        icons.set_icon(self.cancel_button, "cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        side.addLayout(buttons)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        side.addWidget(self.progress)
        self.status = QLabel()
        self.status.setWordWrap(True)
        side.addWidget(self.status)
        top_layout.addLayout(side, 2)
        split.addWidget(top)

        bottom = QWidget()
        bottom_layout = QHBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        self.results = QTableWidget(0, 6)
        self.results.setAccessibleName(self.tr("Quantized models and their quality"))
        self.results.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.results.setHorizontalHeaderLabels([self.tr("Type"), self.tr("Size"), self.tr("Bits/weight"),
                                                self.tr("PPL"), self.tr("ΔPPL"), self.tr("KL vs source")])
        self.results.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results.verticalHeader().setVisible(False)
        self.results.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.results.horizontalHeader().setStretchLastSection(True)
        bottom_layout.addWidget(self.results, 1)
        self.chart = QualityChart()
        self.chart.setAccessibleName(self.tr("Quality against size chart"))
        bottom_layout.addWidget(self.chart, 1)
        split.addWidget(bottom)
        layout.addWidget(split, 1)

    def _fill_types(self) -> None:
        self.types.setRowCount(len(TYPES))
        for row, t in enumerate(TYPES):
            items = [QTableWidgetItem(t.name), QTableWidgetItem(f"{t.bpw:.2f}"), QTableWidgetItem("–"),
                     QTableWidgetItem(QCoreApplicationTranslate(t.explanation))]
            items[0].setData(Qt.ItemDataRole.UserRole, t.name)
            for col, item in enumerate(items):
                self.types.setItem(row, col, item)
        self.types.resizeColumnsToContents()
        self.types.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.types.setColumnWidth(2, max(self.types.columnWidth(2), self.fontMetrics().horizontalAdvance("0,000.0 MiB") + 16))
        self._update_type_rows()
        self.types.selectRow(next(i for i, t in enumerate(TYPES) if t.name == "Q4_K_M"))

    def _cell(self, row: int, col: int) -> QTableWidgetItem:
        """A cell of the types table: _fill_types makes every one (item() is typed Optional)."""
        item = self.types.item(row, col)
        assert item is not None
        return item

    def _has_imatrix_choice(self) -> bool:
        return not self.im_none.isChecked()

    def _update_type_rows(self) -> None:
        """Types that need an importance matrix are offered only when one is chosen."""
        allowed = self._has_imatrix_choice()
        for row, t in enumerate(TYPES):
            for col in range(4):
                item = self._cell(row, col)
                flags = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
                item.setFlags(flags if (allowed or not t.needs_imatrix) else Qt.ItemFlag.NoItemFlags)
                if t.needs_imatrix and not allowed and col == 3:
                    item.setToolTip(self.tr("Needs an importance matrix: choose one on the right."))

    # -- inputs --------------------------------------------------------------------------

    def selected_type(self) -> QuantType | None:
        rows = self.types.selectionModel().selectedRows() if self.types.selectionModel() else []
        return TYPES[rows[0].row()] if rows else None

    def _browse_source(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Source model"), "", self.tr("GGUF models (*.gguf)"))
        if path:
            self.set_source(path)

    def _browse_imatrix(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Calibration text or imatrix file"))
        if path:
            self.im_path.setText(path)
            (self.im_file if path.endswith((".gguf", ".dat")) else self.im_text).setChecked(True)

    def set_source(self, path: str) -> None:
        self.source.setText(path)
        self._source_changed()

    def _source_changed(self) -> None:
        path = self.source.text().strip()
        if path == self._last_source:  # editingFinished also fires on focus loss and on close
            return
        self._last_source = path
        self._predicted.clear()
        for row in range(self.types.rowCount()):
            self._cell(row, 2).setText("–")
        self.requant_note.clear()
        if not path:
            return

        def check(_emit: Any) -> Any:  # the header (a whole vocabulary; a slow disk): not on the UI thread
            from hearthlm.core.quantize.api import requantize_warning

            if not Path(path).is_file():
                return False
            return requantize_warning(path) or ""

        def checked(warning: Any) -> None:
            if path != self._last_source or warning is False:
                return  # another source was chosen meanwhile, or there is no file
            self.requant_note.setText(tr_msg(warning) if warning else "")
            self.refresh_results()
            self._predict_sizes()

        def refused(exc: Any) -> None:  # not a GGUF: say so, keep going
            if path == self._last_source:
                self.requant_note.setText(error_text(exc))
        run_detached(self, check, checked, refused)

    def _type_changed(self) -> None:
        t = self.selected_type()
        if t is not None and self._predicted.get(t.name):
            self._show_prediction(t.name, self._predicted[t.name])
        else:
            self.prediction.clear()

    def _predict_sizes(self) -> None:
        """llama.cpp dry runs for every type at once (a few seconds), filling the size column. A
        prediction for the source chosen before is cancelled; during a quantization this waits
        for it to end."""
        if self._job is not None:
            if not self._predicting:
                self._predict_after = True
                return
            self.cancel()  # its result, if it still comes, is for the other source: dropped
        src = self.source.text().strip()
        self._run(lambda emit, cancel: self._api().predict_sizes(src, nthread=self.threads, on_event=emit,
                                                                 cancel=cancel),
                  self._sizes_done, busy_text=self.tr("Predicting output sizes…"), predicting=True)

    def _show_prediction(self, name: str, size: int) -> None:
        self.prediction.setText(self.tr("{type}: the output will be {size}.").format(type=name, size=_mib(size)))

    def _sizes_done(self, sizes: dict) -> None:
        self._predicted = {k: v for k, v in sizes.items() if v}
        for row, t in enumerate(TYPES):
            size = sizes.get(t.name)
            self._cell(row, 2).setText(_mib(size) if size else self.tr("n/a"))
        self.status.clear()
        self.progress.setValue(0)
        self._type_changed()

    @staticmethod
    def _api() -> ModuleType:
        from hearthlm.core.quantize import api

        return api

    def _imatrix_args(self) -> dict:
        api = self._api()
        if self.im_default.isChecked():
            return {"calibration": api.default_calibration()}
        if self.im_text.isChecked():
            return {"calibration": self.im_path.text().strip()}
        if self.im_file.isChecked():
            return {"imatrix": self.im_path.text().strip()}
        return {}

    # -- running -------------------------------------------------------------------------

    def start(self) -> None:
        t, src = self.selected_type(), self.source.text().strip()
        if t is None or not src or self._job is not None:
            return
        if (self.im_text.isChecked() or self.im_file.isChecked()) and not Path(self.im_path.text().strip()).is_file():
            self.status.setText(self.tr("Choose the calibration text or importance matrix file first."))
            return
        allow = False
        if self.requant_note.text():
            answer = QMessageBox.warning(self, self.tr("Quantize a quantized model?"), self.requant_note.text(),
                                         QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                         QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                return
            allow = True
        args, measure, threads = self._imatrix_args(), self.measure.isChecked(), self.threads

        def work(emit: Callable[[dict[str, Any]], None], cancel: threading.Event) -> dict[str, Any]:
            api = self._api()
            result = api.quantize(src, t.name, allow_requantize=allow, nthread=threads, on_event=emit,
                                  cancel=cancel, **args)
            if measure and not cancel.is_set():
                emit({"stage": "perplexity", "done": 0, "total": 1})
                q = api.perplexity(result["out"], api.default_eval_text(), n_ctx=EVAL_CTX, base=src,
                                   fit_ctx=True, nthread=threads, on_event=emit, cancel=cancel)
                from hearthlm.core.quantized_models import record_quality

                record_quality(result["out"], q["result"], q.get("base"))
            return result

        self._run(work, self._quantized, busy_text=self.tr("Quantizing to {type}…").format(type=t.name))

    def _run(self, fn: Callable[[Callable[[dict[str, Any]], None], threading.Event], dict[str, Any]],
             on_done: Callable[[dict[str, Any]], None], busy_text: str, predicting: bool = False) -> None:
        if self._closing:
            return
        cancel = threading.Event()
        # Owned by the application, not the page: a page deleted mid-job must not destroy a running
        # QThread (Qt aborts). The job is cancelled instead and deletes itself when it ends.
        job = Job(lambda emit: fn(emit, cancel), QCoreApplication.instance())
        self.destroyed.connect(cancel.set)
        self._job, self._cancel, self._predicting, self._on_done = job, cancel, predicting, on_done
        # Bound methods (Qt disconnects them when the page goes); each asks sender() whether it is
        # the current job: one replaced (a prediction for the source chosen before) ends unheard.
        job.progressed.connect(self._job_progressed)
        job.succeeded.connect(self._job_succeeded)
        job.failed.connect(self._job_failed)
        job.finished.connect(self._job_finished)
        job.finished.connect(job.deleteLater)
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.progress.setValue(0)
        self.status.setText(busy_text)
        job.start()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt)
        self._closing = True
        self.cancel()
        if self._job is not None:
            self._job.wait(5000)
        super().closeEvent(event)

    def cancel(self) -> None:
        if self._cancel is not None:
            self._cancel.set()

    def _on_event(self, ev: dict) -> None:
        stages = {"imatrix": self.tr("Importance matrix"), "quantize": self.tr("Quantizing"),
                  "sizes": self.tr("Predicting sizes"), "perplexity": self.tr("Measuring quality")}
        done, total = ev.get("done", 0), max(ev.get("total", 1), 1)
        self.progress.setValue(int(100 * done / total))
        stage = ev.get("stage")
        label = stages.get(stage, stage) if isinstance(stage, str) else stage
        self.status.setText(f"{label}: {done}/{total}")

    def _quantized(self, result: dict) -> None:
        self.quantizeFinished.emit(str(result["out"]))
        self.status.setText(self.tr("Wrote {path} ({size}).").format(path=result["out"], size=_mib(result["size_bytes"])))
        self.progress.setValue(100)
        self.refresh_results()

    def _failed(self, exc: BaseException) -> None:
        self.status.setText(error_text(exc))

    def _job_progressed(self, ev: dict) -> None:
        if self.sender() is self._job:
            self._on_event(ev)

    def _job_succeeded(self, result: dict[str, Any]) -> None:
        if self.sender() is self._job and self._on_done is not None:
            self._on_done(result)

    def _job_failed(self, exc: BaseException) -> None:
        if self.sender() is self._job:
            self._failed(exc)

    def _job_finished(self) -> None:
        job = self.sender()
        if isinstance(job, Job):
            job.wait()  # this job's thread: finished is emitted just before it ends
        if job is not self._job:
            return  # replaced: the current job is still running
        self._job = self._cancel = None
        self.run_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        if self._predict_after:  # the source changed during a quantization
            self._predict_after = False
            self._predict_sizes()

    # -- results -------------------------------------------------------------------------

    def refresh_results(self) -> None:
        from hearthlm.core.quantized_models import results_for

        src = self.source.text().strip()
        rows = results_for(str(Path(src).expanduser()) if src else None)
        rows.sort(key=lambda r: -(r.get("bpw") or 0))
        self.results.setRowCount(len(rows))
        for i, r in enumerate(rows):
            name = r.get("type", "?") + (" + imatrix" if r.get("imatrix") else "")
            cells = [name, _mib(r.get("size_bytes")), f"{r.get('bpw', 0):.2f}",
                     f"{r['ppl']:.3f} ± {r['ppl_err']:.3f}" if r.get("ppl") is not None else "–",
                     f"{r['delta_ppl']:+.3f}" if r.get("delta_ppl") is not None else "–",
                     f"{r['kl']:.5f}" if r.get("kl") is not None else "–"]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(r["out"])
                self.results.setItem(i, col, item)
        self.chart.show_rows(rows)


def QCoreApplicationTranslate(text: str) -> str:  # noqa: N802
    from PySide6.QtCore import QCoreApplication

    return QCoreApplication.translate("core", text)
