"""packaging/lint.py: mypy is held to its baseline without line numbers, and the import walls stand."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def lint():
    spec = importlib.util.spec_from_file_location("hearth_lint", REPO / "packaging" / "lint.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MYPY_OUT = """\
core/cli.py:71: error: Incompatible types in assignment  [assignment]
core/cli.py:71: note: See https://mypy.rtfd.io
core/x.py:12:5: error: Name "f" already defined on line 3  [no-redef]
Found 2 errors in 2 files (checked 104 source files)
"""


def test_errors_are_compared_without_line_numbers(lint) -> None:
    assert lint.normalise(MYPY_OUT) == [
        "core/cli.py: error: Incompatible types in assignment  [assignment]",
        'core/x.py: error: Name "f" already defined on line N  [no-redef]',
    ]
    moved = MYPY_OUT.replace(":71:", ":90:").replace("line 3", "line 7")
    assert lint.new_errors(lint.normalise(moved), lint.normalise(MYPY_OUT)) == []


def test_a_repeated_error_counts_as_new(lint) -> None:
    baseline = lint.normalise(MYPY_OUT)
    twice = lint.normalise(MYPY_OUT + "core/cli.py:80: error: Incompatible types in assignment  [assignment]\n")
    assert lint.new_errors(twice, baseline) == ["core/cli.py: error: Incompatible types in assignment  [assignment]"]
    assert lint.new_errors(baseline[:1], baseline) == []  # fixing old ones is fine


def test_the_import_walls_stand() -> None:
    """The contracts in pyproject.toml ([tool.importlinter]) hold for the code as it is."""
    lint_imports = Path(sys.executable).parent / "lint-imports"
    if not lint_imports.exists():
        pytest.fail("lint-imports is missing: the test extra installs import-linter", pytrace=False)
    result = subprocess.run([str(lint_imports), "--no-cache"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:]
    assert ", 0 broken" in result.stdout and " kept" in result.stdout
