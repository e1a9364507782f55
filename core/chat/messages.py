"""Sentences of the chat workbench's core modules (presets), marked for translation."""

from __future__ import annotations

from ..messages import CONTEXT, QT_TRANSLATE_NOOP  # noqa: F401 (CONTEXT: the lupdate context, "core")

# -- presets (core/chat/presets.py) ------------------------------------------------------------
PRESET_NAME_EMPTY = QT_TRANSLATE_NOOP("core", "A preset needs a name.")
PRESET_BUILTIN = QT_TRANSLATE_NOOP("core", "“{name}” is a built-in preset: save your changes under another name.")
PRESET_MISSING = QT_TRANSLATE_NOOP("core", "There is no preset named “{name}”.")
PRESETS_UNREADABLE = QT_TRANSLATE_NOOP("core", "Your presets file {path} could not be read ({reason}); only the built-in presets are shown.")
# Names of the built-in presets (resources/presets/system_prompts.json).
PRESET_NAMES = (
    QT_TRANSLATE_NOOP("core", "Helpful assistant"),
    QT_TRANSLATE_NOOP("core", "Chain of thought"),
    QT_TRANSLATE_NOOP("core", "Concise"),
    QT_TRANSLATE_NOOP("core", "Programmer"),
    QT_TRANSLATE_NOOP("core", "Translator"),
)
