"""The Preferences dialog: each choice is saved to settings.json at once, other keys as the file
has them (another page may have saved meanwhile)."""

from __future__ import annotations

from hearthlm.core.settings import Settings, load_settings, save_settings
from hearthlm.gui.preferences import PreferencesDialog


def test_choices_are_saved_at_once_keeping_the_other_keys(qtbot, hearth_home):
    save_settings(Settings(max_tokens=77))
    settings = Settings()  # the window's copy, loaded before the file changed
    dialog = PreferencesDialog(settings)
    qtbot.addWidget(dialog)
    assert dialog.prepare_box.isChecked()  # on by default
    dialog.prepare_box.setChecked(False)
    with qtbot.waitSignal(dialog.themeChosen) as chosen:
        dialog.theme_box.setCurrentIndex(dialog.theme_box.findData("dark"))
    assert chosen.args == ["dark"]
    stored = load_settings()
    assert (stored.prepare_conversations, stored.theme, stored.max_tokens) == (False, "dark", 77)
    assert (settings.prepare_conversations, settings.theme) == (False, "dark")  # the window's copy too
    again = PreferencesDialog(stored)
    qtbot.addWidget(again)
    assert not again.prepare_box.isChecked()
