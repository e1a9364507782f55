"""A ctypes view of ``struct ggml_tensor``, for llama.cpp's evaluation callback (``cb_eval``).

ggml exports no accessor for a tensor's op or sources, so the importance-matrix collector reads the
struct directly. The layout mirrors ggml.h of the ggml that llama-cpp-python 0.3.36 vendors.
``check_layout()`` proves it against the running library before any collection: it builds a real
``ggml_mul_mat`` node in a no-alloc ggml context and compares the mirror's ``ne``, ``op``, ``src``,
``name`` and ``data`` with what ggml's own functions report. A wrong mirror fails loudly there,
never by reading garbage during a run.
"""

from __future__ import annotations

import ctypes
import functools
from pathlib import Path

GGML_MAX_DIMS, GGML_MAX_OP_PARAMS, GGML_MAX_SRC, GGML_MAX_NAME = 4, 64, 10, 64
GGML_TYPE_F32 = 0


class GGMLTensor(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("buffer", ctypes.c_void_p),
        ("ne", ctypes.c_int64 * GGML_MAX_DIMS),
        ("nb", ctypes.c_size_t * GGML_MAX_DIMS),
        ("op", ctypes.c_int),
        ("op_params", ctypes.c_int32 * (GGML_MAX_OP_PARAMS // 4)),
        ("flags", ctypes.c_int32),
        ("src", ctypes.c_void_p * GGML_MAX_SRC),
        ("view_src", ctypes.c_void_p),
        ("view_offs", ctypes.c_size_t),
        ("data", ctypes.c_void_p),
        ("name", ctypes.c_char * GGML_MAX_NAME),
        ("extra", ctypes.c_void_p),
        ("padding", ctypes.c_char * 8),
    ]


class _InitParams(ctypes.Structure):
    _fields_ = [("mem_size", ctypes.c_size_t), ("mem_buffer", ctypes.c_void_p), ("no_alloc", ctypes.c_bool)]


class LayoutError(RuntimeError):
    """The installed ggml's tensor struct differs from the mirror."""


@functools.cache
def ggml_base() -> ctypes.CDLL:
    """libggml-base from llama-cpp-python's own lib folder (the one the engine already loaded)."""
    import llama_cpp

    folder = Path(llama_cpp.__file__).parent / "lib"
    names = sorted(folder.glob("libggml-base.*")) + sorted(folder.glob("ggml-base.*"))
    if not names:
        raise LayoutError(f"libggml-base not found in {folder}")
    lib = ctypes.CDLL(str(names[0]))
    vp, sz = ctypes.c_void_p, ctypes.c_size_t
    for name, res, args in [
        ("ggml_init", vp, [_InitParams]), ("ggml_free", None, [vp]),
        ("ggml_new_tensor_2d", vp, [vp, ctypes.c_int, ctypes.c_int64, ctypes.c_int64]),
        ("ggml_mul_mat", vp, [vp, vp, vp]), ("ggml_set_name", vp, [vp, ctypes.c_char_p]),
        ("ggml_get_name", vp, [vp]), ("ggml_get_data", vp, [vp]),
        ("ggml_op_name", ctypes.c_char_p, [ctypes.c_int]), ("ggml_op_desc", ctypes.c_char_p, [vp]),
        ("ggml_nelements", ctypes.c_int64, [vp]), ("ggml_nbytes", sz, [vp]),
        ("ggml_backend_buffer_is_host", ctypes.c_bool, [vp]),
        ("ggml_backend_tensor_get", None, [vp, vp, sz, sz]),
    ]:
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = res, args
    return lib


@functools.cache
def op_code(name: str) -> int:
    """The enum value of a ggml op by its name (``"MUL_MAT"``); values shift between ggml versions."""
    lib = ggml_base()
    for code in range(256):
        op = lib.ggml_op_name(code)
        if op is None:
            break
        if op.decode() == name:
            return code
    raise LayoutError(f"ggml has no op named {name}")


def tensor(ptr: int) -> GGMLTensor:
    return GGMLTensor.from_address(ptr)


@functools.cache
def check_layout() -> None:
    """Raise LayoutError unless the mirror matches the loaded ggml (see the module docstring)."""
    lib = ggml_base()
    ctx = lib.ggml_init(_InitParams(1 << 20, None, True))
    if not ctx:
        raise LayoutError("ggml_init failed")
    try:
        a = lib.ggml_new_tensor_2d(ctx, GGML_TYPE_F32, 48, 7)
        b = lib.ggml_new_tensor_2d(ctx, GGML_TYPE_F32, 48, 5)
        lib.ggml_set_name(a, b"hearth.check.a")
        c = lib.ggml_mul_mat(ctx, a, b)
        ta, tc = tensor(a), tensor(c)
        problems = []
        if tuple(ta.ne) != (48, 7, 1, 1) or lib.ggml_nelements(a) != 48 * 7:
            problems.append(f"ne {tuple(ta.ne)}")
        if ta.nb[0] != 4 or ta.nb[1] != 4 * 48:
            problems.append(f"nb {tuple(ta.nb)}")
        if lib.ggml_get_name(a) != a + GGMLTensor.name.offset:
            problems.append("name offset")
        if ta.name != b"hearth.check.a":
            problems.append(f"name {ta.name!r}")
        if tc.op != op_code("MUL_MAT") or lib.ggml_op_desc(c) != b"MUL_MAT":
            problems.append(f"op {tc.op}")
        if tc.src[0] != a or tc.src[1] != b or tc.src[2]:
            problems.append("src")
        if tuple(tc.ne[:2]) != (7, 5):
            problems.append(f"result ne {tuple(tc.ne)}")
        if lib.ggml_get_data(c) != tc.data:
            problems.append("data offset")
        if problems:
            raise LayoutError("struct ggml_tensor mirror does not match the installed ggml: " + ", ".join(problems))
    finally:
        lib.ggml_free(ctx)
