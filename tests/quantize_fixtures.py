"""Session fixtures shared by the quantize tests (imported by name into each test module)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def f16_model(starter_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An F16 GGUF of the starter model, dequantized with the ``gguf`` package once per session."""
    from hearthlm.core.quantize.dequantize import dequantize_gguf

    return dequantize_gguf(starter_model, tmp_path_factory.mktemp("f16") / "smollm2-135m-f16.gguf")
