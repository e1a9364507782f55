"""A settings file that is not JSON is kept as settings.json.corrupt-<time>, and the user is told
once: on stderr by the CLI, in the status bar by the window. The next save cannot destroy it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hearthlm.core.cli import main
from hearthlm.core.messages import SETTINGS_CORRUPT
from hearthlm.core.settings import Settings, load_settings, save_settings, settings_path, take_settings_notice

DAMAGED = '{"n_ctx": 2048, "temperature": 0.3,\n  "hf_token": "hf_x'  # cut off mid-write


def _kept() -> list[Path]:
    return sorted(settings_path().parent.glob("settings.json.corrupt-*"))


def test_a_damaged_file_is_set_aside_and_said_once(hearth_home: Path) -> None:
    settings_path().write_text(DAMAGED, encoding="utf-8")
    assert load_settings() == Settings()
    [kept] = _kept()
    assert kept.read_text(encoding="utf-8") == DAMAGED
    note = take_settings_notice()
    assert note is not None and note.template == SETTINGS_CORRUPT
    assert str(kept) in note and str(settings_path()) in note
    assert take_settings_notice() is None  # once
    load_settings()
    assert take_settings_notice() is None  # the defaults now: nothing more to say
    save_settings(Settings(n_ctx=512))  # the next save does not touch the kept file
    assert _kept() == [kept] and kept.read_text(encoding="utf-8") == DAMAGED
    assert load_settings().n_ctx == 512


def test_two_damaged_files_in_the_same_second_are_both_kept(hearth_home: Path) -> None:
    for text in ("{first", "{second"):
        settings_path().write_text(text, encoding="utf-8")
        load_settings()
    assert sorted(p.read_text() for p in _kept()) == ["{first", "{second"]


def test_the_cli_says_it_once_on_stderr(hearth_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings_path().write_text(DAMAGED, encoding="utf-8")
    assert main(["conversations", "list", "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out) == []  # stdout stays machine-readable
    [kept] = _kept()
    assert captured.err.count("hearth: warning:") == 1 and str(kept) in captured.err
    assert main(["conversations", "list", "--json"]) == 0
    assert "warning" not in capsys.readouterr().err


@pytest.mark.engine
def test_the_window_says_it_once_in_the_status_bar(hearth_home: Path, qtbot) -> None:
    from PySide6.QtWidgets import QLabel

    from hearthlm.gui.main_window import MainWindow

    settings_path().write_text(DAMAGED, encoding="utf-8")
    windows = []
    for _ in range(2):  # the second window has nothing more to say
        window = MainWindow()
        qtbot.addWidget(window)
        windows.append(window)
        with qtbot.waitSignal(window.chat.events.loaded, timeout=60_000):
            window.show()
    try:
        [kept] = _kept()
        label = windows[0].statusBar().findChild(QLabel, "settingsNotice")
        assert label is not None and str(kept) in label.text()
        assert label.isVisible()  # beside the model messages, which do not replace it
        assert "Q4_1" in windows[0].statusBar().currentMessage()
        assert windows[1].statusBar().findChild(QLabel, "settingsNotice") is None
    finally:
        for window in windows:
            window.close()
