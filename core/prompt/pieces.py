"""Text to tokens and back through a llama.cpp vocabulary, piece by piece (any process that holds
a ``llama_vocab``: the engine for the prompt inspector, the tokenizer child for the inspector).

Each token's piece is its raw bytes (``llama_token_to_piece``). A byte-fallback token, or a piece
that is only part of a UTF-8 character (byte-level BPE splits Chinese and emoji that way), has no
text of its own: it is shown as its bytes. The pieces' bytes joined give back the text exactly.
"""

from __future__ import annotations

import ctypes
from typing import Any

import llama_cpp

KINDS = {llama_cpp.LLAMA_TOKEN_ATTR_CONTROL: "control", llama_cpp.LLAMA_TOKEN_ATTR_BYTE: "byte",
         llama_cpp.LLAMA_TOKEN_ATTR_USER_DEFINED: "user", llama_cpp.LLAMA_TOKEN_ATTR_UNKNOWN: "unknown"}


def tokenize(vocab: Any, text: str, add_special: bool = False, parse_special: bool = False) -> list[int]:
    raw = text.encode("utf-8")
    capacity = len(raw) + 8
    buf = (llama_cpp.llama_token * capacity)()
    n = llama_cpp.llama_tokenize(vocab, raw, len(raw), buf, capacity, add_special, parse_special)
    if n < 0:
        capacity = -n
        buf = (llama_cpp.llama_token * capacity)()
        n = llama_cpp.llama_tokenize(vocab, raw, len(raw), buf, capacity, add_special, parse_special)
    return list(buf[:max(n, 0)])


def piece_bytes(vocab: Any, token: int) -> bytes:
    buf = ctypes.create_string_buffer(256)
    n = llama_cpp.llama_token_to_piece(vocab, token, buf, len(buf), 0, True)
    if n < 0:
        buf = ctypes.create_string_buffer(-n)
        n = llama_cpp.llama_token_to_piece(vocab, token, buf, len(buf), 0, True)
    return buf.raw[:max(n, 0)]


def kind_of(vocab: Any, token: int) -> str:
    attr = int(llama_cpp.llama_vocab_get_attr(vocab, token))
    for flag, name in KINDS.items():
        if attr & flag:
            return name
    return "normal"


def describe(vocab: Any, tokens: list[int]) -> list[dict[str, Any]]:
    """``{"id", "text", "hex", "kind"}`` per token; ``text`` is None when the piece is not whole
    UTF-8 (shown as its bytes, ``hex``)."""
    out = []
    for token in tokens:
        raw = piece_bytes(vocab, token)
        kind = kind_of(vocab, token)
        try:
            text: str | None = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if kind == "byte":
            text = None
        out.append({"id": int(token), "text": text, "hex": raw.hex(), "kind": kind})
    return out


def joined(pieces: list[dict[str, Any]]) -> str:
    """The text the pieces make (bytes joined, then decoded)."""
    return b"".join(bytes.fromhex(p["hex"]) for p in pieces).decode("utf-8", "replace")


def shown(piece: dict[str, Any]) -> str:
    """How a piece is written for a person: its text, or the whole characters it starts with and
    the remaining bytes as <0xE4><0xBD> (a byte-fallback token is all bytes)."""
    if piece["text"] is not None:
        return piece["text"]
    raw = bytes.fromhex(piece["hex"])
    head = ""
    if piece.get("kind") != "byte":
        for cut in range(len(raw) - 1, 0, -1):
            try:
                head = raw[:cut].decode("utf-8")
            except UnicodeDecodeError:
                continue
            raw = raw[cut:]
            break
    return head + "".join(f"<0x{b:02X}>" for b in raw)
