"""The engine: the only code that runs llama.cpp inference. It lives in a child process.

``Engine`` (client.py) is the parent's handle; ``worker.py`` is the child's main loop and
``runner.py`` the llama.cpp code it drives. They talk in JSON lines (protocol.py).
"""

from .client import Answer, Engine, ModelInfo
from .protocol import GenerationParams, LoadParams

__all__ = ["Answer", "Engine", "GenerationParams", "LoadParams", "ModelInfo"]
