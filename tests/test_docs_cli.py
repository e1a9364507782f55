"""`hearth docs …` through the real command-line entry point (in-process, real store)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

os.environ.setdefault("HEARTH_EMBED_THREADS", "1")

from docs_samples import write_pdf  # noqa: E402
from hearthlm.core.cli import main  # noqa: E402


# runs an embedding model (MiniLM or e5): out of the fast tier, which runs no model (README, Developing)
pytestmark = pytest.mark.engine


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_add_list_query_rm(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    write_pdf(folder / "guide.pdf", [["Welcome."], ["Press the green button to start the espresso machine."]])
    (folder / "茶.md").write_text("# 茶\n\n龙井茶产自浙江杭州西湖一带，是中国十大名茶之一。", encoding="utf-8")
    (folder / "empty.txt").write_text("", encoding="utf-8")

    code, out, err = run(capsys, "docs", "add", "kitchen", str(folder))
    assert code == 1  # one file failed; the others are in
    assert err.count("hearth: error:") == 1 and "empty.txt is empty." in err
    assert "guide.pdf: indexed, 2 chunks" in out

    code, out, _ = run(capsys, "docs", "list", "--json")
    (info,) = json.loads(out)
    assert (info["name"], info["documents"], info["failed"], info["embedder"]) == ("kitchen", 2, 1, "minilm")

    code, out, _ = run(capsys, "docs", "query", "kitchen", "how do I start the espresso machine", "-k", "2", "--json")
    hits = json.loads(out)
    assert code == 0 and len(hits) == 2
    assert {"source", "page", "score", "text"} <= set(hits[0])
    assert hits[0]["source"].endswith("guide.pdf") and hits[0]["page"] == 2 and "green button" in hits[0]["text"]
    code, out, _ = run(capsys, "docs", "query", "kitchen", "龙井茶产自哪里", "--json")
    assert json.loads(out)[0]["source"].endswith("茶.md")

    code, out, _ = run(capsys, "docs", "context", "kitchen", "green button", "--budget", "200", "--json")
    ctx = json.loads(out)
    assert ctx["sources"][0]["n"] == 1 and "[1] guide.pdf, p. 2" in ctx["prompt"]

    code, out, _ = run(capsys, "docs", "rm", "kitchen", str(folder / "guide.pdf"), "--json")
    assert code == 0 and json.loads(out)["removed"] == [str(folder / "guide.pdf")]
    code, out, _ = run(capsys, "docs", "list", "kitchen", "--json")
    assert [Path(d["path"]).name for d in json.loads(out)["documents"]] == ["empty.txt", "茶.md"]

    code, _, err = run(capsys, "docs", "rm", "kitchen")
    assert code == 0
    code, _, err = run(capsys, "docs", "query", "kitchen", "anything")
    assert code == 1 and err.strip() == "hearth: error: There is no collection named “kitchen”."
    code, _, err = run(capsys, "docs", "add", "bad/name", str(folder))
    assert code == 1 and "not a valid collection name" in err and err.count("\n") == 1


@pytest.mark.engine  # starts the engine
def test_chat_with_a_collection_gets_the_excerpts_and_lists_sources(tmp_path: Path, capsys, starter_model) -> None:
    (tmp_path / "kettle.md").write_text("# Kettle\n\nDescale the kettle with citric acid every month.", "utf-8")
    assert run(capsys, "docs", "add", "home", str(tmp_path / "kettle.md"))[0] == 0
    common = ["chat", "--model", str(starter_model), "--prompt", "How do I descale the kettle?", "--json",
              "--max-tokens", "4", "--temperature", "0", "--threads", "1", "--ctx", "512"]
    code, out, err = run(capsys, *common)
    assert code == 0, err
    plain = json.loads(out)
    code, out, err = run(capsys, *common, "--collection", "home")
    assert code == 0, err
    answer = json.loads(out)
    assert [s["n"] for s in answer["sources"]] == [1]
    assert answer["sources"][0]["source"] == str(tmp_path / "kettle.md")
    assert answer["prompt_tokens"] > plain["prompt_tokens"] + 20  # the numbered excerpt went in


def test_add_with_only_a_path_says_the_collection_comes_first(tmp_path: Path, capsys) -> None:
    """`hearth docs add notes.txt` (the collection's name left out): the sentence names the mistake
    and the command to type; nothing is created."""
    note = tmp_path / "notes.txt"
    note.write_text("Mount Etna is a volcano in Sicily.", encoding="utf-8")
    code, out, err = run(capsys, "docs", "add", str(note))
    assert code == 1 and out == ""
    assert err.strip() == (f"hearth: error: “{note}” is a file or folder, and the collection comes first: "
                           f"hearth docs add \"My documents\" {note}")
    code, out, _ = run(capsys, "docs", "list", "--json")
    assert json.loads(out) == []
    code, _, err = run(capsys, "docs", "add", "no such name")  # not a path: the plain sentence
    assert code == 1 and "Name at least one file or folder" in err
