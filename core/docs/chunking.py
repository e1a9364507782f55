"""Cut a parsed document into chunks that follow its structure and fit the embedder.

Blocks become units (a sentence of prose — Chinese sentences end at 。！？; too; a line of code or a
table row; a heading). Units are packed greedily into chunks of at most ``max_tokens`` tokens of
the embedding model's own tokenizer. A chunk never spans two pages, a heading starts a new chunk
(and stays with the text under it), and a chunk cut only for size repeats its last sentences
(up to ``overlap`` tokens) at the start of the next one. Offsets index the document's extracted
text: the blocks joined with blank lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol, Sequence

from .blocks import CODE, HEADING, TABLE, ParsedDocument

BLOCK_SEPARATOR = "\n\n"
# a sentence ends after CJK or Western end punctuation (and any closing quotes), or at a line break
_SENTENCE_END = re.compile(r"[。！？!?；;…]+[”’」』）)\]\"']*\s*|(?<=[.:])[”’\"')\]]*\s+|\n+")


class Tokenizer(Protocol):
    def count_tokens(self, texts: Sequence[str]) -> list[int]: ...

    def cut_points(self, text: str, max_tokens: int) -> list[int]:
        """Character offsets at which to cut ``text`` into pieces of at most max_tokens."""
        ...


@dataclass
class Chunk:
    text: str
    page: int | None
    section: str | None
    char_start: int
    char_end: int
    tokens: int

    def embed_text(self) -> str:
        """What is embedded: the section path gives a chunk cut from the middle its context."""
        if self.section and not self.text.startswith(self.section.split(" › ")[-1]):
            return f"{self.section}\n{self.text}"
        return self.text


@dataclass
class _Unit:
    start: int
    end: int
    page: int | None
    section: str | None
    heading: bool
    tokens: int = 0


def document_text(doc: ParsedDocument) -> tuple[str, list[int]]:
    starts, pos = [], 0
    for b in doc.blocks:
        starts.append(pos)
        pos += len(b.text) + len(BLOCK_SEPARATOR)
    return BLOCK_SEPARATOR.join(b.text for b in doc.blocks), starts


def _spans(text: str, kind: str) -> list[tuple[int, int]]:
    if kind == HEADING:
        bounds = [len(text)]
    elif kind in (CODE, TABLE):
        bounds = [m.end() for m in re.finditer(r"\n", text)] + [len(text)]
    else:
        bounds = [m.end() for m in _SENTENCE_END.finditer(text)] + [len(text)]
    spans, prev = [], 0
    for b in bounds:
        piece = text[prev:b]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            spans.append((prev + lead, prev + len(piece.rstrip())))
        prev = b
    return spans


def chunk_document(doc: ParsedDocument, tokenizer: Tokenizer, max_tokens: int = 192, overlap: int = 32
                   ) -> list[Chunk]:
    text, starts = document_text(doc)
    units: list[_Unit] = []
    for block, base in zip(doc.blocks, starts):
        for s, e in _spans(block.text, block.kind):
            units.append(_Unit(base + s, base + e, block.page, block.section, block.kind == HEADING))
    if not units:
        return []
    counts = tokenizer.count_tokens([text[u.start:u.end] for u in units])
    fitted: list[_Unit] = []
    for u, n in zip(units, counts):
        if n <= max_tokens:
            u.tokens = n
            fitted.append(u)
            continue
        # a sentence or line longer than a chunk: cut where the tokenizer says, never mid-character
        piece = text[u.start:u.end]
        cuts = [0, *tokenizer.cut_points(piece, max_tokens), len(piece)]
        for a, b in zip(cuts, cuts[1:]):
            if piece[a:b].strip():
                fitted.append(_Unit(u.start + a, u.start + b, u.page, u.section, False, max_tokens))
    return _pack(text, fitted, max_tokens, overlap)


def _pack(text: str, units: list[_Unit], max_tokens: int, overlap: int) -> list[Chunk]:
    chunks: list[Chunk] = []
    current: list[_Unit] = []

    def emit() -> None:
        body = [u for u in current if not u.heading]
        ref = body[0] if body else current[0]
        chunks.append(Chunk(text[current[0].start:current[-1].end], ref.page, ref.section,
                            current[0].start, current[-1].end, sum(u.tokens for u in current)))

    for unit in units:
        if current:
            size = sum(u.tokens for u in current)
            only_headings = all(u.heading for u in current)
            structural = unit.page != current[-1].page or (unit.heading and not only_headings)
            if structural:
                emit()
                current = []
            elif size + unit.tokens > max_tokens:
                emit()
                carried: list[_Unit] = []
                for u in reversed(current):  # overlap: the last sentences of the same section
                    if u.heading or u.section != unit.section or sum(c.tokens for c in carried) + u.tokens > overlap:
                        break
                    carried.insert(0, u)
                if carried and sum(c.tokens for c in carried) + unit.tokens > max_tokens:
                    carried = []
                current = carried
        current.append(unit)
    if current:
        emit()
    return chunks
