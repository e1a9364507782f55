"""Time from `hearth` to a shown window: process start -> the main window's first expose event.

    python bench/startup.py                       # this checkout, median of 10
    python bench/startup.py --before /tmp/main    # paired: another checkout (e.g. `git archive main`)
                                                  # and this one, alternating, median of 10 each

Each run is a fresh Python process that does what the ``hearth`` command does (``hearthlm.core.cli
.main([])``), in a fresh HEARTH_HOME, with no model to load (as on a machine without the starter
model: the window opens and says so), on Qt's offscreen platform unless QT_QPA_PLATFORM says
otherwise. The child notes the moment its main window is first exposed and quits; the time counted
is from just before the process is started to that moment (one system-wide monotonic clock).

With ``--before``, the runs alternate (before, after, before, ...) so that a machine's changing load
falls on both alike; each checkout's own folders (core, gui, resources) are imported in place of the
installed ones. Target: a median of at most 1.0 s here, and never slower than before.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

CHILD = r"""
import importlib.util, json, os, sys, time, types
from pathlib import Path

tree = Path(sys.argv[1])
# hearthlm.core / .gui / .resources from this checkout, whatever the environment has installed
pkg = types.ModuleType("hearthlm")
pkg.__path__ = []
sys.modules["hearthlm"] = pkg
for sub in ("core", "gui", "resources"):
    spec = importlib.util.spec_from_file_location(f"hearthlm.{sub}", tree / sub / "__init__.py",
                                                  submodule_search_locations=[str(tree / sub)])
    module = importlib.util.module_from_spec(spec)
    sys.modules[f"hearthlm.{sub}"] = module
    spec.loader.exec_module(module)
    setattr(pkg, sub, module)

import hearthlm.core.starter as starter  # no model to load: as without the starter model
starter.starter_model_path = lambda: None

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QWindow
from PySide6.QtWidgets import QApplication, QMainWindow

app = QApplication(sys.argv[:1])  # the app's own start() takes this instance

class Exposed(QObject):
    def eventFilter(self, obj, event):
        if (event.type() == QEvent.Type.Expose and isinstance(obj, QWindow) and obj.isExposed()
                and any(isinstance(w, QMainWindow) and w.windowHandle() is obj for w in app.topLevelWidgets())):
            print("EXPOSED " + json.dumps({"t": time.monotonic()}), flush=True)
            app.removeEventFilter(self)
            QTimer.singleShot(0, app.quit)
        return False

watcher = Exposed()
app.installEventFilter(watcher)
QTimer.singleShot(60_000, app.quit)  # never hang a benchmark
from hearthlm.core.cli import main
main([])
"""


def patch_starter_everywhere(code: str) -> str:
    """The gui imports starter_model_path by name: patch those names too, once imported."""
    return code.replace(
        "starter.starter_model_path = lambda: None\n",
        "starter.starter_model_path = lambda: None\n"
        "import hearthlm.core.default_model as _dm\n"
        "_dm.starter_model_path = lambda: None\n"
        "import hearthlm.gui.chat_page as _cp\n"
        "_cp.starter_model_path = lambda: None\n",
    )


def one_run(tree: Path) -> float:
    home = tempfile.mkdtemp(prefix="hearth-startup-")
    env = dict(os.environ, HEARTH_HOME=home, HF_ENDPOINT="http://127.0.0.1:9")
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", patch_starter_everywhere(CHILD), str(tree)], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("EXPOSED ")), None)
    if line is None:
        raise SystemExit(f"{tree}: the window never showed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(line.split(" ", 1)[1])["t"] - started


def describe(times: list[float]) -> str:
    return (f"median {statistics.median(times):.3f} s  (min {min(times):.3f}, max {max(times):.3f}, "
            f"n={len(times)})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--before", type=Path, help="another checkout to compare with (runs alternate)")
    args = parser.parse_args(argv)
    load = os.getloadavg()
    one_run(REPO)  # warm the file cache and Python's bytecode caches for both
    if args.before:
        one_run(args.before)
    after: list[float] = []
    before: list[float] = []
    for _ in range(args.runs):
        if args.before:
            before.append(one_run(args.before))
        after.append(one_run(REPO))
    print(f"load average at start: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; cores: {os.cpu_count()}")
    print(f"process start -> window exposed, no model ({os.environ.get('QT_QPA_PLATFORM', 'offscreen')})")
    if args.before:
        print(f"  before ({args.before}): {describe(before)}")
    print(f"  this checkout ({REPO}): {describe(after)}")
    if args.before:
        ratios = [a / b for a, b in zip(after, before, strict=True)]
        print(f"  ratio this ÷ before, median of the pairs: {statistics.median(ratios):.2f}")
    print(f"  target: median <= 1.0 s: {'met' if statistics.median(after) <= 1.0 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
