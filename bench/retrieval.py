"""Retrieval hit rate at 1 and 5 on a small mixed English/Chinese set, among distractors.

Twelve short documents written for this benchmark (six English, six Chinese) are indexed together
with real Markdown files from installed packages as distractors; each question is a paraphrase
(not a copy) of a fact in one document. A hit: that document is among the first k results.
Also reports the same with the vector list alone and the keyword list alone, to show what the
fusion adds.

    PYTHONPATH=… python bench/retrieval.py [--distractors 40]
"""

from __future__ import annotations

import argparse
import glob
import json
import shutil
import sys
import tempfile
from pathlib import Path

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--distractors", type=int, default=40)
    args = parser.parse_args()
    from hearthlm.core.docs.embedders import get_embedder
    from hearthlm.core.docs.ingest import ingest
    from hearthlm.core.docs.search import search
    from hearthlm.core.docs.store import DocStore

    work = Path(tempfile.mkdtemp(prefix="hearth-retrieval-"))
    corpus = work / "corpus"
    corpus.mkdir()
    for name, text in DOCS.items():
        (corpus / name).write_text(text, encoding="utf-8")
    # Markdown files of the installed packages (this interpreter's site-packages, and any venv it
    # layers on), in a stable order
    roots = sorted({p for p in sys.path if p.endswith("site-packages") and Path(p).is_dir()})
    extra = sorted(f for root in roots for f in glob.glob(f"{root}/**/*.md", recursive=True))
    for i, f in enumerate(extra[: args.distractors]):
        shutil.copyfile(f, corpus / f"distractor{i:03d}_{Path(f).name}")
    store = DocStore(work / "store")
    ingest(store, "eval", [corpus])
    embedder = get_embedder("minilm")
    hits = {"fused": [0, 0], "vector": [0, 0], "keyword": [0, 0]}
    misses = []
    for question, answer in QUESTIONS:
        ranked = [Path(h.source).name for h in search(store, ["eval"], question, k=5)]
        vec = store.vector_search("eval", embedder.embed([question])[0], 5)
        kw = store.keyword_search("eval", question, 5)
        for kind, names in (("fused", ranked),
                            ("vector", [Path(r.path).name for r in store.chunk_rows([i for i, _ in vec]).values()]
                             if vec else []),
                            ("keyword", [Path(r.path).name for r in store.chunk_rows([i for i, _ in kw]).values()]
                             if kw else [])):
            if kind != "fused":  # chunk_rows is unordered: restore the ranking
                order = {i: n for n, (i, _) in enumerate(vec if kind == "vector" else kw)}
                rows = store.chunk_rows(list(order))
                names = [Path(rows[i].path).name for i in sorted(rows, key=order.get)]
            hits[kind][0] += names[:1] == [answer]
            hits[kind][1] += answer in names[:5]
        if answer not in ranked:
            misses.append({"question": question, "expected": answer, "got": ranked})
    n = len(QUESTIONS)
    chunks = store.get_collection("eval").chunks
    store.close()
    shutil.rmtree(work, ignore_errors=True)
    print(json.dumps({"questions": n, "chunks": chunks,
                      **{f"{k}_hit@1": v[0] / n for k, v in hits.items()},
                      **{f"{k}_hit@5": v[1] / n for k, v in hits.items()}, "misses": misses},
                     ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
