"""Every supported format is read into blocks with its structure (pages, headings, sheets), every
encoding Chinese users meet is detected, and hostile files are refused with one sentence each."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from docs_samples import (write_docx, write_encrypted_pdf, write_epub, write_pdf, write_pptx, write_sparse,
                          write_xlsx, write_zip_bomb_docx)
from hearthlm.core.docs.errors import DocumentError
from hearthlm.core.docs.parse import parse_file

CHINESE = "第一章 总则\n\n人工智能是计算机科学的一个分支。它试图了解智能的实质！"


def texts(doc) -> str:
    return "\n".join(b.text for b in doc.blocks)


def test_pdf_keeps_pages(tmp_path: Path) -> None:
    pdf = write_pdf(tmp_path / "a.pdf", [["The lighthouse keeper", "lit the lamp at dusk."], ["Whales sang below."]])
    doc = parse_file(pdf)
    assert doc.kind == "pdf"
    assert [(b.page, b.text) for b in doc.blocks] == [(1, "The lighthouse keeper lit the lamp at dusk."),
                                                     (2, "Whales sang below.")]


def test_docx_headings_tables_and_chinese(tmp_path: Path) -> None:
    doc = parse_file(write_docx(tmp_path / "r.docx"))
    by_text = {b.text: b for b in doc.blocks}
    assert by_text["Quarterly report"].kind == "heading"
    assert by_text["Fuel costs for the lighthouse rose by twelve percent."].section == "Quarterly report › Costs"
    assert "Item: Lamp oil | Amount: 340" in by_text
    assert by_text["灯塔的维护费用需要在下个季度重新评估。"].section == "Quarterly report › 结论"


def test_pptx_slides_are_pages(tmp_path: Path) -> None:
    doc = parse_file(write_pptx(tmp_path / "deck.pptx"))
    assert [(b.page, b.kind, b.text) for b in doc.blocks if b.page == 1] == [
        (1, "heading", "Launch plan"), (1, "para", "The rocket launches from the northern pad at dawn.")]
    assert any(b.page == 3 and "Valentina" in b.text for b in doc.blocks)


def test_xlsx_and_csv_rows_keep_their_headers(tmp_path: Path) -> None:
    doc = parse_file(write_xlsx(tmp_path / "inv.xlsx"))
    assert {b.section for b in doc.blocks} == {"Inventory", "Staff"}
    assert "Fruit: 荔枝 | Count: 300 | Warehouse: 广州" in texts(doc)
    csv_path = tmp_path / "t.csv"
    csv_path.write_text("city,river\nLondon,Thames\nParis,Seine\n", encoding="utf-8")
    assert "city: Paris | river: Seine" in texts(parse_file(csv_path))


def test_epub_chapters_in_spine_order(tmp_path: Path) -> None:
    doc = parse_file(write_epub(tmp_path / "book.epub"))
    assert [b.text for b in doc.blocks if b.kind == "heading"] == ["The Voyage", "The Return"]
    assert doc.blocks[1].section == "The Voyage"


def test_html_drops_scripts_and_keeps_structure(tmp_path: Path) -> None:
    page = tmp_path / "p.html"
    page.write_text("<html><head><script>var x = 'secret';</script></head><body><nav>Menu</nav><h1>Tea</h1>"
                    "<p>Green tea is <b>steamed</b>.</p><h2>Oolong</h2><ul><li>Partly oxidised</li></ul>"
                    "<pre>brew(95)\n  wait(3)</pre></body></html>", encoding="utf-8")
    doc = parse_file(page)
    assert "secret" not in texts(doc) and "Menu" not in texts(doc)
    assert [(b.kind, b.section, b.text) for b in doc.blocks] == [
        ("heading", "Tea", "Tea"), ("para", "Tea", "Green tea is steamed ."),
        ("heading", "Tea › Oolong", "Oolong"), ("para", "Tea › Oolong", "Partly oxidised"),
        ("code", "Tea › Oolong", "brew(95)\n  wait(3)")]


def test_markdown_headings_and_code_blocks(tmp_path: Path) -> None:
    md = tmp_path / "r.md"
    md.write_text("# Install\n\nRun the installer.\n\n## Linux\n\n```sh\npip install x\n\n# not a heading\n```\n",
                  encoding="utf-8")
    doc = parse_file(md)
    assert [(b.kind, b.section) for b in doc.blocks] == [
        ("heading", "Install"), ("para", "Install"), ("heading", "Install › Linux"), ("code", "Install › Linux")]
    assert doc.blocks[-1].text == "```sh\npip install x\n\n# not a heading\n```"


@pytest.mark.parametrize("encoding,bom", [("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("utf-16-le", codecs.BOM_UTF16_LE),
                                          ("utf-16-be", codecs.BOM_UTF16_BE), ("gb18030", b"")])
def test_text_encodings(tmp_path: Path, encoding: str, bom: bytes) -> None:
    f = tmp_path / "zh.txt"
    f.write_bytes(bom + CHINESE.encode(encoding))
    doc = parse_file(f)
    assert texts(doc) == CHINESE.replace("\n\n", "\n")  # two paragraphs
    if encoding == "gb18030":
        assert doc.encoding == "gb18030"


def test_source_code_is_code(tmp_path: Path) -> None:
    f = tmp_path / "m.py"
    f.write_text("def f():\n    return 1\n\n\nclass A:\n    pass\n", encoding="utf-8")
    doc = parse_file(f)
    assert {b.kind for b in doc.blocks} == {"code"} and len(doc.blocks) == 2


def test_hostile_and_broken_files_are_refused_with_a_sentence(tmp_path: Path) -> None:
    good = write_pdf(tmp_path / "good.pdf", [["Some text."]])
    (tmp_path / "corrupt.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage")
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    (tmp_path / "empty.md").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 64)
    cases = {
        write_encrypted_pdf(tmp_path / "locked.pdf", good): "password-protected",
        write_pdf(tmp_path / "scan.pdf", [[], []]): "no text layer",
        tmp_path / "corrupt.pdf": "not a readable PDF",
        tmp_path / "broken.docx": "damaged",
        tmp_path / "empty.md": "is empty",
        tmp_path / "binary.txt": "binary data",
        write_sparse(tmp_path / "huge.txt", 500 * 1024 * 1024): "over the 200 MB limit",
        write_zip_bomb_docx(tmp_path / "bomb.docx"): "would expand to 300 MB",
        tmp_path / "missing.txt": "does not exist",
    }
    for path, words in cases.items():
        with pytest.raises(DocumentError) as info:
            parse_file(path)
        sentence = str(info.value)
        assert words in sentence and str(path) in sentence and sentence.endswith(".")
        assert "\n" not in sentence
