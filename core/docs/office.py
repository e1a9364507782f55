"""Office Open XML documents: DOCX (python-docx), PPTX (python-pptx), XLSX (openpyxl).
Each is a zip: guards.check_zip has refused bombs and damaged files before these run."""

from __future__ import annotations

import re
from pathlib import Path

from .blocks import HEADING, PARA, TABLE, Block, ParsedDocument, SectionTracker
from .textfile import rows_to_blocks

_HEADING_STYLE = re.compile(r"^(Heading|标题)\s*(\d)$", re.IGNORECASE)


def parse_docx(path: Path) -> ParsedDocument:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(str(path))
    sections = SectionTracker()
    blocks: list[Block] = []
    for item in document.iter_inner_content():  # paragraphs and tables in document order
        if isinstance(item, Paragraph):
            text = item.text.strip()
            if not text:
                continue
            style = (item.style.name if item.style is not None else "") or ""
            m = _HEADING_STYLE.match(style)
            if m or style == "Title":
                level = int(m.group(2)) if m else 0
                blocks.append(Block(text, HEADING, None, sections.enter(level, text)))
            else:
                blocks.append(Block(text, PARA, None, sections.path))
        elif isinstance(item, Table):
            rows = [[cell.text for cell in row.cells] for row in item.rows]
            blocks.extend(rows_to_blocks(rows, sections.path))
    return ParsedDocument("docx", blocks)


def parse_pptx(path: Path) -> ParsedDocument:
    from pptx import Presentation

    blocks: list[Block] = []
    for number, slide in enumerate(Presentation(str(path)).slides, start=1):
        title_shape = slide.shapes.title
        title = title_shape.text_frame.text.strip() if title_shape is not None and title_shape.has_text_frame else ""
        section = title or None
        if title:
            blocks.append(Block(title, HEADING, number, section))
        title_id = title_shape.shape_id if title_shape is not None else None
        for shape in slide.shapes:
            if shape.shape_id == title_id:  # python-pptx hands out a new proxy per access
                continue
            if shape.has_text_frame:
                text = "\n".join(p.text for p in shape.text_frame.paragraphs if p.text.strip())
                if text.strip():
                    blocks.append(Block(text, PARA, number, section))
            elif getattr(shape, "has_table", False) and shape.has_table:
                rows = [[cell.text for cell in row.cells] for row in shape.table.rows]
                for b in rows_to_blocks(rows, section):
                    b.page = number
                    blocks.append(b)
        if slide.has_notes_slide:
            notes = slide.notes_slide.notes_text_frame.text.strip() if slide.notes_slide.notes_text_frame else ""
            if notes:
                blocks.append(Block(notes, PARA, number, section))
    return ParsedDocument("pptx", blocks)


def parse_xlsx(path: Path) -> ParsedDocument:
    import openpyxl

    book = openpyxl.load_workbook(str(path), read_only=True, data_only=True)
    blocks: list[Block] = []
    try:
        for sheet in book.worksheets:
            rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            blocks.extend(rows_to_blocks(rows, sheet.title))
    finally:
        book.close()
    for b in blocks:
        b.kind = TABLE
    return ParsedDocument("xlsx", blocks)


__all__ = ["parse_docx", "parse_pptx", "parse_xlsx", "PARA"]
