"""``hearth doctor``: what is installed and what this machine can do, in one report."""

from __future__ import annotations

import platform
import sys
from importlib import metadata
from typing import Any

from . import __version__, paths, qt_platform
from .default_model import default_model_path
from .hardware.probe import probe_build
from .settings import load_settings, settings_path
from .starter import STARTER_INSTALL_HINT, starter_model_path

GPU_BUILD_HINT = "python3 packaging/install.py --build cuda (or metal, vulkan)"
# Qt bindings with bugs that break Hearth (tests/test_qt_runtime.py checks the installed one).
BAD_PYSIDE6 = {"6.12.0": "drops a reference to True on every signal: long sessions abort (bool_dealloc); "
                         "pip install PySide6==6.11.3"}


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def gather() -> dict[str, Any]:
    starter = starter_model_path()
    default = default_model_path(load_settings())
    return {
        "hearth": __version__,
        "python": platform.python_version(),
        "python_executable": sys.executable,
        "platform": platform.platform(),
        "machine": platform.machine(),
        "llama": probe_build(),
        "pyside6": _version("PySide6"),
        "qt_platform": qt_platform.check(),  # can the window's platform plugin load (missing system libraries)
        "starter_model": str(starter) if starter else None,
        "default_model": str(default) if default else None,
        "data_dir": str(paths.data_dir()),
        "config_dir": str(paths.config_dir()),
        "settings_file": str(settings_path()),
        "home_override": str(paths.home_override()) if paths.home_override() else None,
    }


def _gib(n: int) -> str:
    return f"{n / 1024**3:.1f} GiB"


def format_report(report: dict[str, Any]) -> str:
    rows: list[tuple[str, str]] = [
        ("Hearth", report["hearth"]),
        ("Python", f"{report['python']} ({report['python_executable']})"),
        ("Platform", report["platform"]),
    ]
    llama = report["llama"]
    if "error" in llama:
        rows.append(("llama.cpp", llama["error"]))
    else:
        install = llama.get("install")
        if install:
            build = f"build '{install['build']}' from packaging/install.py ({install['why']})"
        else:
            build = "not installed by packaging/install.py: its compile flags are unknown"
        rows += [
            ("llama-cpp-python", f"{llama['llama_cpp_python']}, {build}"),
            ("CPU features", " ".join(llama["cpu_features"]) or "none reported"),
            ("Intel AMX", "on (may crash on virtual machines)" if llama["amx"] else "off"),
            ("GPU backends", ", ".join(llama["gpu_backends"]) or "none in this build"),
            ("GPU offload", "supported" if llama["gpu_offload"] else f"not supported by this build; for a GPU build: {GPU_BUILD_HINT}"),
        ]
        if install:
            rows.append(("CMake flags", " ".join(install["cmake_args"])))
        for dev in llama["devices"]:
            rows.append((f"Device {dev['index']}", f"{dev['name']} ({dev['kind']}, {dev['description']}): "
                                                   f"{_gib(dev['free_bytes'])} free of {_gib(dev['total_bytes'])}"))
    qt = report.get("pyside6")
    rows.append(("PySide6", "not installed (the window needs it)" if qt is None else
                 f"{qt}: {BAD_PYSIDE6[qt]}" if qt in BAD_PYSIDE6 else qt))
    if report.get("qt_platform"):
        rows.append(("Qt platform", qt_platform.sentence(report["qt_platform"])))
    rows += [
        ("Starter model", report["starter_model"] or f"not installed: {STARTER_INSTALL_HINT}"),
        ("Default model", report["default_model"] or "none"),
        ("Data directory", report["data_dir"]),
        ("Settings", report["settings_file"]),
    ]
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k.ljust(width)}  {v}" for k, v in rows)
