"""``hearth settings``: the window's Preferences and chat defaults from a shell, checked as the window
checks them, the secrets' keys left to their own commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from cli_here import hearth_here

from hearthlm.core.settings import BOUNDS, CHOICES, Settings, load_settings, save_settings


def one_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0 and result.stdout == "", (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("hearth: error: "), result.stderr
    return lines[0]


def test_set_get_reset_keep_the_other_keys(hearth_home: Path, starter_model: Path) -> None:
    save_settings(Settings(max_tokens=77, hf_token="hf_secret_value"))
    model = str(starter_model.absolute())
    for key, text, value in (("language", "zh_CN", "zh_CN"), ("theme", "dark", "dark"),
                             ("prepare_conversations", "off", False), ("n_ctx", "8192", 8192),
                             ("temperature", "0.2", 0.2), ("default_model", model, model)):
        result = hearth_here("settings", "set", key, text)
        assert result.returncode == 0, result.stderr
        assert result.stdout == f"{key} = {json.dumps(value)}\n"
        assert getattr(load_settings(), key) == value
        assert json.loads(hearth_here("settings", "get", key).stdout) == value
    from hearthlm.core.secrets import hf_token

    assert load_settings().max_tokens == 77 and hf_token() == "hf_secret_value"  # untouched (in the keychain)
    assert hearth_here("settings", "reset", "language").returncode == 0
    assert load_settings().language == "" and load_settings().theme == "dark"
    assert hearth_here("settings", "set", "default_model", "").returncode == 0
    assert load_settings().default_model is None  # empty unsets the path


def test_the_listing_describes_every_key_and_never_shows_the_token(hearth_home: Path) -> None:
    save_settings(Settings(hf_token="hf_secret_value"))
    listing = hearth_here("settings")
    assert listing.returncode == 0
    assert "hf_secret_value" not in listing.stdout
    for key, description in Settings.describe().items():
        assert f"\n{key} = " in listing.stdout and description in listing.stdout
    data = json.loads(hearth_here("settings", "list", "--json").stdout)
    assert set(data) == set(Settings.describe())
    assert data["hf_token"]["value"] == "(set)" and data["n_ctx"]["value"] == 4096
    assert json.loads(hearth_here("settings", "get", "hf_token").stdout) == "(set)"


def test_bad_values_get_one_sentence_and_change_nothing(hearth_home: Path) -> None:
    save_settings(Settings(n_ctx=2048))
    before = load_settings()
    low, high = BOUNDS["n_ctx"]
    cases = [
        (("theme", "blue"), "theme must be one of 'system', 'light', 'dark', not 'blue'."),
        (("n_ctx", "100"), f"n_ctx must be between {int(low)} and {int(high):,}, not 100."),
        (("top_p", "1.5"), "top_p must be between 0 and 1, not 1.5."),
        (("temperature", "warm"), "temperature must be a number, not 'warm'."),
        (("max_tokens", "1.5"), "max_tokens must be a whole number, not '1.5'."),
        (("prepare_conversations", "maybe"), "prepare_conversations is true or false, not 'maybe'."),
        (("language", "fr"), "language must be one of '', 'en', 'zh_CN', not 'fr'."),
        (("nosuch", "1"), "There is no setting named “nosuch”"),
        (("hf_token", "x"), "kept in the keychain"),
        (("remotes", "x"), "hearth remote add"),
        (("version", "2"), "Hearth keeps itself"),
    ]
    for args, said in cases:
        assert said in one_error(hearth_here("settings", "set", *args))
    assert load_settings() == before
    assert "There is no setting" in one_error(hearth_here("settings", "get", "nosuch"))


def test_the_window_and_the_command_share_their_choices_and_bounds() -> None:
    from hearthlm.gui.chat_settings import NUMBERS
    from hearthlm.gui.i18n import LANGUAGE_NAMES, SUPPORTED
    from hearthlm.gui.theme import THEMES

    assert THEMES == CHOICES["theme"] and tuple(LANGUAGE_NAMES) == SUPPORTED == CHOICES["language"][1:]
    assert all(NUMBERS[key][:2] == BOUNDS[key] for key in NUMBERS)


def test_a_real_hearth_process_sets_what_the_window_reads(tmp_path: Path) -> None:
    env = {**os.environ, "HEARTH_HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "hearthlm.core.cli", "settings", "set", "language", "zh_CN"],
                            capture_output=True, text=True, env=env, timeout=60, stdin=subprocess.DEVNULL)
    assert result.returncode == 0 and result.stdout == 'language = "zh_CN"\n', result.stderr
    from hearthlm.gui.i18n import pick_language

    os.environ["HEARTH_HOME"], saved = str(tmp_path), os.environ.get("HEARTH_HOME")
    try:
        assert pick_language(load_settings().language) == "zh_CN"  # what gui/app.py installs at start
    finally:
        if saved is None:
            del os.environ["HEARTH_HOME"]
        else:
            os.environ["HEARTH_HOME"] = saved


def test_a_reader_that_leaves_early_ends_the_command_quietly(tmp_path: Path) -> None:
    """`hearth settings | head -1`: the pipe closes before the listing is written; no traceback."""
    env = {**os.environ, "HEARTH_HOME": str(tmp_path)}
    process = subprocess.Popen([sys.executable, "-m", "hearthlm.core.cli", "settings"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # before the command has started writing: its first write finds no reader
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr, stderr


def test_the_default_model_is_checked_when_set(hearth_home: Path, starter_model: Path, tmp_path: Path) -> None:
    """A path that is no model is refused in one sentence (it was taken, and every start then quietly
    used the starter); a name from `hearth models list` is kept as its absolute path."""
    text = tmp_path / "notes.gguf"
    text.write_text("not a model", encoding="utf-8")
    for value, words in (("/no/such/model.gguf", "No model file"), (str(text), "not a GGUF"),
                         (str(tmp_path), "folder")):
        result = hearth_here("settings", "set", "default_model", value, env={"HEARTH_HOME": str(hearth_home)})
        assert result.returncode == 1 and words in result.stderr, result.stderr
    assert load_settings().default_model is None
    result = hearth_here("settings", "set", "default_model", starter_model.name, env={"HEARTH_HOME": str(hearth_home)})
    assert result.returncode == 0, result.stderr
    assert Path(load_settings().default_model).resolve() == starter_model.resolve()
