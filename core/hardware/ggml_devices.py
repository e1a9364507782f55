"""llama.cpp's backend devices (CPU, CUDA, Metal, Vulkan, ...) through ggml's device API.

A ctypes binding of the few functions needed, on the ggml libraries installed with
llama-cpp-python. Every backend reports free and total memory the same way. Importing this
module loads llama.cpp's libraries: call it from the engine or a probe process, not the GUI.
"""

from __future__ import annotations

import ctypes
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

DEVICE_TYPES = {0: "cpu", 1: "gpu", 2: "igpu", 3: "accel"}


@dataclass(frozen=True)
class BackendDevice:
    index: int
    name: str
    description: str
    kind: str  # cpu | gpu | igpu | accel
    backend: str  # the registry it belongs to: CPU, CUDA, Metal, Vulkan, ...
    free_bytes: int
    total_bytes: int

    def to_dict(self) -> dict:
        return asdict(self)


def _library(lib_dir: Path, stem: str) -> ctypes.CDLL:
    names = {"win32": [f"{stem}.dll"], "darwin": [f"lib{stem}.dylib"]}.get(sys.platform, [f"lib{stem}.so"])
    for name in names:
        path = lib_dir / name
        if path.exists():
            return ctypes.CDLL(str(path), mode=getattr(ctypes, "RTLD_GLOBAL", 0))
    raise OSError(f"{stem} not found in {lib_dir}")


def _lib_dir() -> Path:
    import llama_cpp  # loads libllama and with it the ggml libraries

    return Path(llama_cpp.__file__).parent / "lib"


def list_devices() -> list[BackendDevice]:
    lib_dir = _lib_dir()
    ggml = _library(lib_dir, "ggml")
    base = _library(lib_dir, "ggml-base")
    vp, sz, cp = ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p
    ggml.ggml_backend_dev_count.restype = sz
    ggml.ggml_backend_dev_get.argtypes = [sz]
    ggml.ggml_backend_dev_get.restype = vp
    for fn in ("ggml_backend_dev_name", "ggml_backend_dev_description"):
        getattr(base, fn).argtypes = [vp]
        getattr(base, fn).restype = cp
    base.ggml_backend_dev_type.argtypes = [vp]
    base.ggml_backend_dev_type.restype = ctypes.c_int
    base.ggml_backend_dev_memory.argtypes = [vp, ctypes.POINTER(sz), ctypes.POINTER(sz)]
    base.ggml_backend_dev_memory.restype = None
    base.ggml_backend_dev_backend_reg.argtypes = [vp]
    base.ggml_backend_dev_backend_reg.restype = vp
    base.ggml_backend_reg_name.argtypes = [vp]
    base.ggml_backend_reg_name.restype = cp

    devices = []
    for i in range(ggml.ggml_backend_dev_count()):
        dev = ggml.ggml_backend_dev_get(i)
        free, total = sz(0), sz(0)
        base.ggml_backend_dev_memory(dev, ctypes.byref(free), ctypes.byref(total))
        reg = base.ggml_backend_dev_backend_reg(dev)
        devices.append(BackendDevice(
            index=i,
            name=(base.ggml_backend_dev_name(dev) or b"").decode("utf-8", "replace"),
            description=(base.ggml_backend_dev_description(dev) or b"").decode("utf-8", "replace"),
            kind=DEVICE_TYPES.get(base.ggml_backend_dev_type(dev), "unknown"),
            backend=(base.ggml_backend_reg_name(reg) or b"").decode("utf-8", "replace") if reg else "",
            free_bytes=free.value,
            total_bytes=total.value,
        ))
    return devices
