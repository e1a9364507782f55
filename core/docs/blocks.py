"""What a parser produces: a document as an ordered list of blocks that keep their structure."""

from __future__ import annotations

from dataclasses import dataclass, field
from collections.abc import Iterable

# kinds of block: how the chunker may cut it
HEADING, PARA, CODE, TABLE = "heading", "para", "code", "table"


@dataclass
class Block:
    text: str
    kind: str = PARA
    page: int | None = None  # 1-based page (PDF) or slide (PPTX)
    section: str | None = None  # the heading path ("Install › Linux"), a sheet or a chapter
    cont: bool = False  # the rest of the previous block's paragraph, cut for length (no separator between)


@dataclass
class ParsedDocument:
    kind: str  # "pdf", "docx", "markdown", …
    # a list, or (from parse.open_document) an iterator read once: large files stream their blocks
    blocks: Iterable[Block] = field(default_factory=list)
    encoding: str | None = None  # for text files: the encoding that was detected

    def has_text(self) -> bool:
        return any(b.text.strip() for b in self.blocks)


class SectionTracker:
    """Keeps the heading path while walking a document: ``enter(level, title)`` -> "A › B"."""

    def __init__(self) -> None:
        self._stack: list[tuple[int, str]] = []

    def enter(self, level: int, title: str) -> str | None:
        while self._stack and self._stack[-1][0] >= level:
            self._stack.pop()
        title = " ".join(title.split())[:120]
        if title:
            self._stack.append((level, title))
        return self.path

    @property
    def path(self) -> str | None:
        return " › ".join(t for _, t in self._stack) or None
