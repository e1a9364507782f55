"""System-prompt presets (core/chat/presets.py): built-ins, the user's own in the config dir."""

from __future__ import annotations

import json

import pytest

from hearthlm.core import paths
from hearthlm.core.chat.presets import PresetError, PresetLibrary


def test_builtins_include_chain_of_thought():
    library = PresetLibrary()
    names = [p.name for p in library.all()]
    assert "Chain of thought" in names and all(p.builtin for p in library.all())
    assert "<think>" in library.get("Chain of thought").prompt


def test_user_presets_are_saved_edited_and_deleted_in_the_config_dir():
    library = PresetLibrary()
    library.save("Pirate", "Talk like a pirate.")
    library.save("Pirate", "Talk like a polite pirate.")  # edited
    assert library.file == paths.config_dir() / "presets.json"
    again = PresetLibrary()
    assert again.get("Pirate").prompt == "Talk like a polite pirate." and not again.get("Pirate").builtin
    again.delete("Pirate")
    assert PresetLibrary().get("Pirate") is None
    assert json.loads(library.file.read_text(encoding="utf-8"))["presets"] == []


def test_bad_names_and_builtins_are_refused():
    library = PresetLibrary()
    with pytest.raises(PresetError, match="needs a name"):
        library.save("  ", "x")
    with pytest.raises(PresetError, match="built-in"):
        library.save("Chain of thought", "x")
    with pytest.raises(PresetError, match="built-in"):
        library.delete("Concise")
    with pytest.raises(PresetError, match="no preset"):
        library.delete("Nope")


def test_a_broken_user_file_keeps_the_builtins_and_says_so():
    path = paths.config_dir() / "presets.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{not json", encoding="utf-8")
    library = PresetLibrary()
    assert library.warning and "could not be read" in library.warning
    assert library.get("Concise") is not None
