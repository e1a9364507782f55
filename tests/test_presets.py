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


def test_one_broken_entry_costs_only_itself_and_the_file_is_kept_aside():
    """An entry without its prompt: the others load, the user is told, and the file as it was is
    copied aside before the next save rewrites it (a save used to keep only the new preset)."""
    path = paths.config_dir() / "presets.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"version": 1, "presets": [{"name": "Lawyer", "prompt": "Cite the law."},
                                                 {"name": "Broken"}, {"name": "Tutor", "prompt": "Teach."}]})
    path.write_text(text, encoding="utf-8")
    library = PresetLibrary()
    assert library.warning and library.get("Lawyer") and library.get("Tutor") and library.get("Broken") is None
    library.save("Pirate", "Arr.")
    assert {p["name"] for p in json.loads(path.read_text(encoding="utf-8"))["presets"]} == {"Lawyer", "Tutor", "Pirate"}
    (copy,) = path.parent.glob("presets.json.damaged-*")
    assert copy.read_text(encoding="utf-8") == text
    path.write_text("{cut sh", encoding="utf-8")  # a file that is not JSON at all: kept aside too
    assert PresetLibrary().warning and len(list(path.parent.glob("presets.json.damaged-*"))) == 2


def test_damaged_json_state_is_copied_aside_once_before_it_is_replaced(tmp_path):
    from hearthlm.core.jsonfile import read_json

    target = tmp_path / "ledger.json"
    target.write_text('[{"repo": "a/b", "files": [', encoding="utf-8")
    assert read_json(target, []) == [] and read_json(target, []) == []
    (copy,) = tmp_path.glob("ledger.json.damaged-*")
    assert copy.read_text(encoding="utf-8") == '[{"repo": "a/b", "files": ['
    assert read_json(tmp_path / "missing.json", {"x": 1}) == {"x": 1} and len(list(tmp_path.iterdir())) == 2


def test_a_download_queue_file_of_another_shape_is_an_empty_queue(tmp_path):
    from hearthlm.core.hub.queue import DownloadQueue

    for text in ("{}", "[1, \"x\", {\"id\": 3}]", "null"):
        (tmp_path / "queue.json").write_text(text, encoding="utf-8")
        queue = DownloadQueue(tmp_path / "queue.json", cache_dir=tmp_path / "cache", spare=False)
        assert queue.items() == []
        queue.close()
