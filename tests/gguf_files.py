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
