"""GGUF files for tests, written with the gguf package."""

from __future__ import annotations

from pathlib import Path

import gguf
import numpy as np


def write_unloadable_gguf(path: Path, arch: str = "llama") -> Path:
    """A well-formed GGUF that passes the header check but that llama.cpp cannot build a model
    from (one tensor, no vocabulary, no layers)."""
    writer = gguf.GGUFWriter(str(path), arch=arch)
    writer.add_name("not really a model")
    writer.add_tensor("token_embd.weight", np.ones((8, 32), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def with_chat_template(source: Path, dest: Path, template: str) -> Path:
    """A copy of a real model whose chat template is replaced by ``template`` (padded with a Jinja
    comment to the original's byte length, so the rest of the file stays valid as it is)."""
    reader = gguf.GGUFReader(str(source))
    field = reader.fields["tokenizer.chat_template"]
    value = field.parts[field.data[0]]
    start = int(value.ctypes.data - reader.data.ctypes.data)  # byte offset of the string in the file
    length = len(value)
    body = template.encode("utf-8")
    pad = length - len(body) - len(b"{##}")
    if pad < 0:
        raise ValueError(f"the template must be at most {length - 4} bytes")
    del reader
    data = bytearray(source.read_bytes())
    data[start:start + length] = body + b"{#" + b" " * pad + b"#}"
    dest.write_bytes(data)
    return dest
