"""OpenAI-compatible servers as engines: llama.cpp's llama-server, vLLM, Ollama, LM Studio, another
Hearth's ``hearth serve``.

A model on an endpoint is named ``remote:NAME/MODEL`` (NAME: an endpoint added with ``hearth remote
add``; MODEL: an id its ``/v1/models`` lists). ``RemoteEngine`` (engine.py) answers with the same
calls as the local ``Engine`` as far as a chat session uses them, so the session, the window, the
command line and the server drive either one the same way. Endpoints are kept in the settings
(endpoints.py) and their keys in the OS keychain or a private file (secrets.py), never in settings.
"""

from __future__ import annotations

PREFIX = "remote:"


def is_remote(ref: object) -> bool:
    return isinstance(ref, str) and ref.startswith(PREFIX)


def parse_ref(ref: str) -> tuple[str, str] | None:
    """(endpoint name, model id) of ``remote:NAME/MODEL``; None when ``ref`` is not one. The model
    id may itself hold slashes (``remote:gpu/Qwen/Qwen3-8B``)."""
    if not is_remote(ref):
        return None
    name, _, model = ref[len(PREFIX):].partition("/")
    return (name, model) if name and model else None


def make_ref(name: str, model: str) -> str:
    return f"{PREFIX}{name}/{model}"
