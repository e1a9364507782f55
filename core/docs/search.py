"""Answer a question from collections: hybrid retrieval and a prompt block with numbered sources.

Vector search (chromadb, the collection's own embedder) and keyword search (FTS5 with CJK bigrams)
each rank up to ``candidates`` chunks; reciprocal rank fusion (k = 60, as in GPT4All's LocalDocs
and the original paper) merges the two lists, and the lists of several collections.

A question in one language about documents in the other is also asked in translation, from a
dictionary (glossary.py): a Chinese question's English words add a vector list and a keyword list,
an English question's Chinese words a keyword list (the default embedder reads no Chinese). On set
B of bench/retrieval.py hit@5 went 0.73 -> 0.88 (Chinese questions 0.42 -> 0.81, cross-lingual
0.31 -> 0.79); set A stayed at 1.00 (bench/RESULTS.md). Since session 8 a Chinese word's English
senses are those the store's documents use (store.term_counts), and the keyword index is asked for
each sense as a phrase: set A hit@1/hit@5/MRR 0.875/1.000/0.911 -> 0.938/1.000/0.953, set B
0.702/0.901/0.782 -> 0.723/0.915/0.801 (Chinese 0.854 -> 0.896, cross-lingual 0.833 -> 0.881).
A collection with a cross-language index (cross_language.py) adds, for Chinese questions, the list
of a multilingual model's neighbours of the question itself.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from collections.abc import Callable, Sequence

from ..messages import Msg, msg
from . import messages as M
from .embedders import get_embedder, is_multilingual, query_embedder_name
from .errors import EmbedderError, StoreError
from .glossary import glossary, has_chinese
from .store import CollectionInfo, DocStore

RRF_K = 60
# A list of results (hearth docs query, the Documents page, the server's query route) shows one
# passage per file while other files are left to show -- k places to look, not five pieces of one
# wrong file -- and fills up with further passages only when fewer files match (a one-file
# collection still lists k passages). Against two per file: hit@5 +0.021 to +0.047 on four of the six
# sets of bench/retrieval.py it was measured on, the same on two, never lower (bench/RESULTS.md,
# session 14).
PER_DOCUMENT = 1
# A chat's excerpts keep up to two of one file: a single excerpt of the right file may miss the
# answer that its next passage holds (session 6: hit@5 +0.02 over no cap on set B, set A unchanged).
CONTEXT_PER_DOCUMENT = 2

# (embedder name, texts) -> unit vectors: the window passes its EmbedService's (a child process);
# by default the embedder runs in this process.
Embed = Callable[[str, Sequence[str]], Any]


def _embed_here(name: str, texts: Sequence[str]) -> Any:
    return get_embedder(name).embed(texts)


@dataclass
class Hit:
    collection: str
    source: str  # the file's path
    page: int | None
    section: str | None
    text: str
    score: float
    chunk_id: int
    char_start: int
    char_end: int
    vector_rank: int | None
    keyword_rank: int | None
    tokens: int = 0
    # its best place in the lists of the question's translation, and of the cross-language index
    translation_rank: int | None = None
    cross_rank: int | None = None

    def link(self) -> str:
        """A file URL, at the page for PDFs (viewers that understand #page=N open there)."""
        url = Path(self.source).as_uri()
        return f"{url}#page={self.page}" if self.page and self.source.lower().endswith(".pdf") else url

    def where(self) -> str:
        name = Path(self.source).name
        if self.page:
            return f"{name}, p. {self.page}"
        return f"{name} › {self.section}" if self.section else name

    def places(self) -> dict[str, int]:
        """The searches that found it -> its place in each (what its fused rank is made of)."""
        ranks = {"meaning": self.vector_rank, "words": self.keyword_rank, "translation": self.translation_rank,
                 "cross-language": self.cross_rank}
        return {way: rank for way, rank in ranks.items() if rank}

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "score": round(self.score, 6), "link": self.link()}


def search(store: DocStore, collections: Sequence[str], question: str, k: int = 5, candidates: int = 40,
           embed: Embed | None = None, notes: list[Msg] | None = None,
           per_document: int = PER_DOCUMENT, fill: bool = True) -> list[Hit]:
    """The k best chunks, at most ``per_document`` from one file (0: no cap) while other files have
    chunks to give; with ``fill``, further chunks of the same files make up k when too few files
    match (all then in rank order). ``notes``: gets one
    sentence per shared collection whose server could not be reached (its results then come from
    the local keyword index alone), and one when a cross-language index's model could not run."""
    embed = embed or _embed_here
    question = question.strip()
    if not question:
        raise StoreError(M.EMPTY_QUESTION)
    # a Chinese question is asked of the collections' cross-language indexes on a thread, while the
    # other lists are asked here (e5 takes ~25 ms to embed a short question)
    infos = {name: store.get_collection(name) for name in collections}
    cross = _CrossQuestion(store, question, embed, list(infos.values()), candidates)
    words = glossary()
    # a Chinese word's English senses are chosen among those the store's documents use (glossary._choose)
    phrases = words.english_phrases(question, store.term_counts)
    english = " ".join(phrases)
    chinese = "" if english else words.to_chinese(question)
    # a Chinese question's keywords are its dictionary words' bigrams, not those across words (怎样把嵌套:
    # not 样把, 把嵌): lab, hit@5 F 0.844 -> 0.875, H hit@1 0.667 -> 0.700, sets A-E, G and I equal
    keyword_text = words.keyword_text(question)
    fused: dict[tuple[str, int], dict[str, Any]] = {}
    for name, info in infos.items():
        # A Chinese question is not embedded as it is by an English-only embedder: its neighbours
        # there are noise to the fusion (its English words are embedded instead). Set B hit@1 0.723
        # -> 0.745, MRR 0.801 -> 0.812, cross-lingual hit@5 0.881 -> 0.929, hit@5 0.915 either way
        # (2 Chinese questions on a Chinese document lost, 2 on English ones won); set A unchanged.
        own = not english or is_multilingual(info.embedder)
        asked = ([question] if own else []) + ([english] if english else [])
        vectors = _vector_hits(store, info, asked, candidates, embed, notes)
        # (kind, ranked chunks): each hit keeps its best place per kind, which the results show
        ranked: list[tuple[str, list[tuple[int, float]]]] = [
            ("vector", vectors[0] if own else []), ("keyword", store.keyword_search(name, keyword_text, candidates))]
        if english:
            # the senses as phrases: "random access memory" is not any chunk that says "random"
            ranked += [("translation", vectors[-1]), ("translation", store.phrase_search(name, phrases, candidates))]
        if chinese:
            ranked.append(("translation", store.keyword_search(name, chinese, candidates)))
        if name in cross.collections:
            # the collection's cross-language index (cross_language.py): the question by a
            # multilingual model's meaning; not for a shared collection (its vectors live on a server)
            ranked.append(("cross", cross.hits(name, notes)))
        for kind, listed in ranked:
            for rank, (chunk_id, _score) in enumerate(listed, start=1):
                entry = fused.setdefault((name, chunk_id), {"score": 0.0})
                entry["score"] += 1.0 / (RRF_K + rank)
                entry[kind] = min(rank, entry.get(kind) or rank)
    best = sorted(fused.items(), key=lambda kv: kv[1]["score"], reverse=True)
    hits: list[Hit] = []
    by_collection: dict[str, list[int]] = {}
    # with a cap, files further down count: a fill is only for a collection where few files match
    for (name, chunk_id), _ in best[: k * 3 if not per_document else max(k * 3, candidates * 5)]:
        by_collection.setdefault(name, []).append(chunk_id)
    rows = {(name, cid): row for name, ids in by_collection.items()
            for cid, row in store.chunk_rows(ids).items()}
    per_file: dict[tuple[str, int], int] = {}
    spare: list[Hit] = []  # passed over for the cap: what a fill takes
    for key, entry in best:
        row = rows.get(key)
        if row is None:  # a vector whose chunk is no longer current
            continue
        hit = Hit(key[0], row.path, row.page, row.section, row.text, entry["score"], row.id,
                  row.char_start, row.char_end, entry.get("vector"), entry.get("keyword"), row.tokens or 0,
                  entry.get("translation"), entry.get("cross"))
        taken = per_file.get((key[0], row.doc_id), 0)
        if per_document and taken >= per_document:
            spare.append(hit)
            continue
        per_file[(key[0], row.doc_id)] = taken + 1
        hits.append(hit)
        if len(hits) == k:
            break
    if fill and len(hits) < k:  # every matching file is in: the rest in rank order among them
        hits = sorted(hits + spare[: k - len(hits)], key=lambda h: h.score, reverse=True)
    return hits


class _CrossQuestion:
    """A Chinese question asked of the cross-language indexes of the collections that have one, on a
    thread: embedded once per model, then each index searched."""

    def __init__(self, store: DocStore, question: str, embed: Embed, infos: Sequence[CollectionInfo],
                 candidates: int):
        # collection -> (its index's model, how many of its neighbours to ask for)
        self.collections = {info.name: (info.cross_embedder, min(candidates, info.cross_chunks)) for info in infos
                            if info.cross_embedder and info.cross_chunks} if has_chinese(question) else {}
        self._future: Future | None = None
        if self.collections:
            self._future = _CROSS_POOL.submit(self._ask, store, question, embed)

    def _ask(self, store: DocStore, question: str, embed: Embed) -> dict[str, list[tuple[int, float]]]:
        vectors = {model: embed(query_embedder_name(model), [question])[0] for model, _ in self.collections.values()}
        return {name: store.cross_vector_search(name, vectors[model], k) for name, (model, k) in self.collections.items()}

    def hits(self, collection: str, notes: list[Msg] | None) -> list[tuple[int, float]]:
        """The index's list; empty, with one sentence in ``notes``, when its model cannot run (not
        installed, or its process crashed): the question is answered by the other lists."""
        if self._future is None:
            return []
        try:
            return self._future.result()[collection]
        except EmbedderError as exc:
            if notes is not None and not any(n.template == M.CROSS_UNAVAILABLE for n in notes):
                notes.append(msg(M.CROSS_UNAVAILABLE, reason=exc.msg))  # a Msg: the window translates it too
            return []


# its thread starts with the first Chinese question asked of a cross-language index
_CROSS_POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hearth-cross-question")


def _vector_hits(store: DocStore, info: Any, questions: list[str], candidates: int, embed: Embed,
                 notes: list[Msg] | None) -> list[list[tuple[int, float]]]:
    """One ranked list per question (all embedded in one call)."""
    shared = store.shared.config(info.name)

    def ask() -> list[list[tuple[int, float]]]:
        vectors = embed(query_embedder_name(info.embedder), questions)
        return store.vector_searches(info.name, vectors, candidates)

    if shared is None:
        return ask()
    try:  # a shared collection: follow the server, then ask its index
        store.shared.sync(info.name)
        return ask()
    except StoreError as exc:
        if exc.msg.template not in (M.SHARED_UNREACHABLE, M.SHARED_FAILED):
            raise  # a refused token is not "down": say that instead
        if notes is not None:
            notes.append(msg(M.SHARED_KEYWORD_ONLY, url=shared.url, name=info.name))
        return [[] for _ in questions]


@dataclass
class Context:
    """What goes into the answer: the chunks that fit, and the prompt block that cites them."""

    hits: list[Hit]
    prompt: str
    tokens: int
    notes: list[Msg] = field(default_factory=list)  # e.g. a shared collection answered by keywords only

    def sources(self) -> list[dict[str, Any]]:
        return [{"n": i, "source": h.source, "page": h.page, "section": h.section, "link": h.link(),
                 "snippet": " ".join(h.text.split())[:200]} for i, h in enumerate(self.hits, start=1)]


def build_context(store: DocStore, question: str, collections: Sequence[str], budget_tokens: int, *,
                  k: int = 8, count_tokens: Callable[[str], int] | None = None, embed: Embed | None = None) -> Context:
    """The best chunks that fit in ``budget_tokens`` (counted with the chat model's tokenizer when
    ``count_tokens`` is given; else estimated), as a numbered block to put before the question."""
    count = count_tokens or _estimate_tokens
    header = str(msg(M.CONTEXT_HEADER))
    used = count(header) + 4
    chosen: list[Hit] = []
    parts = [header]
    notes: list[Msg] = []
    for hit in search(store, collections, question, k=k, embed=embed, notes=notes,
                      per_document=CONTEXT_PER_DOCUMENT, fill=False):
        entry = f"[{len(chosen) + 1}] {hit.where()}\n{hit.text.strip()}"
        cost = count(entry) + 2
        if used + cost > budget_tokens:
            continue  # a shorter chunk further down may still fit
        chosen.append(hit)
        parts.append(entry)
        used += cost
    return Context(chosen, "\n\n".join(parts) if chosen else "", used if chosen else 0, notes)


def _estimate_tokens(text: str) -> int:
    """Without the model's tokenizer: ~4 characters per token for Latin text, ~1 per CJK character."""
    cjk = sum(1 for ch in text if "\u3000" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7af")
    return cjk + (len(text) - cjk) // 3 + 1
