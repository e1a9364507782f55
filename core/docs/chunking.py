"""Cut a parsed document into chunks that follow its structure and fit the embedder.

Blocks become units (a sentence of prose — Chinese sentences end at 。！？; too; a line of code or a
table row; a heading). Units are packed greedily into chunks of at most ``max_tokens`` tokens of
the embedding model's own tokenizer. A chunk never spans two pages, a heading starts a new chunk
(and stays with the text under it), and a chunk cut only for size repeats its last sentences
(up to ``overlap`` tokens) at the start of the next one. Offsets index the document's extracted
text: the blocks joined with blank lines.

It streams (``iter_chunks``): blocks are read as they come, sentences are counted in batches, and
no text longer than TOKENIZE_CHARS reaches the tokenizer, so a 200 MB file — or a single 20 MB
line — is chunked in bounded memory and in time linear in its size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import chain, pairwise
from typing import Protocol
from collections.abc import Iterable, Iterator, Sequence

from .blocks import CODE, HEADING, TABLE, Block, ParsedDocument
from .textstream import soft_cut

BLOCK_SEPARATOR = "\n\n"
TOKENIZE_CHARS = 8192  # the longest text handed to the tokenizer (a 20 MB line is cut before, not after)
COUNT_BATCH_CHARS = 1 << 18  # sentences are counted in batches of about this much text
COUNT_BATCH_UNITS = 2048
GAP_CHARS = 1 << 16  # blank text longer than this between two sentences ends a chunk (and is not kept)
MAX_UNITS = 4096  # a chunk never holds more pieces than this (sentences of no tokens cannot grow it forever)
# a sentence ends after CJK or Western end punctuation (and any closing quotes), or at a line break
_SENTENCE_END = re.compile(r"[。！？!?；;…]+[”’」』）)\]\"']*\s*|(?<=[.:])[”’\"')\]]*\s+|\n+")


class Tokenizer(Protocol):
    def count_tokens(self, texts: Sequence[str]) -> list[int]: ...

    def cut_points(self, text: str, max_tokens: int) -> list[int]:
        """Character offsets at which to cut ``text`` into pieces of at most max_tokens."""
        ...


def embed_text(text: str, section: str | None) -> str:
    """What is embedded (and indexed) of a chunk: the section path gives a chunk cut from the middle its context."""
    if section and not text.startswith(section.split(" › ")[-1]):
        return f"{section}\n{text}"
    return text


@dataclass
class Chunk:
    text: str
    page: int | None
    section: str | None
    char_start: int
    char_end: int
    tokens: int

    def embed_text(self) -> str:
        return embed_text(self.text, self.section)


@dataclass
class _Unit:
    start: int
    end: int
    page: int | None
    section: str | None
    heading: bool
    tokens: int = 0
    text: str = ""
    gap: str = ""  # the document's text between the previous unit and this one
    cut: bool = False  # that text was too long to keep: this unit starts a new chunk


def document_text(doc: ParsedDocument) -> tuple[str, list[int]]:
    """The extracted text the offsets index (blocks joined by blank lines; a block that continues
    a long paragraph joins it directly), and where each block starts in it."""
    parts: list[str] = []
    starts, pos = [], 0
    for i, b in enumerate(doc.blocks):
        if i and not b.cont:
            parts.append(BLOCK_SEPARATOR)
            pos += len(BLOCK_SEPARATOR)
        starts.append(pos)
        parts.append(b.text)
        pos += len(b.text)
    return "".join(parts), starts


def _spans(text: str, kind: str) -> Iterator[tuple[int, int]]:
    if kind == HEADING:
        bounds: Iterable[int] = [len(text)]
    elif kind in (CODE, TABLE):
        bounds = chain((m.end() for m in re.finditer(r"\n", text)), [len(text)])
    else:
        bounds = chain((m.end() for m in _SENTENCE_END.finditer(text)), [len(text)])
    prev = 0
    for b in bounds:
        piece = text[prev:b]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            yield prev + lead, prev + len(piece.rstrip())
        prev = b


def _bounded(text: str, s: int, e: int) -> Iterator[tuple[int, int]]:
    """(s, e) itself, or for a sentence or line longer than TOKENIZE_CHARS (a minified file, a
    log line) pieces of at most that, cut at a space or punctuation: the tokenizer never gets more."""
    while e - s > TOKENIZE_CHARS:
        cut = s + soft_cut(text[s:s + TOKENIZE_CHARS + 1], TOKENIZE_CHARS)
        piece = text[s:cut]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            yield s + lead, s + len(piece.rstrip())
        s = cut
    if text[s:e].strip():
        lead = len(text[s:e]) - len(text[s:e].lstrip())
        yield s + lead, e


def chunk_document(doc: ParsedDocument, tokenizer: Tokenizer, max_tokens: int = 192, overlap: int = 32
                   ) -> list[Chunk]:
    return list(iter_chunks(doc.blocks, tokenizer, max_tokens, overlap))


def iter_chunks(blocks: Iterable[Block], tokenizer: Tokenizer, max_tokens: int = 192, overlap: int = 32
                ) -> Iterator[Chunk]:
    """The chunks of a document, made as its blocks arrive: memory holds one block, a batch of
    sentences being counted and the chunk being filled, whatever the document's size."""
    packer = _Packer(max_tokens, overlap)
    batch: list[_Unit] = []
    batch_chars = 0
    gap: list[str] = []  # the text since the last unit (kept while it is short)
    gap_chars = 0
    pos = 0  # where the next block starts in the document text
    for i, block in enumerate(blocks):
        if i and not block.cont:
            gap_chars += len(BLOCK_SEPARATOR)
            gap.append(BLOCK_SEPARATOR if gap_chars <= GAP_CHARS else "")
            pos += len(BLOCK_SEPARATOR)
        cursor = 0
        for s, e in _spans(block.text, block.kind):
            for a, b in _bounded(block.text, s, e):
                gap_chars += a - cursor
                gap.append(block.text[cursor:a] if gap_chars <= GAP_CHARS else "")
                unit = _Unit(pos + a, pos + b, block.page, block.section, block.kind == HEADING,
                             text=block.text[a:b])
                if gap_chars > GAP_CHARS:
                    unit.cut = True
                else:
                    unit.gap = "".join(gap)
                gap, gap_chars, cursor = [], 0, b
                batch.append(unit)
                batch_chars += b - a
                if batch_chars >= COUNT_BATCH_CHARS or len(batch) >= COUNT_BATCH_UNITS:
                    yield from _fit(batch, tokenizer, max_tokens, packer)
                    batch, batch_chars = [], 0
        gap_chars += len(block.text) - cursor
        gap.append(block.text[cursor:] if gap_chars <= GAP_CHARS else "")
        pos += len(block.text)
    yield from _fit(batch, tokenizer, max_tokens, packer)
    yield from packer.finish()


def _fit(units: list[_Unit], tokenizer: Tokenizer, max_tokens: int, packer: _Packer) -> Iterator[Chunk]:
    """Count the units' tokens; a unit longer than a chunk is cut where the tokenizer says."""
    if not units:
        return
    for u, n in zip(units, tokenizer.count_tokens([u.text for u in units]), strict=True):
        if n <= max_tokens:
            u.tokens = n
            yield from packer.add(u)
            continue
        # a sentence or line longer than a chunk: cut where the tokenizer says, never mid-character
        piece = u.text
        cuts = [0, *tokenizer.cut_points(piece, max_tokens), len(piece)]
        gap, first, prev = u.gap, True, 0
        for a, b in pairwise(cuts):
            if piece[a:b].strip():
                part = _Unit(u.start + a, u.start + b, u.page, u.section, False, max_tokens, piece[a:b],
                             gap + piece[prev:a], u.cut and first)
                first, gap, prev = False, "", b
                yield from packer.add(part)


class _Packer:
    """Packs units greedily into chunks of at most max_tokens: a new page, a heading after text or
    a long stretch of blank text starts a chunk; a chunk cut for size repeats its last sentences
    of the same section (up to ``overlap`` tokens) at the start of the next."""

    def __init__(self, max_tokens: int, overlap: int):
        self.max_tokens, self.overlap = max_tokens, overlap
        self.current: list[_Unit] = []

    def _emit(self) -> Chunk:
        current = self.current
        body = [u for u in current if not u.heading]
        ref = body[0] if body else current[0]
        text = current[0].text + "".join(u.gap + u.text for u in current[1:])
        return Chunk(text, ref.page, ref.section, current[0].start, current[-1].end, sum(u.tokens for u in current))

    def add(self, unit: _Unit) -> Iterator[Chunk]:
        current = self.current
        if current:
            size = sum(u.tokens for u in current)
            only_headings = all(u.heading for u in current)
            structural = unit.page != current[-1].page or (unit.heading and not only_headings) or unit.cut
            if structural:
                yield self._emit()
                current = []
            elif size + unit.tokens > self.max_tokens or len(current) >= MAX_UNITS:
                yield self._emit()
                carried: list[_Unit] = []
                for u in reversed(current):  # overlap: the last sentences of the same section
                    if u.heading or u.section != unit.section or sum(c.tokens for c in carried) + u.tokens > self.overlap:
                        break
                    carried.insert(0, u)
                if carried and sum(c.tokens for c in carried) + unit.tokens > self.max_tokens:
                    carried = []
                current = carried
        current.append(unit)
        self.current = current

    def finish(self) -> Iterator[Chunk]:
        if self.current:
            yield self._emit()
            self.current = []
