"""Speed and word counts of three PDF text extractors on real PDFs (the choice for core/docs/pdf.py).

    python bench/pdf_parsers.py FILE.pdf ...   (pdfminer.six is not a Hearth dependency: install it to compare)
"""

import sys
import time

files = sys.argv[1:]


def t_pypdf(f):
    import pypdf

    r = pypdf.PdfReader(f)
    return [p.extract_text() for p in r.pages]


def t_pdfium(f):
    import pypdfium2 as p

    d = p.PdfDocument(f)
    out = [d[i].get_textpage().get_text_range() for i in range(len(d))]
    d.close()
    return out


def t_miner(f):
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTTextContainer

    return ["".join(e.get_text() for e in page if isinstance(e, LTTextContainer)) for page in extract_pages(f)]


if not files:
    sys.exit(__doc__)
for f in files:
    for name, fn in [("pypdf", t_pypdf), ("pypdfium2", t_pdfium), ("pdfminer", t_miner)]:
        t = time.perf_counter()
        pages = fn(f)
        dt = time.perf_counter() - t
        txt = "".join(pages)
        print(f"{f.split('/')[-1]:35} {name:10} pages={len(pages):3} {dt*1000:8.0f} ms chars={len(txt)} "
              f"words={len(txt.split())} sample={txt[1000:1080]!r}")
