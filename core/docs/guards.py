"""Checks made before a parser sees a file: size, and what a zip container would expand to."""

from __future__ import annotations

import zipfile
from pathlib import Path

from . import messages as M
from .errors import DocumentError

MB = 1024 * 1024
MAX_FILE_BYTES = 200 * MB  # larger files are refused whole: a 500 MB "document" is almost never prose
MAX_UNZIPPED_BYTES = 256 * MB  # a DOCX/XLSX/PPTX/EPUB may expand to this much, no more
MAX_ZIP_RATIO = 200  # and no member may claim to compress better than this (bombs claim ~1000x)
# One document may make at most this many passages. The vector index (chromadb's HNSW) keeps every
# vector of a collection in memory, ~2.3 KB each: 80,000 passages (~25 MB of prose) keep indexing
# within 500 MB above the idle process; a 100 MB single-line file (310,000 passages) took +870 MB.
MAX_FILE_CHUNKS = 80_000
# Files at least this large are cut into passages once without embedding, to refuse an oversized
# one in seconds instead of after an hour of embedding (smaller ones cannot reach the limit: that
# would take passages of under 100 bytes).
COUNT_FIRST_BYTES = 8 * MB


def check_file(path: Path, max_bytes: int = MAX_FILE_BYTES) -> int:
    """The file's size, or a DocumentError that says why it cannot be read."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise DocumentError(M.NOT_FOUND, path=str(path)) from None
    except OSError as exc:
        raise DocumentError(M.CANNOT_READ, path=str(path), reason=exc.strerror or str(exc)) from None
    import stat

    if not stat.S_ISREG(st.st_mode):
        raise DocumentError(M.NOT_A_FILE, path=str(path))
    if st.st_size == 0:
        raise DocumentError(M.EMPTY_FILE, path=str(path))
    if st.st_size > max_bytes:
        raise DocumentError(M.TOO_LARGE, path=str(path), size=st.st_size // MB, limit=max_bytes // MB)
    return st.st_size


def check_zip(path: Path, kind: str, max_unzipped: int = MAX_UNZIPPED_BYTES) -> None:
    """Refuse a zip container that is damaged or would expand past the limit (a zip bomb).

    The sizes come from the central directory; zipfile itself stops reading a member at its
    declared size, so a member cannot expand past what is checked here.
    """
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise DocumentError(M.ZIP_CORRUPT, path=str(path), kind=kind) from None
    total = sum(i.file_size for i in infos)
    bomb = any(i.compress_size > 0 and i.file_size > 1 * MB and i.file_size / i.compress_size > MAX_ZIP_RATIO
               for i in infos)
    if total > max_unzipped or bomb:
        raise DocumentError(M.ZIP_BOMB, path=str(path), size=total // MB, limit=max_unzipped // MB)
