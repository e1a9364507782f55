"""The models Hearth quantized: their folder, ``<data>/models/quantized``, and the record of them,
``results.json`` there.

One entry per output file: type, source, size, bits per weight, importance matrix, and (once
measured) PPL ± error, ΔPPL and KL divergence vs the source on the evaluation text. The wizard's
table and plot read it back; the model library (core/hub) lists these files from it, so this lives
outside core/quantize, which uses the library to resolve model names.
"""

from __future__ import annotations

import contextlib
import threading
import time
from pathlib import Path
from typing import Any
from collections.abc import Iterator

from .jsonfile import read_json, write_json_atomic
from .paths import data_dir

_lock = threading.Lock()


@contextlib.contextmanager
def _locked() -> Iterator[None]:
    """Hold results.json for a read-modify-write: the window and ``hearth quantize`` (other
    processes) both record here, and without a file lock one would overwrite the other's entry.
    The lock is fcntl/msvcrt (filelock): the kernel drops it if a holder dies, and holders keep it
    for milliseconds, so waiting for it cannot hang."""
    from filelock import FileLock

    path = results_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with _lock, FileLock(str(path.with_name(path.name + ".lock"))):
        yield


def quantized_dir() -> Path:
    path = data_dir() / "models" / "quantized"
    path.mkdir(parents=True, exist_ok=True)
    return path


def results_path() -> Path:
    return quantized_dir() / "results.json"


def load_results() -> list[dict[str, Any]]:
    data = read_json(results_path(), {})
    return [r for r in data.get("results", []) if isinstance(r, dict)] if isinstance(data, dict) else []


def _save(results: list[dict[str, Any]]) -> None:
    # temp file + os.replace: a reader (the window's table) never sees a half-written file
    write_json_atomic(results_path(), {"version": 1, "results": results}, indent=2)


def _update(out: str, fields: dict[str, Any]) -> dict[str, Any]:
    with _locked():
        results = load_results()
        entry = next((r for r in results if r.get("out") == out), None)
        if entry is None:
            entry = {"out": out}
            results.append(entry)
        entry.update(fields)
        _save(results)
        return entry


def record_quantization(result: dict[str, Any]) -> dict[str, Any]:
    keep = ("type", "source", "size_bytes", "bpw", "n_params", "imatrix", "quantize_seconds")
    return _update(result["out"], {k: result.get(k) for k in keep} | {"created": time.time()})


def record_quality(out: str, result: dict[str, Any], base: dict[str, Any] | None) -> dict[str, Any]:
    fields: dict[str, Any] = {"ppl": result["ppl"], "ppl_err": result["ppl_err"], "n_ctx": result["n_ctx"],
                              "kl": result.get("kl"), "kl_err": result.get("kl_err"),
                              "same_top": result.get("same_top")}
    if base is not None:
        fields.update(source_ppl=base["ppl"], delta_ppl=result["ppl"] - base["ppl"])
    return _update(out, fields)


def results_for(source: str | None = None) -> list[dict[str, Any]]:
    rows = [r for r in load_results() if source is None or r.get("source") == source]
    return [r for r in rows if Path(r["out"]).exists()]


def forget(out: str) -> None:
    with _locked():
        _save([r for r in load_results() if r.get("out") != out])
