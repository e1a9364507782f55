"""HTML (BeautifulSoup with Python's own html.parser) and EPUB (a zip of XHTML chapters read in
spine order: container.xml -> the OPF package -> its spine). ebooklib is AGPL, so it is not used."""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from .blocks import CODE, HEADING, PARA, TABLE, Block, ParsedDocument, SectionTracker
from .textfile import decode

_BLOCK_TAGS = ["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "pre", "blockquote", "tr", "dt", "dd",
               "figcaption", "caption", "td", "th"]
_DROP = ["script", "style", "noscript", "template", "svg", "head", "nav"]


def html_blocks(markup: str | bytes, sections: SectionTracker | None = None, chapter: str | None = None
                ) -> list[Block]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "html.parser")
    for tag in soup(_DROP):
        tag.decompose()
    sections = sections or SectionTracker()
    if chapter:
        sections.enter(0, chapter)
    blocks: list[Block] = []
    wanted = set(_BLOCK_TAGS)
    for el in soup.find_all(_BLOCK_TAGS):
        if any(parent.name in wanted for parent in el.parents):
            continue  # its text is already part of an outer block
        name = el.name
        if name == "pre":
            text = el.get_text()
        elif name == "tr":
            text = " | ".join(c.get_text(" ", strip=True) for c in el.find_all(["td", "th"]))
        else:
            text = " ".join(el.get_text(" ").split())
        if not text.strip():
            continue
        if name[0] == "h" and name[1:].isdigit():
            blocks.append(Block(text, HEADING, None, sections.enter(int(name[1:]), text)))
        else:
            kind = CODE if name == "pre" else TABLE if name == "tr" else PARA
            blocks.append(Block(text.strip("\n"), kind, None, sections.path))
    if not blocks:  # markup without block elements: its text, paragraph by paragraph
        body = soup.get_text("\n")
        blocks = [Block(p.strip(), PARA, None, sections.path) for p in re.split(r"\n\s*\n", body) if p.strip()]
    return blocks


def parse_html(path: Path) -> ParsedDocument:
    text, enc = decode(path.read_bytes(), path)
    return ParsedDocument("html", html_blocks(text), enc)


def parse_epub(path: Path) -> ParsedDocument:
    ns = {"c": "urn:oasis:names:tc:opendocument:xmlns:container", "opf": "http://www.idpf.org/2007/opf"}
    blocks: list[Block] = []
    with zipfile.ZipFile(path) as zf:
        container = ElementTree.fromstring(zf.read("META-INF/container.xml"))
        entry = container.find(".//c:rootfile", ns)
        rootfile = entry.get("full-path") if entry is not None else None
        if rootfile is None:  # said as the file's parse error (core/docs/parse.py)
            raise ValueError("META-INF/container.xml names no package file")
        opf = ElementTree.fromstring(zf.read(rootfile))
        base = posixpath.dirname(rootfile)
        manifest = {item.get("id"): item.get("href") for item in opf.iterfind(".//opf:manifest/opf:item", ns)}
        spine = [ref.get("idref") for ref in opf.iterfind(".//opf:spine/opf:itemref", ns)]
        for number, idref in enumerate(spine, start=1):
            href = manifest.get(idref)
            if not href:
                continue
            name = posixpath.normpath(posixpath.join(base, href.split("#")[0]))
            try:
                data = zf.read(name)
            except KeyError:
                continue
            sections = SectionTracker()
            chapter_blocks = html_blocks(data, sections)
            for b in chapter_blocks:
                b.section = b.section or f"§{number}"
            blocks.extend(chapter_blocks)
    return ParsedDocument("epub", blocks)


__all__ = ["parse_html", "parse_epub", "html_blocks", "TABLE"]
