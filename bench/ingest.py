"""Ingestion speed of Hearth's documents pipeline vs a plain chromadb pipeline with the same
embedding model, and query latency at 10,000 chunks.

Plain pipeline (what a first RAG script looks like): read each file as UTF-8, split it into
1,000-character pieces with 100 characters of overlap, and ``collection.add(documents=…)`` per file
with an embedding function that, like chromadb's default one, pads every input to 256 tokens.
Same model (all-MiniLM-L6-v2 int8 ONNX), same thread count.

Hearth: ``ingest()`` — structure-aware chunks of ≤128 model tokens (MiniLM's training length), a parse thread, batches across
files sorted by length and padded to their longest member, texts already embedded reused, SQLite +
FTS5 + chromadb writes with crash-safe bookkeeping.

    PYTHONPATH=… python bench/ingest.py [--corpus DIR ...] [--latency-chunks 10000]

``--server [URL]``: the same files also go to a shared collection on a Chroma server (one started
here with ``chroma run`` on 127.0.0.1 when no URL is given), and the report gives the throughput
to the server ÷ the throughput to a local collection (``shared_vs_local``). The server variant
also embeds (the vectors are computed by whoever adds the file), so the ratio is the cost of the
network writes, the manifest and the local mirror on top of the same work.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

DEFAULT_GLOBS = ["/tmp/venv/lib/python3.11/site-packages/**/*.md", "/tmp/venv/lib/python3.11/site-packages/**/*.rst",
                 "/tmp/venv/lib/python3.11/site-packages/**/*.txt", "/usr/share/doc/**/*.pdf"]


def corpus_files(patterns: list[str], min_bytes: int = 200) -> list[Path]:
    files = sorted({Path(p) for pat in patterns for p in glob.glob(pat, recursive=True)})
    return [f for f in files if f.is_file() and f.stat().st_size >= min_bytes]


def stage(files: list[Path], folder: Path) -> list[Path]:
    """Copy the corpus into one folder (flat names), so both pipelines read the same files."""
    folder.mkdir(parents=True)
    out = []
    for i, f in enumerate(files):
        dest = folder / f"{i:04d}_{f.name}"
        shutil.copyfile(f, dest)
        out.append(dest)
    return out


class PlainMiniLM:
    """The same ONNX model, used the way chromadb's default embedding function uses its own copy:
    every input padded (and truncated) to 256 tokens, batches of 32."""

    def __init__(self, threads: int):
        from hearthlm.core.docs.embedders import MiniLMEmbedder

        inner = MiniLMEmbedder(threads=threads, packaged_graph=True)  # the model file as shipped
        self.session, self.tokenizer = inner._session, inner._tokenizer
        self.tokenizer.enable_padding(length=256)
        self.tokenizer.enable_truncation(256)

    def __call__(self, input: list[str]) -> list[np.ndarray]:  # noqa: A002 (chromadb's name)
        out = []
        for k in range(0, len(input), 32):
            enc = self.tokenizer.encode_batch(input[k:k + 32])
            ids = np.array([e.ids for e in enc], np.int64)
            mask = np.array([e.attention_mask for e in enc], np.int64)
            hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask,
                                             "token_type_ids": np.zeros_like(ids)})[0]
            m = mask[:, :, None].astype(np.float32)
            v = (hidden * m).sum(1) / np.maximum(m.sum(1), 1)
            out.extend(v / np.linalg.norm(v, axis=1, keepdims=True))
        return out

    @staticmethod
    def name() -> str:
        return "plain-minilm"

    def is_legacy(self) -> bool:
        return False


def split_chars(text: str, size: int = 1000, overlap: int = 100) -> list[str]:
    return [text[i:i + size] for i in range(0, max(1, len(text) - overlap), size - overlap) if text[i:i + size].strip()]


def plain_pipeline(files: list[Path], root: Path, threads: int) -> dict:
    import chromadb
    from chromadb.config import Settings

    ef = PlainMiniLM(threads)
    c0 = time.process_time()
    t0 = time.perf_counter()
    client = chromadb.PersistentClient(path=str(root), settings=Settings(anonymized_telemetry=False))
    col = client.get_or_create_collection("plain", embedding_function=ef, configuration={"hnsw": {"space": "cosine"}})
    chunks = chars = 0
    for f in files:
        if f.suffix == ".pdf":
            import pypdfium2 as pdfium

            pdf = pdfium.PdfDocument(str(f))
            text = "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
        else:
            text = f.read_text("utf-8", errors="ignore")
        pieces = split_chars(text)
        if pieces:
            col.add(ids=[f"{f.name}:{i}" for i in range(len(pieces))], documents=pieces)
        chunks += len(pieces)
        chars += len(text)
    dt = time.perf_counter() - t0
    return {"seconds": dt, "cpu_seconds": time.process_time() - c0, "chunks": chunks, "chars": chars,
            "chunks_per_s": chunks / dt, "chars_per_s": chars / dt}


def hearth_pipeline(folder: Path, root: Path) -> dict:
    from hearthlm.core.docs.embedders import get_embedder
    from hearthlm.core.docs.ingest import ingest
    from hearthlm.core.docs.store import DocStore

    get_embedder("minilm")  # model load is not ingestion (the plain pipeline loads before its clock too)
    c0 = time.process_time()
    t0 = time.perf_counter()
    store = DocStore(root)
    results = ingest(store, "bench", [folder])
    dt = time.perf_counter() - t0
    cpu = time.process_time() - c0
    info = store.get_collection("bench")
    chars = sum(c.char_end - c.char_start for c in store.chunk_rows([r[0] for r in store.all_chunk_texts("bench")]).values())
    embedded = store._db.execute("SELECT COUNT(DISTINCT text_hash) FROM chunks WHERE collection = 'bench'").fetchone()[0]
    t1 = time.perf_counter()
    again = ingest(store, "bench", [folder])
    readd = time.perf_counter() - t1
    store.close()
    return {"seconds": dt, "cpu_seconds": cpu, "chunks": info.chunks, "chars": chars, "chunks_per_s": info.chunks / dt,
            "chars_per_s": chars / dt, "distinct_texts_embedded": embedded,
            "failed": sum(r.status == "failed" for r in results),
            "readd_seconds": readd, "readd_unchanged": sum(r.status == "unchanged" for r in again)}


def cross_pipeline(root: Path) -> dict:
    """``--cross``: the collection Hearth just indexed gets its cross-language index (every chunk
    embedded again by e5, core/docs/cross_language.py), timed apart from the ingestion it follows."""
    from hearthlm.core.docs import cross_language
    from hearthlm.core.docs.embedders import get_embedder
    from hearthlm.core.docs.store import DocStore

    get_embedder("e5")  # model load is not indexing, as above
    store = DocStore(root)
    try:
        c0, t0 = time.process_time(), time.perf_counter()
        cross_language.enable(store, "bench")
        n = cross_language.fill(store, "bench")
        return {"seconds": time.perf_counter() - t0, "cpu_seconds": time.process_time() - c0, "chunks": n}
    finally:
        store.close()


def shared_pipeline(folder: Path, root: Path, url: str) -> dict:
    """``ingest()`` into a shared collection on the server at ``url`` (a fresh collection name)."""
    from hearthlm.core.docs.embedders import MiniLMEmbedder, get_embedder
    from hearthlm.core.docs.ingest import ingest
    from hearthlm.core.docs.store import DocStore

    get_embedder("minilm")
    name = f"bench-{os.getpid()}-{int(time.time())}"
    store = DocStore(root)
    store.shared.add(name, url, os.environ.get("HEARTH_BENCH_TOKEN_ENV") or None, "minilm", MiniLMEmbedder.dimension)
    c0 = time.process_time()
    t0 = time.perf_counter()
    results = ingest(store, name, [folder])
    dt = time.perf_counter() - t0
    cpu = time.process_time() - c0
    info = store.get_collection(name)
    store.close()
    return {"seconds": dt, "cpu_seconds": cpu, "chunks": info.chunks, "chunks_per_s": info.chunks / dt,
            "failed": sum(r.status == "failed" for r in results), "collection": name}


def start_chroma(folder: Path):
    """``chroma run`` on a free 127.0.0.1 port; (process, url)."""
    import socket
    import subprocess

    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code = "import sys; from chromadb.cli.cli import app; sys.argv[0] = 'chroma'; app()"
    proc = subprocess.Popen([sys.executable, "-c", code, "run", "--path", str(folder), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("chroma run did not start")


def latency(root: Path, target: int, queries: int) -> dict:
    """Grow a collection to ``target`` chunks from the benchmark's real chunks (their texts, with
    their real vectors slightly perturbed), then time end-to-end searches with real questions."""
    from hearthlm.core.docs.chunking import Chunk
    from hearthlm.core.docs.search import search
    from hearthlm.core.docs.store import DocStore, text_hash

    store = DocStore(root)
    rows = store._db.execute("SELECT text, section, page, embedding FROM chunks WHERE collection='bench'").fetchall()
    store.ensure_collection("big", "minilm", 384)
    rng = np.random.default_rng(0)
    n, doc = 0, 0
    t0 = time.perf_counter()
    while n < target:
        part = rows[(doc * 50) % len(rows):(doc * 50) % len(rows) + 50] or rows[:50]
        part = part[: target - n]
        chunks = [Chunk(t, p, s, 0, len(t), 0) for t, s, p, _ in part]
        vecs = np.stack([np.frombuffer(e, np.float32) for *_, e in part])
        vecs = vecs + rng.normal(0, 0.01, vecs.shape).astype(np.float32)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        store.add_document("big", f"/bench/doc{doc}.txt", size=1, mtime_ns=doc, sha256=str(doc), kind="text",
                           chunks=chunks, hashes=[text_hash(f"{doc}{c.text}") for c in chunks], embeddings=vecs)
        n += len(chunks)
        doc += 1
    fill = time.perf_counter() - t0
    questions = [" ".join(t.split()[:12]) for t, *_ in rows[:: max(1, len(rows) // queries)][:queries]]
    search(store, ["big"], "warm up the model and the index")
    times = []
    for q in questions:
        t = time.perf_counter()
        search(store, ["big"], q, k=5)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    info = store.get_collection("big")
    store.close()
    return {"chunks": info.chunks, "fill_seconds": fill, "queries": len(times), "p50_ms": statistics.median(times),
            "p95_ms": times[int(0.95 * (len(times) - 1))], "max_ms": times[-1]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", nargs="*", default=DEFAULT_GLOBS, help="glob patterns")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--latency-chunks", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--skip-plain", action="store_true")
    parser.add_argument("--plain-first", action="store_true", help="run the plain pipeline first (for alternating runs)")
    parser.add_argument("--server", nargs="?", const="start", metavar="URL",
                        help="also ingest into a shared collection on this Chroma server (none: start `chroma run`)")
    parser.add_argument("--cross", action="store_true", help="then fill the collection's cross-language index")
    args = parser.parse_args()
    os.environ["HEARTH_EMBED_THREADS"] = str(args.threads)
    work = Path(tempfile.mkdtemp(prefix="hearth-bench-"))
    files = stage(corpus_files(args.corpus), work / "corpus")
    size = sum(f.stat().st_size for f in files)
    print(f"corpus: {len(files)} files, {size / 1e6:.2f} MB; threads {args.threads}", file=sys.stderr)
    report: dict = {"files": len(files), "bytes": size, "threads": args.threads}
    if args.plain_first and not args.skip_plain:
        report["plain"] = plain_pipeline(files, work / "plain", args.threads)
        print(json.dumps(report["plain"]), file=sys.stderr)
    report["hearth"] = hearth_pipeline(work / "corpus", work / "hearth")
    print(json.dumps(report["hearth"]), file=sys.stderr)
    if not args.skip_plain and "plain" not in report:
        report["plain"] = plain_pipeline(files, work / "plain", args.threads)
        print(json.dumps(report["plain"]), file=sys.stderr)
    if "plain" in report:
        report["speedup_chunks_per_s"] = report["hearth"]["chunks_per_s"] / report["plain"]["chunks_per_s"]
        # the same files either way: the wall-time ratio is the fair one (chunk sizes differ)
        report["speedup_same_files"] = report["plain"]["seconds"] / report["hearth"]["seconds"]
        # CPU time (all threads) is far less sensitive to other load on a shared machine than wall time
        report["speedup_same_files_cpu"] = report["plain"]["cpu_seconds"] / report["hearth"]["cpu_seconds"]
    if args.cross:
        report["cross"] = cross_pipeline(work / "hearth")
        print(json.dumps(report["cross"]), file=sys.stderr)
        report["cross_vs_ingest"] = report["cross"]["seconds"] / report["hearth"]["seconds"]
        if "plain" in report:  # the whole indexing with the cross-language index, against the plain pipeline
            report["speedup_same_files_with_cross"] = report["plain"]["seconds"] / (
                report["hearth"]["seconds"] + report["cross"]["seconds"])
    if args.server:
        proc, url = start_chroma(work / "chroma") if args.server == "start" else (None, args.server)
        try:
            report["shared"] = shared_pipeline(work / "corpus", work / "hearth-shared", url)
        finally:
            if proc is not None:
                proc.kill()
                proc.wait()
        print(json.dumps(report["shared"]), file=sys.stderr)
        # throughput to the server ÷ throughput to a local collection, the same files
        report["shared_vs_local"] = report["hearth"]["seconds"] / report["shared"]["seconds"]
        report["shared_vs_local_cpu"] = report["hearth"]["cpu_seconds"] / report["shared"]["cpu_seconds"]
    report["load_average"] = os.getloadavg()
    if args.latency_chunks:
        report["latency"] = latency(work / "hearth", args.latency_chunks, args.queries)
    print(json.dumps(report, indent=2))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
