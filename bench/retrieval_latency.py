"""Query latency of ``search`` at 10,000 chunks, for a collection of a given embedder, end to end:
the question embedded by the real model (E5's query side for ``e5``), chromadb's vector search,
FTS5 keywords, fusion, the per-document cap and the rows read back.

The collection's texts are set B's real chunks (bench/retrieval_sets), repeated under new document
names until the target; their vectors are random unit vectors (ranking quality is not measured
here, and embedding 10,000 chunks would cost minutes of CPU for nothing latency depends on).

    PYTHONPATH=… python bench/retrieval_latency.py [--embedder e5] [--chunks 10000] [--queries 100]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--embedder", default="e5")
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--cross", action="store_true",
                        help="with a cross-language index (e5, asked by Chinese questions) of random vectors")
    parser.add_argument("--service", action="store_true",
                        help="the question embedded in a child process, as the window does (core/docs/embed_service.py)")
    args = parser.parse_args()
    from hearthlm.core.docs.chunking import Chunk
    from hearthlm.core.docs.embedders import get_embedder, query_embedder_name
    from hearthlm.core.docs.glossary import has_chinese
    from hearthlm.core.docs.search import search
    from hearthlm.core.docs.store import DocStore, text_hash
    from retrieval import set_b
    from retrieval_lab import chunk_corpus

    work = Path(tempfile.mkdtemp(prefix="hearth-latency-"))
    try:
        corpus, questions = set_b(work)
        texts = [c.text for c in chunk_corpus(corpus)]
        model = get_embedder(args.embedder)
        store = DocStore(work / "store")
        store.ensure_collection("big", model.name, model.dimension)
        rng = np.random.default_rng(0)
        n = doc = 0
        while n < args.chunks:
            part = texts[(doc * 50) % len(texts):(doc * 50) % len(texts) + 50][: args.chunks - n] or texts[:50]
            vecs = rng.normal(size=(len(part), model.dimension)).astype(np.float32)
            vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
            store.add_document("big", f"/bench/doc{doc}.txt", size=1, mtime_ns=doc, sha256=str(doc), kind="text",
                               chunks=[Chunk(t, None, None, 0, len(t), 0) for t in part],
                               hashes=[text_hash(f"{doc}{t}") for t in part], embeddings=vecs)
            n += len(part)
            doc += 1
        if args.cross:
            store.set_cross_language("big", "e5")
            for todo in iter(lambda: store.cross_todo("big", 1000), []):
                vecs = rng.normal(size=(len(todo), 384)).astype(np.float32)
                vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
                store.add_cross_vectors("big", "e5", [(i, h, v) for (i, _, _, h), v in zip(todo, vecs, strict=True)])
            get_embedder("e5:query")
        get_embedder(query_embedder_name(model.name))
        embed = None
        if args.service:
            from hearthlm.core.docs.embed_service import EmbedService

            service = EmbedService()
            embed = service.embed
        search(store, ["big"], "warm up the model and the index", embed=embed)
        search(store, ["big"], "预热模型和索引", embed=embed)
        times, by_language = [], {"zh": [], "en": []}
        for q in [q["question"] for q in questions][: args.queries]:
            t = time.perf_counter()
            search(store, ["big"], q, k=5, embed=embed)
            times.append((time.perf_counter() - t) * 1000)
            by_language["zh" if has_chinese(q) else "en"].append(times[-1])
        times.sort()
        if args.service:
            service.close()
        print(json.dumps({"embedder": model.name, "cross": args.cross, "service": args.service, "chunks": store.get_collection("big").chunks,
                          "queries": len(times), "p50_ms": round(statistics.median(times), 1),
                          "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1), "max_ms": round(times[-1], 1),
                          "by_language": {lang: {"queries": len(t), "p50_ms": round(statistics.median(t), 1),
                                                 "p95_ms": round(sorted(t)[int(0.95 * (len(t) - 1))], 1)}
                                          for lang, t in by_language.items() if t},
                          "load_average": os.getloadavg()}, indent=2))
        store.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
