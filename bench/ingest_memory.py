"""Peak memory and seconds per MB of ``hearth docs add`` on large files: one long line (minified
JSON), many short lines (a log), and a large PDF — 20, 100 and 200 MB by default.

Each file is indexed by the real command in a child process; its peak RSS comes from
``getrusage(RUSAGE_CHILDREN)`` in a wrapper process of its own, and is compared with the same
command on a 1 KB file (the idle process: imports, the embedding model, the store). Target: at
most 500 MB above it for any file the limits accept, and seconds per MB flat as the size grows.

The text repeats with a period of ``--period-mb`` (1 MB): Hearth embeds each distinct chunk text
of a file once, so after the first period the figures measure reading, parsing, chunking,
tokenizing, looking up repeats and writing — the parts whose memory grew with the file — plus the
embedding of the first period only. The "distinct" column says how many chunks were embedded.
``--period-mb 0`` makes every chunk unique: the embedding model's own speed (20–40 chunks/s on
2 cores), so keep such a size small (``--sizes 5 --period-mb 0``).

Repeats line up with how a file is cut, so that they really are the same chunks: the long line is
cut into 1 MB blocks at a space (the period ends with one), and a PDF's pages never share a chunk
(the period holds a whole number of 60-line pages).

    python bench/ingest_memory.py [--sizes 20,100,200] [--kinds line,lines,pdf] [--period-mb 1]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MB = 1024 * 1024
WORDS = ("alpha beta gamma delta epsilon zeta theta kappa lambda sigma omega river mountain engine valve "
         "pressure report status error warning user request latency cache index query token model vector "
         "document chapter section table figure result method value price order invoice customer").split()


def _text_block(rng: random.Random, size: int, sep: str) -> str:
    """``size`` characters of varied words; ``sep`` ends each record (", " for JSON, "\\n" for a log)."""
    out, n = [], 0
    while n < size:
        rec = (f'{{"id":{rng.randrange(10**6)},"name":"{rng.choice(WORDS)} {rng.choice(WORDS)}",'
               f'"note":"{" ".join(rng.choice(WORDS) for _ in range(rng.randrange(3, 12)))}."}}')
        out.append(rec + sep)
        n += len(rec) + len(sep)
    text = "".join(out)[:size]
    return text[:-1] + " " if sep != "\n" else text[:-1] + "\n"  # a period ends where a block may be cut


def make_text(path: Path, size_mb: int, sep: str, period_mb: float, seed: int = 1) -> None:
    rng = random.Random(seed)
    period = int(period_mb * MB) if period_mb > 0 else 0
    block = _text_block(rng, period, sep) if period else ""
    # the records of the long line are not wrapped in [ ]: a leading "[" would shift every 1 MB
    # block off the period, and then no chunk would repeat
    with open(path, "w", encoding="ascii") as f:
        written = 0
        while written < size_mb * MB - 1:
            part = block or _text_block(rng, MB, sep)
            part = part[:size_mb * MB - 1 - written]
            f.write(part)
            written += len(part)
        f.write("\n")


def make_pdf(path: Path, size_mb: int, period_mb: float, seed: int = 1) -> None:
    """A PDF written object by object: pages of 60 lines of text (about 4.5 KB of content each)."""
    rng = random.Random(seed)
    lines = _text_block(rng, int(max(period_mb, 0.25) * MB), "\n").split("\n")
    lines = lines[:len(lines) // 60 * 60]  # whole pages: the pages, so their chunks, repeat
    fresh = period_mb <= 0  # never repeat: every page gets new lines
    with open(path, "wb") as f:
        offsets: list[int] = []

        def obj(num: int, body: bytes) -> None:
            offsets.append(f.tell())
            f.write(b"%d 0 obj\n" % num + body + b"\nendobj\n")

        f.write(b"%PDF-1.4\n")
        pages, k, num = [], 0, 4
        while f.tell() < size_mb * MB:
            rows = []
            if fresh:
                lines, k = _text_block(rng, 60 * 120, "\n").split("\n")[:60], 0
            for i in range(60):
                line = lines[k % len(lines)][:90].replace("\\", "").replace("(", "").replace(")", "")
                k += 1
                rows.append(f"1 0 0 1 40 {800 - 12 * i} Tm ({line}) Tj")
            stream = ("BT /F1 9 Tf " + " ".join(rows) + " ET").encode("latin-1")
            obj(num, b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
            obj(num + 1, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
                         b"/Resources << /Font << /F1 3 0 R >> >> >>" % num)
            pages.append(num + 1)
            num += 2
        obj(1, b"<< /Type /Catalog /Pages 2 0 R >>")
        obj(2, b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % p for p in pages) + b"] /Count %d >>" % len(pages))
        obj(3, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
        # objects were written out of order: the cross-reference table lists them by number
        order = [4 + i for i in range(len(pages) * 2)] + [1, 2, 3]
        by_num = dict(zip(order, offsets, strict=False))
        xref = f.tell()
        f.write(b"xref\n0 %d\n0000000000 65535 f \n" % (num))
        for n in range(1, num):
            f.write(b"%010d 00000 n \n" % by_num[n])
        f.write(b"trailer << /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (num, xref))


def run_add(home: Path, path: Path, collection: str) -> dict:
    """``hearth docs add`` in a child: the peak RSS of that child in MB, seconds (and when the last
    part of a large file was staged: the rest is the vector index taking the file's vectors),
    chunks, distinct chunk texts (embedded). One home for every run, so the embedding model's
    derived graph is made once (by a warm-up run)."""
    cmd = [sys.executable, "-m", "hearthlm.core.cli", "docs", "add", collection, str(path), "--progress"]
    wrapper = ("import resource, subprocess, sys, time, json\n"
               "t = time.perf_counter(); staged = None; files = []\n"
               "p = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)\n"
               "for line in p.stdout:\n"
               "    e = json.loads(line)\n"
               "    if e.get('event') == 'chunks': staged = time.perf_counter() - t\n"
               "    elif e.get('event') == 'file': files.append(e)  # (the child's ready line has none)\n"
               "err = p.stderr.read(); p.wait()\n"
               "print(json.dumps({'rc': p.returncode, 's': time.perf_counter() - t, 'staged_s': staged, 'files': files, "
               "'err': err[-2000:], 'maxrss_kb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))")
    env = {**os.environ, "HEARTH_HOME": str(home)}
    res = subprocess.run([sys.executable, "-c", wrapper, *cmd], capture_output=True, text=True, env=env, check=True)
    data = json.loads(res.stdout)
    # a file over the passage limit (core/docs/guards.py MAX_FILE_CHUNKS) is refused with its sentence:
    # that is a result too — its peak memory and how long the refusal took count
    refused = [f for f in data["files"] if f["status"] == "failed" and "passages" in (f.get("error") or "")]
    if refused and len(refused) == len(data["files"]):
        data["rc"] = 0
    if data["rc"] not in (0, 1) or any(f["status"] != "added" for f in data["files"] if f not in refused):
        raise SystemExit(f"hearth docs add failed on {path}: {data['err']} {data['files']}")
    distinct = 0
    for db in home.rglob("index.sqlite3"):
        with sqlite3.connect(db) as con:
            distinct += con.execute("SELECT COUNT(DISTINCT text_hash) FROM chunks WHERE collection = ?",
                                    (collection,)).fetchone()[0]
    subprocess.run([sys.executable, "-m", "hearthlm.core.cli", "docs", "rm", collection], env=env, check=True)
    return {"peak_mb": data["maxrss_kb"] / 1024, "seconds": data["s"], "staged_s": data["staged_s"],
            "chunks": sum(f["chunks"] for f in data["files"]), "distinct": distinct,
            "status": "refused (over the passage limit)" if refused else "added"}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="20,25,100,200", help="file sizes in MB (default 20,25,100,200: 25 MB "
                    "of the long line is just under the 80,000-passage limit; 100 and 200 MB are refused)")
    ap.add_argument("--kinds", default="line,lines,pdf", help="line (one long line), lines (a log), pdf")
    ap.add_argument("--period-mb", type=float, default=1.0, help="text repeats after this many MB (0: never)")
    ap.add_argument("--dir", help="where to write the files (default: a temporary folder)")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    kinds = [k for k in args.kinds.split(",") if k]
    work = Path(args.dir or tempfile.mkdtemp(prefix="hearth-ingest-mem-"))
    work.mkdir(parents=True, exist_ok=True)
    tiny = work / "tiny.txt"
    tiny.write_text("A small note about valves and pressure.\n" * 20)
    home = work / "home"
    run_add(home, tiny, "warmup")
    idle = run_add(home, tiny, "idle")
    print(f"idle (1 KB file): peak {idle['peak_mb']:.0f} MB, {idle['seconds']:.1f} s", flush=True)
    rows = []
    tag = "" if args.period_mb == 1 else f"-p{args.period_mb:g}"
    for kind in kinds:
        for size in sizes:
            suffix = "pdf" if kind == "pdf" else ("json" if kind == "line" else "log")
            path = work / f"{kind}-{size}mb{tag}.{suffix}"
            t = time.perf_counter()
            if not path.exists():
                if kind == "pdf":
                    make_pdf(path, size, args.period_mb)
                else:
                    make_text(path, size, "," if kind == "line" else "\n", args.period_mb)
            made = time.perf_counter() - t
            r = run_add(home, path, f"{kind}-{size}")
            mb = path.stat().st_size / MB
            index_s = r["seconds"] - r["staged_s"] if r["staged_s"] is not None else float("nan")
            rows.append((kind, mb, r["status"], r["peak_mb"], r["peak_mb"] - idle["peak_mb"], r["seconds"],
                         r["seconds"] / mb, index_s, r["chunks"], r["distinct"]))
            print(f"{kind:5} {mb:6.0f} MB (made in {made:.0f} s) {r['status']}: peak {r['peak_mb']:.0f} MB "
                  f"(+{r['peak_mb'] - idle['peak_mb']:.0f} over idle), {r['seconds']:.0f} s "
                  f"({index_s:.0f} s of it the vector index), {r['seconds'] / mb:.2f} s/MB, {r['chunks']} chunks "
                  f"({r['distinct']} distinct, embedded)", flush=True)
    print("\n| file | MB | result | peak RSS MB | above idle MB | s | s/MB | s in vector index | chunks | distinct |\n"
          "|---|---|---|---|---|---|---|---|---|---|")
    for kind, mb, status, peak, above, s, spm, index_s, chunks, distinct in rows:
        print(f"| {kind} | {mb:.0f} | {status} | {peak:.0f} | {above:.0f} | {s:.0f} | {spm:.2f} | {index_s:.0f} | {chunks} | {distinct} |")
    worst = max((r[4] for r in rows), default=0)
    print(f"\nworst: {worst:.0f} MB above idle (target ≤ 500): {'PASS' if worst <= 500 else 'FAIL'}")
    return 0 if worst <= 500 else 1


if __name__ == "__main__":
    sys.exit(main())
