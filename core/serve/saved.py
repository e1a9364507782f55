"""The window's server settings (config folder, ``server.json``): address, port, clients at once,
and the API key's hash — never the key itself, which is shown once when made."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from ..jsonfile import read_json, write_json_atomic
from ..paths import config_dir
from .config import DEFAULT_HOST, DEFAULT_PORT
from .keys import key_hash, new_key


def _file() -> Path:
    return config_dir() / "server.json"


@dataclass
class SavedServer:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    parallel: int = 4
    key_hash: str | None = None

    @classmethod
    def load(cls) -> SavedServer:
        data: Any = read_json(_file(), {})
        if not isinstance(data, dict):
            data = {}
        types = {"host": str, "port": int, "parallel": int, "key_hash": str}
        values = {f.name: data[f.name] for f in fields(cls)
                  if isinstance(data.get(f.name), types[f.name]) and not isinstance(data.get(f.name), bool)}
        return cls(**values)

    def save(self) -> None:
        write_json_atomic(_file(), asdict(self))

    def make_key(self) -> str:
        """A new key: its hash is kept (and saved), the key returned to be shown once."""
        key = new_key()
        self.key_hash = key_hash(key)
        self.save()
        return key

    def forget_key(self) -> None:
        self.key_hash = None
        self.save()
