"""Read any supported file into a ParsedDocument, or raise a DocumentError with one sentence.

The guards run first (size; for zip formats, what they would expand to), so a hostile file is
refused before a parser touches it. Any other parser failure becomes a sentence too: one bad
file never stops the others.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from collections.abc import Callable, Iterator

from . import messages as M
from .blocks import Block, ParsedDocument
from .errors import DocumentError
from .guards import MAX_FILE_BYTES, check_file, check_zip
from .markup import parse_epub, parse_html
from .office import parse_docx, parse_pptx, parse_xlsx
from .pdf import parse_pdf
from .textfile import parse_code, parse_csv, parse_markdown, parse_plain, parse_rst

CODE_SUFFIXES = frozenset(
    ".py .pyi .js .mjs .cjs .ts .tsx .jsx .c .h .cc .cpp .cxx .hpp .hh .java .kt .kts .go .rs .rb .php .cs .swift "
    ".m .mm .scala .sh .bash .zsh .fish .ps1 .bat .sql .r .jl .lua .pl .pm .dart .hs .ml .ex .exs .erl .clj .vue "
    ".css .scss .less .json .yaml .yml .toml .ini .cfg .conf .xml .gradle .cmake .proto .graphql .tex .el .vim"
    .split())
TEXT_SUFFIXES = frozenset(".txt .text .log .me .org .adoc .asciidoc".split())

PARSERS: dict[str, tuple[str, Callable[[Path], ParsedDocument]]] = {
    ".pdf": ("PDF", parse_pdf),
    ".docx": ("DOCX", parse_docx),
    ".pptx": ("PPTX", parse_pptx),
    ".xlsx": ("XLSX", parse_xlsx),
    ".xlsm": ("XLSX", parse_xlsx),
    ".epub": ("EPUB", parse_epub),
    ".html": ("HTML", parse_html),
    ".htm": ("HTML", parse_html),
    ".xhtml": ("HTML", parse_html),
    ".md": ("Markdown", parse_markdown),
    ".markdown": ("Markdown", parse_markdown),
    ".rst": ("reStructuredText", parse_rst),
    ".csv": ("CSV", parse_csv),
    ".tsv": ("CSV", parse_csv),
    **{s: ("text", parse_plain) for s in TEXT_SUFFIXES},
    **{s: ("code", parse_code) for s in CODE_SUFFIXES},
}
ZIP_FORMATS = {".docx", ".pptx", ".xlsx", ".xlsm", ".epub"}


def is_supported(path: Path) -> bool:
    """Files a folder scan picks up. A file named explicitly is tried as text whatever its suffix."""
    return path.suffix.lower() in PARSERS or path.name in ("README", "LICENSE", "Makefile", "Dockerfile")


def parse_file(path: Path, max_bytes: int = MAX_FILE_BYTES) -> ParsedDocument:
    """The whole document, its blocks in a list (for small files and tests; ingestion streams)."""
    document = open_document(path, max_bytes)
    document.blocks = list(document.blocks)
    if not document.has_text():
        raise DocumentError(M.NO_TEXT, path=str(path))
    return document


def open_document(path: Path, max_bytes: int = MAX_FILE_BYTES) -> ParsedDocument:
    """The document with its blocks as an iterator, read from the file as they are asked for.
    Any failure — opening or while iterating — is a DocumentError with one sentence."""
    path = Path(path)
    check_file(path, max_bytes)
    suffix = path.suffix.lower()
    kind, parser = PARSERS.get(suffix, ("text", parse_plain))
    if suffix in ZIP_FORMATS:
        check_zip(path, kind)
    with _sentences(path):
        document = parser(path)
    document.blocks = _guarded(iter(document.blocks), path)
    return document


def _guarded(blocks: Iterator[Block], path: Path) -> Iterator[Block]:
    while True:
        with _sentences(path):
            block = next(blocks, None)
        if block is None:
            return
        yield block


@contextlib.contextmanager
def _sentences(path: Path) -> Iterator[None]:
    try:
        yield
    except DocumentError:
        raise
    except MemoryError:
        raise DocumentError(M.PARSE_FAILED, path=str(path), reason="out of memory") from None
    except OSError as exc:
        raise DocumentError(M.CANNOT_READ, path=str(path), reason=exc.strerror or str(exc)) from None
    except Exception as exc:  # a library's own exception for a malformed file: say it in one line
        reason = " ".join(str(exc).split())[:160] or type(exc).__name__
        raise DocumentError(M.PARSE_FAILED, path=str(path), reason=reason) from None
