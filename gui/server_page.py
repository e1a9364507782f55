"""The Server page: Hearth's OpenAI-compatible API (core/serve) started from the window.

A start/stop switch, the address to copy, an API key (made on request, shown once, kept only as a
hash), the model served, the connected clients and a live log of requests. The server serves the
chat's model through the chat's own engine: the window is one more client of that engine, and
the model is in memory once. uvicorn runs on a thread of its own (core/serve/server.py); each
finished request reaches this page through a queued signal. UI thread only.

Signals: started(str address), stopped().
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QListWidget, QPushButton, QSpinBox, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from hearthlm.core.errors import HearthError
from hearthlm.core.serve.activity import LogEntry
from hearthlm.core.serve.config import ServeConfig
from hearthlm.core.serve.saved import SavedServer

from .detached_job import run_detached
from .messages import tr_msg

LOG_ROWS = 200


class _Bridge(QObject):
    logged = Signal(object)  # emitted on the server's thread, delivered on the UI thread
    crashed = Signal()  # the chat's engine died answering a server request


class ServerPage(QWidget):
    started = Signal(str)
    stopped = Signal()

    def __init__(self, window: Any = None):
        super().__init__(window if isinstance(window, QWidget) else None)
        self.window_ref = window
        self.saved = SavedServer.load()
        self.server: Any = None
        self._bridge = _Bridge(self)
        self._bridge.logged.connect(self._add_log_row)
        self._bridge.crashed.connect(self._restart_chat_engine)
        self._build()
        self._clients_timer = QTimer(self)
        self._clients_timer.setInterval(1000)
        self._clients_timer.timeout.connect(self._refresh_clients)
        chat = getattr(window, "chat", None)
        events = getattr(chat, "events", None)
        if events is not None:
            events.loaded.connect(lambda _info: self._follow_chat_model())
        self._show_state()

    # -- layout ----------------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.switch = QPushButton(self.tr("Start server"))
        self.switch.setObjectName("serverSwitch")
        self.switch.setCheckable(True)
        self.switch.toggled.connect(self._toggled)
        top.addWidget(self.switch)
        self.address = QLineEdit()
        self.address.setObjectName("serverAddress")
        self.address.setAccessibleName(self.tr("Server address"))
        self.address.setReadOnly(True)
        top.addWidget(self.address, 1)
        self.copy_button = QPushButton(self.tr("Copy"))
        self.copy_button.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.address.text()))
        top.addWidget(self.copy_button)
        layout.addLayout(top)
        self.status = QLabel()
        self.status.setObjectName("serverStatus")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)

        form = QFormLayout()
        self.host = QLineEdit(self.saved.host)
        self.host.setToolTip(self.tr("127.0.0.1: this computer only. 0.0.0.0: the network too (needs a key)."))
        form.addRow(self.tr("Listen on"), self.host)
        self.port = QSpinBox()
        self.port.setRange(0, 65535)  # 0: any free port
        self.port.setValue(self.saved.port)
        form.addRow(self.tr("Port"), self.port)
        self.parallel = QSpinBox()
        self.parallel.setRange(1, 64)
        self.parallel.setValue(self.saved.parallel)
        form.addRow(self.tr("Clients at once"), self.parallel)
        key_row = QHBoxLayout()
        self.require_key = QCheckBox(self.tr("Require an API key"))
        self.require_key.setChecked(self.saved.key_hash is not None)
        self.require_key.toggled.connect(self._require_key_toggled)
        key_row.addWidget(self.require_key)
        self.new_key_button = QPushButton(self.tr("New key…"))
        self.new_key_button.setObjectName("newKey")
        self.new_key_button.clicked.connect(self.make_key)
        key_row.addWidget(self.new_key_button)
        key_row.addStretch(1)
        form.addRow(self.tr("Key"), key_row)
        layout.addLayout(form)

        lists = QHBoxLayout()
        models_box = QVBoxLayout()
        models_box.addWidget(QLabel(self.tr("Models served")))
        self.models = QListWidget()
        self.models.setObjectName("servedModels")
        self.models.setAccessibleName(self.tr("Served models"))
        models_box.addWidget(self.models)
        lists.addLayout(models_box)
        clients_box = QVBoxLayout()
        clients_box.addWidget(QLabel(self.tr("Connected clients")))
        self.clients = QListWidget()
        self.clients.setObjectName("connectedClients")
        self.clients.setAccessibleName(self.tr("Connected clients"))
        clients_box.addWidget(self.clients)
        lists.addLayout(clients_box)
        layout.addLayout(lists, 1)

        layout.addWidget(QLabel(self.tr("Requests")))
        self.log = QTableWidget(0, 6)
        self.log.setObjectName("requestLog")
        self.log.setAccessibleName(self.tr("Request log"))
        self.log.setHorizontalHeaderLabels([self.tr("Time"), self.tr("Client"), self.tr("Model"), self.tr("Tokens"),
                                            self.tr("Duration"), self.tr("Status")])
        self.log.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.log.verticalHeader().setVisible(False)
        self.log.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        layout.addWidget(self.log, 2)

    # -- starting and stopping -------------------------------------------------------------------

    def _chat_model(self) -> tuple[str | None, Any]:
        """The chat's model path and its engine keeper (the window's engine)."""
        session = getattr(getattr(self.window_ref, "chat", None), "session", None)
        if session is None:
            return None, None
        return session.model_path, session.engine.keeper

    def start(self) -> bool:
        from hearthlm.core.serve.pool import EnginePool
        from hearthlm.core.serve.server import Server
        from hearthlm.core.serve.services import Services

        path, keeper = self._chat_model()
        self.saved.host, self.saved.port, self.saved.parallel = self.host.text().strip(), self.port.value(), \
            self.parallel.value()
        self.saved.save()
        config = ServeConfig(host=self.saved.host, port=self.saved.port, parallel=self.saved.parallel,
                             models=[path] if path else [],
                             api_key_hash=self.saved.key_hash if self.require_key.isChecked() else None)
        try:
            config.check()
            # With the window's engine: the chat's model, answered by the chat's engine only.
            pool = EnginePool(config, guest_only=keeper is not None)
            if keeper is not None:
                pool.share(keeper)
                pool.on_guest_crash = self._bridge.crashed.emit
            docs = getattr(self.window_ref, "docs", None)  # the window's document store and embedding child
            services = Services(config, pool, open_store=docs.store if docs is not None else None,
                                embed=docs.embed_service.embed if docs is not None else None)
            server = Server(config, services=services)
            server.services.activity.listeners.append(self._bridge.logged.emit)
            server.start()
        except HearthError as exc:
            self.status.setText(tr_msg(exc.msg))
            return False
        self.server = server
        self.port.setValue(server.port)  # the port chosen when 0 was asked for
        self._show_state()
        self._clients_timer.start()
        self.started.emit(server.address)
        return True

    def stop(self) -> None:
        """Off at once; the server winds down on a job: with a client streaming, uvicorn waits up to
        its graceful timeout (2 s) for it, and the window does not."""
        server, self.server = self.server, None
        if server is not None:
            keeper = self._chat_model()[1]
            if keeper is not None:
                server.services.pool.unshare(keeper)  # the chat's engine stays with the chat
            run_detached(self, lambda _emit: server.stop(), lambda _result: None, lambda _exc: None)
        self._clients_timer.stop()
        self._show_state()
        self.stopped.emit()

    def _toggled(self, on: bool) -> None:
        if on and self.server is None and not self.start():
            self.switch.setChecked(False)
        elif not on and self.server is not None:
            self.stop()

    def _follow_chat_model(self) -> None:
        """The chat loaded another model: serve that one."""
        path = self._chat_model()[0]
        if self.server is not None and path:
            self.server.services.pool.set_models([path])
        self._show_state()

    def _restart_chat_engine(self) -> None:
        """The chat's engine died on a server request: load the chat's model again (as the chat would
        on its next question), so the next request is served."""
        session = getattr(getattr(self.window_ref, "chat", None), "session", None)
        if session is not None and session.model_path and not session.busy:
            session.load(session.model_path)

    def _show_state(self) -> None:
        running = self.server is not None
        self.switch.blockSignals(True)
        self.switch.setChecked(running)
        self.switch.blockSignals(False)
        self.switch.setText(self.tr("Stop server") if running else self.tr("Start server"))
        for widget in (self.host, self.port, self.parallel, self.require_key, self.new_key_button):
            widget.setEnabled(not running)
        self.address.setText(self.server.address if running else "")
        self.copy_button.setEnabled(running)  # nothing to copy while the server is off
        self.models.clear()
        if running:
            for model in self.server.services.pool.models.values():
                self.models.addItem(model.id)
            self.status.setText(self.tr("Serving at {address}. Clients use it as an OpenAI API base URL.")
                                .format(address=self.server.address))
        else:
            path = self._chat_model()[0]
            if path:
                self.models.addItem(path.rsplit("/", 1)[-1])
            self.status.setText(self.tr("The server is off."))
        self._show_key_state()

    # -- the key ---------------------------------------------------------------------------------

    def _show_key_state(self) -> None:
        self.require_key.setToolTip(self.tr("A key is set; only its hash is stored.") if self.saved.key_hash
                                    else self.tr("No key yet: make one with New key…"))

    def _require_key_toggled(self, on: bool) -> None:
        if on and self.saved.key_hash is None:
            self.make_key()
        self._show_key_state()

    def make_key(self) -> str:
        """A new key, shown once in a dialog; only its hash is kept."""
        key = self.saved.make_key()
        self.require_key.blockSignals(True)
        self.require_key.setChecked(True)
        self.require_key.blockSignals(False)
        self._show_key_state()
        self.key_dialog = _KeyDialog(key, self)
        self.key_dialog.open()
        return key

    # -- activity --------------------------------------------------------------------------------

    def _add_log_row(self, entry: LogEntry) -> None:
        row = 0
        self.log.insertRow(row)
        values = [time.strftime("%H:%M:%S", time.localtime(entry.started)), entry.client, entry.model,
                  str(entry.tokens or ""), self.tr("{s:.2f} s").format(s=entry.duration_s), str(entry.status)]
        for column, value in enumerate(values):
            item = QTableWidgetItem(value)
            if column in (3, 4, 5):
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.log.setItem(row, column, item)
        while self.log.rowCount() > LOG_ROWS:
            self.log.removeRow(self.log.rowCount() - 1)

    def _refresh_clients(self) -> None:
        """One line per client machine (its connections counted together)."""
        if self.server is None:
            return
        hosts: dict[str, list[int]] = {}
        for client in self.server.services.activity.connected():
            counts = hosts.setdefault(client.address.rsplit(":", 1)[0], [0, 0])
            counts[0] += client.requests
            counts[1] += client.active
        self.clients.clear()
        for host, (requests, active) in sorted(hosts.items()):
            state = self.tr("answering") if active else self.tr("idle")
            self.clients.addItem(self.tr("{host} — {requests} requests, {state}").format(
                host=host, requests=requests, state=state))

    def shutdown(self) -> None:
        self.stop()


class _KeyDialog(QDialog):
    """The new key, once: it is not stored, so it cannot be shown again."""

    def __init__(self, key: str, parent: QWidget):
        super().__init__(parent)
        self.setWindowTitle(self.tr("New API key"))
        layout = QVBoxLayout(self)
        note = QLabel(self.tr("Copy this key now: Hearth keeps only its hash and cannot show it again. "
                              "Clients send it as “Authorization: Bearer KEY”."))
        note.setWordWrap(True)
        layout.addWidget(note)
        self.key = QLineEdit(key)
        self.key.setObjectName("newKeyText")
        self.key.setReadOnly(True)
        layout.addWidget(self.key)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = buttons.addButton(self.tr("Copy"), QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(key))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

