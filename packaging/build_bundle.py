#!/usr/bin/env python3
"""Build Hearth's one-folder bundle and its Linux archive.

    python3 packaging/build_bundle.py [--skip-build] [--out dist]

Uses the Python it runs with: that environment must hold Hearth with its llama.cpp build (made by
``python3 packaging/install.py``, which chooses the build for the machine) and the ``bundle`` extra
(``pip install -e ".[bundle]"``: PyInstaller, pinned). Writes:

    dist/hearth/                              the bundle (run dist/hearth/hearth)
    dist/hearth-<version>-linux-<arch>.tar.gz  the bundle + hearth.desktop + hearth.svg + install.sh
    dist/bundle-size.txt                      its size and what takes the space

Windows and macOS use the same spec (packaging/hearth.spec says what differs); only Linux is
archived here.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def tree_size(path: Path) -> int:
    if path.is_file() or path.is_symlink():
        return path.lstat().st_size
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def human(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{int(n)} B"
        n /= 1024
    return f"{n:.1f} GB"


def size_report(bundle: Path, top: int = 18) -> str:
    """The bundle's size, and its largest parts (a folder's own files are grouped by the folder two
    levels under _internal, files at the top level on their own)."""
    internal = bundle / "_internal"
    parts: dict[str, int] = {}
    for p in bundle.rglob("*"):
        if not p.is_file() or p.is_symlink():
            continue
        rel = p.relative_to(internal if p.is_relative_to(internal) else bundle).parts
        key = "/".join(rel[:3] if rel[0] == "PySide6" and len(rel) > 3 else rel[:2] if len(rel) > 2 else rel[:1])
        parts[key] = parts.get(key, 0) + p.stat().st_size
    total = tree_size(bundle)
    lines = [f"bundle {bundle}: {human(total)} in {sum(1 for _ in bundle.rglob('*'))} files and folders", ""]
    for key, size in sorted(parts.items(), key=lambda kv: -kv[1])[:top]:
        lines.append(f"{human(size):>10}  {100 * size / total:5.1f}%  {key}")
    return "\n".join(lines)


def stage_sources(stage: Path) -> Path:
    """hearthlm as an ordinary package tree (core/ -> hearthlm/core, ...): an editable install's
    import hook is invisible to PyInstaller's analysis, so it reads this copy instead."""
    root = stage / "src"
    shutil.rmtree(root, ignore_errors=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.ts")
    for part in ("core", "gui", "resources"):
        shutil.copytree(REPO / part, root / "hearthlm" / part, ignore=ignore)
    return root


def make_archive(bundle: Path, out: Path, version: str) -> Path:
    arch = platform.machine().lower() or "x86_64"
    name = f"hearth-{version}-linux-{arch}"
    archive = out / f"{name}.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(bundle, arcname=f"{name}/hearth")
        tar.add(REPO / "packaging" / "hearth.desktop", arcname=f"{name}/hearth.desktop")
        tar.add(REPO / "resources" / "icons" / "hearth.svg", arcname=f"{name}/hearth.svg")
        tar.add(REPO / "packaging" / "bundle" / "install.sh", arcname=f"{name}/install.sh")
    return archive


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(REPO / "dist"), help="where the bundle and archive go")
    parser.add_argument("--skip-build", action="store_true", help="only archive and measure an existing bundle")
    args = parser.parse_args(argv)
    out = Path(args.out).resolve()
    try:
        import llama_cpp  # noqa: F401
    except ImportError:
        print("build_bundle: llama-cpp-python is not installed here: run python3 packaging/install.py first",
              file=sys.stderr)
        return 2
    from hearthlm.core import __version__
    from hearthlm.core.starter import starter_model_path

    if starter_model_path() is None:
        print('build_bundle: the starter model is missing: pip install -e ".[starter]"', file=sys.stderr)
        return 2
    if not args.skip_build:
        try:
            import PyInstaller  # noqa: F401
        except ImportError:
            print('build_bundle: PyInstaller is missing: pip install -e ".[bundle]"', file=sys.stderr)
            return 2
        work = REPO / "build" / "bundle"
        source = stage_sources(work)
        # no --clean: PyInstaller redoes only what changed (rm -rf build/bundle for a clean build)
        command = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
                   "--distpath", str(out), "--workpath", str(work), str(REPO / "packaging" / "hearth.spec")]
        print("build_bundle:", " ".join(command), flush=True)
        env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"),
                   HEARTH_BUNDLE_SRC=str(source),
                   PYTHONPATH=os.pathsep.join([str(source), *filter(None, [os.environ.get("PYTHONPATH")])]))
        if subprocess.run(command, cwd=REPO, env=env).returncode != 0:
            return 1
    bundle = out / "hearth"
    if not (bundle / "hearth").exists():
        print(f"build_bundle: no bundle at {bundle}", file=sys.stderr)
        return 1
    report = size_report(bundle)
    archive = make_archive(bundle, out, __version__)
    report += f"\n\narchive {archive.name}: {human(archive.stat().st_size)}"
    (out / "bundle-size.txt").write_text(report + "\n", encoding="utf-8")
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
