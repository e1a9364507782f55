"""Write an F16 (or F32) GGUF from a quantized one, with the ``gguf`` package.

Hearth uses it to make a full-precision source for quantization tests and benchmarks out of the
starter model; a user can also use it to get back a file llama.cpp can requantize without the
"already quantized" warning (the quality lost in the first quantization does not come back).
Metadata is copied as is, except the file type. 1-D tensors (norms, biases) stay F32 as llama.cpp's
converter writes them.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

F16_FILE_TYPE, F32_FILE_TYPE = 1, 0


def dequantize_gguf(src: str | os.PathLike, dst: str | os.PathLike, *, f32: bool = False) -> Path:
    import gguf
    from gguf.quants import dequantize

    src, dst = Path(src), Path(dst)
    reader = gguf.GGUFReader(src)
    arch = reader.fields[gguf.Keys.General.ARCHITECTURE].contents()
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(dst.name + ".part")
    writer = gguf.GGUFWriter(tmp, arch)
    for field in reader.fields.values():
        if field.name == gguf.Keys.General.ARCHITECTURE or field.name.startswith("GGUF."):
            continue
        vtype = field.types[0]
        sub = field.types[-1] if vtype == gguf.GGUFValueType.ARRAY else None
        value = field.contents()
        if field.name == gguf.Keys.General.FILE_TYPE:
            value = F32_FILE_TYPE if f32 else F16_FILE_TYPE
        writer.add_key_value(field.name, value, vtype, sub_type=sub)

    arrays = []
    for tensor in reader.tensors:
        data = dequantize(tensor.data, tensor.tensor_type).astype(np.float32, copy=False)
        shape = tuple(int(n) for n in reversed(tensor.shape))  # numpy order: outermost first
        data = data.reshape(shape)
        if not f32 and data.ndim >= 2:
            data = data.astype(np.float16)
        arrays.append(data)
        writer.add_tensor_info(tensor.name, data.shape, data.dtype, data.nbytes)
    try:
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_ti_data_to_file()
        for data in arrays:
            writer.write_tensor_data(data)
        writer.close()
        os.replace(tmp, dst)
    finally:
        tmp.unlink(missing_ok=True)
    return dst
