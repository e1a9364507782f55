"""The sentences of the tokenizer inspector, translated by the window."""

from __future__ import annotations

from ..messages import CONTEXT, QT_TRANSLATE_NOOP  # noqa: F401 (CONTEXT: lupdate reads the literal)

VOCAB_LOAD_FAILED = QT_TRANSLATE_NOOP("core", "llama.cpp could not read the tokenizer of {name}.")
TOKENIZER_STOPPED = QT_TRANSLATE_NOOP("core", "The tokenizer process stopped: {reason}.")
TOKEN_SUMMARY = QT_TRANSLATE_NOOP("core", "{count} tokens, {chars} characters, {ratio:.2f} characters per token")
