"""Which llama.cpp build is installed, and what it can do."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

STAMP_NAME = "hearth-llama-build.json"  # written by packaging/install.py into the environment


def install_record() -> dict[str, Any] | None:
    """What packaging/install.py recorded about the build, or None if it was installed otherwise."""
    stamp = Path(sys.prefix) / STAMP_NAME
    try:
        return json.loads(stamp.read_text())
    except (OSError, ValueError):
        return None


def parse_system_info(text: str) -> dict[str, Any]:
    """Parse llama_print_system_info(): 'CPU : SSE3 = 1 | AVX = 1 | ... | CUDA : ARCHS = 900 | ...'."""
    backends: dict[str, dict[str, str]] = {}
    current = "CPU"
    for part in text.split("|"):
        part = part.strip()
        if not part:
            continue
        match = re.match(r"^(\w[\w ]*?)\s*:\s*(.*)$", part)
        if match:
            current, part = match.group(1).strip(), match.group(2).strip()
            backends.setdefault(current, {})
            if not part:
                continue
        if "=" in part:
            key, value = (s.strip() for s in part.split("=", 1))
            backends.setdefault(current, {})[key] = value
    cpu = backends.get("CPU", {})
    return {
        "backends": sorted(backends),
        "cpu_features": sorted(k for k, v in cpu.items() if v == "1"),
        "details": backends,
    }


def llama_build() -> dict[str, Any]:
    """Versions and capabilities of the installed llama-cpp-python. Loads llama.cpp."""
    import llama_cpp

    from .ggml_devices import list_devices

    system_info = llama_cpp.llama_print_system_info().decode("utf-8", "replace")
    parsed = parse_system_info(system_info)
    devices = list_devices()
    gpu_backends = sorted({d.backend for d in devices if d.kind != "cpu"})
    return {
        "llama_cpp_python": llama_cpp.__version__,
        "system_info": system_info.strip(),
        "cpu_features": parsed["cpu_features"],
        "amx": any(f.startswith("AMX") for f in parsed["cpu_features"]),
        "gpu_offload": bool(llama_cpp.llama_supports_gpu_offload()),
        "gpu_backends": gpu_backends,
        "devices": [d.to_dict() for d in devices],
        "install": install_record(),
    }
