"""The download queue on screen: progress, speed, ETA; pause, resume, cancel; errors as sentences.

It shows the core DownloadQueue; queue events arrive on worker threads and reach the widgets
through a queued Qt signal (``_bridge``).

Signals: ready(object Download)   a download finished and was verified
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (QHBoxLayout, QHeaderView, QLabel, QProgressBar, QPushButton, QTreeWidget,
                               QTreeWidgetItem, QVBoxLayout, QWidget)

from hearthlm.core.hub.names import human_size
from hearthlm.core.hub.queue import ACTIVE, Download, DownloadQueue

from .messages import tr_msg
from .models_common import fmt_duration


class _Bridge(QObject):
    changed = Signal(object)


class DownloadsView(QWidget):
    ready = Signal(object)

    def __init__(self, queue: DownloadQueue, parent: QWidget | None = None):
        super().__init__(parent)
        self.queue = queue
        self._rows: dict[str, QTreeWidgetItem] = {}
        self._bars: dict[str, QProgressBar] = {}
        self._states: dict[str, str] = {}
        self._bridge = _Bridge(self)
        self._bridge.changed.connect(self._update, Qt.ConnectionType.QueuedConnection)
        self._build()
        for item in queue.items():
            self._update(item)
        queue.subscribe(self._bridge.changed.emit)  # called on worker threads

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        self.tree = QTreeWidget()
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
        self.resume_button = QPushButton(self.tr("Resume"))
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.remove_button = QPushButton(self.tr("Remove from list"))
        for b in (self.pause_button, self.resume_button, self.cancel_button, self.remove_button):
            row.addWidget(b)
        row.addStretch(1)
        layout.addLayout(row)
        self.pause_button.clicked.connect(lambda: self._act(self.queue.pause))
        self.resume_button.clicked.connect(lambda: self._act(self.queue.resume))
        self.cancel_button.clicked.connect(lambda: self._act(self.queue.cancel))
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
        row.setText(4, self.state_text(item))
        sentence = tr_msg(item.message) if item.message is not None else ""
        row.setToolTip(4, sentence)
        row.setToolTip(0, "\n".join(item.paths) or item.repo)
        row.setData(4, Qt.ItemDataRole.UserRole, sentence)
        if item.state == "failed":
            from PySide6.QtGui import QColor

            row.setForeground(4, QColor("#b3261e"))
        if item.state == "ready" and self._states.get(item.id) not in (None, "ready"):
            self.ready.emit(item)
        self._states[item.id] = item.state
        if self.tree.currentItem() is None and sentence:
            self.tree.setCurrentItem(row)
        self._sync_buttons()

    def _current_id(self) -> str | None:
        row = self.tree.currentItem()
        return row.data(0, Qt.ItemDataRole.UserRole) if row is not None else None

    def _sync_buttons(self) -> None:
        download_id = self._current_id()
        state = self._states.get(download_id or "", "")
        self.pause_button.setEnabled(state in ACTIVE)
        self.resume_button.setEnabled(state in ("paused", "failed", "cancelled"))
        self.cancel_button.setEnabled(state in (*ACTIVE, "paused", "failed"))
        self.remove_button.setEnabled(state in ("ready", "failed", "cancelled"))
        row = self.tree.currentItem()
        self.detail.setText(row.data(4, Qt.ItemDataRole.UserRole) or "" if row is not None else "")

    def _act(self, action) -> None:
        download_id = self._current_id()
        if download_id:
            action(download_id)

    def _remove(self) -> None:
        download_id = self._current_id()
        if not download_id:
            return
        self.queue.remove(download_id)
        row = self._rows.pop(download_id)
        self._bars.pop(download_id, None)
        self._states.pop(download_id, None)
        self.tree.takeTopLevelItem(self.tree.indexOfTopLevelItem(row))
        self._sync_buttons()
