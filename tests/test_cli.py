"""The ``hearth`` command (core/cli.py), run as a real subprocess with its own HEARTH_HOME; the
conversation commands' output checks call its entry point in this process (``hearth_here``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli_here import hearth_here as run_here
from gguf_files import write_unloadable_gguf

PROMPT = "What is the capital of France?"


def hearth(*args: str, home: Path, input: str | None = None, timeout: float = 180,
           extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HEARTH_HOME": str(home), **(extra_env or {})}
    return subprocess.run([sys.executable, "-m", "hearthlm.core.cli", *args], capture_output=True, text=True,
                          env=env, timeout=timeout, input=input,
                          stdin=None if input is not None else subprocess.DEVNULL)


def hearth_here(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    """``hearth()`` through the entry point in this process (tests/cli_here.py): for the conversation
    commands' output; test_cli_reads_while_this_process_streams_an_answer keeps real processes (a
    reader beside a live writer), as do the chat, doctor, usage and version tests."""
    return run_here(*args, env={"HEARTH_HOME": str(home)})


def assert_one_error_line(result: subprocess.CompletedProcess[str], code: int, *words: str) -> str:
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got: {result.stderr!r}"
    line = lines[0]
    assert line.startswith("hearth: error: "), line
    for word in words:
        assert word.lower() in line.lower(), f"{word!r} not in {line!r}"
    return line


# -- chat ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def json_answer(tmp_path_factory: pytest.TempPathFactory) -> dict:
    home = tmp_path_factory.mktemp("cli-home")
    result = hearth("chat", "--prompt", PROMPT, "--max-tokens", "8", "--json", "--temperature", "0",
                    "--ctx", "1024", home=home)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.engine
def test_chat_json(json_answer: dict, starter_model: Path) -> None:
    for key in ("text", "model", "prompt_tokens", "completion_tokens", "ttft_s", "tokens_per_s"):
        assert key in json_answer, key
    assert isinstance(json_answer["text"], str) and json_answer["text"].strip()
    assert Path(json_answer["model"]) == starter_model.resolve()
    assert json_answer["prompt_tokens"] > 0
    assert 0 < json_answer["completion_tokens"] <= 8
    assert json_answer["ttft_s"] > 0
    assert json_answer["tokens_per_s"] > 0
    assert json_answer["stop_reason"] in ("eos", "length")


@pytest.mark.engine
def test_chat_streams_text_to_stdout_and_stats_to_stderr(json_answer: dict, hearth_home: Path) -> None:
    result = hearth("chat", PROMPT, "--max-tokens", "8", "--temperature", "0", "--ctx", "1024",
                    home=hearth_home)  # the prompt as the argument: the same as --prompt
    assert result.returncode == 0, result.stderr
    # greedy from a fresh engine: the same text as the JSON run, then a newline
    assert result.stdout == json_answer["text"] + "\n"
    assert "hearth: error" not in result.stderr
    stats_line = result.stderr.strip().splitlines()[-1]
    assert f"{json_answer['prompt_tokens']} prompt tokens" in stats_line
    assert f"{json_answer['completion_tokens']} generated" in stats_line
    assert "tokens/s" in stats_line


@pytest.mark.engine
def test_chat_reads_the_prompt_from_stdin(json_answer: dict, hearth_home: Path) -> None:
    result = hearth("chat", "--prompt", "-", "--max-tokens", "8", "--json", "--temperature", "0",
                    "--ctx", "1024", home=hearth_home, input=PROMPT)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["prompt_tokens"] == json_answer["prompt_tokens"]
    assert data["text"] == json_answer["text"]


@pytest.mark.parametrize("kind,words", [
    ("missing", ("No model file",)),
    ("folder", ("folder",)),
    ("text", ("not a GGUF",)),
    ("empty", ("empty",)),
    ("truncated", ("truncated",)),
    # passes the header check; the engine starts and llama.cpp refuses it
    pytest.param("hollow", ("could not load",), marks=pytest.mark.engine),
])
def test_chat_with_bad_model(kind: str, words: tuple[str, ...], tmp_path: Path, hearth_home: Path,
                             starter_model: Path) -> None:
    path = tmp_path / f"{kind}.gguf"
    if kind == "folder":
        path.mkdir()
    elif kind == "text":
        path.write_text("hello, I am not a model\n")
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "truncated":
        with open(starter_model, "rb") as handle:
            path.write_bytes(handle.read(3 << 20))
    elif kind == "hollow":
        write_unloadable_gguf(path)
    # refused before an engine starts: the command's entry point in this process, but for the file
    # that reaches llama.cpp (the real command's process and engine)
    run = hearth if kind == "hollow" else hearth_here
    result = run("chat", "--model", str(path), "--prompt", "hi", "--max-tokens", "4", "--ctx", "256",
                 home=hearth_home)
    assert result.stdout == ""
    assert_one_error_line(result, 1, *words)


def test_wrong_typed_settings_file_is_not_a_crash(hearth_home: Path, starter_model: Path) -> None:
    """A hand-edited settings file with a bad default model falls back to the starter model."""
    config = hearth_home / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "settings.json").write_text(json.dumps({"default_model": 5, "n_ctx": True}))
    result = hearth("doctor", "--json", home=hearth_home)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["default_model"] == str(starter_model)


# -- doctor --------------------------------------------------------------------------------

def _doctor(home: Path, *pre: str) -> dict:
    result = hearth(*pre, "doctor", "--json", home=home)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_doctor_json(hearth_home: Path, starter_model: Path) -> None:
    report = _doctor(hearth_home)
    assert report["hearth"]
    llama = report["llama"]
    assert "error" not in llama, llama
    assert llama["llama_cpp_python"] == "0.3.36"
    assert isinstance(llama["cpu_features"], list) and llama["cpu_features"]
    assert isinstance(llama["gpu_offload"], bool)
    devices = llama["devices"]
    assert devices and any(d["kind"] == "cpu" for d in devices)
    for device in devices:
        assert device["total_bytes"] >= device["free_bytes"] >= 0
    assert report["starter_model"] == str(starter_model)
    home = hearth_home.resolve()
    assert Path(report["data_dir"]).is_relative_to(home)
    assert Path(report["settings_file"]).is_relative_to(home)
    assert report["home_override"] == str(home)
    import PySide6

    assert report["pyside6"] == PySide6.__version__


def test_doctor_human_report(hearth_home: Path) -> None:
    result = hearth("doctor", home=hearth_home)
    assert result.returncode == 0, result.stderr
    for label in ("Hearth", "llama-cpp-python", "CPU features", "PySide6", "Starter model", "Data directory"):
        assert label in result.stdout


def test_doctor_names_a_qt_binding_known_to_break_hearth() -> None:
    from hearthlm.core.doctor import format_report

    base = {"hearth": "0", "python": "3", "python_executable": "py", "platform": "x", "llama": {"error": "n/a"},
            "starter_model": None, "default_model": None, "data_dir": "d", "settings_file": "s"}
    def qt_line(version: str | None) -> str:
        return next(line for line in format_report({**base, "pyside6": version}).splitlines()
                    if line.startswith("PySide6"))

    assert "bool_dealloc" in qt_line("6.12.0") and "PySide6==6.11.3" in qt_line("6.12.0")
    assert qt_line("6.11.3").split() == ["PySide6", "6.11.3"]
    assert "not installed" in qt_line(None)


def test_home_option_moves_every_file(tmp_path: Path, hearth_home: Path) -> None:
    other = tmp_path / "elsewhere"
    report = _doctor(hearth_home, "--home", str(other))
    assert Path(report["data_dir"]).is_relative_to(other.resolve())
    assert Path(report["config_dir"]).is_relative_to(other.resolve())
    assert not Path(report["data_dir"]).is_relative_to(hearth_home.resolve())
    assert (other / "data").is_dir()


# -- usage ---------------------------------------------------------------------------------

@pytest.mark.parametrize("args,words", [
    (("chat", "--max-tokens", "0", "--prompt", "hi"), ("--max-tokens", "positive")),
    (("chat", "--ctx", "-5", "--prompt", "hi"), ("--ctx", "positive")),
    (("chat", "--max-tokens", "many"), ("invalid int",)),
    (("chat", "--no-such-option"), ("unrecognized",)),
    # nothing to ask (stdin is empty here): said at once, where it used to wait for an answer forever
    (("chat",), ("empty",)),
    (("chat", "--prompt", " \n"), ("empty",)),
    (("chat", "hi", "--prompt", "hi"), ("once",)),
    (("serve", "--port", "99999"), ("ports are 0 to 65535",)),
    (("chat", "hi", "--temperature", "100"), ("--temperature", "from 0 to 2")),  # as `settings set` takes
    (("chat", "hi", "--threads", "-2"), ("--threads", "from 0")),
    (("chat", "hi", "--ctx", "10"), ("--ctx", "from 256")),
    (("docs", "query", "notes", "x", "-k", "0"), ("-k", "not a positive number")),
    (("conversations", "search", "x", "--limit", "0"), ("--limit", "not a positive number")),
    (("frobnicate",), ("invalid choice",)),
])
def test_bad_usage_exits_2_with_one_line(args: tuple[str, ...], words: tuple[str, ...], hearth_home: Path) -> None:
    result = hearth(*args, home=hearth_home)
    assert result.stdout == ""
    assert_one_error_line(result, 2, *words)


def test_version(hearth_home: Path) -> None:
    result = hearth("--version", home=hearth_home)
    assert result.returncode == 0
    assert result.stdout.startswith("hearth ")


# -- conversations -------------------------------------------------------------------------

CHAT_ARGS = ("--max-tokens", "8", "--temperature", "0", "--ctx", "1024", "--threads", "1")


@pytest.mark.engine
def test_chat_new_conversation_then_continue_it(hearth_home: Path, starter_model: Path) -> None:
    from hearthlm.core.chat.store import ConversationStore

    first = hearth("chat", "--conversation", "new", "--prompt", PROMPT, "--json", *CHAT_ARGS, home=hearth_home)
    assert first.returncode == 0, first.stderr
    one = json.loads(first.stdout)
    conv_id = one["conversation"]
    assert len(conv_id) == 36 and one["text"].strip()

    # continue it by a prefix of its id, streaming; the stored history goes to the engine
    second = hearth("chat", "--conversation", conv_id[:8], "--prompt", "And of Italy?", *CHAT_ARGS, home=hearth_home)
    assert second.returncode == 0, second.stderr
    assert f"hearth chat --conversation {conv_id[:8]}" in second.stderr.splitlines()[-1]
    third = hearth("chat", "--conversation", conv_id, "--prompt", "Thanks.", "--json", *CHAT_ARGS, home=hearth_home)
    three = json.loads(third.stdout)
    assert three["conversation"] == conv_id
    assert three["prompt_tokens"] > one["prompt_tokens"] + 10  # the earlier turns were in the prompt

    with ConversationStore() as store:
        conv = store.get(conv_id)
        assert conv.title == PROMPT and Path(conv.model) == starter_model.resolve()
        branch = store.path(conv_id)
        assert [(m.role, m.state) for m in branch] == [("user", "complete"), ("assistant", "complete")] * 3
        assert [m.content for m in branch[::2]] == [PROMPT, "And of Italy?", "Thanks."]
        assert branch[1].content == one["text"] and branch[1].id == one["message"]
        assert second.stdout == branch[3].content + "\n"
        assert branch[5].content == three["text"]
        stats = branch[5].stats
        assert stats["prompt_tokens"] == three["prompt_tokens"]
        assert stats["completion_tokens"] == three["completion_tokens"]
        assert stats["stop_reason"] in ("eos", "length") and stats["ttft_s"] > 0 and stats["tokens_per_s"] > 0

    listed = json.loads(hearth("conversations", "list", "--json", home=hearth_home).stdout)
    assert [(c["id"], c["message_count"]) for c in listed] == [(conv_id, 6)]
    shown = json.loads(hearth("conversations", "show", conv_id[:6], "--json", home=hearth_home).stdout)
    assert [m["content"] for m in shown["messages"][::2]] == [PROMPT, "And of Italy?", "Thanks."]


@pytest.mark.engine
def test_chat_conversation_with_a_system_prompt(hearth_home: Path) -> None:
    from hearthlm.core.chat.store import ConversationStore

    result = hearth("chat", "--conversation", "new", "--system", "Answer in one word.", "--prompt", "Hi",
                    "--json", *CHAT_ARGS, home=hearth_home)
    assert result.returncode == 0, result.stderr
    conv_id = json.loads(result.stdout)["conversation"]
    with ConversationStore() as store:
        assert store.get(conv_id).settings == {"system_prompt": "Answer in one word."}
        assert store.to_engine_messages(conv_id)[0] == {"role": "system", "content": "Answer in one word."}


@pytest.mark.engine  # the CLI's engine loads the starter model
def test_chat_crash_keeps_the_question_and_no_empty_answer(hearth_home: Path, starter_model: Path) -> None:
    from hearthlm.core.chat.store import ConversationStore

    result = hearth("chat", "--conversation", "new", "--prompt", PROMPT, *CHAT_ARGS, home=hearth_home,
                    extra_env={"HEARTH_ENGINE_FAULT": "segv-first-decode"})
    assert_one_error_line(result, 1, "SIGSEGV")
    with ConversationStore() as store:
        (conv,) = store.list_conversations()
        assert [(m.role, m.content) for m in store.path(conv.id)] == [("user", PROMPT)]
        assert conv.message_count == 1


@pytest.mark.engine  # the CLI's engine loads the starter model
def test_chat_after_a_crash_asks_beside_the_unanswered_question(hearth_home: Path, starter_model: Path) -> None:
    """A crashed answer leaves its question once; the next `--conversation` question goes beside it
    (a new branch), so the model never gets two questions in a row and they do not pile up. The
    error line is one sentence pointing at the engine log, not llama.cpp's log lines."""
    from hearthlm.core.chat.store import ConversationStore

    crashed = hearth("chat", "--conversation", "new", "--prompt", "First?", *CHAT_ARGS, home=hearth_home,
                     extra_env={"HEARTH_ENGINE_FAULT": "segv-first-decode"})
    line = assert_one_error_line(crashed, 1, "SIGSEGV")
    assert line.endswith(f"Details are in {hearth_home / 'logs' / 'engine.log'}.")
    assert "llama" not in line.replace("llama.cpp build", "")
    with ConversationStore() as store:
        (conv,) = store.list_conversations()
        (first,) = store.path(conv.id)

    result = hearth("chat", "--conversation", conv.id[:8], "--prompt", "Second?", "--json", *CHAT_ARGS,
                    home=hearth_home)
    assert result.returncode == 0, result.stderr
    with ConversationStore() as store:
        question, answer = store.path(conv.id)
        assert (question.role, question.content, answer.role) == ("user", "Second?", "assistant")
        assert question.parent_id == first.parent_id and store.siblings(question.id)[:2] == (1, 2)
        assert store.message(first.id).content == "First?"  # kept, as the other branch
    alone = hearth("chat", "--prompt", "Second?", "--json", *CHAT_ARGS, home=hearth_home)
    # "First?" was not sent along: the same prompt as the question asked on its own
    assert json.loads(result.stdout)["prompt_tokens"] == json.loads(alone.stdout)["prompt_tokens"]


def test_chat_unknown_conversation_fails_before_loading(hearth_home: Path) -> None:
    result = hearth("chat", "--conversation", "0123abcd", "--prompt", "hi", "--model", "/nowhere.gguf",
                    home=hearth_home)
    assert result.stdout == ""
    assert_one_error_line(result, 1, "No conversation matches 0123abcd")


@pytest.fixture
def stored(hearth_home: Path) -> dict[str, str]:
    """Two conversations in the default store: one English with two branches, one Chinese."""
    from hearthlm.core.chat.store import ConversationStore

    with ConversationStore() as store:
        en = store.create(model="/models/tiny.gguf")
        q = store.add_message(en.id, None, "user", "How do I light a fireplace?")
        store.add_message(en.id, q.id, "assistant", "Open the damper first.",
                          stats={"prompt_tokens": 9, "completion_tokens": 5, "ttft_s": 0.1, "tokens_per_s": 30.0,
                                 "stop_reason": "eos"})
        store.add_message(en.id, q.id, "assistant", "Use dry kindling.")
        zh = store.create()
        q = store.add_message(zh.id, None, "user", "我喜欢在壁炉边读书")
        store.add_message(zh.id, q.id, "assistant", "听起来很温暖。")
    return {"en": en.id, "zh": zh.id}


def test_conversations_list(stored: dict[str, str], hearth_home: Path) -> None:
    result = hearth_here("conversations", "list", home=hearth_home)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["ID", "Updated", "Messages", "Title"]
    assert lines[1].startswith(stored["zh"][:8]) and lines[1].endswith("我喜欢在壁炉边读书")
    assert lines[2].startswith(stored["en"][:8]) and lines[2].endswith("How do I light a fireplace?")
    data = json.loads(hearth_here("conversations", "list", "--json", home=hearth_home).stdout)
    assert [(c["id"], c["title"], c["message_count"]) for c in data] == [
        (stored["zh"], "我喜欢在壁炉边读书", 2), (stored["en"], "How do I light a fireplace?", 3)]
    assert data[1]["model"] == "/models/tiny.gguf"


def test_conversations_list_when_empty(hearth_home: Path) -> None:
    result = hearth_here("conversations", "list", home=hearth_home)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "No conversations yet.\n")
    assert json.loads(hearth_here("conversations", "list", "--json", home=hearth_home).stdout) == []


def test_conversations_show(stored: dict[str, str], hearth_home: Path) -> None:
    result = hearth_here("conversations", "show", stored["en"][:8], home=hearth_home)
    assert result.returncode == 0, result.stderr
    assert "# How do I light a fireplace?" in result.stdout
    assert "Use dry kindling." in result.stdout and "damper" not in result.stdout
    assert "\u2039 2/2 \u203a" in result.stdout
    data = json.loads(hearth_here("conversations", "show", stored["en"], "--json", home=hearth_home).stdout)
    assert data["id"] == stored["en"]
    assert [(m["role"], m["content"], m["siblings"]) for m in data["messages"]] == [
        ("user", "How do I light a fireplace?", {"index": 0, "count": 1}),
        ("assistant", "Use dry kindling.", {"index": 1, "count": 2})]


def test_conversations_export(stored: dict[str, str], hearth_home: Path, tmp_path: Path) -> None:
    md = hearth_here("conversations", "export", stored["zh"], "--format", "md", home=hearth_home)
    assert md.returncode == 0, md.stderr
    assert md.stdout.startswith("# 我喜欢在壁炉边读书\n") and "## Assistant\n\n听起来很温暖。" in md.stdout
    target = tmp_path / "en.json"
    result = hearth_here("conversations", "export", stored["en"][:8], "--format", "json", "-o", str(target),
                         home=hearth_home)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr.strip() == f"Wrote {target}."
    data = json.loads(target.read_text(encoding="utf-8"))
    assert [m["content"] for m in data["messages"]] == ["How do I light a fireplace?", "Use dry kindling."]
    assert len(data["tree"]) == 3 and data["tree"][1]["stats"]["completion_tokens"] == 5
    bad = hearth_here("conversations", "export", stored["en"], "--format", "pdf", home=hearth_home)
    assert_one_error_line(bad, 2, "invalid choice")


def test_conversations_search(stored: dict[str, str], hearth_home: Path) -> None:
    result = hearth_here("conversations", "search", "壁炉", home=hearth_home)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"{stored['zh'][:8]}  我喜欢在[壁炉]边读书",
                                          f"{stored['zh'][:8]}#4  我喜欢在壁炉边读书: 我喜欢在[壁炉]边读书"]
    data = json.loads(hearth_here("conversations", "search", "dry", "kindling", "--json", home=hearth_home).stdout)
    assert [(h["conversation"], h["snippet"]) for h in data] == [(stored["en"], "Use dry kindling.")]
    nothing = hearth_here("conversations", "search", "platypus", home=hearth_home)
    assert (nothing.returncode, nothing.stdout, nothing.stderr) == (0, "", "Nothing found for platypus.\n")


def test_conversations_rm(stored: dict[str, str], hearth_home: Path) -> None:
    result = hearth_here("conversations", "rm", stored["en"][:8], home=hearth_home)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"Deleted the conversation How do I light a fireplace? ({stored['en']})."
    data = json.loads(hearth_here("conversations", "rm", stored["zh"], "--json", home=hearth_home).stdout)
    assert data == {"deleted": stored["zh"], "title": "我喜欢在壁炉边读书"}
    assert json.loads(hearth_here("conversations", "list", "--json", home=hearth_home).stdout) == []
    again = hearth_here("conversations", "rm", stored["zh"], home=hearth_home)
    assert again.stdout == ""
    assert_one_error_line(again, 1, f"No conversation matches {stored['zh']}")


def test_conversation_ids_unknown_or_ambiguous(hearth_home: Path) -> None:
    from hearthlm.core.chat.store import ConversationStore

    with ConversationStore() as store:
        ids = [store.create(title=f"c{i}").id for i in range(40)]
    initial = max("0123456789abcdef", key=lambda c: sum(i.startswith(c) for i in ids))
    count = sum(i.startswith(initial) for i in ids)
    for command in ("show", "export", "rm"):
        result = hearth_here("conversations", command, initial, home=hearth_home)
        assert result.stdout == ""
        assert_one_error_line(result, 1, f"{initial} matches {count} conversations", "more of the id")
        result = hearth_here("conversations", command, "nope", home=hearth_home)
        assert_one_error_line(result, 1, "No conversation matches nope")
    assert_one_error_line(hearth_here("conversations", home=hearth_home), 2, "required")


def test_cli_reads_while_this_process_streams_an_answer(stored: dict[str, str], hearth_home: Path) -> None:
    """The window streaming an answer and the CLI used at the same time: the CLI sees the answer as
    'streaming' (its writer is alive, so it is not marked interrupted) and can delete another one."""
    from hearthlm.core.chat.store import ConversationStore

    with ConversationStore(commit_interval_s=0.05) as store:
        question = store.path(stored["zh"])[0]
        writer = store.begin_answer(stored["zh"], question.id)
        writer.append("正在写")
        writer.flush()
        shown = json.loads(hearth("conversations", "show", stored["zh"], "--json", home=hearth_home).stdout)
        assert (shown["messages"][-1]["content"], shown["messages"][-1]["state"]) == ("正在写", "streaming")
        assert hearth("conversations", "rm", stored["en"], home=hearth_home).returncode == 0
        writer.append("的回答")
        writer.finish()
        assert store.message(writer.id).state == "complete"
        assert [c.id for c in store.list_conversations()] == [stored["zh"]]
    assert "正在写的回答" in hearth("conversations", "export", stored["zh"], home=hearth_home).stdout


def test_text_on_stdin_that_is_not_utf8_and_a_home_that_is_a_file_are_one_sentence(hearth_home: Path,
                                                                                    starter_model: Path) -> None:
    """Bytes that are not UTF-8 piped in (a GBK file): one sentence naming the byte, for chat and
    tokenize alike (tokenize showed a UnicodeEncodeError traceback); --home naming a file: a usage error."""
    for args in (("tokenize", str(starter_model), "-"), ("chat", "--prompt", "-")):
        result = subprocess.run([sys.executable, "-m", "hearthlm.core.cli", *args], input=b"a\xffb",
                                capture_output=True, env={**os.environ, "HEARTH_HOME": str(hearth_home)}, timeout=120)
        assert result.returncode == 1 and result.stderr.decode().count("\n") == 1, result.stderr
        assert "not UTF-8 (byte 0xff at position 1)" in result.stderr.decode()
    file = hearth_home / "a-file"
    file.write_text("x", encoding="utf-8")
    assert_one_error_line(hearth("--home", str(file), "doctor", home=hearth_home), 2, "is a file")


def test_a_library_name_names_the_model_for_chat_and_estimate(hearth_home: Path, starter_model: Path) -> None:
    """The names `hearth models list` shows (the starter's file name here) work where a path does,
    as they already did for tokenize, quantize and serve."""
    listed = json.loads(hearth("models", "list", "--json", home=hearth_home).stdout)
    name = next(m["name"] for m in listed if m["source"] == "starter")
    estimate = json.loads(hearth("estimate", name, "--json", home=hearth_home).stdout)
    assert Path(estimate["model"]).resolve() == starter_model.resolve()
    answer = hearth("chat", "--model", name, "Hi", "--max-tokens", "2", "--json", home=hearth_home)
    assert answer.returncode == 0, answer.stderr
    assert Path(json.loads(answer.stdout)["model"]).resolve() == starter_model.resolve()
