"""The huggingface_hub internals core/hub relies on are still there, with the parameters used.

core/hub/fetch.py downloads with ``file_download.http_get`` (resume into a stable partial file),
names cache folders with ``file_download.repo_folder_name`` and sets
``constants.DOWNLOAD_CHUNK_SIZE``; core/hub/config.py finds the stored login where
``constants.HF_TOKEN_PATH`` says. None of these is public API: pyproject pins the minor version
they were checked on (huggingface-hub~=2.4.0). When a new version moves one, this says which.
"""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
from pathlib import Path

import huggingface_hub
import pytest

HINT = ("core/hub/fetch.py relies on it: adapt fetch.py to huggingface_hub {version}, then move the "
        "huggingface-hub pin in pyproject.toml")


def _need(module, name: str):
    thing = getattr(module, name, None)
    if thing is None:
        pytest.fail(f"huggingface_hub {huggingface_hub.__version__} has no {module.__name__}.{name}; "
                    + HINT.format(version=huggingface_hub.__version__), pytrace=False)
    return thing


def _takes(func, *names: str, positional: int = 0) -> None:
    params = inspect.signature(func).parameters
    missing = [n for n in names if n not in params]
    leading = [p for p in params.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if missing or len(leading) < positional:
        pytest.fail(f"huggingface_hub {huggingface_hub.__version__}: {func.__module__}.{func.__qualname__}"
                    f"{inspect.signature(func)} no longer takes {missing or f'{positional} positional arguments'}; "
                    + HINT.format(version=huggingface_hub.__version__), pytrace=False)


def test_http_get_resumes_into_a_file_we_give_it() -> None:
    from huggingface_hub import file_download

    http_get = _need(file_download, "http_get")
    # fetch.py: http_get(url, writer, resume_size=, headers=, expected_size=, displayed_filename=)
    _takes(http_get, "resume_size", "headers", "expected_size", "displayed_filename", positional=2)


def test_repo_folder_name_names_the_cache_folder() -> None:
    from huggingface_hub import file_download

    repo_folder_name = _need(file_download, "repo_folder_name")
    _takes(repo_folder_name, "repo_id", "repo_type")
    assert repo_folder_name(repo_id="acme/tiny-GGUF", repo_type="model") == "models--acme--tiny-GGUF"


def test_download_chunk_size_is_a_setting_fetch_can_change() -> None:
    from huggingface_hub import constants

    size = _need(constants, "DOWNLOAD_CHUNK_SIZE")
    assert isinstance(size, int) and size > 0
    # http_get must read it when called (fetch.run sets it), not bind it at import as a default
    from huggingface_hub import file_download

    assert "DOWNLOAD_CHUNK_SIZE" in inspect.getsource(file_download.http_get), (
        "http_get no longer reads constants.DOWNLOAD_CHUNK_SIZE; " + HINT.format(version=huggingface_hub.__version__))


def test_the_other_calls_fetch_makes() -> None:
    from huggingface_hub import utils

    _takes(_need(huggingface_hub, "get_hf_file_metadata"), "token", "endpoint", positional=1)
    _takes(_need(huggingface_hub, "hf_hub_url"), "revision", "endpoint", positional=2)
    _takes(_need(huggingface_hub, "hf_hub_download"), "revision", "cache_dir", "endpoint", "token", positional=2)
    _takes(_need(utils, "build_hf_headers"), "token")
    _need(huggingface_hub, "get_token")


@pytest.mark.parametrize("env", [{"HF_HOME": "hf-home"}, {"HF_HOME": "hf-home", "HF_TOKEN_PATH": "elsewhere/tok"},
                                 {"XDG_CACHE_HOME": "xdg"}])
def test_the_stored_login_is_where_huggingface_hub_keeps_it(tmp_path: Path, env: dict[str, str]) -> None:
    """config.stored_login_path() must agree with constants.HF_TOKEN_PATH (fresh processes: the
    constants are computed at import)."""
    base = {k: v for k, v in os.environ.items() if k not in ("HF_HOME", "HF_TOKEN_PATH", "XDG_CACHE_HOME")}
    base.update({k: str(tmp_path / v) for k, v in env.items()}, HOME=str(tmp_path / "home"))
    code = ("from huggingface_hub import constants; from hearthlm.core.hub.config import stored_login_path; "
            "print(constants.HF_TOKEN_PATH); print(stored_login_path())")
    out = subprocess.run([sys.executable, "-c", code], env=base, capture_output=True, text=True, timeout=60, check=True)
    theirs, ours = out.stdout.splitlines()
    assert Path(theirs).expanduser() == Path(ours), "core/hub/config.py: stored_login_path() no longer matches huggingface_hub"


def test_a_moved_internal_fails_with_a_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    from huggingface_hub import file_download

    def http_get(url, temp_file, *, headers=None):  # as if a release dropped resume_size
        pass

    monkeypatch.setattr(file_download, "http_get", http_get)
    with pytest.raises(pytest.fail.Exception, match=r"no longer takes \['resume_size', 'expected_size', "
                                                    r"'displayed_filename'\].*adapt fetch.py.*pin in pyproject.toml"):
        test_http_get_resumes_into_a_file_we_give_it()
    monkeypatch.delattr(file_download, "repo_folder_name")
    with pytest.raises(pytest.fail.Exception, match=r"has no huggingface_hub.file_download.repo_folder_name"):
        test_repo_folder_name_names_the_cache_folder()
