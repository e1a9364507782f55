"""The chat's context meter: a thin bar and one line, "Context: 1,234 / 4,096 tokens used", or the
draft's estimate ("≈ … with this message", and whether the oldest turns will be left out)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QWidget


class ContextMeter(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel()
        self.label.setObjectName("contextMeter")
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(8)
        self.bar.setMaximumWidth(200)
        row.addWidget(self.bar)
        row.addWidget(self.label, 1)

    def show_used(self, used: int | None, n_ctx: int) -> None:
        """The last answer's prompt + answer tokens (None: nothing yet) of ``n_ctx``."""
        self.bar.setRange(0, max(1, n_ctx))
        self.bar.setValue(min(n_ctx, used or 0))
        if used is None:
            self.label.setText(QCoreApplication.translate("ChatPage", "Context: {n_ctx:,} tokens").format(n_ctx=n_ctx))
        else:
            self.label.setText(QCoreApplication.translate("ChatPage", "Context: {used:,} / {n_ctx:,} tokens used")
                               .format(used=used, n_ctx=n_ctx))

    def show_estimate(self, count: Any) -> None:
        """A PromptCount for the draft: what the history and the typed message would take."""
        self.bar.setRange(0, max(1, count.n_ctx))
        self.bar.setValue(min(count.n_ctx, count.tokens))
        if count.too_long:
            text = QCoreApplication.translate(
                "ChatPage", "Context: ≈ {used:,} / {n_ctx:,} tokens: this message alone is too long for the "
                "context; shorten it or raise the context size")
        elif count.over:
            text = QCoreApplication.translate(
                "ChatPage", "Context: ≈ {used:,} / {n_ctx:,} tokens with this message; the oldest turns "
                "will be left out to fit")
        else:
            text = QCoreApplication.translate("ChatPage", "Context: ≈ {used:,} / {n_ctx:,} tokens with this message")
        self.label.setText(text.format(used=count.tokens, n_ctx=count.n_ctx))
