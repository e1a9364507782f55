"""llama.cpp's quantizer, called in-process: ``llama_model_quantize`` with llama.cpp's own log
turned into progress. Runs only in the quantize child process (see worker.py): ggml aborts the
process on a failed assertion, and a cancel kills the process.

llama.cpp logs one line per tensor (``[  12/ 272] blk.0.attn_q.weight - [576, 576, 1, 1], type =
f16, converting to q5_0 .. size = ...``); the tensor counter is the progress, and in a dry run the
target types give the output size exactly (header + every tensor at its new type, aligned).
"""

from __future__ import annotations

import ctypes
import importlib.util
import math
import os
import re
import sys
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any
from collections.abc import Callable

from . import messages as M
from .errors import QuantizeError

if TYPE_CHECKING:
    import numpy as np


def llama_bindings() -> ModuleType:
    """llama-cpp-python's ctypes bindings (``llama_cpp.llama_cpp``), without the package's
    ``__init__`` when nothing has imported it yet: that pulls in numpy, jinja2 and the high-level
    ``Llama`` class (~0.3 s of a child's start), none of which a quantization uses. The package is
    registered unexecuted and completes itself on the first attribute the bindings lack
    (``llama_cpp.Llama``), so a later ``import llama_cpp`` in the same process still works."""
    if "llama_cpp" not in sys.modules:
        spec = importlib.util.find_spec("llama_cpp")
        if spec is None or spec.loader is None:
            raise ImportError("llama_cpp is not installed")
        loader = spec.loader
        package = importlib.util.module_from_spec(spec)

        def complete(name: str) -> Any:
            del package.__getattr__
            loader.exec_module(package)  # the real __init__; reuses the loaded submodules
            return getattr(package, name)

        package.__dict__["__getattr__"] = complete  # a module __getattr__ (PEP 562) is looked up there
        sys.modules["llama_cpp"] = package
    import llama_cpp.llama_cpp as bindings

    return bindings

TENSOR_LINE = re.compile(
    r"^\[\s*(\d+)/\s*(\d+)\]\s+(\S+)\s+-\s+\[([\d,\s]+)\],\s+type\s*=\s*(\w+),"
    r"(?:\s*converting to (\w+)|.*\((\w+)\)\s*$)?")


@dataclass
class TensorPlan:
    name: str
    shape: tuple[int, ...]
    src_type: str
    dst_type: str


@dataclass
class QuantizeLog:
    lines: list[str] = field(default_factory=list)
    tensors: list[TensorPlan] = field(default_factory=list)

    def tail(self, n: int = 3) -> str:
        text = [ln.strip() for ln in self.lines if ln.strip()]
        return " | ".join(text[-n:])


class _LogCapture:
    """Installs a llama.cpp log callback that feeds ``on_tensor(index, total, plan)``."""

    def __init__(self, on_tensor: Callable[[int, int, TensorPlan], object] | None):
        self.L = llama_bindings()
        self.log = QuantizeLog()
        self.on_tensor = on_tensor
        self._partial = ""
        self._cb = self.L.llama_log_callback(self._callback)

    def _callback(self, _level: int, text: bytes, _user: ctypes.c_void_p) -> None:
        try:
            self._partial += text.decode("utf-8", "replace")
            while "\n" in self._partial:
                line, self._partial = self._partial.split("\n", 1)
                self._line(line)
        except Exception:  # never raise into C
            pass

    def _line(self, line: str) -> None:
        self.log.lines.append(line)
        if len(self.log.lines) > 2000:
            del self.log.lines[:1000]
        m = TENSOR_LINE.match(line)
        if m:
            index, total, name, shape, src = int(m[1]), int(m[2]), m[3], m[4], m[5]
            dst = m[6] or m[7] or src
            plan = TensorPlan(name, tuple(int(x) for x in shape.split(",")), src, dst)
            self.log.tensors.append(plan)
            if self.on_tensor is not None:
                self.on_tensor(index, total, plan)

    def __enter__(self) -> _LogCapture:
        self.L.llama_log_set(self._cb, None)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._partial:
            self._line(self._partial)
        logger = sys.modules.get("llama_cpp._logger")  # back to llama-cpp-python's own if loaded,
        # else to llama.cpp's default (a NULL callback)
        self.L.llama_log_set(logger.llama_log_callback if logger else self.L.llama_log_callback(), None)


@dataclass
class ImatrixArray:
    """The null-terminated ``llama_model_imatrix_data`` array; keeps its buffers alive."""

    data: dict[str, np.ndarray]

    def __post_init__(self) -> None:
        import numpy as np

        llama_cpp = llama_bindings()

        self._names = [name.encode() for name in self.data]
        self._arrays = [np.ascontiguousarray(v, dtype=np.float32) for v in self.data.values()]
        self.array = (llama_cpp.llama_model_imatrix_data * (len(self._arrays) + 1))()
        for i, (name, arr) in enumerate(zip(self._names, self._arrays, strict=True)):
            self.array[i].name = name
            self.array[i].data = arr.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
            self.array[i].size = arr.size
        # the last element stays zeroed: the terminator


def quantize_file(src: str, dst: str, ftype: int, *, nthread: int = 0, allow_requantize: bool = False,
                  dry_run: bool = False, imatrix: dict[str, np.ndarray] | None = None,
                  metadata: dict[str, str | int] | None = None,
                  on_tensor: Callable[[int, int, TensorPlan], object] | None = None) -> QuantizeLog:
    """Run ``llama_model_quantize``; raise QuantizeError with llama.cpp's last log lines on failure."""
    llama_cpp = llama_bindings()

    llama_cpp.llama_backend_init()
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = ftype
    params.nthread = nthread
    params.allow_requantize = allow_requantize
    params.dry_run = dry_run
    keep = None
    if imatrix:
        keep = ImatrixArray(imatrix)
        params.imatrix = ctypes.cast(keep.array, ctypes.POINTER(llama_cpp.llama_model_imatrix_data))
    kv = _kv_overrides(metadata) if metadata else None
    if kv is not None:
        params.kv_overrides = ctypes.cast(kv, ctypes.POINTER(llama_cpp.llama_model_kv_override))
    with _LogCapture(on_tensor) as cap:
        rc = llama_cpp.llama_model_quantize(os.fsencode(src), os.fsencode(dst), ctypes.byref(params))
    del keep, kv
    if rc != 0:
        raise QuantizeError(M.QUANTIZE_FAILED, name=os.path.basename(src), reason=cap.log.tail())
    return cap.log


def _kv_overrides(metadata: dict[str, str | int]) -> ctypes.Array:
    """Metadata written into the output (as llama-quantize records its importance matrix)."""
    llama_cpp = llama_bindings()

    arr = (llama_cpp.llama_model_kv_override * (len(metadata) + 1))()  # last: empty key ends it
    for item, (key, value) in zip(arr, metadata.items(), strict=False):
        item.key = key.encode()[:127]
        if isinstance(value, int):
            item.tag, item.value.val_i64 = llama_cpp.LLAMA_KV_OVERRIDE_TYPE_INT, value
        else:
            item.tag, item.value.val_str = llama_cpp.LLAMA_KV_OVERRIDE_TYPE_STR, str(value).encode()[:127]
    return arr


# -- sizes ---------------------------------------------------------------------------------

def _ggml_type_sizes() -> dict[str, tuple[int, int]]:
    """ggml type name ("q4_K") -> (block size, bytes per block), from the installed ggml itself."""
    from .ggml_tensor import ggml_base

    lib = ggml_base()
    lib.ggml_type_name.restype, lib.ggml_type_name.argtypes = ctypes.c_char_p, [ctypes.c_int]
    lib.ggml_type_size.restype, lib.ggml_type_size.argtypes = ctypes.c_size_t, [ctypes.c_int]
    lib.ggml_blck_size.restype, lib.ggml_blck_size.argtypes = ctypes.c_int64, [ctypes.c_int]
    out = {}
    for code in range(llama_bindings().GGML_TYPE_COUNT):
        name = lib.ggml_type_name(code)
        size = lib.ggml_type_size(code)
        if name and size:
            out[name.decode()] = (int(lib.ggml_blck_size(code)), int(size))
    return out


def parameter_count(plans: list[TensorPlan]) -> int:
    return sum(math.prod(plan.shape) for plan in plans)


def predicted_file_size(header_bytes: int, alignment: int, plans: list[TensorPlan]) -> int:
    """Output size of a quantization from its dry-run plan: the header, then every tensor at its
    target type, each padded to the file's alignment (as llama.cpp writes them)."""
    sizes = _ggml_type_sizes()
    total = header_bytes + (-header_bytes) % alignment
    for plan in plans:
        block, nbytes = sizes[plan.dst_type]
        rows = 1
        for n in plan.shape[1:]:
            rows *= n
        size = rows * (plan.shape[0] // block) * nbytes
        total += size + (-size) % alignment
    return total
