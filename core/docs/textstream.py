"""Text files read as a stream, so that memory does not grow with the file or its longest line.

The encoding is settled first without holding the file (a BOM, or UTF-8 checked over the whole
file, else charset-normalizer on its first 2 MB, then checked over the whole file); the text then
comes in pieces of READ_CHARS characters with newlines made ``\\n``. ``lines`` and ``paragraphs``
cut a line or paragraph longer than BLOCK_CHARS into several pieces, at a space or punctuation
near the bound (between two CJK characters in Chinese or Japanese) — ``soft_cut``.
"""

from __future__ import annotations

import codecs
import io
import re
from pathlib import Path
from collections.abc import Iterable, Iterator

from . import messages as M
from .errors import DocumentError

READ_CHARS = 1 << 20
BLOCK_CHARS = 1 << 20  # the longest block a parser hands on; longer paragraphs continue in the next
SAMPLE_BYTES = 2_000_000  # what charset-normalizer looks at
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_CHINESE = {"gb2312", "gbk", "gb18030", "hz", "cp936"}
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
# a cut right after one of these splits no word: whitespace, punctuation, or a CJK character
_SOFT = re.compile(r"[\s,.;:!?)\]}>\"'\u3000-\u303f\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff01-\uff0f"
                   r"\uff1a-\uff20\u2018-\u201f]")
_PARA_SEP = re.compile(r"\n\s*\n")


def soft_cut(text: str, limit: int) -> int:
    """Where to cut ``text`` (longer than ``limit``) so that the first part has at most ``limit``
    characters: after the last space, punctuation mark or CJK character in the last quarter of
    that window, else at ``limit`` itself (a word longer than that has to be cut somewhere)."""
    last = None
    for match in _SOFT.finditer(text, limit - limit // 4, limit):
        last = match
    if last is not None:
        return last.end()
    cut = limit
    while cut > 1 and _combining(text[cut]):
        cut -= 1  # never separate an accent from its letter
    return cut


def _combining(ch: str) -> bool:
    import unicodedata

    return unicodedata.combining(ch) != 0


def _decodes(path: Path, encoding: str) -> bool:
    try:
        decoder = codecs.getincrementaldecoder(encoding)("strict")
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                decoder.decode(block)
        decoder.decode(b"", final=True)
        return True
    except (UnicodeDecodeError, LookupError):
        return False


def detect_encoding(path: Path) -> str:
    """The file's encoding; binary data is refused with a sentence, not decoded into garbage."""
    with open(path, "rb") as f:
        head = f.read(SAMPLE_BYTES)
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            if _decodes(path, encoding):
                return encoding
            break
    if _decodes(path, "utf-8"):
        return "utf-8"
    from charset_normalizer import from_bytes

    best = from_bytes(head).best()
    if best is None:
        raise DocumentError(M.BINARY_TEXT if b"\x00" in head[:65536] else M.UNKNOWN_ENCODING, path=str(path))
    encoding = best.encoding.lower().replace("_", "")
    # GB2312/GBK text is read as GB18030, their superset: no character of the file can be lost
    encoding = "gb18030" if encoding in _CHINESE else best.encoding
    if not _decodes(path, encoding):
        raise DocumentError(M.UNKNOWN_ENCODING, path=str(path))
    return encoding


def pieces(path: Path, encoding: str) -> Iterator[str]:
    """The decoded text in pieces of at most READ_CHARS characters, newlines made ``\\n``."""
    with io.TextIOWrapper(open(path, "rb"), encoding=encoding, errors="strict", newline=None) as f:
        first = True
        for piece in iter(lambda: f.read(READ_CHARS), ""):
            if first:
                sample = piece[:65536]
                if sample and len(_CONTROL.findall(sample)) > max(8, len(sample) // 100):
                    raise DocumentError(M.BINARY_TEXT, path=str(path))
                first = False
            yield piece


def lines(text: Iterable[str]) -> Iterator[str]:
    """Lines without their ``\\n`` (like ``text.split("\\n")``); a line longer than BLOCK_CHARS
    comes as several."""
    buf = ""
    for piece in text:
        buf += piece
        parts = buf.split("\n")
        buf = parts.pop()
        yield from parts
        while len(buf) > BLOCK_CHARS:
            cut = soft_cut(buf, BLOCK_CHARS)
            yield buf[:cut]
            buf = buf[cut:]
    yield buf


def paragraphs(text: Iterable[str]) -> Iterator[tuple[str, bool]]:
    """(paragraph, continues the previous one): the pieces between blank lines, exactly as
    ``re.split(r"\\n\\s*\\n", text)`` would cut the whole text; a paragraph longer than BLOCK_CHARS
    comes as several, the later ones marked as continuing."""
    buf, cont = "", False
    for piece in _with_end(text):
        if piece is None:  # the end: every separator left in the buffer is final
            head, tail = buf, ""
        else:
            buf += piece
            # a separator that touches the end of the buffer may still grow with the next piece
            k = len(buf.rstrip())
            head, tail = buf[:k], buf[k:]
        pos = 0
        for m in _PARA_SEP.finditer(head):
            yield head[pos:m.start()], cont
            cont, pos = False, m.end()
        buf = head[pos:] + tail
        while len(buf) > BLOCK_CHARS:
            cut = soft_cut(buf, BLOCK_CHARS)
            yield buf[:cut], cont
            cont, buf = True, buf[cut:]
    yield buf, cont


def _with_end(text: Iterable[str]) -> Iterator[str | None]:
    yield from text
    yield None


def decode(data: bytes, path: Path) -> tuple[str, str]:
    """(text, encoding) of bytes already in memory (an HTML page, an EPUB chapter), by the same rules."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data.decode(encoding), path), encoding
            except UnicodeDecodeError:
                break
    try:
        return _checked(data.decode("utf-8"), path), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[:SAMPLE_BYTES]).best()
    if best is None:
        raise DocumentError(M.BINARY_TEXT if b"\x00" in data[:65536] else M.UNKNOWN_ENCODING, path=str(path))
    encoding = best.encoding.lower().replace("_", "")
    encoding = "gb18030" if encoding in _CHINESE else best.encoding
    try:
        return _checked(data.decode(encoding), path), encoding
    except (UnicodeDecodeError, LookupError):
        raise DocumentError(M.UNKNOWN_ENCODING, path=str(path)) from None


def _checked(text: str, path: Path) -> str:
    sample = text[:65536]
    if sample and len(_CONTROL.findall(sample)) > max(8, len(sample) // 100):
        raise DocumentError(M.BINARY_TEXT, path=str(path))
    return text.replace("\r\n", "\n").replace("\r", "\n")
