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


def test_a_file_that_cannot_be_read_is_never_saved_over(hearth_home: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """A settings file there but unreadable (a root-owned 0600 file left by `sudo hearth …`): the
    defaults are used and said once, and no save replaces it — `hearth settings set` says why in
    one line; once it can be read again, saving works (it used to be replaced by the defaults)."""
    from hearthlm.core.messages import SETTINGS_UNREADABLE
    from hearthlm.core.settings import save_setting

    save_setting("n_ctx", 16384)
    before = settings_path().read_bytes()
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self == settings_path():
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)
    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    assert load_settings() == Settings()
    note = take_settings_notice()
    assert note is not None and note.template == SETTINGS_UNREADABLE and "Permission denied" in note
    assert main(["settings", "set", "theme", "dark"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("hearth: error: Not saved:") and "Permission denied" in err
    monkeypatch.setattr(Path, "read_bytes", real)
    assert settings_path().read_bytes() == before  # untouched
    assert load_settings().n_ctx == 16384
    save_setting("theme", "dark")
    assert load_settings().theme == "dark" and load_settings().n_ctx == 16384
