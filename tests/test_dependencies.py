"""Every package that core/ and gui/ import is declared in pyproject.toml's dependencies.

An equivalent of deptry's "missing dependency" check (DEP001/DEP003), without a tool: the imports
are read from the sources' syntax trees (also the lazy ones inside functions), mapped to the
distributions that provide them with importlib.metadata.packages_distributions(), and compared
with [project].dependencies (not the extras: a user installs without them).
"""

from __future__ import annotations

import ast
import functools
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# Imported only when present, and not installable from the registry: never declared.
OPTIONAL = {"amdsmi": "AMD's GPU library, installed with ROCm (core/hardware/gpu_readers.py)"}
FIRST_PARTY = {"hearthlm"}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared(pyproject: Path = REPO / "pyproject.toml") -> set[str]:
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    return {_norm(re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", d).group(0)) for d in data["project"]["dependencies"]}


def imported(folders: list[Path]) -> dict[str, set[str]]:
    """Top-level module -> the files that import it, for modules outside the standard library."""
    found: dict[str, set[str]] = {}
    for folder in folders:
        for path in folder.rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top not in sys.stdlib_module_names and top not in FIRST_PARTY and top != "__future__":
                        found.setdefault(top, set()).add(str(path.relative_to(folder.parent)))
    return found


@functools.cache
def _sources_imports() -> dict[str, set[str]]:
    """The imports of core/ and gui/, read once for both tests (parsing every module takes ~1 s)."""
    return imported([REPO / "core", REPO / "gui"])


@functools.cache
def _providers() -> dict[str, list[str]]:
    return packages_distributions()  # reads every installed distribution's metadata: ~0.5 s


def undeclared(imports: dict[str, set[str]], deps: set[str]) -> list[str]:
    """One line per imported module that no declared distribution provides."""
    providers = _providers()
    problems = []
    for module, files in sorted(imports.items()):
        if module in OPTIONAL:
            continue
        dists = providers.get(module)
        where = ", ".join(sorted(files)[:3])
        if not dists:
            problems.append(f"{module} (imported by {where}) is not installed, so its distribution is unknown")
        elif not {_norm(d) for d in dists} & deps:
            problems.append(f"{module} (imported by {where}) comes from {' or '.join(sorted(set(dists)))}, "
                            "which pyproject.toml does not declare")
    return problems


def test_every_import_of_core_and_gui_is_declared() -> None:
    problems = undeclared(_sources_imports(), declared())
    assert not problems, "add to [project].dependencies in pyproject.toml:\n" + "\n".join(problems)


def test_the_check_catches_an_undeclared_import(tmp_path: Path) -> None:
    area = tmp_path / "core"
    (area / "sub").mkdir(parents=True)
    (area / "sub" / "lazy.py").write_text("def f():\n    import pytest  # lazy, inside a function\n")
    (area / "fine.py").write_text("import json\nimport numpy as np\nfrom . import sub\nfrom hearthlm.core import paths\n")
    problems = undeclared(imported([area]), declared())
    assert len(problems) == 1 and problems[0].startswith("pytest (imported by core/sub/lazy.py)")
    assert "does not declare" in problems[0]
    # and on the real sources with the dependencies of before (these were imported but not declared)
    before = ("tokenizers", "onnxruntime", "filelock", "charset-normalizer", "httpx2")
    missing = undeclared(_sources_imports(), declared() - set(before))
    assert {p.split(" ")[0] for p in missing} == {"tokenizers", "onnxruntime", "filelock", "charset_normalizer", "httpx2"}
