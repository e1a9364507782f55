"""The sentences the quantize area shows a user (translated by the window, see core/messages.py)."""

from __future__ import annotations

from ..messages import CONTEXT, QT_TRANSLATE_NOOP  # noqa: F401 (CONTEXT: lupdate reads the literal)

SOURCE_MISSING = QT_TRANSLATE_NOOP("core", "No model file at {path}.")
TEXT_MISSING = QT_TRANSLATE_NOOP("core", "No file at {path}.")
OUTPUT_EXISTS = QT_TRANSLATE_NOOP("core", "{path} already exists; choose another output name.")
UNKNOWN_TYPE = QT_TRANSLATE_NOOP("core", "{type} is not a llama.cpp quantization type (hearth quantize --list-types lists them).")
NEEDS_IMATRIX = QT_TRANSLATE_NOOP("core", "{type} needs an importance matrix: give one, or a calibration text to compute it from.")
REQUANTIZE_WARNING = QT_TRANSLATE_NOOP("core", "{name} is already quantized ({ftype}): quantizing it again adds the new error to the old one, so the result is worse than quantizing the F16/BF16/F32 original.")
QUANTIZE_FAILED = QT_TRANSLATE_NOOP("core", "llama.cpp could not quantize {name}; its last words: {reason}")
MODEL_LOAD_FAILED = QT_TRANSLATE_NOOP("core", "llama.cpp could not load {name}.")
CONTEXT_FAILED = QT_TRANSLATE_NOOP("core", "llama.cpp could not make a context of {n_ctx} tokens for {name}.")
DECODE_FAILED = QT_TRANSLATE_NOOP("core", "llama.cpp failed to evaluate the text (code {code}).")
TEXT_TOO_SHORT = QT_TRANSLATE_NOOP("core", "The text has {n} tokens; with a context of {n_ctx} it needs at least {need}. Use a longer text or a smaller --ctx.")
TEXT_UNREADABLE = QT_TRANSLATE_NOOP("core", "Could not read the text file {path}: {reason}")
CANCELLED = QT_TRANSLATE_NOOP("core", "Cancelled; nothing was written.")
WORKER_CRASHED = QT_TRANSLATE_NOOP("core", "The quantize process stopped unexpectedly (exit status {code}): {reason}")
IMATRIX_UNREADABLE = QT_TRANSLATE_NOOP("core", "{name} is not an importance matrix llama.cpp can read: {reason}")
IMATRIX_EMPTY = QT_TRANSLATE_NOOP("core", "The calibration text gave no activations; it needs at least {n} tokens.")
TENSOR_LAYOUT = QT_TRANSLATE_NOOP("core", "This llama.cpp build's tensors cannot be read ({detail}), so no importance matrix can be computed.")
VOCAB_MISMATCH = QT_TRANSLATE_NOOP("core", "The models have different vocabularies ({a} and {b} tokens), so their token distributions cannot be compared.")
