"""The core never imports Qt: every module under hearthlm.core imports in a process where any
``import PySide6`` (or shiboken6) fails."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

CHILD = textwrap.dedent(r"""
    import importlib
    import importlib.abc
    import json
    import pkgutil
    import sys

    BLOCKED = ("PySide6", "shiboken6")
    attempts = []

    class QtBlocker(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                attempts.append(name)
                raise ImportError(f"{name} is blocked: the core must not import Qt")
            return None

    for name in list(sys.modules):
        if name.split(".")[0] in BLOCKED:
            del sys.modules[name]
    sys.meta_path.insert(0, QtBlocker())

    # the blocker works (otherwise this test could not fail)
    try:
        import PySide6.QtCore  # noqa: F401
        blocker_works = False
    except ImportError:
        blocker_works = True
    probe_attempts = list(attempts)
    attempts.clear()

    import hearthlm.core

    names = ["hearthlm.core"]
    walk_errors = {}
    for info in pkgutil.walk_packages(hearthlm.core.__path__, "hearthlm.core.",
                                      onerror=lambda n: walk_errors.setdefault(n, "walk failed")):
        names.append(info.name)
    failed = {}
    for name in names:
        try:
            importlib.import_module(name)
        except BaseException as exc:
            failed[name] = f"{type(exc).__name__}: {exc}"
    print(json.dumps({
        "blocker_works": blocker_works,
        "probe_attempts": probe_attempts,
        "modules": names,
        "failed": failed,
        "walk_errors": walk_errors,
        "qt_attempts": attempts,
        "qt_loaded": sorted(n for n in sys.modules if n.split(".")[0] in BLOCKED),
        "gui_loaded": sorted(n for n in sys.modules if n.startswith("hearthlm.gui")),
    }))
""")


def test_every_core_module_imports_without_qt() -> None:
    result = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["blocker_works"] and report["probe_attempts"] == ["PySide6"]
    modules = set(report["modules"])
    for expected in ("hearthlm.core.cli", "hearthlm.core.doctor", "hearthlm.core.modelfile",
                     "hearthlm.core.settings", "hearthlm.core.chat.template",
                     "hearthlm.core.engine.client", "hearthlm.core.engine.worker",
                     "hearthlm.core.engine.runner", "hearthlm.core.hardware.probe",
                     "hearthlm.core.hardware.build_info", "hearthlm.core.hardware.ggml_devices"):
        assert expected in modules, f"{expected} was not walked: {sorted(modules)}"
    assert report["walk_errors"] == {}
    assert report["failed"] == {}
    assert report["qt_attempts"] == [], "a core module tried to import Qt (even if it caught the error)"
    assert report["qt_loaded"] == []
    assert report["gui_loaded"] == []
