"""Show the core's sentences in the user's language.

Core errors and notes are ``Msg`` strings that keep their template (see core/messages.py); the
template is translated in the "core" context and filled with the same values. Anything else is
shown as it is.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication

from hearthlm.core.messages import CONTEXT, Msg


def tr_msg(text: Any) -> str:
    if not isinstance(text, Msg):
        return str(text)
    values = {k: tr_msg(v) if isinstance(v, Msg) else v for k, v in text.values.items()}
    translated = QCoreApplication.translate(CONTEXT, text.template)
    try:
        return translated.format(**values) if values else translated
    except (KeyError, IndexError, ValueError):  # a broken translation must not hide the sentence
        return str(text)


def error_text(exc: BaseException) -> str:
    return tr_msg(getattr(exc, "msg", None) or str(exc))
