"""Find models on Hugging Face: search and sort, then a model page with its card summary, license
and every GGUF file with size, quantization and a fit verdict for this machine.

Before the first search it shows the recommended first models. Network calls run on Jobs.

Signals: downloadRequested(str repo, object GGUFEntry, str revision)
"""

from __future__ import annotations

from typing import Any
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton,
                               QSplitter, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from hearthlm.core.hub.fit import Budget, Fit, verdict
from hearthlm.core.hub.names import human_size

from .layout_memory import fit_columns
from . import icons, theme
from .messages import tr_msg
from .models_common import JobRunner, fmt_count

_FIT_COLORS = {"fits": "#1b7a35", "partial": "#5b7a1b", "cpu": "#8a5e00", "tight": "#8a5e00", "no": "#b3261e"}
_FIT_DARK = {"fits": "#8fd19e", "partial": "#c5d98a", "cpu": "#f2c25c", "tight": "#f2c25c", "no": "#ff8a80"}


class HubBrowser(QWidget):
    downloadRequested = Signal(str, object, str)

    def __init__(self, budget: Callable[[], Budget | None], parent: QWidget | None = None,
                 devices: Callable[[], list | None] | None = None):
        super().__init__(parent)
        self._budget = budget
        self._devices = devices or (lambda: None)
        # Verdicts from the memory estimate, by (repo, revision, entry name); the headers behind
        # them are cached on disk too (core/hub/remote_header.py). Read one file at a time.
        self._estimates: dict[tuple[str, str, str], Any] = {}
        self._fit_tasks: list[tuple[tuple[str, str, str], Any]] = []
        self._fit_running = False
        self._jobs = JobRunner(self)
        self._listing: Any = None
        self._wanted_file: str | None = None
        self._build()
        self.show_recommended()

    # -- layout ------------------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.query = QLineEdit()
        self.query.setAccessibleName(self.tr("Search models on the hub"))
        self.query.setPlaceholderText(self.tr("Search GGUF models on Hugging Face, e.g. qwen2.5 instruct"))
        self.sort = QComboBox()
        self.sort.setAccessibleName(self.tr("Sort the search by"))
        self.sort.addItem(self.tr("Most downloaded"), "downloads")
        self.sort.addItem(self.tr("Most liked"), "likes")
        self.sort.addItem(self.tr("Recently updated"), "recent")
        self.search_button = QPushButton(self.tr("Search"))
        icons.set_icon(self.search_button, "search")
        self.token_button = QPushButton(self.tr("Token…"))
        icons.set_icon(self.token_button, "key")
        self.token_button.setToolTip(self.tr("A Hugging Face token, for gated and private models"))
        top.addWidget(self.query, 1)
        top.addWidget(self.sort)
        top.addWidget(self.search_button)
        top.addWidget(self.token_button)
        layout.addLayout(top)

        split = QSplitter(Qt.Orientation.Horizontal)
        self.results = QTreeWidget()
        self.results.setAccessibleName(self.tr("Models"))
        self.results.setRootIsDecorated(False)
        self.results.setHeaderLabels([self.tr("Model"), self.tr("Downloads"), self.tr("Likes"), self.tr("Updated")])
        self.results.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.results.header().setStretchLastSection(False)
        split.addWidget(self.results)

        panel = QWidget()
        side = QVBoxLayout(panel)
        side.setContentsMargins(6, 0, 0, 0)
        self.title = QLabel()
        self.title.setStyleSheet("font-size: 15px; font-weight: 600;")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.meta = QLabel()
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setMaximumHeight(140)
        self.files = QTreeWidget()
        self.files.setAccessibleName(self.tr("Files of the chosen model"))
        self.files.setRootIsDecorated(False)
        self.files.setHeaderLabels([self.tr("File"), self.tr("Size"), self.tr("Quant"), self.tr("Parts"),
                                    self.tr("Fit")])
        self.files.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.files.header().setStretchLastSection(False)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setObjectName("hubStatus")
        self.download_button = QPushButton(self.tr("Download"))
        icons.set_icon(self.download_button, "download")
        self.download_button.setEnabled(False)
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(self.download_button)
        for w in (self.title, self.meta, self.summary):
            side.addWidget(w)
        side.addWidget(self.files, 1)
        side.addLayout(row)
        split.addWidget(panel)
        split.setSizes([440, 560])
        layout.addWidget(split, 1)

        self.search_button.clicked.connect(self.search)
        self.query.returnPressed.connect(self.search)
        self.sort.currentIndexChanged.connect(lambda _i: self._search_again())
        self.results.currentItemChanged.connect(self._result_chosen)
        self.files.currentItemChanged.connect(lambda *_: self.download_button.setEnabled(self._chosen_entry() is not None))
        self.files.itemDoubleClicked.connect(lambda *_: self._download())
        self.download_button.clicked.connect(self._download)
        self.token_button.clicked.connect(self._ask_token)

    # -- searching ----------------------------------------------------------------------------------
    def show_recommended(self) -> None:
        from hearthlm.core.hub.recommended import recommended

        self.results.clear()
        self.results.setHeaderLabels([self.tr("Recommended first models"), self.tr("Size"), self.tr("Fit"),
                                      self.tr("License")])
        from hearthlm.core.hub.names import GGUFEntry

        tasks = []
        for model in recommended():
            key = (model["repo"], "main", model["file"])
            fit = self._estimates.get(key) or self._fit(int(model["size"]))
            name = model["repo"]
            if model.get("kind") == "embedding":  # marked: the one a collection with Chinese text wants
                name += "  ·  " + (self.tr("for documents, multilingual (Chinese and English)")
                                   if "zh" in model.get("languages", []) else self.tr("for documents"))
            item = QTreeWidgetItem([name, human_size(model["size"]), tr_msg(fit.label) if fit else "…",
                                    model["license"]])
            item.setToolTip(0, f"{model['file']}\n{tr_msg(model.get('note', ''))}")
            item.setData(0, Qt.ItemDataRole.UserRole, (model["repo"], model["file"]))
            self._show_fit(item, 2, fit, pending=key not in self._estimates)
            self.results.addTopLevelItem(item)
            if key not in self._estimates:
                size = int(model["size"])
                tasks.append((key, GGUFEntry(name=model["file"], files=[model["file"]], size=size,
                                             sizes={model["file"]: size})))
        self._estimate_fits(tasks)
        self._resize(self.results)
        if self._listing is None:
            self.meta.setText(self.tr("Choose a model on the left to see its description, license and files."))

    def _search_again(self) -> None:
        """Another sort order: the results again, if something was searched for."""
        if self.query.text().strip():
            self.search()

    def search(self) -> None:
        from hearthlm.core.hub.api import search_models

        query, sort = self.query.text().strip(), self.sort.currentData()
        self.status.setText(self.tr("Searching…"))
        self.search_button.setEnabled(False)
        self._jobs.run(lambda: search_models(query, sort=sort, limit=50), self._show_results, self._search_failed)

    def _show_results(self, models: list) -> None:
        self.search_button.setEnabled(True)
        self.results.clear()
        self.results.setHeaderLabels([self.tr("Model"), self.tr("Downloads"), self.tr("Likes"), self.tr("Updated")])
        for m in models:
            name = m.id + ("  🔒" if m.gated else "")
            item = QTreeWidgetItem([name, fmt_count(m.downloads), fmt_count(m.likes), m.last_modified[:10]])
            item.setData(0, Qt.ItemDataRole.UserRole, (m.id, None))
            for col in (1, 2):
                item.setTextAlignment(col, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.results.addTopLevelItem(item)
        self._resize(self.results)
        self.status.setText(self.tr("{n} models found.").format(n=len(models)) if models
                            else self.tr("No GGUF models match this search."))

    def _search_failed(self, sentence: str) -> None:
        self.search_button.setEnabled(True)
        self.status.setText(sentence)

    # -- model page ---------------------------------------------------------------------------------
    def _result_chosen(self, item: QTreeWidgetItem | None, _previous: Any = None) -> None:
        if item is None:
            return
        repo, wanted = item.data(0, Qt.ItemDataRole.UserRole)
        self.open_repo(repo, wanted)

    def open_repo(self, repo: str, wanted_file: str | None = None) -> None:
        from hearthlm.core.hub.api import card_summary, repo_files

        self._wanted_file = wanted_file
        self._listing = None
        self.title.setText(repo)
        self.meta.setText(self.tr("Loading…"))
        self.summary.setText("")
        self.files.clear()
        self.download_button.setEnabled(False)
        self.status.setText("")

        def load() -> tuple[Any, dict]:
            listing = repo_files(repo)
            try:
                card = card_summary(repo, revision=listing.revision)
            except Exception:  # noqa: BLE001 (a card that cannot be read leaves the files usable)
                card = {"license": None, "summary": ""}
            return listing, card

        self._jobs.run(load, lambda result: self._show_repo(repo, *result), self._repo_failed)

    def _show_repo(self, repo: str, listing: Any, card: dict) -> None:
        if self.title.text() != repo:
            return  # the user has moved on to another model
        self._listing = listing
        license_ = listing.license or card.get("license") or self.tr("unknown")
        meta = self.tr("License: {license}").format(license=license_)
        if listing.gated:
            meta += "  ·  " + self.tr("Gated: needs a Hugging Face token (Settings, HF_TOKEN or hf auth login)")
        self.meta.setText(meta)
        self.summary.setText(card.get("summary") or self.tr("This model has no description."))
        self.files.clear()
        chosen = None
        tasks = []
        for entry in listing.entries:
            key = (repo, listing.revision, entry.name)
            fit = self._estimates.get(key) or self._fit(entry.size)
            parts = str(entry.parts) if entry.complete else self.tr("{n} (incomplete)").format(n=entry.parts)
            item = QTreeWidgetItem([entry.name, human_size(entry.size), entry.quant or "?", parts,
                                    tr_msg(fit.label) if fit else "…"])
            item.setData(0, Qt.ItemDataRole.UserRole, entry)
            self._show_fit(item, 4, fit, pending=key not in self._estimates)
            if key not in self._estimates and entry.complete:
                tasks.append((key, entry))
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.files.addTopLevelItem(item)
            if self._wanted_file in entry.files or self._wanted_file == entry.name:
                chosen = item
        self._resize(self.files)
        self._estimate_fits(tasks)
        if chosen is not None:
            self.files.setCurrentItem(chosen)
        if not listing.entries:
            self.status.setText(self.tr("This repository has no GGUF files."))
        elif listing.unsafe:
            self.status.setText(self.tr("{n} file names were refused because they point outside the models "
                                        "folder.").format(n=len(listing.unsafe)))

    def _repo_failed(self, sentence: str) -> None:
        self.meta.setText("")
        self.status.setText(sentence)

    def _chosen_entry(self) -> Any:
        item = self.files.currentItem()
        entry = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        return entry if entry is not None and entry.complete else None

    def _download(self) -> None:
        entry = self._chosen_entry()
        if entry is None or self._listing is None:
            return
        self.downloadRequested.emit(self._listing.repo, entry, self._listing.revision)
        self.status.setText(self.tr("{name} was added to the downloads.").format(name=entry.name))

    def _ask_token(self) -> None:
        """Keep a Hugging Face token in the keychain (core/secrets.py; when empty: HF_TOKEN, else the
        stored hf auth login). Never in settings.json. The keychain is read and written on jobs: a
        locked one asks to be unlocked, and the window must not wait for that answer."""
        from hearthlm.core.secrets import hf_token

        self.token_button.setEnabled(False)
        self._jobs.run(lambda: hf_token() or "", self._edit_token, self._token_refused)

    def _token_refused(self, sentence: str) -> None:
        self.token_button.setEnabled(True)
        self.status.setText(sentence)

    def _edit_token(self, current: str) -> None:
        from PySide6.QtWidgets import QInputDialog, QLineEdit

        from hearthlm.core.secrets import set_hf_token

        token, ok = QInputDialog.getText(
            self, self.tr("Hugging Face token"),
            self.tr("Token for gated and private models (empty: use HF_TOKEN if set, else your hf auth login):"),
            QLineEdit.EchoMode.Password, current)
        if not ok:
            self.token_button.setEnabled(True)
            return
        token = token.strip()

        def saved(_result: object) -> None:
            self.token_button.setEnabled(True)
            self.status.setText(self.tr("Token saved.") if token else self.tr("Token removed."))
        self._jobs.run(lambda: set_hf_token(token), saved, self._token_refused)

    # -- helpers -------------------------------------------------------------------------------------
    def _fit(self, size: int) -> Fit | None:
        budget = self._budget()
        return verdict(size, budget) if budget is not None else None

    def _show_fit(self, item: QTreeWidgetItem, column: int, fit: Any, pending: bool = False) -> None:
        """The verdict in ``column``, its numbers in the tooltip; ``pending``: a size guess shown
        while the header is read for the estimate."""
        if fit is None:
            return
        from PySide6.QtGui import QColor

        item.setText(column, tr_msg(fit.label))
        tip = tr_msg(fit.detail)
        if pending and self._devices() is not None:
            tip = self.tr("Reading the file's header to estimate its memory…") + "\n" + tip
        item.setToolTip(column, tip)
        item.setForeground(column, QColor(_FIT_COLORS[fit.verdict] if theme.colors().name == "light" else _FIT_DARK[fit.verdict]))
        font = item.font(column)
        font.setItalic(getattr(fit, "source", "size") != "estimate")  # italic: a guess from the file size
        item.setFont(column, font)

    def _estimate_fits(self, tasks: list) -> None:
        """Replace the size guesses on screen by the estimate, one file at a time, off the UI thread."""
        self._fit_tasks = list(tasks)
        if not self._fit_running:
            self._next_fit()

    def _next_fit(self) -> None:
        from hearthlm.core.hub.remote_header import remote_fit

        devices = self._devices()
        if not self._fit_tasks or devices is None:
            self._fit_running = False
            return
        key, entry = self._fit_tasks.pop(0)
        budget = self._budget()
        self._fit_running = True

        def done(fit: Any) -> None:
            self._estimates[key] = fit
            self._fit_running = False
            self._apply_fit(key, fit)
            self._next_fit()

        def failed(_sentence: str) -> None:
            self._fit_running = False
            self._next_fit()

        self._jobs.run(lambda: remote_fit(key[0], entry, devices, budget, revision=key[1]), done, failed)

    def _apply_fit(self, key: tuple[str, str, str], fit: Any) -> None:
        repo, revision, name = key
        if self._listing is not None and (self._listing.repo, self._listing.revision) == (repo, revision):
            for i in range(self.files.topLevelItemCount()):
                item = self.files.topLevelItem(i)
                assert item is not None  # typed Optional; never None for an index in range
                if item.data(0, Qt.ItemDataRole.UserRole).name == name:
                    self._show_fit(item, 4, fit)
                    self._resize(self.files)
        if revision == "main":
            for i in range(self.results.topLevelItemCount()):
                item = self.results.topLevelItem(i)
                assert item is not None
                if item.data(0, Qt.ItemDataRole.UserRole) == (repo, name):
                    self._show_fit(item, 2, fit)
                    self._resize(self.results)

    def fit_of(self, repo: str, revision: str, name: str) -> Any:
        """The estimate's verdict once it is known (None before)."""
        return self._estimates.get((repo, revision, name))

    @staticmethod
    def _resize(tree: QTreeWidget) -> None:
        fit_columns(tree)

    def refresh_fit(self) -> None:
        """The machine's memory is known now (or changed): redo the verdicts on screen."""
        if self._listing is not None:
            self._show_repo(self._listing.repo, self._listing, {"license": None, "summary": self.summary.text()})
        elif not self.query.text().strip():
            self.show_recommended()
