"""What the CLI and the wizard call: checked requests, run in the child process, results recorded.

Each function validates in this process (clear one-sentence errors before any work), runs the job
in a child (child.py) with ``on_event`` progress and a ``cancel`` event, and returns plain dicts.
Finished quantizations are recorded in ``<data>/models/quantized/results.json`` (results.py).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any
from collections.abc import Callable

from ..modelfile import read_gguf
from ..quantized_models import quantized_dir
from . import messages as M
from .child import discard, run_job, start_worker
from .errors import QuantizeError
from .types import UNQUANTIZED_FTYPES, QuantType, find_type

if TYPE_CHECKING:
    from ..messages import Msg

Progress = Callable[[dict], None] | None


def default_output(src: Path, qtype: QuantType) -> Path:
    stem = src.stem
    for suffix in ("-f16", ".f16", "-F16", ".F16", "-bf16", "-BF16", "-f32", "-F32"):
        stem = stem.removesuffix(suffix)
    return quantized_dir() / f"{stem}-{qtype.name}.gguf"


def resolve_type(name: str) -> QuantType:
    qtype = find_type(name)
    if qtype is None:
        raise QuantizeError(M.UNKNOWN_TYPE, type=name)
    return qtype


def requantize_warning(src: str | os.PathLike) -> Msg | None:
    from ..messages import msg

    path = Path(src)
    info = read_gguf(path)
    ftype = info.metadata.get("general.file_type")
    if isinstance(ftype, int) and ftype not in UNQUANTIZED_FTYPES:
        return msg(M.REQUANTIZE_WARNING, name=path.name, ftype=info.quantization)
    return None


def quantize(src: str | os.PathLike, type_name: str, *, out: str | os.PathLike | None = None,
             imatrix: str | os.PathLike | None = None, calibration: str | os.PathLike | None = None,
             dry_run: bool = False, allow_requantize: bool = False, nthread: int = 0,
             imatrix_ctx: int = 512, record: bool = True,
             on_event: Progress = None, cancel: threading.Event | None = None) -> dict:
    proc = start_worker()  # loads llama.cpp while the request is checked here
    try:
        job, qtype, src, warning = _quantize_job(src, type_name, out, imatrix, calibration, dry_run,
                                                 allow_requantize, nthread, imatrix_ctx)
    except BaseException:
        discard(proc)
        raise
    result = run_job(job, on_event, cancel, proc=proc)
    result.update(type=qtype.name, source=str(src), warning=str(warning) if warning else None)
    if record and not dry_run:
        from ..quantized_models import record_quantization

        record_quantization(result)
    return result


def _quantize_job(src: str | os.PathLike, type_name: str, out: str | os.PathLike | None,
                  imatrix: str | os.PathLike | None, calibration: str | os.PathLike | None, dry_run: bool,
                  allow_requantize: bool, nthread: int,
                  imatrix_ctx: int) -> tuple[dict[str, Any], QuantType, Path, Msg | None]:
    """The checked job for the child, or a QuantizeError saying what is wrong with the request."""
    qtype = resolve_type(type_name)
    src = Path(src).expanduser().absolute()  # recorded in the results: a relative path would mean another file later
    if not src.is_file():
        raise QuantizeError(M.SOURCE_MISSING, path=str(src))
    warning = requantize_warning(src)  # a file that is not a GGUF raises ModelFileError here
    if warning is not None and not allow_requantize and not dry_run:
        raise QuantizeError(warning)
    if qtype.needs_imatrix and not (imatrix or calibration):
        raise QuantizeError(M.NEEDS_IMATRIX, type=qtype.name)
    if imatrix and not Path(imatrix).is_file():
        raise QuantizeError(M.TEXT_MISSING, path=str(imatrix))
    if calibration and not Path(calibration).is_file():
        raise QuantizeError(M.TEXT_MISSING, path=str(calibration))
    # absolute: the results file and the library keep it, and `hearth models rm NAME` run in another
    # folder deleted an unrelated file there through a relative one
    out = Path(out).expanduser().absolute() if out else default_output(src, qtype)
    if not dry_run and out.exists():
        raise QuantizeError(M.OUTPUT_EXISTS, path=str(out))
    job = {"kind": "quantize", "src": str(src), "out": str(out), "ftype": qtype.ftype, "nthread": nthread,
           "allow_requantize": bool(allow_requantize or warning is not None and dry_run), "dry_run": dry_run,
           "imatrix_ctx": imatrix_ctx}
    if imatrix:
        job["imatrix"] = str(imatrix)
    elif calibration:
        job["calibration"] = str(calibration)
        if not dry_run:
            job["imatrix_out"] = str(out.with_name(out.stem + ".imatrix.gguf"))
    out.parent.mkdir(parents=True, exist_ok=True)
    return job, qtype, src, warning


def predict_sizes(src: str | os.PathLike, types: list[QuantType] | None = None, *, nthread: int = 0,
                  on_event: Progress = None, cancel: threading.Event | None = None) -> dict[str, int | None]:
    """Output size of ``src`` in every type (llama.cpp dry runs); None where the type does not apply."""
    from .types import TYPES

    if not Path(src).is_file():
        raise QuantizeError(M.SOURCE_MISSING, path=str(src))
    job = {"kind": "sizes", "src": str(src), "nthread": nthread,
           "types": [[t.name, t.ftype] for t in (types or TYPES)]}
    return run_job(job, on_event, cancel)["sizes"]


def compute_imatrix(model: str | os.PathLike, calibration: str | os.PathLike, out: str | os.PathLike, *,
                    n_ctx: int = 512, nthread: int = 0, on_event: Progress = None,
                    cancel: threading.Event | None = None) -> dict:
    for path in (model, calibration):
        if not Path(path).is_file():
            raise QuantizeError(M.SOURCE_MISSING, path=str(path))
    job = {"kind": "imatrix", "src": str(model), "calibration": str(calibration), "imatrix_out": str(out),
           "imatrix_ctx": n_ctx, "nthread": nthread}
    return run_job(job, on_event, cancel)


def perplexity(model: str | os.PathLike, text: str | os.PathLike, *, n_ctx: int = 512, nthread: int = 0,
               base: str | os.PathLike | None = None, max_windows: int = 0, fit_ctx: bool = False,
               on_event: Progress = None, cancel: threading.Event | None = None) -> dict:
    """{"result": PerplexityResult json, "base": ... when ``base`` is given (with KL in result)}.
    ``fit_ctx``: a text too short for ``n_ctx`` uses a smaller window instead of failing."""
    for path in (model,) + ((base,) if base else ()):
        if not Path(path).is_file():
            raise QuantizeError(M.SOURCE_MISSING, path=str(path))
    if not Path(text).is_file():
        raise QuantizeError(M.TEXT_MISSING, path=str(text))
    from ..paths import cache_dir

    job = {"kind": "perplexity", "model": str(model), "text": str(text), "n_ctx": n_ctx, "nthread": nthread,
           "max_windows": max_windows, "cache_dir": str(cache_dir() / "kl-base"), "fit_ctx": fit_ctx}
    if base:
        job["base"] = str(base)
    return run_job(job, on_event, cancel)


def bundled_text(name: str) -> Path:
    """A text shipped in resources/calibration (``en.txt``, ``zh.txt``, ``eval_en.txt``)."""
    from importlib.resources import files

    return Path(str(files("hearthlm.resources") / "calibration" / name))


def default_calibration() -> Path:
    """The bundled calibration text, English then Chinese, as one file (in the cache folder)."""
    from ..paths import cache_dir

    text = "\n\n".join(bundled_text(n).read_text(encoding="utf-8") for n in ("en.txt", "zh.txt"))
    path = cache_dir() / "calibration-default.txt"
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path


def default_eval_text() -> Path:
    return bundled_text("eval_en.txt")
