"""Text files: detect the encoding (BOMs, UTF-8, then charset-normalizer), then split plain text,
Markdown, reStructuredText, source code and CSV into blocks that keep headings and code together."""

from __future__ import annotations

import codecs
import csv
import io
import re
from pathlib import Path

from . import messages as M
from .blocks import CODE, HEADING, PARA, TABLE, Block, ParsedDocument, SectionTracker
from .errors import DocumentError

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_CHINESE = {"gb2312", "gbk", "gb18030", "hz", "cp936"}
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def decode(data: bytes, path: Path) -> tuple[str, str]:
    """(text, encoding). Binary data is refused with a sentence, not decoded into garbage."""
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

    best = from_bytes(data[:2_000_000]).best()
    if best is None:
        raise DocumentError(M.BINARY_TEXT if b"\x00" in data[:65536] else M.UNKNOWN_ENCODING, path=str(path))
    encoding = best.encoding.lower().replace("_", "")
    # GB2312/GBK text is read as GB18030, their superset: no character of the file can be lost
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


def read_text(path: Path) -> tuple[str, str]:
    return decode(path.read_bytes(), path)


# -- plain text and code -------------------------------------------------------------------------

def paragraphs(text: str, kind: str = PARA, section: str | None = None, page: int | None = None) -> list[Block]:
    return [Block(p.strip("\n"), kind, page, section) for p in re.split(r"\n\s*\n", text) if p.strip()]


def parse_plain(path: Path) -> ParsedDocument:
    text, enc = read_text(path)
    return ParsedDocument("text", paragraphs(text), enc)


def parse_code(path: Path) -> ParsedDocument:
    text, enc = read_text(path)
    return ParsedDocument("code", paragraphs(text, CODE, section=path.name), enc)


# -- Markdown ------------------------------------------------------------------------------------

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```+|~~~+)")


def parse_markdown(path: Path) -> ParsedDocument:
    text, enc = read_text(path)
    return ParsedDocument("markdown", markdown_blocks(text), enc)


def markdown_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    sections = SectionTracker()
    para: list[str] = []
    lines = text.split("\n")

    def flush() -> None:
        if any(line.strip() for line in para):
            blocks.append(Block("\n".join(para).strip("\n"), PARA, None, sections.path))
        para.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        fence = _FENCE.match(line)
        heading = _MD_HEADING.match(line)
        if fence:  # a fenced code block stays one block, fences included
            flush()
            marker, body = fence.group(1), [line]
            i += 1
            while i < len(lines) and not lines[i].strip().startswith(marker):
                body.append(lines[i])
                i += 1
            if i < len(lines):
                body.append(lines[i])
            blocks.append(Block("\n".join(body), CODE, None, sections.path))
        elif heading:
            flush()
            blocks.append(Block(line.strip(), HEADING, None, sections.enter(len(heading.group(1)), heading.group(2))))
        elif i + 1 < len(lines) and line.strip() and re.fullmatch(r"(=+|-+)\s*", lines[i + 1]) and not para:
            flush()  # setext heading (Title / =====)
            blocks.append(Block(line.strip(), HEADING, None, sections.enter(1 if lines[i + 1][0] == "=" else 2, line)))
            i += 1
        elif not line.strip():
            flush()
        else:
            para.append(line)
        i += 1
    flush()
    return blocks


# -- reStructuredText: headings are lines underlined with punctuation ------------------------------

_RST_UNDERLINE = re.compile(r"^([=\-~^\"'`#*+_.:])\1{2,}\s*$")


def parse_rst(path: Path) -> ParsedDocument:
    text, enc = read_text(path)
    blocks: list[Block] = []
    sections = SectionTracker()
    levels: list[str] = []  # underline characters in the order the document introduces them
    lines = text.split("\n")
    para: list[str] = []
    kind = PARA

    def flush() -> None:
        nonlocal kind
        if any(line.strip() for line in para):
            blocks.append(Block("\n".join(para).strip("\n"), kind, None, sections.path))
        para.clear()
        kind = PARA

    i = 0
    while i < len(lines):
        line = lines[i]
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        m = _RST_UNDERLINE.match(nxt)
        if line.strip() and m and len(nxt.strip()) >= len(line.strip()) and not para:
            if m.group(1) not in levels:
                levels.append(m.group(1))
            blocks.append(Block(line.strip(), HEADING, None, sections.enter(levels.index(m.group(1)) + 1, line)))
            i += 2
            continue
        if not line.strip():
            flush()
        elif _RST_UNDERLINE.match(line) and not para:
            pass  # an overline
        else:
            if not para and line.startswith((" ", "\t")) and blocks and blocks[-1].text.rstrip().endswith("::"):
                kind = CODE
            para.append(line)
        i += 1
    flush()
    return ParsedDocument("rst", blocks, enc)


# -- CSV ------------------------------------------------------------------------------------------

ROWS_PER_BLOCK = 20


def rows_to_blocks(rows: list[list[str]], section: str | None) -> list[Block]:
    """Rows become "header: value | …" lines, grouped so that each block repeats the header names."""
    rows = [[str(c).strip() for c in r] for r in rows if any(str(c).strip() for c in r)]
    if not rows:
        return []
    header, body = rows[0], rows[1:] or []
    lines = []
    for r in body:
        cells = [f"{h}: {v}" if h else v for h, v in zip(header + [""] * len(r), r) if v]
        lines.append(" | ".join(cells))
    if not body:
        lines = [" | ".join(header)]
    return [Block("\n".join(lines[i:i + ROWS_PER_BLOCK]), TABLE, None, section)
            for i in range(0, len(lines), ROWS_PER_BLOCK)]


def parse_csv(path: Path) -> ParsedDocument:
    text, enc = read_text(path)
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel_tab if path.suffix.lower() == ".tsv" else csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect))
    return ParsedDocument("csv", rows_to_blocks(rows, path.name), enc)
