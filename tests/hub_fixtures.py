"""Fixtures for the models-area tests: a fake hub on 127.0.0.1 holding real small GGUFs, and a
Hugging Face environment (HF_HOME, HF_ENDPOINT) in a temp folder so nothing reaches the network."""

from __future__ import annotations

from pathlib import Path
from collections.abc import Iterator

import pytest

from fake_hub import FakeHub
from gguf_files import write_small_gguf

CARD = b"""---
license: mit
tags: [gguf]
---
# Tiny test model

<img src="logo.png">

A tiny model written for **tests**: it has two layers and no knowledge.

| table | ignored |
|---|---|

```
code is ignored
```

Second paragraph of prose.
"""


@pytest.fixture(scope="session")
def model_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Real small GGUFs: one single file, a two-part split set, and a larger one for slow tests."""
    root = tmp_path_factory.mktemp("ggufs")
    single = write_small_gguf(root / "tiny-chat-Q8_0.gguf", ctx=4096)
    first = write_small_gguf(root / "tiny-split-Q4_K_M.gguf", split_max_tensors=1, template=None, file_type=15)
    big = write_small_gguf(root / "tiny-big-F32.gguf", rows=4096, n_tensors=4, file_type=0)  # ~2 MB
    return {"single": single, "split1": first, "split2": first.with_name(first.name.replace("00001-of", "00002-of")),
            "big": big}


@pytest.fixture
def hf_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """HF_HOME in a temp folder; no token from the real environment; online mode."""
    hf_home = tmp_path / "hf-home"
    monkeypatch.setenv("HF_HOME", str(hf_home))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.delenv("HUGGING_FACE_HUB_TOKEN", raising=False)
    monkeypatch.setenv("HF_HUB_DOWNLOAD_TIMEOUT", "2")  # a stalled server is noticed fast
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    return hf_home / "hub"


@pytest.fixture
def hub(model_files: dict[str, Path], hf_env: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHub]:
    served = FakeHub()
    served.add_repo("acme/tiny-GGUF", {
        "tiny-chat-Q8_0.gguf": model_files["single"],
        "tiny-split-Q4_K_M-00001-of-00002.gguf": model_files["split1"],
        "tiny-split-Q4_K_M-00002-of-00002.gguf": model_files["split2"],
        "README.md": CARD,
        "config.json": b"{}",
    }, downloads=500, likes=3, last_modified="2024-05-01T00:00:00.000Z", license="mit")
    served.add_repo("acme/big-GGUF", {"tiny-big-F32.gguf": model_files["big"]},
                    downloads=10, likes=50, last_modified="2025-03-01T00:00:00.000Z")
    served.add_repo("acme/gated-GGUF", {"tiny-chat-Q8_0.gguf": model_files["single"]}, gated=True,
                    downloads=1, likes=1, last_modified="2023-01-01T00:00:00.000Z", license="llama3.2")
    served.add_repo("acme/not-gguf", {"model.safetensors": b"x" * 10}, tags=["safetensors"])
    evil = served.add_repo("evil/traversal-GGUF", {"ok-Q4_0.gguf": model_files["single"]})
    served.add_file(evil, "../../escape-Q4_0.gguf", model_files["single"])
    served.add_file(evil, "/tmp/absolute-Q4_0.gguf", model_files["single"])
    served.start()
    monkeypatch.setenv("HF_ENDPOINT", served.url)
    try:
        yield served
    finally:
        served.stop()
