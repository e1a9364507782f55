"""System-prompt presets: the built-in library (resources/presets/system_prompts.json) and the
user's own, kept in ``paths.config_dir() / "presets.json"``.

    library = PresetLibrary()
    library.all()                      # built-ins first, then the user's, by name
    library.save("Pirate", "Talk like a pirate.")   # add or replace one of the user's
    library.delete("Pirate")

Built-in names are translatable (core/chat/messages.py); a user preset may not take a built-in's
name. The user's file is written atomically (temp file + rename), so a crash never truncates it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .. import paths
from ..errors import HearthError
from ..jsonfile import keep_damaged, write_json_atomic
from ..messages import Msg, msg
from . import messages as M

USER_FILE = "presets.json"


class PresetError(HearthError):
    """A preset cannot be saved or deleted (no name, a built-in's name, not found)."""


@dataclass(frozen=True)
class Preset:
    name: str
    prompt: str
    builtin: bool


def builtin_presets() -> list[Preset]:
    from hearthlm.resources import resource_path

    data = json.loads(resource_path("presets", "system_prompts.json").read_text(encoding="utf-8"))
    return [Preset(p["name"], p["prompt"], True) for p in data["presets"]]


class PresetLibrary:
    def __init__(self, path: str | Path | None = None):
        self.file = Path(path) if path is not None else paths.config_dir() / USER_FILE
        self.warning: Msg | None = None  # a Msg when the user's file could not be read
        self._builtin = builtin_presets()
        self._user = self._load()

    def _load(self) -> dict[str, str]:
        if not self.file.exists():
            return {}
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
            presets = data.get("presets", [])
        except (OSError, ValueError, AttributeError) as exc:
            self.warning = msg(M.PRESETS_UNREADABLE, path=str(self.file), reason=str(exc))
            keep_damaged(self.file)  # the next save writes the file anew: its presets stay in the copy
            return {}
        kept = {}
        for preset in presets if isinstance(presets, list) else []:
            try:  # one broken entry costs only itself
                kept[str(preset["name"])] = str(preset["prompt"])
            except (KeyError, TypeError) as exc:
                self.warning = msg(M.PRESETS_UNREADABLE, path=str(self.file), reason=f"an entry without {exc}")
        if self.warning is not None:
            keep_damaged(self.file)
        return kept

    def _write(self) -> None:
        self.file.parent.mkdir(parents=True, exist_ok=True)
        data = {"version": 1, "presets": [{"name": n, "prompt": p} for n, p in sorted(self._user.items())]}
        write_json_atomic(self.file, data, indent=2)

    def all(self) -> list[Preset]:
        return self._builtin + [Preset(n, p, False) for n, p in sorted(self._user.items(), key=lambda i: i[0].lower())]

    def get(self, name: str) -> Preset | None:
        return next((p for p in self.all() if p.name == name), None)

    def save(self, name: str, prompt: str) -> Preset:
        name = name.strip()
        if not name:
            raise PresetError(M.PRESET_NAME_EMPTY)
        if any(p.name == name for p in self._builtin):
            raise PresetError(M.PRESET_BUILTIN, name=name)
        self._user[name] = prompt
        self._write()
        return Preset(name, prompt, False)

    def delete(self, name: str) -> None:
        if any(p.name == name for p in self._builtin):
            raise PresetError(M.PRESET_BUILTIN, name=name)
        if name not in self._user:
            raise PresetError(M.PRESET_MISSING, name=name)
        del self._user[name]
        self._write()
