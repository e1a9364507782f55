"""The chat page's keyboard shortcuts, in one table, and the help dialog that lists them.

Standard keys (QKeySequence.StandardKey) are used where Qt has one, so each platform gets its own
usual key (e.g. Cmd on macOS).
"""

from __future__ import annotations

import html

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

# Core's marker, not PySide6's: the same no-op for lupdate, but typed to return the str it gets.
from hearthlm.core.messages import QT_TRANSLATE_NOOP

SK = QKeySequence.StandardKey
# (action key, label, key sequences); labels are translated in the "Shortcuts" context.
SHORTCUTS: tuple[tuple[str, str, tuple[QKeySequence.StandardKey | str, ...]], ...] = (
    ("new", QT_TRANSLATE_NOOP("Shortcuts", "New chat"), (SK.New,)),
    ("search", QT_TRANSLATE_NOOP("Shortcuts", "Search conversations"), (SK.Find, "Ctrl+K")),
    ("stop", QT_TRANSLATE_NOOP("Shortcuts", "Stop the answer (or cancel an edit)"), ("Esc",)),
    ("regenerate", QT_TRANSLATE_NOOP("Shortcuts", "Regenerate the last answer"), ("Ctrl+R",)),
    ("prompt", QT_TRANSLATE_NOOP("Shortcuts", "Go to the prompt"), ("Ctrl+L",)),
    ("send", QT_TRANSLATE_NOOP("Shortcuts", "Send"), ("Return",)),
    ("newline", QT_TRANSLATE_NOOP("Shortcuts", "New line in the prompt"), ("Shift+Return",)),
    ("help", QT_TRANSLATE_NOOP("Shortcuts", "This list of shortcuts"), (SK.HelpContents, "Ctrl+/")),
    ("zoom_in", QT_TRANSLATE_NOOP("Shortcuts", "Larger conversation text"), ("Ctrl+=", "Ctrl++")),
    ("zoom_out", QT_TRANSLATE_NOOP("Shortcuts", "Smaller conversation text"), ("Ctrl+-",)),  # SK.ZoomOut is Ctrl+- too: twice is ambiguous, neither fires
    ("zoom_reset", QT_TRANSLATE_NOOP("Shortcuts", "Conversation text at its usual size"), ("Ctrl+0",)),
)


def key_text(sequence: QKeySequence.StandardKey | str) -> str:
    seq = QKeySequence(sequence)
    return seq.toString(QKeySequence.SequenceFormat.NativeText)


class ShortcutsDialog(QDialog):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        layout = QVBoxLayout(self)
        rows = []
        for _key, label, sequences in SHORTCUTS:
            keys = " / ".join(f"<b>{html.escape(key_text(s))}</b>" for s in sequences if key_text(s))
            rows.append(f"<tr><td style='padding:3px 16px 3px 0'>{html.escape(QCoreApplication.translate('Shortcuts', label))}"
                        f"</td><td style='padding:3px 0'>{keys}</td></tr>")
        self.table = QLabel("<table>" + "".join(rows) + "</table>")
        self.table.setObjectName("shortcutsTable")
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
