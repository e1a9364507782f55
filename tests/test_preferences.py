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


def test_the_language_is_chosen_by_its_own_name_for_the_next_start(qtbot, hearth_home):
    dialog = PreferencesDialog(Settings())
    qtbot.addWidget(dialog)
    names = [dialog.language_box.itemText(i) for i in range(dialog.language_box.count())]
    assert names[1:] == ["English", "简体中文"] and names[0].startswith("System (")
    assert dialog.language_box.currentData() == "" and dialog.language_note.text() == ""
    dialog.language_box.setCurrentIndex(dialog.language_box.findData("zh_CN"))
    assert load_settings().language == "zh_CN"
    assert dialog.language_note.text() == "下次启动 Hearth 时改用简体中文。"  # said in the language chosen
    assert not dialog.language_note.isHidden()
    from hearthlm.gui.i18n import pick_language

    assert pick_language(load_settings().language) == "zh_CN"  # what the next start installs (gui/app.py)
    dialog.language_box.setCurrentIndex(dialog.language_box.findData("en"))  # the language shown now
    assert load_settings().language == "en" and dialog.language_note.text() == "" and dialog.language_note.isHidden()
    again = PreferencesDialog(load_settings())
    qtbot.addWidget(again)
    assert again.language_box.currentData() == "en"
