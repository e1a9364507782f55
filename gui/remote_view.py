"""The Models page's Remote section: OpenAI-compatible endpoints (core/remote), their models, a
probe of what each can do, and the form that adds one. Keys go to the keychain (core/secrets.py);
the endpoints themselves to the window's settings, saved at once.

Signals:
    useInChat(str ref)                      a remote model (remote:NAME/MODEL) to load in the chat
    modelsListed(str name, list[str] refs)  an endpoint's models, after a probe (the picker adds them)
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QDoubleSpinBox, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from hearthlm.core.errors import HearthError
from hearthlm.core.remote import make_ref
from hearthlm.core.remote.endpoints import DEFAULT_TIMEOUT_S, Endpoint, endpoints

from . import theme
from .messages import error_text, tr_msg
from .models_common import JobRunner

REF_ROLE = Qt.ItemDataRole.UserRole


class RemoteView(QWidget):
    useInChat = Signal(str)
    modelsListed = Signal(str, list)

    def __init__(self, settings: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("remoteView")
        self.settings = settings
        self._jobs = JobRunner(self)
        self._probes: dict[str, Any] = {}  # endpoint name -> its last ProbeResult
        intro = QLabel(self.tr("Chat with models on other machines: any OpenAI-compatible server (llama-server, "
                               "vLLM, Ollama, LM Studio, another Hearth's hearth serve). Their models appear "
                               "in the chat's model list as remote:NAME/MODEL."))
        intro.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setObjectName("remoteTree")
        self.tree.setAccessibleName(self.tr("Remote endpoints"))
        self.tree.setHeaderLabels([self.tr("Endpoint / model"), self.tr("Address / context"), self.tr("Server"),
                                   self.tr("Status")])
        self.tree.setColumnWidth(0, 260)
        self.tree.setColumnWidth(1, 300)
        self.add_button = QPushButton(self.tr("Add…"))
        self.test_button = QPushButton(self.tr("Test"))
        self.remove_button = QPushButton(self.tr("Remove"))
        self.use_button = QPushButton(self.tr("Use in chat"))
        buttons = QHBoxLayout()
        for button in (self.add_button, self.test_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.use_button)
        self.form = self._build_form()
        self.status = QLabel()
        self.status.setObjectName("remoteStatus")
        self.status.setWordWrap(True)
        self.store_label = QLabel()
        self.store_label.setObjectName("secretStore")
        self.store_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        widget: QWidget
        for widget in (intro, self.tree):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        for widget in (self.form, self.status, self.store_label):
            layout.addWidget(widget)
        self.add_button.clicked.connect(self._open_form)
        self.test_button.clicked.connect(lambda: self.test(self._selected_endpoint()))
        self.remove_button.clicked.connect(self._remove)
        self.use_button.clicked.connect(self._use)
        self.tree.itemSelectionChanged.connect(self._selection_changed)
        self.tree.itemDoubleClicked.connect(lambda item, _c: self._use() if item.data(0, REF_ROLE) else None)
        self.refresh()
        self._show_store()

    def _open_form(self) -> None:
        self.form.setVisible(True)
        self.name_edit.setFocus()

    def _build_form(self) -> QGroupBox:
        box = QGroupBox(self.tr("Add an endpoint"))
        box.setObjectName("remoteForm")
        theme.style(box)
        self.name_edit = QLineEdit(placeholderText=self.tr("gpu-box"))
        self.url_edit = QLineEdit(placeholderText="http://gpu-box:8080/v1")
        self.key_edit = QLineEdit(placeholderText=self.tr("none"))
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.ca_edit = QLineEdit(placeholderText=self.tr("the system's certificates"))
        browse = QPushButton(self.tr("Browse…"))
        browse.clicked.connect(self._browse_ca)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_edit, 1)
        ca_row.addWidget(browse)
        self.timeout_spin = QDoubleSpinBox(minimum=1, maximum=3600, value=DEFAULT_TIMEOUT_S, decimals=0,
                                           suffix=self.tr(" s", "seconds, after a number"))
        self.save_button = QPushButton(self.tr("Add and test"))
        cancel = QPushButton(self.tr("Cancel"))
        actions = QHBoxLayout()
        actions.addStretch(1)
        actions.addWidget(cancel)
        actions.addWidget(self.save_button)
        form = QFormLayout(box)
        form.addRow(self.tr("Name:"), self.name_edit)
        form.addRow(self.tr("Base URL:"), self.url_edit)
        form.addRow(self.tr("API key:"), self.key_edit)
        form.addRow(self.tr("CA file:"), ca_row)
        form.addRow(self.tr("Timeout:"), self.timeout_spin)
        form.addRow(actions)
        self.save_button.clicked.connect(self._add)
        cancel.clicked.connect(lambda: box.setVisible(False))
        box.setVisible(False)
        return box

    def _show_store(self) -> None:
        """Which keychain keeps the keys: finding it out starts keyring's backend (D-Bus for the
        Secret Service, which can take seconds to answer), so on a job."""
        def describe() -> Any:
            from hearthlm.core.secrets import secret_store

            return secret_store().describe()

        self._jobs.run(describe, lambda store: self.store_label.setText(
            self.tr("Keys are kept in {store}; never in settings.json.").format(store=tr_msg(store))),
            lambda _sentence: None)

    # -- the list ------------------------------------------------------------------------------------

    def refresh(self) -> None:
        self.tree.clear()
        for endpoint in endpoints(self.settings):
            probe = self._probes.get(endpoint.name)
            top = QTreeWidgetItem([endpoint.name, endpoint.url, (probe.server if probe else endpoint.server) or "",
                                   self._status_text(endpoint, probe)])
            top.setData(0, Qt.ItemDataRole.UserRole + 1, endpoint.name)
            top.setToolTip(3, top.text(3))
            models: list[dict[str, Any]] = (probe.models if probe is not None and probe.ok
                                            else [{"id": m, "n_ctx": None} for m in endpoint.models])
            for model in models:
                ctx = self.tr("context {n}").format(n=model["n_ctx"]) if model.get("n_ctx") else ""
                child = QTreeWidgetItem([model["id"], ctx, "", ""])
                child.setData(0, REF_ROLE, make_ref(endpoint.name, model["id"]))
                child.setData(0, Qt.ItemDataRole.UserRole + 1, endpoint.name)
                top.addChild(child)
            self.tree.addTopLevelItem(top)
            top.setExpanded(True)
        self._selection_changed()

    def _status_text(self, endpoint: Endpoint, probe: Any) -> str:
        key = self.tr("key stored") if endpoint.has_key else self.tr("no key")
        if probe is None:
            return key
        if not probe.ok:
            return tr_msg(probe.error)
        tools = {True: self.tr("tool calls: yes"), False: self.tr("tool calls: no"), None: ""}[probe.tools]
        return " · ".join(p for p in (key, self.tr("{n} models").format(n=len(probe.models)), tools) if p)

    def _selected(self) -> QTreeWidgetItem | None:
        items = self.tree.selectedItems()
        return items[0] if items else None

    def _selected_endpoint(self) -> str | None:
        item = self._selected()
        return item.data(0, Qt.ItemDataRole.UserRole + 1) if item is not None else None

    def _selection_changed(self) -> None:
        item = self._selected()
        self.test_button.setEnabled(item is not None)
        self.remove_button.setEnabled(item is not None)
        self.use_button.setEnabled(item is not None and bool(item.data(0, REF_ROLE)))

    def select_model(self, ref: str) -> bool:
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            assert top is not None  # typed Optional; never None for an index in range
            for j in range(top.childCount()):
                child = top.child(j)
                assert child is not None
                if child.data(0, REF_ROLE) == ref:
                    self.tree.setCurrentItem(child)
                    return True
        return False

    # -- actions ---------------------------------------------------------------------------------------

    def _save(self, name: str) -> None:
        """This endpoint only, into the file as it is now (a `hearth remote` or `hearth settings`
        command may have changed it since the window read it)."""
        from hearthlm.core.remote.endpoints import save_endpoints

        save_endpoints(self.settings, name)

    def _add(self) -> None:
        from hearthlm.core.remote.endpoints import add_endpoint

        name = self.name_edit.text().strip()
        try:
            name = add_endpoint(self.settings, name, self.url_edit.text().strip(),
                                key=self.key_edit.text().strip() or None, ca_file=self.ca_edit.text().strip() or None,
                                timeout_s=self.timeout_spin.value()).name
            self._save(name)
        except HearthError as exc:
            self.status.setText(error_text(exc))
            return
        self.key_edit.clear()  # the key is in the keychain now; not kept in a widget
        self.form.setVisible(False)
        self.status.setText(self.tr("Added {name}.").format(name=name))
        self.refresh()
        self.test(name)

    def test(self, name: str | None) -> None:
        """Probe the endpoint off the UI thread; the list shows what it found."""
        if not name:
            return
        from hearthlm.core.remote.endpoints import get_endpoint

        try:
            endpoint = get_endpoint(self.settings, name)
        except HearthError as exc:
            self.status.setText(error_text(exc))
            return
        self.status.setText(self.tr("Testing {name}…").format(name=name))

        def work() -> Any:  # on a job's thread
            from hearthlm.core.remote.probe import probe

            return probe(endpoint, endpoint.key())

        self._jobs.run(work, lambda result: self._tested(name, result), self.status.setText)

    def _tested(self, name: str, result: Any) -> None:
        from hearthlm.core.remote.endpoints import remember_probe

        self._probes[name] = result
        if result.ok:
            remember_probe(self.settings, name, [m["id"] for m in result.models], result.server)
            self._save(name)
            self.status.setText(self.tr("{name} answers: {server}, {n} models.").format(
                name=name, server=result.server, n=len(result.models)))
            self.modelsListed.emit(name, [m["ref"] for m in result.models])
        else:
            self.status.setText(tr_msg(result.error))
        self.refresh()

    def _remove(self) -> None:
        from hearthlm.core.remote.endpoints import remove_endpoint

        name = self._selected_endpoint()
        if not name:
            return
        try:
            remove_endpoint(self.settings, name)
            self._save(name)
        except HearthError as exc:
            self.status.setText(error_text(exc))
            return
        self._probes.pop(name, None)
        self.status.setText(self.tr("Removed {name} and its key.").format(name=name))
        self.refresh()

    def _use(self) -> None:
        item = self._selected()
        ref = item.data(0, REF_ROLE) if item is not None else None
        if ref:
            self.useInChat.emit(ref)

    def _browse_ca(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("CA certificate"), "",
                                              self.tr("Certificates (*.pem *.crt);;All files (*)"))
        if path:
            self.ca_edit.setText(path)
