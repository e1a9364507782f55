"""Retrieval quality: hit@1, hit@5 and MRR@10 by category, on two question sets, for Hearth's
search and for a plain GPT4All-style pipeline.

Set A: twelve short documents written for this benchmark (six English, six Chinese) among real
Markdown files of the installed packages as distractors; 16 questions written beside the code.
Set B (bench/retrieval_sets/): 141 questions over 144 real documents — Python's standard-library
docstrings, package READMEs, Chinese READMEs of permissively licensed packages and the repository's
Chinese calibration text (gathered by bench/retrieval_sets/gather.py, listed with versions and
sha256 in manifest.jsonl). It was written before any tuning of the retrieval code: a choice made on
one set is checked on the other. Set C (set_c.jsonl): 60 more questions over set B's documents, about
those set B asks nothing of, written in session 9 before anything was measured on them.

A hit: the answering document is the source of one of the first k results (chunks, as a user sees
them). Categories: ``paraphrase`` (the question shares few words with its answer), ``chinese``
(asked in Chinese), ``cross-lingual`` (asked in one language about a document in the other),
``plain`` (none of these).

The baseline (bench/retrieval_baseline.py): 1,000-character chunks, the same MiniLM, BM25 (SQLite
FTS5, default tokenizer) fused by RRF — what GPT4All's LocalDocs does.

Pipeline ``hearth-cross``: Hearth with the collection's cross-language index on
(core/docs/cross_language.py), filled before the questions are asked.

    PYTHONPATH=… python bench/retrieval.py [--sets a,b,c,d] [--pipelines hearth,hearth-cross,baseline] [--json]
"""

from __future__ import annotations

import argparse
import glob
import json
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

DOCS = {
    "lighthouse.md": "# Harbour lighthouse\n\nThe lamp of the harbour lighthouse is lit every evening at sunset by "
                     "the keeper, who climbs 214 steps. The lens was made in Paris in 1891.",
    "sourdough.md": "# Sourdough\n\nA sourdough starter is a mixture of flour and water colonised by wild yeast. "
                    "Feed it twice a day and keep it at about 24 °C.",
    "backup.md": "# Backups\n\nOur servers are backed up every night at 02:00 to the Frankfurt data centre; "
                 "backups are kept for 35 days.",
    "bicycle.md": "# Bicycle repair\n\nTo fix a puncture, remove the tyre with two levers, find the hole by "
                  "submerging the tube in water, and apply a patch.",
    "meeting.md": "# Meeting notes, 3 March\n\nWe agreed to raise the subscription price to 12 euros per month "
                  "starting in June. Anna will update the website.",
    "python.md": "# Python style\n\nUse four spaces per indentation level and limit lines to 99 characters; "
                 "run the formatter before each commit.",
    "熊猫.md": "# 大熊猫\n\n大熊猫生活在四川、陕西和甘肃的山区竹林里，每天要花十几个小时吃竹子。",
    "长城.md": "# 长城\n\n明长城东起山海关，西至嘉峪关，是古代为了抵御北方游牧民族而修建的防御工程。",
    "茶.md": "# 龙井茶\n\n龙井茶产于浙江杭州西湖一带，属于绿茶，采摘后要经过杀青和炒制。",
    "地铁.md": "# 地铁票价\n\n本市地铁起步价为三元，可乘坐六公里；老人凭卡免费乘车。",
    "假期.md": "# 年假制度\n\n员工工作满一年后每年享有十天带薪年假，未休完的年假可以顺延到次年三月底。",
    "火锅.md": "# 火锅\n\n重庆火锅以牛油和辣椒为底料，毛肚和鸭肠只需在锅里涮十几秒。",
}
QUESTIONS = [
    ("When is the lighthouse lamp switched on?", "lighthouse.md"),
    ("Where was the lighthouse lens manufactured?", "lighthouse.md"),
    ("How often should I feed my starter?", "sourdough.md"),
    ("How long do we retain server backups?", "backup.md"),
    ("How do I find the hole in an inner tube?", "bicycle.md"),
    ("What will the new monthly subscription cost?", "meeting.md"),
    ("What is the maximum line length in our code?", "python.md"),
    ("熊猫住在哪些省份？", "熊猫.md"),
    ("长城的西端在哪里？", "长城.md"),
    ("龙井是什么茶，产地在哪？", "茶.md"),
    ("坐地铁最少要花多少钱？", "地铁.md"),
    ("没休完的年假怎么办？", "假期.md"),
    ("毛肚要涮多久？", "火锅.md"),
    ("Where do giant pandas live?", "熊猫.md"),
    ("一年有几天带薪假？", "假期.md"),
    ("What time do the nightly backups run?", "backup.md"),
]
_CJK = re.compile(r"[\u3400-\u9fff]")
CATEGORIES = ("all", "paraphrase", "chinese", "cross-lingual", "plain")
SET_B = HERE / "retrieval_sets" / "set_b.jsonl"
# Set C: 60 more questions over set B's documents, written in session 9 before any measuring on them
SET_C = HERE / "retrieval_sets" / "set_c.jsonl"
# Set E (session 14): 43 Chinese questions about set B's English documents, written before the
# computing vocabulary of that session was, to check it on questions it was not made from.
SET_E = HERE / "retrieval_sets" / "set_e.jsonl"
# Set F: 32 more, written after set E's results were seen and before the vocabulary: its check.
SET_F = HERE / "retrieval_sets" / "set_f.jsonl"
# Set G: 29 more, written after set F's results were seen, to check a second vocabulary variant.
SET_G = HERE / "retrieval_sets" / "set_g.jsonl"
# Set H: 30 Chinese questions (22 about English documents, 8 about Chinese ones), written before the
# weight of a Chinese question's own keyword list was measured.
SET_H = HERE / "retrieval_sets" / "set_h.jsonl"
# Set I (session 15): 34 Chinese questions (30 about English documents, 4 about Chinese ones), written
# before a new cut of Chinese questions into dictionary words was measured: its check.
SET_I = HERE / "retrieval_sets" / "set_i.jsonl"
# Set J (session 15): 34 more (31 about English documents, 3 about Chinese ones), written before the
# dictionary supplement's senses were preferred over CC-CEDICT's when the documents use them: its check.
SET_J = HERE / "retrieval_sets" / "set_j.jsonl"
# Set K (session 15): 32 English questions (24 paraphrased) over set D's documents, llama.cpp's docs
# and tool READMEs -- the English side of the issue's own held-out set, which no set here had.
SET_K = HERE / "retrieval_sets" / "set_k.jsonl"
# Set D: Chinese questions about llama.cpp's own docs and tool READMEs (English, MIT), the kind of
# corpus issue 16's held-out sets use; written in session 10 before any measuring on them
SET_D = HERE / "retrieval_sets" / "set_d.jsonl"
LLAMA_CPP_SDIST = ("llama-cpp-python", "0.3.36")
SDIST_CACHE = Path(tempfile.gettempdir()) / "hearth-set-b" / "sdists"  # source distributions, fetched once


def lang(text: str) -> str:
    return "zh" if _CJK.search(text) else "en"


def set_a(work: Path, distractors: int = 40) -> tuple[Path, list[dict]]:
    corpus = work / "corpus_a"
    corpus.mkdir(parents=True, exist_ok=True)
    for name, text in DOCS.items():
        (corpus / name).write_text(text, encoding="utf-8")
    # Markdown files of the installed packages (this interpreter's site-packages, and any venv it
    # layers on), in a stable order
    roots = sorted({p for p in sys.path if p.endswith("site-packages") and Path(p).is_dir()})
    extra = sorted(f for root in roots for f in glob.glob(f"{root}/**/*.md", recursive=True))
    for i, f in enumerate(extra[:distractors]):
        shutil.copyfile(f, corpus / f"distractor{i:03d}_{Path(f).name}")
    # set A's questions were not labelled: every one restates a fact in other words, but shares
    # its key nouns with the answer (not a paraphrase in set B's sense)
    questions = [{"id": f"a{i:02d}", "question": q, "document": d, "question_lang": lang(q),
                  "document_lang": lang(DOCS[d]), "paraphrase": False} for i, (q, d) in enumerate(QUESTIONS, 1)]
    return corpus, questions


def set_b(work: Path, cache: Path | None = None, questions_file: Path = SET_B) -> tuple[Path, list[dict]]:
    from retrieval_sets.gather import gather

    corpus = work / "corpus_b"
    changed = gather(corpus, cache or SDIST_CACHE)
    if changed:
        print(f"warning: {len(changed)} set B documents differ from the manifest (another Python or package "
              f"version): {', '.join(changed[:8])}", file=sys.stderr)
    questions = [json.loads(line) for line in questions_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    return corpus, questions


def set_d(work: Path, cache: Path | None = None, questions_file: Path | None = None) -> tuple[Path, list[dict]]:
    """llama.cpp's docs/**/*.md and tools/**/README.md from llama-cpp-python's source distribution
    (fetched once with pip), each named by its path (``tools/rpc/README.md`` -> ``tools__rpc__README.md``)."""
    import tarfile

    from retrieval_sets.gather import sdist_archive

    corpus = work / "corpus_d"
    corpus.mkdir(parents=True, exist_ok=True)
    archive = sdist_archive(*LLAMA_CPP_SDIST, cache or SDIST_CACHE)
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            parts = member.name.split("/")
            if parts[1:3] != ["vendor", "llama.cpp"] or not member.isfile() or not member.name.endswith(".md"):
                continue
            inner = parts[3:]
            if inner[0] == "docs" or (inner[0] == "tools" and inner[-1] == "README.md"):
                data = tar.extractfile(member).read().decode("utf-8")  # type: ignore[union-attr]
                (corpus / "__".join(inner)).write_text(data, encoding="utf-8")
    questions = [json.loads(line) for line in (questions_file or SET_D).read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    return corpus, questions


def question_set(name: str, work: Path, distractors: int = 40) -> tuple[Path, list[dict]]:
    """Set ``a``, ``b``, ``c`` / ``e`` … ``j`` (set B's documents, set C's / E's … J's questions) or ``d`` / ``k`` (llama.cpp's docs: Chinese / English questions)."""
    if name == "a":
        return set_a(work, distractors)
    if name in ("d", "k"):
        return set_d(work, questions_file=SET_K if name == "k" else SET_D)
    return set_b(work, questions_file={"c": SET_C, "e": SET_E, "f": SET_F, "g": SET_G, "h": SET_H, "i": SET_I, "j": SET_J}.get(name, SET_B))


def categories(q: dict) -> list[str]:
    cats = ["all"]
    if q["paraphrase"]:
        cats.append("paraphrase")
    if q["question_lang"] == "zh":
        cats.append("chinese")
    if q["question_lang"] != q["document_lang"]:
        cats.append("cross-lingual")
    if len(cats) == 1:
        cats.append("plain")
    return cats


def score(questions: list[dict], ranked: list[list[str]]) -> dict[str, dict[str, float]]:
    """Per category: n, hit@1, hit@5, MRR@10 (over the first 10 results)."""
    sums: dict[str, list[float]] = {c: [0, 0.0, 0.0, 0.0] for c in CATEGORIES}
    for q, names in zip(questions, ranked, strict=True):
        rank = next((i for i, n in enumerate(names[:10], 1) if n == q["document"]), None)
        for c in categories(q):
            s = sums[c]
            s[0] += 1
            s[1] += rank == 1
            s[2] += rank is not None and rank <= 5
            s[3] += 1.0 / rank if rank else 0.0
    return {c: {"n": int(s[0]), "hit@1": round(s[1] / s[0], 3), "hit@5": round(s[2] / s[0], 3),
                "mrr": round(s[3] / s[0], 3)} for c, s in sums.items() if s[0]}


EMBEDDER: str | None = None  # --embedder: None is the product's default for a new collection


def cache_vectors() -> None:
    """Let the built-in embedders answer from bench/retrieval_cache.py (the same model's vectors,
    computed once per text): on a CPU shared by many, e5 takes most of an hour for set B."""
    from retrieval_cache import CachedEmbed

    from hearthlm.core.docs import embedders

    for name, cache in (("minilm", "lab-minilm"), ("e5", "lab-e5-passage"), ("e5:query", "lab-e5-query")):
        try:
            model = embedders.get_embedder(name)
        except Exception:  # not installed here
            continue
        model.embed = CachedEmbed(cache, model.embed)  # type: ignore[method-assign]


def run_hearth(corpus: Path, questions: list[dict], work: Path) -> list[list[str]]:
    """Hearth as the user gets it: ingest with the default embedder, then ``search`` (k=10)."""
    from hearthlm.core.docs.ingest import ingest
    from hearthlm.core.docs.search import search
    from hearthlm.core.docs.store import DocStore

    store = DocStore(work / f"store_{corpus.name}")
    try:
        ingest(store, "eval", [corpus], embedder=EMBEDDER)
        return [[Path(h.source).name for h in search(store, ["eval"], q["question"], k=10)] for q in questions]
    finally:
        store.close()


def run_hearth_cross(corpus: Path, questions: list[dict], work: Path) -> list[list[str]]:
    """Hearth with the collection's cross-language index on (core/docs/cross_language.py), filled
    before the questions are asked."""
    from hearthlm.core.docs import cross_language
    from hearthlm.core.docs.ingest import ingest
    from hearthlm.core.docs.search import search
    from hearthlm.core.docs.store import DocStore

    store = DocStore(work / f"store_cross_{corpus.name}")
    try:
        ingest(store, "eval", [corpus], embedder=EMBEDDER)
        cross_language.enable(store, "eval")
        cross_language.fill(store, "eval")
        return [[Path(h.source).name for h in search(store, ["eval"], q["question"], k=10)] for q in questions]
    finally:
        store.close()


def run_baseline(corpus: Path, questions: list[dict], work: Path) -> list[list[str]]:
    from retrieval_baseline import PlainPipeline

    pipe = PlainPipeline(sorted(corpus.iterdir()))
    return [pipe.search(q["question"], k=10) for q in questions]


PIPELINES = {"hearth": run_hearth, "hearth-cross": run_hearth_cross, "baseline": run_baseline}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sets", default="a,b")
    parser.add_argument("--pipelines", default="hearth,baseline")
    parser.add_argument("--distractors", type=int, default=40)
    parser.add_argument("--misses", action="store_true", help="list the questions missed at 5")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--embedder", help="for Hearth's collection (default: the product's default)")
    parser.add_argument("--cached-vectors", action="store_true", help="reuse vectors computed by earlier runs")
    args = parser.parse_args()
    global EMBEDDER
    EMBEDDER = args.embedder
    if args.cached_vectors:
        cache_vectors()
    from hearthlm.core.docs.embedders import default_embedder

    work = Path(tempfile.mkdtemp(prefix="hearth-retrieval-"))
    report: dict = {}
    try:
        for s in args.sets.split(","):
            corpus, questions = question_set(s, work, args.distractors)
            for p in args.pipelines.split(","):
                t0 = time.perf_counter()
                ranked = PIPELINES[p](corpus, questions, work)
                entry = {"documents": len(list(corpus.iterdir())), "questions": len(questions),
                         "embedder": (EMBEDDER or default_embedder()) if p.startswith("hearth") else "minilm",
                         "seconds": round(time.perf_counter() - t0, 1), "by_category": score(questions, ranked)}
                if args.misses:
                    entry["misses"] = [{"id": q["id"], "question": q["question"], "expected": q["document"],
                                        "got": names[:5]} for q, names in zip(questions, ranked, strict=True)
                                       if q["document"] not in names[:5]]
                report[f"set_{s}/{p}"] = entry
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return
    for key, entry in report.items():
        print(f"\n{key} ({entry['embedder']}): {entry['questions']} questions, {entry['documents']} documents, "
              f"{entry['seconds']} s")
        print(f"  {'category':14} {'n':>4} {'hit@1':>6} {'hit@5':>6} {'MRR':>6}")
        for c, m in entry["by_category"].items():
            print(f"  {c:14} {m['n']:>4} {m['hit@1']:>6.3f} {m['hit@5']:>6.3f} {m['mrr']:>6.3f}")
        for miss in entry.get("misses", []):
            print(f"  miss {miss['id']}: {miss['question']} -> {miss['expected']} (got {', '.join(miss['got'])})")


if __name__ == "__main__":
    main()
