"""Text files: detect the encoding (BOMs, UTF-8, then charset-normalizer), then split plain text,
Markdown, reStructuredText, source code and CSV into blocks that keep headings and code together.

Every parser here yields its blocks from the file as it reads it (core/docs/textstream.py): a
200 MB file, or one line of 20 MB, costs about one block of memory, not the whole text.
"""

from __future__ import annotations

import csv
import re
from itertools import chain
from pathlib import Path
from collections.abc import Iterable, Iterator

from .blocks import CODE, HEADING, PARA, TABLE, Block, ParsedDocument, SectionTracker
from .textstream import BLOCK_CHARS, decode, detect_encoding, lines, paragraphs, pieces  # noqa: F401 (decode: markup)


def read_text(path: Path) -> tuple[str, str]:
    """(text, encoding) of a whole (small) file."""
    encoding = detect_encoding(path)
    return "".join(pieces(path, encoding)), encoding


def _stream(path: Path) -> tuple[Iterator[str], str]:
    encoding = detect_encoding(path)
    return pieces(path, encoding), encoding


# -- plain text and code -------------------------------------------------------------------------

def paragraph_blocks(text: Iterable[str], kind: str = PARA, section: str | None = None) -> Iterator[Block]:
    """Paragraphs (split at blank lines) as blocks; one longer than BLOCK_CHARS continues in the next."""
    for para, cont in paragraphs(text):
        if para.strip():
            # the cut pieces of a long paragraph keep their newlines where they meet
            body = para if cont else para.lstrip("\n")
            yield Block(body.rstrip("\n"), kind, None, section, cont)


def parse_plain(path: Path) -> ParsedDocument:
    text, enc = _stream(path)
    return ParsedDocument("text", paragraph_blocks(text), enc)


def parse_code(path: Path) -> ParsedDocument:
    text, enc = _stream(path)
    return ParsedDocument("code", paragraph_blocks(text, CODE, section=path.name), enc)


# -- Markdown ------------------------------------------------------------------------------------

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```+|~~~+)")


def parse_markdown(path: Path) -> ParsedDocument:
    text, enc = _stream(path)
    return ParsedDocument("markdown", markdown_blocks(lines(text)), enc)


class _Lines:
    """Lines with one of look-ahead (setext headings, RST underlines) and nothing more kept."""

    def __init__(self, source: Iterable[str]):
        self._it = iter(source)
        self._next: str | None = next(self._it, None)

    def peek(self) -> str | None:
        return self._next

    def pop(self) -> str | None:
        line, self._next = self._next, next(self._it, None)
        return line


class _Para:
    """Lines of the paragraph being read; one that grows past BLOCK_CHARS is handed on in parts."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.chars = 0

    def add(self, line: str) -> bool:
        """Add a line; True when the paragraph has grown long enough to be handed on now."""
        self.lines.append(line)
        self.chars += len(line) + 1
        return self.chars > BLOCK_CHARS

    def take(self) -> str | None:
        text = "\n".join(self.lines).strip("\n") if any(line.strip() for line in self.lines) else None
        self.lines, self.chars = [], 0
        return text

    def __bool__(self) -> bool:
        return bool(self.lines)


def markdown_blocks(source: Iterable[str]) -> Iterator[Block]:
    """Blocks of Markdown given as lines (``text.split("\n")`` or ``lines(...)``)."""
    sections = SectionTracker()
    para = _Para()
    src = _Lines(source)

    def flush() -> Iterator[Block]:
        text = para.take()
        if text is not None:
            yield Block(text, PARA, None, sections.path)

    while (line := src.pop()) is not None:
        fence = _FENCE.match(line)
        heading = _MD_HEADING.match(line)
        if fence:  # a fenced code block stays one block, fences included
            yield from flush()
            marker, body = fence.group(1), _Para()
            body.add(line)
            while (nxt := src.peek()) is not None and not nxt.strip().startswith(marker):
                if body.add(src.pop() or ""):  # an unclosed fence must not hold the rest of the file
                    yield Block(body.take() or "", CODE, None, sections.path)
            if src.peek() is not None:
                body.add(src.pop() or "")
            if body:
                yield Block("\n".join(body.lines), CODE, None, sections.path)
        elif heading:
            yield from flush()
            yield Block(line.strip(), HEADING, None, sections.enter(len(heading.group(1)), heading.group(2)))
        elif (nxt := src.peek()) is not None and line.strip() and re.fullmatch(r"(=+|-+)\s*", nxt) and not para:
            yield from flush()  # setext heading (Title / =====)
            yield Block(line.strip(), HEADING, None, sections.enter(1 if nxt[0] == "=" else 2, line))
            src.pop()
        elif not line.strip():
            yield from flush()
        elif para.add(line):
            yield from flush()
    yield from flush()


# -- reStructuredText: headings are lines underlined with punctuation ------------------------------

_RST_UNDERLINE = re.compile(r"^([=\-~^\"'`#*+_.:])\1{2,}\s*$")


def parse_rst(path: Path) -> ParsedDocument:
    text, enc = _stream(path)
    return ParsedDocument("rst", rst_blocks(lines(text)), enc)


def rst_blocks(source: Iterable[str]) -> Iterator[Block]:
    sections = SectionTracker()
    levels: list[str] = []  # underline characters in the order the document introduces them
    para = _Para()
    kind = PARA
    last_text = ""  # the text of the last block handed on (a "::" before an indented block)
    src = _Lines(source)

    def flush() -> Iterator[Block]:
        nonlocal kind, last_text
        text = para.take()
        if text is not None:
            last_text = text
            yield Block(text, kind, None, sections.path)
        kind = PARA

    while (line := src.pop()) is not None:
        nxt = src.peek() or ""
        m = _RST_UNDERLINE.match(nxt)
        if line.strip() and m and len(nxt.strip()) >= len(line.strip()) and not para:
            if m.group(1) not in levels:
                levels.append(m.group(1))
            last_text = line.strip()
            yield Block(last_text, HEADING, None, sections.enter(levels.index(m.group(1)) + 1, line))
            src.pop()
            continue
        if not line.strip():
            yield from flush()
        elif _RST_UNDERLINE.match(line) and not para:
            pass  # an overline
        else:
            if not para and line.startswith((" ", "\t")) and last_text.rstrip().endswith("::"):
                kind = CODE
            if para.add(line):
                code = kind
                yield from flush()
                kind = code  # the rest of a long literal block is still code
    yield from flush()


# -- CSV ------------------------------------------------------------------------------------------

ROWS_PER_BLOCK = 20


def rows_to_blocks(rows: Iterable[list[str]], section: str | None) -> list[Block]:
    return list(row_blocks(rows, section))


def row_blocks(rows: Iterable[list[str]], section: str | None) -> Iterator[Block]:
    """Rows become "header: value | …" lines, grouped so that each block repeats the header names."""
    header: list[str] | None = None
    body = False
    group: list[str] = []
    for raw in rows:
        r = [str(c).strip() for c in raw]
        if not any(r):
            continue
        if header is None:
            header = r
            continue
        body = True
        group.append(" | ".join(f"{h}: {v}" if h else v for h, v in zip(header + [""] * len(r), r, strict=False) if v))
        if len(group) == ROWS_PER_BLOCK:
            yield Block("\n".join(group), TABLE, None, section)
            group = []
    if group:
        yield Block("\n".join(group), TABLE, None, section)
    if header is not None and not body:
        yield Block(" | ".join(header), TABLE, None, section)


def parse_csv(path: Path) -> ParsedDocument:
    text, enc = _stream(path)
    return ParsedDocument("csv", _csv_blocks(text, path), enc)


def _csv_blocks(text: Iterator[str], path: Path) -> Iterator[Block]:
    first = next(text, "")
    try:
        dialect = csv.Sniffer().sniff(first[:8192], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel_tab if path.suffix.lower() == ".tsv" else csv.excel
    rows = csv.reader((line + "\n" for line in lines(chain([first], text))), dialect)
    yield from row_blocks(rows, path.name)
