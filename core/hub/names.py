"""What file names from the hub mean, and whether they are safe to write.

Names come from the network: a hostile or broken hub can list ``../../.bashrc`` or
``/etc/passwd``. ``safe_relative`` is the one gate every name passes before it touches the disk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

# Quantization names as llama.cpp and the people who publish GGUFs write them, longest first.
_QUANTS = (
    "IQ1_S", "IQ1_M", "IQ2_XXS", "IQ2_XS", "IQ2_S", "IQ2_M", "IQ3_XXS", "IQ3_XS", "IQ3_S", "IQ3_M",
    "IQ4_XS", "IQ4_NL", "TQ1_0", "TQ2_0", "MXFP4",
    "Q2_K_S", "Q2_K_L", "Q2_K", "Q3_K_S", "Q3_K_M", "Q3_K_L", "Q3_K_XL", "Q3_K",
    "Q4_K_S", "Q4_K_M", "Q4_K_L", "Q4_K_XL", "Q4_K", "Q4_0_4_4", "Q4_0_4_8", "Q4_0_8_8", "Q4_0", "Q4_1",
    "Q5_K_S", "Q5_K_M", "Q5_K_L", "Q5_K_XL", "Q5_K", "Q5_0", "Q5_1",
    "Q6_K_L", "Q6_K_XL", "Q6_K", "Q8_K_XL", "Q8_0", "Q8_K", "BF16", "F16", "FP16", "F32", "FP32",
)
_QUANT_RE = re.compile(
    r"(?<![A-Z0-9])(" + "|".join(sorted(map(re.escape, _QUANTS), key=len, reverse=True)) + r")(?![A-Z0-9])")
SPLIT_RE = re.compile(r"^(?P<stem>.+)-(?P<part>\d{5})-of-(?P<total>\d{5})\.gguf$", re.IGNORECASE)
_SAFE_TOKEN = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


def safe_relative(name: str) -> bool:
    """True when ``name`` is a plain relative path that stays inside the folder it is joined to."""
    if not name or "\\" in name or "\x00" in name or ":" in name:
        return False
    path = PurePosixPath(name)
    if path.is_absolute() or name.startswith("/"):
        return False
    return all(part not in ("", ".", "..") for part in name.split("/"))


def inside(root: Path, relative: str) -> Path | None:
    """``root/relative`` if the name is safe and its resolved path stays under ``root``."""
    if not safe_relative(relative):
        return None
    target = root / relative
    # the folders on the way must not lead elsewhere (a symlinked folder); the last part may be a link
    try:
        target.parent.resolve().relative_to(root.resolve())
    except ValueError:
        return None
    return target


def safe_token(value: str | None) -> bool:
    """An etag or commit hash that may name a file: letters, digits, '.', '_', '-' only (no '..')."""
    if not value:
        return False
    return bool(_SAFE_TOKEN.match(value)) and value not in (".", "..")


def quant_from_name(name: str) -> str:
    """The quantization written in a GGUF file name ("model-Q4_K_M.gguf" -> "Q4_K_M"), or ""."""
    base = PurePosixPath(name).name.upper().replace(".GGUF", "")
    base = SPLIT_RE.sub(lambda m: m.group("stem"), base + ".GGUF").removesuffix(".GGUF")
    found = _QUANT_RE.findall(base.replace("-", "_").replace(".", "_")) or _QUANT_RE.findall(base)
    if not found:
        return ""
    quant = found[-1]
    return {"FP16": "F16", "FP32": "F32"}.get(quant, quant)


@dataclass
class GGUFEntry:
    """One model file as a user sees it: a single .gguf, or all parts of a split GGUF."""

    name: str  # display name: the file, or "stem-000NN-of-000NN" parts shown as "stem (N parts)"
    files: list[str] = field(default_factory=list)  # repo paths, in part order
    size: int = 0
    sha256: dict[str, str] = field(default_factory=dict)  # repo path -> LFS sha256 (when known)
    sizes: dict[str, int] = field(default_factory=dict)
    quant: str = ""
    complete: bool = True  # False when a split set is missing parts

    @property
    def parts(self) -> int:
        return len(self.files)

    def to_dict(self) -> dict:
        return {"name": self.name, "files": self.files, "size": self.size, "quant": self.quant,
                "parts": self.parts, "complete": self.complete, "sha256": self.sha256, "sizes": self.sizes}


def group_gguf_files(listing: list[tuple[str, int | None, str | None]]) -> tuple[list[GGUFEntry], list[str]]:
    """Group (path, size, sha256) of a repo's files into model entries; split parts become one entry.

    Returns the entries and the names refused as unsafe (they are never offered for download).
    """
    entries: dict[str, GGUFEntry] = {}
    unsafe: list[str] = []
    for path, size, sha in listing:
        if not path.lower().endswith(".gguf"):
            continue
        if not safe_relative(path):
            unsafe.append(path)
            continue
        split = SPLIT_RE.match(path)
        key = f"{split.group('stem')}.gguf" if split else path
        entry = entries.setdefault(key, GGUFEntry(name=key, quant=quant_from_name(path)))
        entry.files.append(path)
        entry.size += size or 0
        entry.sizes[path] = size or 0
        if sha:
            entry.sha256[path] = sha
        if split:
            entry.complete = False  # set below once parts are counted
    for entry in entries.values():
        entry.files.sort()
        first = SPLIT_RE.match(entry.files[0])
        if first:
            total = int(first.group("total"))
            entry.complete = len(entry.files) == total
    return sorted(entries.values(), key=lambda e: (e.name.lower())), unsafe


def human_size(n: int | float | None) -> str:
    if n is None:
        return "?"
    n = float(n)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(n) < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"
