"""A model's tokenizer without its weights: llama.cpp loads the GGUF with ``vocab_only``.

The header is checked with the bounded reader first (core/modelfile.py). Runs in the tokenizer
child for the window (worker.py) and in-process for ``hearth tokenize``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import HearthError
from ..modelfile import read_gguf
from . import messages as M


class TokenizerError(HearthError):
    pass


@dataclass
class Tokenized:
    model: str  # the file's name
    path: str
    text: str
    pieces: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ids(self) -> list[int]:
        return [p["id"] for p in self.pieces]

    @property
    def chars_per_token(self) -> float:
        return len(self.text) / len(self.pieces) if self.pieces else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "path": self.path, "count": len(self.pieces), "chars": len(self.text),
                "chars_per_token": round(self.chars_per_token, 3), "ids": self.ids, "pieces": self.pieces}


class Vocab:
    """One model's vocabulary, loaded without weights. ``close()`` frees it."""

    def __init__(self, path: str | os.PathLike[str]):
        import llama_cpp

        header = read_gguf(path)  # one sentence for a bad file, before llama.cpp reads it
        self.path = str(Path(path).expanduser().resolve())
        self.name = header.path.name
        llama_cpp.llama_backend_init()
        _quiet_log()
        params = llama_cpp.llama_model_default_params()
        params.vocab_only = True
        self._model = llama_cpp.llama_model_load_from_file(os.fsencode(self.path), params)
        if not self._model:
            raise TokenizerError(M.VOCAB_LOAD_FAILED, name=self.name)
        self.vocab = llama_cpp.llama_model_get_vocab(self._model)

    def tokenize(self, text: str) -> Tokenized:
        from ..prompt.pieces import describe, tokenize

        return Tokenized(self.name, self.path, text, describe(self.vocab, tokenize(self.vocab, text)))

    def close(self) -> None:
        if self._model:
            import llama_cpp

            llama_cpp.llama_model_free(self._model)
            self._model = None

    def __enter__(self) -> Vocab:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_log: dict[str, Any] = {}


def _quiet_log() -> None:
    """llama.cpp's loading log says nothing useful here: keep only its errors (level 4)."""
    import llama_cpp

    if "callback" in _log:
        return

    def log(level: int, text: bytes, _user: Any) -> None:
        if level == 4 and text:
            os.write(2, text)

    _log["callback"] = llama_cpp.llama_log_callback(log)  # llama.cpp keeps the pointer
    llama_cpp.llama_log_set(_log["callback"], None)
