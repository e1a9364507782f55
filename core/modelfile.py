"""A bounded reader for GGUF headers, run before llama.cpp ever opens a file.

llama.cpp trusts the header: a truncated or damaged file can make it allocate wildly or abort the
process. This reader checks every size and count against the bytes that are really there and
turns every problem into one sentence (``ModelFileError``). It reads only the header; tensor data
is checked by its offsets and sizes, not read.

Format: https://github.com/ggml-org/ggml/blob/master/docs/gguf.md (versions 2 and 3).
"""

from __future__ import annotations

import mmap
import os
import struct
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import messages as M
from .errors import ModelFileError
from .messages import Msg, msg

GGUF_MAGIC = b"GGUF"
SUPPORTED_VERSIONS = (2, 3)
DEFAULT_ALIGNMENT = 32
MAX_DIMS = 4  # GGML_MAX_DIMS
MAX_STRING_BYTES = 16 * 1024 * 1024  # a chat template or a token is far below this
SMALL_ARRAY_ITEMS = 64  # larger arrays (token lists) are summarised, not kept



@dataclass(frozen=True)
class _TypeTables:
    sizes: dict[int, tuple[int, int]]  # (block size in elements, bytes per block) per ggml type id
    names: dict[int, str]  # ggml type id -> its name
    file_types: dict[int, str]  # general.file_type (llama_ftype) -> the name users know ("Q4_K_M")


@lru_cache(maxsize=1)
def _types() -> _TypeTables:
    """Type tables from the gguf package (kept with llama.cpp), so new quant types need no edit here.
    Made on first use: importing gguf imports numpy (~0.5 s), which the window's start can do without."""
    from gguf.constants import GGML_QUANT_SIZES, GGMLQuantizationType, LlamaFileType

    return _TypeTables(
        sizes={int(t): v for t, v in GGML_QUANT_SIZES.items()},
        names={int(t): t.name for t in GGMLQuantizationType},
        file_types={int(t): t.name.removeprefix("MOSTLY_").removeprefix("ALL_")
                    for t in LlamaFileType if t.name != "GUESSED"},
    )

# GGUF metadata value types: id -> (struct format, size) for fixed-size scalars
_SCALARS: dict[int, tuple[str, int]] = {
    0: ("<B", 1), 1: ("<b", 1), 2: ("<H", 2), 3: ("<h", 2), 4: ("<I", 4), 5: ("<i", 4),
    6: ("<f", 4), 7: ("<?", 1), 10: ("<Q", 8), 11: ("<q", 8), 12: ("<d", 8),
}
_STRING, _ARRAY = 8, 9


@dataclass(frozen=True)
class ArraySummary:
    """A metadata array too long to keep (a vocabulary): its item type and length."""

    item_type: int
    count: int


@dataclass(frozen=True)
class TensorInfo:
    name: str
    shape: tuple[int, ...]
    ggml_type: int
    offset: int  # from the start of the tensor data section
    n_bytes: int

    @property
    def type_name(self) -> str:
        return _types().names.get(self.ggml_type, f"type {self.ggml_type}")


@dataclass
class GGUFInfo:
    path: Path
    version: int
    file_size: int
    alignment: int
    data_offset: int
    metadata: dict[str, Any] = field(default_factory=dict)
    tensors: list[TensorInfo] = field(default_factory=list)
    header_bytes: int = 0  # where the tensor list ends (the data section starts, aligned, after it)

    @property
    def architecture(self) -> str:
        return str(self.metadata.get("general.architecture", "unknown"))

    @property
    def name(self) -> str:
        return str(self.metadata.get("general.name") or self.path.stem)

    @property
    def chat_template(self) -> str | None:
        value = self.metadata.get("tokenizer.chat_template")
        return value if isinstance(value, str) and value.strip() else None

    def arch_value(self, key: str, default: Any = None) -> Any:
        return self.metadata.get(f"{self.architecture}.{key}", default)

    @property
    def context_length(self) -> int | None:
        value = self.arch_value("context_length")
        return int(value) if isinstance(value, int) else None

    @property
    def block_count(self) -> int | None:
        value = self.arch_value("block_count")
        return int(value) if isinstance(value, int) else None

    @property
    def n_params(self) -> int:
        total = 0
        for tensor in self.tensors:
            count = 1
            for dim in tensor.shape:
                count *= dim
            total += count
        return total

    @property
    def quantization(self) -> str:
        file_type = self.metadata.get("general.file_type")
        if isinstance(file_type, int) and file_type in _types().file_types:
            return _types().file_types[file_type]
        # No file type recorded: name it by the type holding the most bytes.
        by_type: dict[int, int] = {}
        for tensor in self.tensors:
            by_type[tensor.ggml_type] = by_type.get(tensor.ggml_type, 0) + tensor.n_bytes
        if not by_type:
            return "unknown"
        return _types().names.get(max(by_type, key=by_type.__getitem__), "unknown")

    @property
    def tensor_bytes(self) -> int:
        return sum(t.n_bytes for t in self.tensors)


class _Damaged(Exception):
    """Raised inside the parser; turned into a ModelFileError with the file's name."""

    def __init__(self, detail: Msg):
        super().__init__(str(detail))
        self.msg = detail


class HeaderIncomplete(Exception):
    """The bytes given end before the header does: read at least ``needed`` bytes and try again."""

    def __init__(self, needed: int):
        super().__init__(f"the header needs at least {needed} bytes")
        self.needed = needed


class _Cursor:
    """Reads little-endian values from a buffer, refusing to read past its end.

    ``size`` is the whole file's size; ``available`` (default: all of it) the bytes in ``buf``, a
    prefix of the file when the header comes over the network. Reading past ``size`` means a
    damaged file; past ``available`` only that more bytes must be fetched (HeaderIncomplete).
    """

    def __init__(self, buf: memoryview | bytes, size: int, available: int | None = None):
        self.buf = buf
        self.size = size
        self.available = size if available is None else min(available, size)
        self.pos = 0

    def need(self, n: int, what: str) -> None:
        if n < 0 or self.pos + n > self.size:
            raise _Damaged(msg(M.D_ENDS_INSIDE, what=what))
        if self.pos + n > self.available:
            raise HeaderIncomplete(self.pos + n)

    def scalar(self, fmt: str, n: int, what: str) -> Any:
        self.need(n, what)
        (value,) = struct.unpack_from(fmt, self.buf, self.pos)
        self.pos += n
        return value

    def u32(self, what: str) -> int:
        return self.scalar("<I", 4, what)

    def u64(self, what: str) -> int:
        return self.scalar("<Q", 8, what)

    def string(self, what: str) -> str:
        length = self.u64(what)
        if length > MAX_STRING_BYTES:
            raise _Damaged(msg(M.D_STRING_SIZE, what=what, length=length))
        self.need(length, what)
        raw = bytes(self.buf[self.pos:self.pos + length])
        self.pos += length
        return raw.decode("utf-8", errors="replace")

    def skip_string(self, what: str) -> None:
        length = self.u64(what)
        if length > MAX_STRING_BYTES:
            raise _Damaged(msg(M.D_STRING_SIZE, what=what, length=length))
        self.need(length, what)
        self.pos += length

    def value(self, vtype: int, what: str, depth: int = 0) -> Any:
        if vtype in _SCALARS:
            fmt, n = _SCALARS[vtype]
            return self.scalar(fmt, n, what)
        if vtype == _STRING:
            return self.string(what)
        if vtype == _ARRAY:
            if depth > 2:
                raise _Damaged(msg(M.D_NESTED, what=what))
            item_type = self.u32(what)
            count = self.u64(what)
            min_item = _SCALARS[item_type][1] if item_type in _SCALARS else 8
            if item_type not in _SCALARS and item_type not in (_STRING, _ARRAY):
                raise _Damaged(msg(M.D_VALUE_TYPE, vtype=item_type, what=what))
            if count * min_item > self.size - self.pos:
                raise _Damaged(msg(M.D_ARRAY_SIZE, what=what, count=count))
            if count <= SMALL_ARRAY_ITEMS:
                return [self.value(item_type, what, depth + 1) for _ in range(count)]
            if item_type in _SCALARS:
                self.need(count * min_item, what)
                self.pos += count * min_item
            elif item_type == _STRING:
                for _ in range(count):
                    self.skip_string(what)
            else:
                for _ in range(count):
                    self.value(item_type, what, depth + 1)
            return ArraySummary(item_type, count)
        raise _Damaged(msg(M.D_VALUE_TYPE, vtype=vtype, what=what))


def _tensor_bytes(ggml_type: int, shape: tuple[int, ...], name: str) -> int:
    if ggml_type not in _types().sizes:
        raise _Damaged(msg(M.D_TENSOR_TYPE, tensor=repr(name), ggml_type=ggml_type))
    block, type_size = _types().sizes[ggml_type]
    if shape and shape[0] % block:
        raise _Damaged(msg(M.D_TENSOR_ROW, tensor=repr(name), row=shape[0], block=block))
    elements = 1
    for dim in shape:
        elements *= dim
    return elements // block * type_size


def _display(path: Path) -> str:
    return path.name or str(path)


def check_path(path: str | os.PathLike[str]) -> Path:
    """Refuse paths that cannot be a model file before opening them."""
    p = Path(path).expanduser()
    if not p.exists():
        raise ModelFileError(M.NO_MODEL_FILE, path=str(p))
    if p.is_dir():
        raise ModelFileError(M.IS_FOLDER, path=str(p))
    if not p.is_file():
        raise ModelFileError(M.NOT_REGULAR, path=str(p))
    if not os.access(p, os.R_OK):
        raise ModelFileError(M.PERMISSION, path=str(p))
    return p


def read_gguf(path: str | os.PathLike[str]) -> GGUFInfo:
    """Read and check a GGUF header. Raises ModelFileError with one sentence on any problem."""
    p = check_path(path)
    name = _display(p)
    try:
        with open(p, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size == 0:
                raise ModelFileError(M.EMPTY_FILE, name=name)
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
                view = memoryview(mapped)
                try:
                    return _parse(p, view, size)
                finally:
                    view.release()
    except ModelFileError:
        raise
    except _Damaged as exc:
        raise ModelFileError(M.DAMAGED, name=name, detail=exc.msg) from None
    except PermissionError:
        raise ModelFileError(M.PERMISSION, path=str(p)) from None
    except OSError as exc:
        raise ModelFileError(M.UNREADABLE, path=str(p), reason=str(exc.strerror or exc)) from None


def parse_header(prefix: bytes | memoryview, total_size: int, path: str | os.PathLike[str]) -> GGUFInfo:
    """Check and read a GGUF header from the first bytes of a file whose full size is
    ``total_size`` (the header of a file on a server, fetched with Range requests).

    The same checks as ``read_gguf``: every count and size against ``total_size``, and the tensor
    data offsets against the data section that ``total_size`` leaves. Raises HeaderIncomplete
    when ``prefix`` ends inside the header, ModelFileError when the header is damaged.
    """
    p = Path(path)
    if total_size <= 0:
        raise ModelFileError(M.EMPTY_FILE, name=_display(p))
    view = memoryview(bytes(prefix))
    try:
        return _parse(p, view, total_size, available=len(view))
    except _Damaged as exc:
        raise ModelFileError(M.DAMAGED, name=_display(p), detail=exc.msg) from None


def _parse(path: Path, view: memoryview, size: int, available: int | None = None) -> GGUFInfo:
    name = _display(path)
    if available is not None and available < min(size, 4):
        raise HeaderIncomplete(min(size, 4))
    if size < 4 or bytes(view[:4]) != GGUF_MAGIC:
        raise ModelFileError(M.NOT_GGUF, name=name)
    cur = _Cursor(view, size, available)
    cur.pos = 4
    header = msg(M.PART_HEADER)  # the parts named in a damage report: Msgs, shown translated
    version = cur.u32(header)
    if version not in SUPPORTED_VERSIONS:
        if version == 1:
            raise ModelFileError(M.GGUF_V1, name=name)
        raise ModelFileError(M.GGUF_VERSION, name=name, version=version)
    n_tensors = cur.u64(header)
    n_kv = cur.u64(header)
    # Each metadata pair takes at least 13 bytes and each tensor description at least 28.
    if n_kv * 13 > size or n_tensors * 28 > size:
        raise ModelFileError(M.TOO_MANY, name=name, n_kv=n_kv, n_tensors=n_tensors, size=size)

    metadata: dict[str, Any] = {}
    for _ in range(n_kv):
        key = cur.string(msg(M.PART_METADATA_KEY))
        entry = msg(M.PART_METADATA_ENTRY, key=repr(key))
        vtype = cur.u32(entry)
        metadata[key] = cur.value(vtype, entry)

    alignment = metadata.get("general.alignment", DEFAULT_ALIGNMENT)
    if not isinstance(alignment, int) or alignment <= 0 or alignment & (alignment - 1):
        raise _Damaged(msg(M.D_ALIGNMENT, alignment=repr(alignment)))

    infos: list[tuple[str, tuple[int, ...], int, int]] = []
    for _ in range(n_tensors):
        tname = cur.string(msg(M.PART_TENSOR_LIST))
        part = msg(M.PART_TENSOR, tensor=repr(tname))
        n_dims = cur.u32(part)
        if not 1 <= n_dims <= MAX_DIMS:
            raise _Damaged(msg(M.D_DIMS, tensor=repr(tname), n_dims=n_dims))
        shape = tuple(cur.u64(part) for _ in range(n_dims))
        if any(dim <= 0 or dim > 1 << 40 for dim in shape):
            raise _Damaged(msg(M.D_SHAPE, tensor=repr(tname), shape=str(shape)))
        ggml_type = cur.u32(part)
        offset = cur.u64(part)
        infos.append((tname, shape, ggml_type, offset))

    data_offset = (cur.pos + alignment - 1) // alignment * alignment
    data_size = size - data_offset
    tensors: list[TensorInfo] = []
    needed = 0
    for tname, shape, ggml_type, offset in infos:
        n_bytes = _tensor_bytes(ggml_type, shape, tname)
        if offset % alignment:
            raise _Damaged(msg(M.D_MISALIGNED, tensor=repr(tname), alignment=alignment))
        needed = max(needed, offset + n_bytes)
        tensors.append(TensorInfo(tname, shape, ggml_type, offset, n_bytes))
    if needed > data_size:
        raise ModelFileError(M.TRUNCATED, name=name, needed=data_offset + needed, size=size,
                             missing=needed - max(data_size, 0))
    info = GGUFInfo(path, version, size, alignment, data_offset, metadata, tensors)
    info.header_bytes = cur.pos
    return info
