"""Settings (core/settings.py) and where they live (core/paths.py)."""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from pathlib import Path

import pytest

from hearthlm.core import paths
from hearthlm.core.settings import SETTINGS_VERSION, Settings, load_settings, save_settings, settings_path


def test_defaults_without_a_file(hearth_home: Path) -> None:
    assert not settings_path().exists()
    settings = load_settings()
    assert settings == Settings()
    assert settings.version == SETTINGS_VERSION
    assert settings.default_model is None
    assert settings.n_ctx > 0 and settings.max_tokens > 0
    assert 0 <= settings.temperature <= 2
    # every setting is documented
    described = Settings.describe()
    assert set(described) == {f.name for f in fields(Settings)}
    assert all(text.strip() for text in described.values())


def test_round_trip(hearth_home: Path) -> None:
    settings = Settings(default_model="/models/x.gguf", language="zh_CN", n_ctx=2048, n_gpu_layers=12,
                        max_tokens=77, temperature=0.25, top_p=0.5, top_k=7, min_p=0.1, repeat_penalty=1.3)
    save_settings(settings)
    path = settings_path()
    assert path.is_file()
    assert json.loads(path.read_text(encoding="utf-8"))["n_ctx"] == 2048
    assert load_settings() == settings
    # saved atomically: no temp files left beside it
    assert sorted(p.name for p in path.parent.iterdir()) == ["settings.json"]


def test_saving_again_replaces_the_file(hearth_home: Path) -> None:
    save_settings(Settings(n_ctx=2048))
    save_settings(Settings(n_ctx=512))
    assert load_settings().n_ctx == 512


@pytest.mark.parametrize("content", [
    "{not json",
    "",
    "\x00\x01\x02",
    "[1, 2, 3]",
    "null",
    '"a string"',
])
def test_corrupt_file_gives_defaults(hearth_home: Path, content: str) -> None:
    settings_path().write_text(content, encoding="utf-8")
    assert load_settings() == Settings()
    kept = list(settings_path().parent.glob("settings.json.corrupt-*"))  # and is kept, not lost
    assert len(kept) == 1 and kept[0].read_text(encoding="utf-8") == content


def test_undecodable_bytes_give_defaults(hearth_home: Path) -> None:
    settings_path().write_bytes(b"\xff\xfe\x00garbage\x80")
    assert load_settings() == Settings()


def test_wrong_typed_values_fall_back_to_their_defaults(hearth_home: Path) -> None:
    defaults = Settings()
    settings_path().write_text(json.dumps({
        "n_ctx": "lots",  # str for int
        "temperature": "hot",  # str for float
        "top_k": 2.5,  # float for int
        "language": 5,  # int for str
        "max_tokens": 300,  # a good value among bad ones is kept
        "min_p": 0,  # an int where a float is expected is fine
        "unknown_key": 1,  # ignored
        "version": 999,  # the file's version does not override the schema's
    }), encoding="utf-8")
    settings = load_settings()
    assert settings.n_ctx == defaults.n_ctx
    assert settings.temperature == defaults.temperature
    assert settings.top_k == defaults.top_k
    assert settings.language == defaults.language
    assert settings.max_tokens == 300
    assert settings.min_p == 0
    assert settings.version == SETTINGS_VERSION
    assert not hasattr(settings, "unknown_key")


def test_json_booleans_are_not_numbers(hearth_home: Path) -> None:
    """JSON true is a bool, which Python counts as an int: n_ctx=true must not become a 1-token context."""
    defaults = Settings()
    settings_path().write_text(json.dumps({"n_ctx": True, "temperature": False, "n_gpu_layers": True}),
                               encoding="utf-8")
    settings = load_settings()
    assert settings.n_ctx == defaults.n_ctx and type(settings.n_ctx) is int
    assert settings.temperature == defaults.temperature and type(settings.temperature) is float
    assert settings.n_gpu_layers == defaults.n_gpu_layers and type(settings.n_gpu_layers) is int


@pytest.mark.parametrize("value", [5, 1.5, True, ["a.gguf"], {"path": "a.gguf"}])
def test_default_model_must_be_a_path_string(hearth_home: Path, value: object) -> None:
    settings_path().write_text(json.dumps({"default_model": value}), encoding="utf-8")
    settings = load_settings()
    assert settings.default_model is None
    # and what uses it keeps working
    from hearthlm.core.default_model import default_model_path

    default_model_path(settings)


def test_default_model_string_and_null_are_kept(hearth_home: Path, tmp_path: Path) -> None:
    settings_path().write_text(json.dumps({"default_model": "/m/a.gguf"}), encoding="utf-8")
    assert load_settings().default_model == "/m/a.gguf"
    settings_path().write_text(json.dumps({"default_model": None}), encoding="utf-8")
    assert load_settings().default_model is None


def test_default_model_path_prefers_an_existing_choice(hearth_home: Path, tmp_path: Path,
                                                       starter_model: Path) -> None:
    from hearthlm.core.default_model import default_model_path

    chosen = tmp_path / "mine.gguf"
    chosen.write_bytes(b"GGUF")
    assert default_model_path(Settings(default_model=str(chosen))) == chosen
    # a chosen file that has gone: the starter model
    assert default_model_path(Settings(default_model=str(tmp_path / "gone.gguf"))) == starter_model
    assert default_model_path(Settings()) == starter_model


def test_hearth_home_moves_the_settings_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    monkeypatch.setenv("HEARTH_HOME", str(first))
    assert settings_path() == first / "config" / "settings.json"
    save_settings(Settings(n_ctx=1234))
    assert (first / "config" / "settings.json").is_file()

    monkeypatch.setenv("HEARTH_HOME", str(second))
    assert settings_path() == second / "config" / "settings.json"
    assert load_settings() == Settings()  # nothing there yet
    save_settings(Settings(n_ctx=4321))
    assert load_settings().n_ctx == 4321

    monkeypatch.setenv("HEARTH_HOME", str(first))
    assert load_settings().n_ctx == 1234


def test_hearth_home_holds_every_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("HEARTH_HOME", str(home))
    for folder in (paths.data_dir(), paths.config_dir(), paths.cache_dir(), paths.log_dir()):
        assert folder.is_dir()
        assert folder.parent == home.resolve()
    assert paths.home_override() == home.resolve()


def test_saved_file_is_plain_json_of_every_field(hearth_home: Path) -> None:
    save_settings(Settings())
    data = json.loads(settings_path().read_text(encoding="utf-8"))
    assert data == asdict(Settings())
