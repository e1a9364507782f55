"""Importance matrix: per input column of every weight matrix, the mean square of the activations
that meet it, collected while the model reads a calibration text.

Collection follows llama.cpp's tools/imatrix: the evaluation callback (``cb_eval``) is asked about
every graph node; for ``MUL_MAT`` nodes whose weight is a ``blk.*`` tensor and whose input batch
has at least 16 rows (and every ``MUL_MAT_ID``, for mixture-of-experts), it reads the input
activations (``src[1]``) and accumulates the sum of squares per column and the row count.

Files: the GGUF imatrix format of current llama.cpp (``<tensor>.in_sum2``, ``<tensor>.counts``,
``<tensor>.in_sum``, ``imatrix.chunk_count``/``chunk_size``/``datasets``) and the legacy ``.dat``
format (chosen by the ``.dat`` suffix); both are read back. llama-quantize reads both.
"""

from __future__ import annotations

import ctypes
import os
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from collections.abc import Callable

import numpy as np

from . import messages as M
from .errors import QuantizeError

if TYPE_CHECKING:
    from .ggml_tensor import GGMLTensor

MIN_ROWS = 16  # llama.cpp's imatrix ignores smaller batches


@dataclass
class Entry:
    """Statistics of one weight tensor: ``n_mat`` matrices (experts) of ``n_cols`` input columns."""

    sum2: np.ndarray          # (n_mat, n_cols) float64: sum of squared activations
    sums: np.ndarray          # (n_mat, n_cols) float64: sum of activations
    counts: np.ndarray        # (n_mat,) int64: rows seen per matrix

    def mean_squares(self) -> np.ndarray:
        """What llama_model_quantize takes: mean of squares, flattened (1.0 where nothing was seen)."""
        counts = self.counts.astype(np.float64)[:, None]
        out = np.where(counts > 0, self.sum2 / np.maximum(counts, 1), 1.0)
        return out.astype(np.float32).ravel()


@dataclass
class ImportanceMatrix:
    entries: dict[str, Entry] = field(default_factory=dict)
    chunk_count: int = 0
    chunk_size: int = 0
    datasets: list[str] = field(default_factory=list)

    def quantize_data(self) -> dict[str, np.ndarray]:
        return {name: e.mean_squares() for name, e in sorted(self.entries.items())}


def filter_tensor_name(name: str) -> str:
    """``CUDA0#blk.0.attn_k.weight#0`` -> ``blk.0.attn_k.weight`` (as llama.cpp does)."""
    if "#" in name:
        name = name.split("#", 2)[1]
    return name


class Collector:
    """The ``cb_eval`` callback. Build the Evaluator with ``cb_eval=collector.callback``."""

    def __init__(self, process_output: bool = False):
        from . import ggml_tensor as g

        try:
            g.check_layout()
            self.MUL_MAT, self.MUL_MAT_ID = g.op_code("MUL_MAT"), g.op_code("MUL_MAT_ID")
        except g.LayoutError as exc:
            raise QuantizeError(M.TENSOR_LAYOUT, detail=str(exc)) from exc
        self.g = g
        self.lib = g.ggml_base()
        self.process_output = process_output
        self.imatrix = ImportanceMatrix()
        self.error: BaseException | None = None  # an exception inside the callback stops the next window

    def callback(self, t_ptr: int, ask: bool, _user: int) -> bool:
        try:
            return self._callback(t_ptr, ask)
        except BaseException as exc:  # never let an exception unwind through C
            self.error = exc
            return False

    def _callback(self, t_ptr: int, ask: bool) -> bool:
        t = self.g.tensor(t_ptr)
        if t.op not in (self.MUL_MAT, self.MUL_MAT_ID) or not t.src[0] or not t.src[1]:
            return False
        src0, src1 = self.g.tensor(t.src[0]), self.g.tensor(t.src[1])
        wname = filter_tensor_name(src0.name.decode("utf-8", "replace"))
        if ask:
            if t.op == self.MUL_MAT_ID:
                return True
            if src1.ne[1] < MIN_ROWS or src1.type != self.g.GGML_TYPE_F32:
                return False
            return wname.startswith("blk.") or (self.process_output and wname == "output.weight")
        x = self._array(t.src[1], src1)  # (ne3, ne2, ne1, ne0)
        if t.op == self.MUL_MAT_ID:
            self._add_moe(t, src0, src1, wname, x)
        else:
            self._add_dense(src0, wname, x)
        return True

    def _array(self, ptr: int, t: GGMLTensor) -> np.ndarray:
        """src1 as float64 (ne3, ne2, ne1, ne0), copied off the backend when it is not in host memory."""
        ne, nb = list(t.ne), list(t.nb)
        if nb[0] != 4:
            raise ValueError(f"unexpected activation stride {nb[0]}")
        span = sum((n - 1) * s for n, s in zip(ne, nb, strict=False)) + 4
        if self.lib.ggml_backend_buffer_is_host(t.buffer):
            base = np.frombuffer((ctypes.c_char * span).from_address(t.data), dtype=np.float32)
        else:
            nbytes = self.lib.ggml_nbytes(ptr)
            base = np.empty((max(nbytes, span) + 3) // 4, dtype=np.float32)
            self.lib.ggml_backend_tensor_get(ptr, base.ctypes.data, 0, nbytes)
        view = np.lib.stride_tricks.as_strided(base, shape=(ne[3], ne[2], ne[1], ne[0]),
                                               strides=(nb[3], nb[2], nb[1], nb[0]), writeable=False)
        return np.array(view, dtype=np.float64)  # a copy: the scheduler reuses this memory

    def _entry(self, name: str, n_mat: int, n_cols: int) -> Entry:
        e = self.imatrix.entries.get(name)
        if e is None:
            e = Entry(np.zeros((n_mat, n_cols)), np.zeros((n_mat, n_cols)), np.zeros(n_mat, np.int64))
            self.imatrix.entries[name] = e
        return e

    def _add_dense(self, src0: GGMLTensor, wname: str, x: np.ndarray) -> None:
        n_mat = int(src0.ne[2] * src0.ne[3])
        e = self._entry(wname, n_mat, x.shape[-1])
        ne3, ne2 = x.shape[0], x.shape[1]
        for i3 in range(ne3):
            for i2 in range(ne2):
                mat = (i3 % src0.ne[3]) * src0.ne[2] + (i2 % src0.ne[2])
                rows = x[i3, i2]
                e.sum2[mat] += np.einsum("ij,ij->j", rows, rows)
                e.sums[mat] += rows.sum(axis=0)
        e.counts += (ne3 * ne2 * x.shape[2]) // n_mat

    def _add_moe(self, t: GGMLTensor, src0: GGMLTensor, src1: GGMLTensor, wname: str, x: np.ndarray) -> None:
        ids_t = self.g.tensor(t.src[2])
        n_as = int(src0.ne[2])
        ids = self._ids(t.src[2], ids_t)  # (n_tokens, n_ids)
        e = self._entry(wname, n_as, x.shape[-1])
        acts = x[0]  # (n_tokens, ne1, cols)
        for row in range(ids.shape[0]):
            for idx in range(ids.shape[1]):
                ex = int(ids[row, idx])
                v = acts[row, idx % acts.shape[1]]
                e.counts[ex] += 1
                e.sum2[ex] += v * v
                e.sums[ex] += v

    def _ids(self, ptr: int, t: GGMLTensor) -> np.ndarray:
        nbytes = self.lib.ggml_nbytes(ptr)
        buf = np.empty(nbytes, np.uint8)
        self.lib.ggml_backend_tensor_get(ptr, buf.ctypes.data, 0, nbytes)
        return np.lib.stride_tricks.as_strided(buf.view(np.int32) if nbytes % 4 == 0 else buf,
                                               shape=(t.ne[1], t.ne[0]), strides=(t.nb[1], t.nb[0])).copy()


def collect(model: str | os.PathLike, text: str, *, n_ctx: int = 512, n_threads: int = 0,
            dataset: str = "", on_progress: Callable[[int, int], bool] | None = None) -> ImportanceMatrix:
    """Run the model over ``text`` in windows of ``n_ctx`` tokens; ``on_progress(done, total)``
    returning False stops early (the windows done so far are kept)."""
    from .llama_eval import Evaluator, windows

    collector = Collector()
    with Evaluator(model, n_ctx, n_threads, cb_eval=collector.callback) as ev:
        tokens = ev.tokenize(text)
        chunks = list(windows(tokens, n_ctx))
        if not chunks:
            raise QuantizeError(M.IMATRIX_EMPTY, n=n_ctx)
        for i, chunk in enumerate(chunks):
            ev.window_logits(chunk, want_logits=False)
            if collector.error is not None:
                raise collector.error
            collector.imatrix.chunk_count = i + 1
            if on_progress is not None and on_progress(i + 1, len(chunks)) is False:
                break
    im = collector.imatrix
    if not im.entries:
        raise QuantizeError(M.IMATRIX_EMPTY, n=n_ctx)
    im.chunk_size = n_ctx
    im.datasets = [dataset] if dataset else []
    return im


# -- files ---------------------------------------------------------------------------------

def save(im: ImportanceMatrix, path: str | os.PathLike) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    try:
        (_save_dat if path.suffix == ".dat" else _save_gguf)(im, tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _save_gguf(im: ImportanceMatrix, path: Path) -> None:
    import gguf

    w = gguf.GGUFWriter(path, arch="")
    w.kv_data[0].pop(gguf.Keys.General.ARCHITECTURE, None)  # llama.cpp's imatrix files carry none
    w.add_type("imatrix")
    w.add_array("imatrix.datasets", im.datasets or ["unknown"])  # the writer drops an empty array
    w.add_uint32("imatrix.chunk_count", im.chunk_count)
    w.add_uint32("imatrix.chunk_size", im.chunk_size)
    for name, e in sorted(im.entries.items()):
        w.add_tensor(f"{name}.in_sum", e.sums.astype(np.float32))
        w.add_tensor(f"{name}.in_sum2", e.sum2.astype(np.float32))
        w.add_tensor(f"{name}.counts", e.counts.astype(np.float32).reshape(-1, 1))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def _save_dat(im: ImportanceMatrix, path: Path) -> None:
    """Legacy format: values stored as mean square x ncall, ncall = ceil(count / chunk_size)."""
    chunk = max(im.chunk_size, 1)
    with open(path, "wb") as f:
        f.write(struct.pack("<i", len(im.entries)))
        for name, e in sorted(im.entries.items()):
            raw = name.encode()
            ncall = int((e.counts.max() + chunk - 1) // chunk)
            values = e.mean_squares() * ncall
            f.write(struct.pack("<i", len(raw)) + raw + struct.pack("<ii", ncall, values.size))
            f.write(values.astype("<f4").tobytes())
        f.write(struct.pack("<i", im.chunk_count))
        ds = (im.datasets[-1] if im.datasets else "").encode()
        f.write(struct.pack("<i", len(ds)) + ds)


def load(path: str | os.PathLike) -> ImportanceMatrix:
    path = Path(path)
    try:
        return _load_dat(path) if path.suffix == ".dat" else _load_gguf(path)
    except QuantizeError:
        raise
    except (OSError, ValueError, KeyError, struct.error, IndexError) as exc:
        raise QuantizeError(M.IMATRIX_UNREADABLE, name=path.name, reason=str(exc) or type(exc).__name__) from exc


def _load_gguf(path: Path) -> ImportanceMatrix:
    import gguf

    r = gguf.GGUFReader(path)
    kind = r.fields.get("general.type")
    if kind is None or kind.contents() != "imatrix":
        raise ValueError("general.type is not 'imatrix'")
    tensors = {t.name: t for t in r.tensors}
    im = ImportanceMatrix()
    for key, attr in (("imatrix.chunk_count", "chunk_count"), ("imatrix.chunk_size", "chunk_size")):
        if key in r.fields:
            setattr(im, attr, int(r.fields[key].contents()))
    if "imatrix.datasets" in r.fields:
        im.datasets = list(r.fields["imatrix.datasets"].contents())
    for tname, t in tensors.items():
        if not tname.endswith(".in_sum2"):
            continue
        name = tname[: -len(".in_sum2")]
        counts_t = tensors.get(name + ".counts")
        if counts_t is None:
            raise ValueError(f"{name} has no counts")
        n_cols = int(t.shape[0])
        sum2 = np.asarray(t.data, np.float64).reshape(-1, n_cols)
        counts = np.asarray(counts_t.data, np.float64).reshape(-1).astype(np.int64)
        sums_t = tensors.get(name + ".in_sum")
        sums = np.asarray(sums_t.data, np.float64).reshape(-1, n_cols) if sums_t is not None else np.zeros_like(sum2)
        im.entries[name] = Entry(sum2, sums, counts)
    if not im.entries:
        raise ValueError("no tensors")
    return im


def _load_dat(path: Path) -> ImportanceMatrix:
    data = path.read_bytes()
    pos = 0

    def take(fmt: str) -> tuple[Any, ...]:
        nonlocal pos
        vals = struct.unpack_from(fmt, data, pos)
        pos += struct.calcsize(fmt)
        return vals

    (n,) = take("<i")
    if n < 1:
        raise ValueError("no entries")
    im = ImportanceMatrix()
    for _ in range(n):
        (length,) = take("<i")
        name = data[pos:pos + length].decode()
        pos += length
        ncall, nval = take("<ii")
        values = np.frombuffer(data, "<f4", nval, pos).astype(np.float64)
        pos += 4 * nval
        # mean square x ncall; keep it as sum2 over ncall "rows" so mean_squares() gives it back
        ncall = max(ncall, 1)
        im.entries[name] = Entry(values.reshape(1, -1), np.zeros((1, nval)), np.array([ncall], np.int64))
    if pos + 4 <= len(data):
        (im.chunk_count,) = take("<i")
        if pos + 4 <= len(data):
            (length,) = take("<i")
            if length:
                im.datasets = [data[pos:pos + length].decode("utf-8", "replace")]
    return im
