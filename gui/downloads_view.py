"""The download queue on screen: progress, speed, ETA; pause, resume, cancel; errors as sentences.

It shows the core DownloadQueue; queue events arrive on worker threads and reach the widgets
through a queued Qt signal (``_bridge``). Pause, resume, cancel and remove run on job threads:
stopping a download waits (up to seconds) for its worker to let go of the files, and the window
must not wait with it. Meanwhile the row says "Pausing…"/"Cancelling…".

Signals: ready(object Download)    a download finished and was verified
         stopped(object Download)  a download failed or was cancelled (its message says why)
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (QHBoxLayout, QHeaderView, QLabel, QProgressBar, QPushButton, QTreeWidget,
                               QTreeWidgetItem, QVBoxLayout, QWidget)

from hearthlm.core.hub.names import human_size
from hearthlm.core.hub.queue import ACTIVE, Download, DownloadQueue

from . import icons, theme
from .detached_job import run_detached
from .messages import error_text, tr_msg
from .models_common import fmt_duration


class _Bridge(QObject):
    changed = Signal(object)


class DownloadsView(QWidget):
    ready = Signal(object)
    stopped = Signal(object)

    def __init__(self, queue: DownloadQueue, parent: QWidget | None = None):
        super().__init__(parent)
        self.queue = queue
        self._rows: dict[str, QTreeWidgetItem] = {}
        self._bars: dict[str, QProgressBar] = {}
        self._states: dict[str, str] = {}
        self._acting: dict[str, str] = {}  # download id -> the action running on a job ("Pausing…")
        self._bridge = _Bridge(self)
        self._bridge.changed.connect(self._update, Qt.ConnectionType.QueuedConnection)
        self._build()
        for item in queue.items():
            self._update(item)
        queue.subscribe(self._bridge.changed.emit)  # called on worker threads

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        self.tree = QTreeWidget()
        self.tree.setAccessibleName(self.tr("Downloads"))
        self.tree.setRootIsDecorated(False)
        self.tree.setHeaderLabels([self.tr("Model"), self.tr("Progress"), self.tr("Speed"), self.tr("Time left"),
                                   self.tr("Status")])
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        self.tree.setColumnWidth(1, 220)
        self.tree.setColumnWidth(2, 90)
        self.tree.setColumnWidth(3, 70)
        self.tree.setColumnWidth(4, 150)
        layout.addWidget(self.tree, 1)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.detail)
        row = QHBoxLayout()
        self.pause_button = QPushButton(self.tr("Pause"))
        icons.set_icon(self.pause_button, "pause")
        self.resume_button = QPushButton(self.tr("Resume"))
        icons.set_icon(self.resume_button, "resume")
        self.cancel_button = QPushButton(self.tr("Cancel"))
        icons.set_icon(self.cancel_button, "cancel")
        self.remove_button = QPushButton(self.tr("Remove from list"))
        icons.set_icon(self.remove_button, "delete")
        for b in (self.pause_button, self.resume_button, self.cancel_button, self.remove_button):
            row.addWidget(b)
        row.addStretch(1)
        layout.addLayout(row)
        self.pause_button.clicked.connect(lambda: self._act(self.queue.pause, self.tr("Pausing…")))
        self.resume_button.clicked.connect(lambda: self._act(self.queue.resume, self.tr("Resuming…")))
        self.cancel_button.clicked.connect(lambda: self._act(self.queue.cancel, self.tr("Cancelling…")))
        self.remove_button.clicked.connect(self._remove)
        self.tree.currentItemChanged.connect(lambda *_: self._sync_buttons())
        self._sync_buttons()

    def state_text(self, item: Download) -> str:
        return {
            "queued": self.tr("Waiting"), "downloading": self.tr("Downloading"),
            "verifying": self.tr("Checking sha256"), "retrying": self.tr("Retrying"),
            "paused": self.tr("Paused"), "ready": self.tr("Ready (verified)"),
            "failed": self.tr("Failed"), "cancelled": self.tr("Cancelled"),
        }.get(item.state, item.state)

    def _update(self, item: Download) -> None:
        row = self._rows.get(item.id)
        if row is None:
            row = QTreeWidgetItem([f"{item.repo} · {item.name}", "", "", "", ""])
            row.setData(0, Qt.ItemDataRole.UserRole, item.id)
            self.tree.addTopLevelItem(row)
            bar = QProgressBar()
            bar.setRange(0, 1000)
            self.tree.setItemWidget(row, 1, bar)
            self._rows[item.id], self._bars[item.id] = row, bar
        bar = self._bars[item.id]
        fraction = item.done / item.total if item.total else 0.0
        bar.setValue(int(1000 * min(1.0, fraction)))
        bar.setFormat(f"{fraction * 100:.0f}%  {human_size(item.done)} / {human_size(item.total)}")
        active = item.state in ("downloading",)
        row.setText(2, f"{human_size(item.speed)}/s" if active and item.speed else "")
        row.setText(3, fmt_duration(item.eta) if active else "")
        row.setText(4, self._acting.get(item.id) or self.state_text(item))
        sentence = tr_msg(item.message) if item.message is not None else ""
        row.setToolTip(4, sentence)
        row.setToolTip(0, "\n".join(item.paths) or item.repo)
        row.setData(4, Qt.ItemDataRole.UserRole, sentence)
        if item.state == "failed":
            from PySide6.QtGui import QColor

            row.setForeground(4, QColor(theme.colors().error))
        if item.state == "ready" and self._states.get(item.id) not in (None, "ready"):
            self.ready.emit(item)
        if item.state in ("failed", "cancelled") and self._states.get(item.id) != item.state:
            self.stopped.emit(item)
        self._states[item.id] = item.state
        if self.tree.currentItem() is None and sentence:
            self.tree.setCurrentItem(row)
        self._sync_buttons()

    def _current_id(self) -> str | None:
        row = self.tree.currentItem()
        return row.data(0, Qt.ItemDataRole.UserRole) if row is not None else None

    def _sync_buttons(self) -> None:
        download_id = self._current_id()
        state = self._states.get(download_id or "", "") if download_id not in self._acting else ""
        self.pause_button.setEnabled(state in ACTIVE)
        self.resume_button.setEnabled(state in ("paused", "failed", "cancelled"))
        self.cancel_button.setEnabled(state in (*ACTIVE, "paused", "failed"))
        self.remove_button.setEnabled(state in ("ready", "failed", "cancelled"))
        row = self.tree.currentItem()
        self.detail.setText(row.data(4, Qt.ItemDataRole.UserRole) or "" if row is not None else "")

    def _act(self, action: Callable[[str], None], doing: str) -> None:
        """``action(id)`` on a job thread; the row says ``doing`` until it returns."""
        download_id = self._current_id()
        if not download_id or download_id in self._acting:
            return
        self._acting[download_id] = doing
        self._rows[download_id].setText(4, doing)
        self._sync_buttons()
        run_detached(self, lambda _emit: action(download_id), lambda _r: self._acted(download_id),
                     lambda exc: self._acted(download_id, exc))

    def _acted(self, download_id: str, exc: BaseException | None = None) -> None:
        self._acting.pop(download_id, None)
        if download_id in self._rows:
            try:
                self._update(self.queue.get(download_id))
            except Exception:  # noqa: BLE001 (removed meanwhile)
                pass
        if exc is not None:
            self.detail.setText(error_text(exc))
        self._sync_buttons()

    def _remove(self) -> None:
        download_id = self._current_id()
        if not download_id or download_id in self._acting:
            return
        self._acting[download_id] = self.tr("Removing…")
        self._sync_buttons()
        # deletes partial files under the queue's lock: on a job thread
        run_detached(self, lambda _emit: self.queue.remove(download_id), lambda _r: self._removed(download_id),
                     lambda exc: self._acted(download_id, exc))

    def _removed(self, download_id: str) -> None:
        self._acting.pop(download_id, None)
        row = self._rows.pop(download_id)
        self._bars.pop(download_id, None)
        self._states.pop(download_id, None)
        self.tree.takeTopLevelItem(self.tree.indexOfTopLevelItem(row))
        self._sync_buttons()
