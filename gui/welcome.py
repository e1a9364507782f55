"""The first-run welcome on the chat page: shown while the starter model is the only model.

It says what the starter is (tiny, for trying Hearth) and lists the recommended chat models
(resources/recommended_models.json) whose fit verdict for this machine is not "won't fit", each
with a Download button. The verdicts are worked out off the UI thread (core/hub/recommended.py:
the memory estimate from each file's header on the hub, or the file-size guess).

Signals: downloadRequested(str repo, str file, int size)   the user asked for one of them
         dismissed()
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from hearthlm.core.hub.names import human_size

from . import icons, theme
from .messages import tr_msg
from .models_common import JobRunner


def fitting_models(budget_fn: Callable[[], Any]) -> list[dict[str, Any]]:
    """Recommended chat models that fit this machine (any verdict but "no"), each with its "fit".
    Runs on a worker thread: it reads the machine's memory and the files' headers on the hub."""
    from hearthlm.core.hub.recommended import recommended_with_fit

    budget = budget_fn()
    return [m for m in recommended_with_fit(budget, estimate=True)
            if m.get("kind") == "chat" and m["fit"]["verdict"] != "no"]


def machine_budget() -> Any:
    from hearthlm.core.hub.fit import machine_budget as measure

    return measure()


class FirstRunPanel(QFrame):
    downloadRequested = Signal(str, str, int)
    dismissed = Signal()

    def __init__(self, budget_fn: Callable[[], Any] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("firstRun")
        theme.style(self)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._budget_fn = budget_fn or (lambda: machine_budget())
        self._jobs = JobRunner(self)
        self.models: list[dict[str, Any]] | None = None  # None until the verdicts are known
        self.dismissed_now = False
        self.conversation_empty = True  # shown only above an empty conversation (set by the chat page)
        self.buttons: dict[str, QPushButton] = {}
        outer = QVBoxLayout(self)
        title = QLabel(self.tr("Welcome to Hearth"))
        title.setObjectName("firstRunTitle")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        title.setFont(font)
        self.intro = QLabel(self.tr(
            "You are chatting with the starter model, SmolLM2 135M: it is tiny, so it answers at once "
            "but knows little — good for trying Hearth. A larger model gives much better answers. "
            "These fit this computer:"))
        self.intro.setWordWrap(True)
        self.status = QLabel(self.tr("Checking which models fit this computer…"))
        self.status.setObjectName("hint")
        theme.style(self.status)
        self.grid = QGridLayout()
        self.grid.setColumnStretch(0, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.close_button = QPushButton(self.tr("Not now"))
        self.close_button.setFlat(True)
        self.close_button.clicked.connect(self._dismiss)
        row.addWidget(self.close_button)
        for w in (title, self.intro, self.status):
            outer.addWidget(w)
        outer.addLayout(self.grid)
        outer.addLayout(row)

    def offer(self, starter: str) -> None:
        """Shown if the starter (path) is the only model on this machine; the verdicts are then
        worked out. Both off the UI thread."""
        def work() -> list[dict[str, Any]] | None:
            from hearthlm.core.hub.library import list_models

            if any(m.path != starter for m in list_models()):
                return None  # the user has models of their own
            return fitting_models(self._budget_fn)

        self._jobs.run(work, self._show, self.status.setText)

    def _show(self, models: list[dict[str, Any]] | None) -> None:
        if models is None:
            return
        self.models = models
        self.follow()
        self.status.setVisible(not models)
        self.status.setText(self.tr("None of the recommended models fits this computer's free memory."))
        for i, m in enumerate(models):
            from hearthlm.core.messages import Msg

            name = QLabel(f"<b>{html.escape(m['repo'].split('/')[-1])}</b> · {human_size(int(m['size']))}"
                          f" · {tr_msg(Msg(m['fit']['label'])) if m['fit'].get('label') else ''}")
            name.setTextFormat(Qt.TextFormat.RichText)
            name.setToolTip(tr_msg(m.get("note", "")))
            button = QPushButton(self.tr("Download"))
            icons.set_icon(button, "download")
            button.setAccessibleName(self.tr("Download {model}").format(model=m["repo"]))
            button.clicked.connect(lambda _=False, m=m: self._download(m))
            self.grid.addWidget(name, i, 0)
            self.grid.addWidget(button, i, 1)
            self.buttons[m["repo"]] = button

    def _download(self, m: dict[str, Any]) -> None:
        button = self.buttons[m["repo"]]
        button.setEnabled(False)
        button.setText(self.tr("Queued"))
        self.downloadRequested.emit(m["repo"], m["file"], int(m["size"]))

    def follow(self, conversation_empty: bool | None = None) -> None:
        """Shown while it is offered, not dismissed, and the conversation has no messages yet."""
        if conversation_empty is not None:
            self.conversation_empty = conversation_empty
        self.setVisible(self.models is not None and not self.dismissed_now and self.conversation_empty)

    def _dismiss(self) -> None:
        self.dismissed_now = True
        self.follow()
        self.dismissed.emit()
