#!/usr/bin/env python3
"""Refresh resources/translations/*.ts from the sources, then compile them to .qm.

    python packaging/update_translations.py

Sources: every gui/ module (self.tr, QCoreApplication.translate) and every core/ module (the core's
sentences, kept in core/messages.py and core/<area>/messages.py, marked with QT_TRANSLATE_NOOP). Translate the .ts files with Qt Linguist
(pyside6-linguist), then run this again to build the .qm files the app loads.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LANGUAGES = ["zh_CN"]


def tool(name: str) -> str:
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else name


def translation_sources() -> list[str]:
    """Every module lupdate reads, relative to the repository."""
    return sorted(str(p.relative_to(REPO)) for area in ("gui", "core") for p in (REPO / area).rglob("*.py"))


def main() -> int:
    sources = translation_sources()
    for lang in LANGUAGES:
        ts = f"resources/translations/hearth_{lang}.ts"
        subprocess.run([tool("pyside6-lupdate"), *sources, "-no-obsolete", "-locations", "none", "-ts", ts], cwd=REPO, check=True)
        subprocess.run([tool("pyside6-lrelease"), ts, "-qm", ts.replace(".ts", ".qm")], cwd=REPO, check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
