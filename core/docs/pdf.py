"""PDF text layer through pypdfium2 (PDFium): ~12x faster than pypdf and pdfminer.six on the PDFs
measured (bench/pdf_parsers.py), with the same words. One block per paragraph, with its page."""

from __future__ import annotations

import re
from pathlib import Path
from collections.abc import Iterator

from . import messages as M
from .blocks import PARA, Block, ParsedDocument
from .errors import DocumentError

_CJK_END = re.compile(r"[\u3000-\u9fff\uac00-\ud7af\uff00-\uffef]$")
_CJK_START = re.compile(r"^[\u3000-\u9fff\uac00-\ud7af\uff00-\uffef]")
MIN_CHARS_PER_PAGE = 8  # fewer letters than this on every page: an image of text, not text


def parse_pdf(path: Path) -> ParsedDocument:
    """The document with its blocks read page by page as they are asked for (a 200 MB PDF never
    has all its text in memory at once)."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise DocumentError(M.PDF_ENCRYPTED, path=str(path)) from None
        raise DocumentError(M.PDF_CORRUPT, path=str(path)) from None
    return ParsedDocument("pdf", _blocks(pdf, path))


def _blocks(pdf, path: Path) -> Iterator[Block]:  # type: ignore[no-untyped-def]
    import pypdfium2 as pdfium

    chars = 0
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            textpage = page.get_textpage()
            try:
                text = textpage.get_text_range()
            finally:
                textpage.close()
                page.close()
            for para in _paragraphs(text):  # each holds a word: lines are stripped before joining
                chars += len(para)
                yield Block(para, PARA, index + 1)
    except pdfium.PdfiumError:
        raise DocumentError(M.PDF_CORRUPT, path=str(path)) from None
    finally:
        pdf.close()
    if chars < MIN_CHARS_PER_PAGE:
        raise DocumentError(M.PDF_NO_TEXT, path=str(path))


def _paragraphs(text: str) -> list[str]:
    """PDF lines are hard-wrapped: join them back into paragraphs (blank lines separate them)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x02", "").replace("\ufffe", "")
    out = []
    for para in re.split(r"\n\s*\n", text):
        joined = ""
        for line in (ln.strip() for ln in para.split("\n")):
            if not line:
                continue
            if not joined:
                joined = line
            elif joined.endswith("-") and line[:1].islower():
                joined = joined[:-1] + line  # hyphenated at the line end
            elif _CJK_END.search(joined) and _CJK_START.search(line):
                joined += line  # Chinese has no spaces between lines
            else:
                joined += " " + line
        if joined:
            out.append(joined)
    return out
