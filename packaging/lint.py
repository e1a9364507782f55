#!/usr/bin/env python3
"""The checks CI runs before the tests: ruff, the import walls (import-linter) and mypy on core/ and gui/.

    python packaging/lint.py                  # all three; exit 1 if any fails
    python packaging/lint.py --update-mypy-baseline

Run it with the Python of Hearth's environment (``.venv/bin/python``): the tools are pinned in the
``test`` extra and are taken from that environment, never from PATH.

mypy is held to a baseline: ``packaging/mypy-baseline.txt`` lists the errors core/ and gui/ had when
the check began, without line numbers (so an edit above an old error does not move it). Any error not
in it (counted per identical line) fails; fixing old ones is always allowed, and
``--update-mypy-baseline`` writes the shorter list.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BASELINE = REPO / "packaging" / "mypy-baseline.txt"
MYPY_TARGETS = ["core", "gui"]  # one invocation, so both share one import graph and cache
# The installed package maps hearthlm.core -> core/ (pyproject's package-dir) through an editable
# finder mypy cannot follow: checked as "core" and "gui", every ``from hearthlm.core import X`` in gui/
# was Any. mypy reads them through a view of the package instead: hearthlm/<dir> links to each folder,
# kept in mypy's own ignored cache folder so its cache stays valid between runs.
PACKAGE_VIEW = REPO / ".mypy_cache" / "package-view"
PACKAGE_DIRS = ["core", "gui", "resources"]
# "core/cli.py:71: error: ..." or "core/cli.py:71:5: error: ..."
ON_LINE = re.compile(r"\bon line \d+")  # "already defined on line 12" moves with edits too
LOCATED = re.compile(r"^(?P<path>[^:\s]+\.py):\d+(?::\d+)?: (?P<rest>(?:error|note): .*)$")


def say(message: str) -> None:
    print(f"[hearth lint] {message}", flush=True)


def tool(name: str) -> str:
    """A console script of this Python's environment (lint-imports has no ``python -m``)."""
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else name


def run(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)


def normalise(output: str) -> list[str]:
    """mypy's error lines without line numbers (notes and the summary line are left out)."""
    lines = []
    for line in output.splitlines():
        match = LOCATED.match(line.strip())
        if match and match["rest"].startswith("error:"):
            lines.append(f"{match['path']}: {ON_LINE.sub('on line N', match['rest'])}")
    return sorted(lines)


def new_errors(current: list[str], baseline: list[str]) -> list[str]:
    """The errors in ``current`` beyond those in ``baseline`` (as many times as they repeat)."""
    extra = Counter(current) - Counter(baseline)
    return sorted(extra.elements())


def read_baseline() -> list[str]:
    if not BASELINE.exists():
        return []
    return [line for line in BASELINE.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]


def check_tool(command: list[str], clean: str, found: str) -> bool:
    """Run one linter; say ``clean`` when it passes, else ``found`` and its output."""
    result = run(command)
    if result.returncode != 0:
        say(found)
        print(result.stdout + result.stderr)
        return False
    say(clean)
    return True


def check_ruff() -> bool:
    return check_tool([sys.executable, "-m", "ruff", "check", "."], "ruff: clean", "ruff found problems:")


def check_imports() -> bool:
    return check_tool([tool("lint-imports"), "--no-cache"], "import-linter: contracts kept",
                      "import-linter: a wall was crossed:")


def package_view() -> Path | None:
    """The folder holding ``hearthlm/`` with links to core/, gui/ and resources/ (None: this system
    cannot make links, e.g. Windows without the privilege)."""
    package = PACKAGE_VIEW / "hearthlm"
    try:
        package.mkdir(parents=True, exist_ok=True)
        for name in PACKAGE_DIRS:
            link = package / name
            if not link.is_symlink() or link.resolve() != (REPO / name).resolve():
                if link.is_symlink():
                    link.unlink()
                link.symlink_to(REPO / name, target_is_directory=True)
    except OSError:
        return None
    return PACKAGE_VIEW


def mypy_errors() -> tuple[list[str], str]:
    view = package_view()
    if view is None:  # checked as plain folders: imports of hearthlm.* are not followed
        result = run([sys.executable, "-m", "mypy", *MYPY_TARGETS])
    else:
        packages = [arg for name in MYPY_TARGETS for arg in ("-p", f"hearthlm.{name}")]
        result = subprocess.run([sys.executable, "-m", "mypy", *packages], cwd=REPO, capture_output=True, text=True,
                                check=False, env={**os.environ, "MYPYPATH": str(view)})
    if result.returncode not in (0, 1):  # 2: mypy itself failed (bad config, crash)
        raise SystemExit(f"mypy did not run (exit status {result.returncode}):\n{result.stdout}{result.stderr}")
    output = result.stdout
    if view is not None:  # "<view>/hearthlm/core/cli.py:71: error" -> "core/cli.py:71: error", as in the baseline
        for prefix in {str(view / "hearthlm") + os.sep, os.path.relpath(view / "hearthlm", REPO) + os.sep}:
            output = output.replace(prefix, "")
    return normalise(output), output


def check_mypy() -> bool:
    current, raw = mypy_errors()
    added = new_errors(current, read_baseline())
    if added:
        say(f"mypy: {len(added)} new error(s) in core/ or gui/ (not in {BASELINE.relative_to(REPO)}):")
        wanted = set(added)
        for line in raw.splitlines():  # show them with their line numbers
            match = LOCATED.match(line.strip())
            if match and f"{match['path']}: {ON_LINE.sub('on line N', match['rest'])}" in wanted:
                print("  " + line)
        return False
    fixed = len(read_baseline()) - len(current)
    say(f"mypy: no new errors ({len(current)} known" + (f", {fixed} fixed since the baseline" if fixed > 0 else "")
        + ")")
    return True


def update_baseline() -> int:
    current, _ = mypy_errors()
    header = "# mypy errors in core/ and gui/ accepted for now (packaging/lint.py); fix them, never add to them\n"
    BASELINE.write_text(header + "".join(line + "\n" for line in current), encoding="utf-8")
    say(f"wrote {len(current)} errors to {BASELINE.relative_to(REPO)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--update-mypy-baseline", action="store_true", help="rewrite the baseline from mypy's output")
    args = parser.parse_args(argv)
    if args.update_mypy_baseline:
        return update_baseline()
    results = [check_ruff(), check_imports(), check_mypy()]  # all three, so one run shows everything
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
