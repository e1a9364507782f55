"""Real documents of every supported format, written by the libraries that make them (or by hand,
for PDF: a few objects, a content stream with Helvetica text, and an xref table)."""

from __future__ import annotations

import contextlib
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def _pdf_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def write_pdf(path: Path, pages: list[list[str]]) -> Path:
    """A PDF whose pages hold these lines as real text (an empty list: a page with only a drawing)."""
    objects: list[bytes] = []
    n_pages = len(pages)
    # 1: catalog, 2: pages, 3: font, then per page: page object + content stream
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(n_pages))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for i, lines in enumerate(pages):
        if lines:
            ops = ["BT", "/F1 11 Tf", "14 TL", "72 740 Td"]
            ops += [f"({_pdf_escape(line)}) Tj T*" for line in lines]
            ops.append("ET")
        else:  # a "scan": only a filled rectangle, no text
            ops = ["0.5 g", "72 72 400 600 re f"]
        stream = "\n".join(ops).encode("latin-1")
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
                       f"/Contents {5 + 2 * i} 0 R >>".encode())
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))
    return path


def write_encrypted_pdf(path: Path, source: Path, password: str = "secret") -> Path:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(source).pages:
        writer.add_page(page)
    writer.encrypt(user_password=password, owner_password=password + "-owner", algorithm="AES-128")
    with open(path, "wb") as f:
        writer.write(f)
    return path


def write_docx(path: Path) -> Path:
    import docx

    d = docx.Document()
    d.add_heading("Quarterly report", level=1)
    d.add_paragraph("Revenue grew because the lighthouse keepers bought more lamps.")
    d.add_heading("Costs", level=2)
    d.add_paragraph("Fuel costs for the lighthouse rose by twelve percent.")
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Item", "Amount"
    table.cell(1, 0).text, table.cell(1, 1).text = "Lamp oil", "340"
    d.add_heading("结论", level=2)
    d.add_paragraph("灯塔的维护费用需要在下个季度重新评估。")
    d.save(str(path))
    return path


def write_pptx(path: Path) -> Path:
    from pptx import Presentation
    from pptx.util import Inches

    prs = Presentation()
    for title, body in [("Launch plan", "The rocket launches from the northern pad at dawn."),
                        ("Budget", "Propellant is the largest single expense.")]:
        slide = prs.slides.add_slide(prs.slide_layouts[1])
        slide.shapes.title.text = title
        slide.placeholders[1].text = body
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    slide.shapes.title.text = "Crew"
    rows = slide.shapes.add_table(2, 2, Inches(1), Inches(2), Inches(4), Inches(1)).table
    rows.cell(0, 0).text, rows.cell(0, 1).text = "Name", "Role"
    rows.cell(1, 0).text, rows.cell(1, 1).text = "Valentina", "Commander"
    prs.save(str(path))
    return path


def write_xlsx(path: Path) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Inventory"
    sheet.append(["Fruit", "Count", "Warehouse"])
    sheet.append(["Durian", 12, "Singapore"])
    sheet.append(["荔枝", 300, "广州"])
    other = book.create_sheet("Staff")
    other.append(["Name", "Team"])
    other.append(["Ada", "Engines"])
    book.save(str(path))
    return path


def write_epub(path: Path) -> Path:
    def chapter(title: str, text: str) -> str:
        return (f'<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml">'
                f"<head><title>{title}</title></head><body><h1>{title}</h1><p>{text}</p></body></html>")

    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/container.xml",
                   '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
                   '<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
                   "</rootfiles></container>")
        z.writestr("OEBPS/content.opf",
                   '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0">'
                   "<metadata/><manifest>"
                   '<item id="c1" href="ch1.xhtml" media-type="application/xhtml+xml"/>'
                   '<item id="c2" href="ch2.xhtml" media-type="application/xhtml+xml"/>'
                   '</manifest><spine><itemref idref="c1"/><itemref idref="c2"/></spine></package>')
        z.writestr("OEBPS/ch1.xhtml", chapter("The Voyage", "The ship sailed past the glaciers of the south."))
        z.writestr("OEBPS/ch2.xhtml", chapter("The Return", "They came home with a hold full of whale songs."))
    return path


def write_zip_bomb_docx(path: Path, expanded_mb: int = 300) -> Path:
    """A DOCX-named zip whose one member expands to ``expanded_mb`` MB of zeros (stored in ~0.3 MB)."""
    block = b"\0" * (1 << 20)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            for _ in range(expanded_mb):
                f.write(block)
    return path


def write_sparse(path: Path, size: int) -> Path:
    with open(path, "wb") as f:
        f.truncate(size)  # sparse: no disk space used
    return path


@contextlib.contextmanager
def shown_docs_page(qtbot: Any) -> Iterator[Any]:
    """A Documents page on screen (offscreen), shut down after the test: its child processes end."""
    from hearthlm.gui.docs_page import DocsPage

    page = DocsPage()
    qtbot.addWidget(page)
    page.resize(1000, 680)
    page.show()
    try:
        yield page
    finally:
        page.shutdown()


# Short English notes with no word in common between them: a question finds one only by its topic.
ENGLISH_NOTES = {
    "volcano.md": "# Volcanoes\n\nMount Etna in Sicily is one of the most active volcanoes in Europe; lava flows "
                  "from its summit craters several times a year.",
    "bread.md": "# Baking\n\nSourdough bread rises because wild yeast and lactic acid bacteria ferment the dough "
                "overnight.",
    "tides.md": "# Oceans\n\nTides are caused mainly by the gravitational pull of the Moon on the oceans.",
}


def write_files(folder: Path, files: dict[str, str]) -> Path:
    """``folder`` (made) holding these files (name -> UTF-8 text)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder
