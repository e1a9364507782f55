"""The quantize child process: ``python -m hearthlm.core.quantize.worker``.

It says "ready" once llama.cpp is loaded, reads one job as a JSON line on stdin, sends events on
the protocol channel (core/child/side.py: nothing llama.cpp prints can corrupt them) and exits. Everything
heavy in the quantize area runs here: a ggml abort kills this process, not the app, and a cancel is
a kill. Files are written under a ``.part`` name and renamed when complete; the parent deletes the
``.part`` files of a job it killed.

Jobs: ``quantize`` (optionally computing an importance matrix first), ``imatrix``, ``perplexity``
(optionally with KL divergence against a base model).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any
from collections.abc import Callable

from ..child.side import checkpoint, protect_stdout, read_line
from ..errors import HearthError
from . import messages as M
from .errors import QuantizeError


def part_path(path: str | os.PathLike) -> Path:
    """Where a job writes ``path`` until it is complete (keeps the suffix llama.cpp looks at)."""
    path = Path(path)
    return path.with_name(path.stem + ".part" + path.suffix)


class Job:
    def __init__(self, send: Callable[..., None]):
        self.send = send

    def progress(self, stage: str, done: int, total: int, **extra: Any) -> bool:
        self.send(ev="progress", stage=stage, done=done, total=total, **extra)
        return True

    def run(self, job: dict) -> dict:
        kind = job["kind"]
        if kind == "quantize":
            return self.quantize(job)
        if kind == "imatrix":
            return self.imatrix(job)
        if kind == "perplexity":
            return self.perplexity(job)
        if kind == "sizes":
            return self.sizes(job)
        raise ValueError(f"unknown job {kind!r}")

    def _imatrix(self, job: dict) -> tuple[Any, str | None]:
        from . import imatrix

        if job.get("imatrix"):
            return imatrix.load(job["imatrix"]), job["imatrix"]
        from .perplexity import read_text

        text = read_text(job["calibration"])
        im = imatrix.collect(job["src"], text, n_ctx=int(job.get("imatrix_ctx", 512)),
                             n_threads=int(job.get("nthread", 0)), dataset=Path(job["calibration"]).name,
                             on_progress=lambda d, n: self.progress("imatrix", d, n))
        out = job.get("imatrix_out")
        if out:
            imatrix.save(im, part_path(out))
            os.replace(part_path(out), out)
        return im, out

    def imatrix(self, job: dict) -> dict:
        started = time.perf_counter()
        im, out = self._imatrix(job)
        return {"imatrix": out, "entries": len(im.entries), "chunks": im.chunk_count,
                "chunk_size": im.chunk_size, "seconds": time.perf_counter() - started}

    def quantize(self, job: dict) -> dict:
        from . import native

        started = time.perf_counter()
        im, im_path = (None, None)
        if job.get("imatrix") or job.get("calibration"):
            im, im_path = self._imatrix(job)
        data = im.quantize_data() if im is not None else None
        meta = None
        if im is not None:  # the keys llama-quantize writes, so other tools see an imatrix was used
            meta = {"quantize.imatrix.file": Path(im_path).name if im_path else "(computed)",
                    "quantize.imatrix.dataset": im.datasets[-1] if im.datasets else "",
                    "quantize.imatrix.entries_count": len(im.entries),
                    "quantize.imatrix.chunks_count": im.chunk_count}
        src, out, ftype = job["src"], job["out"], int(job["ftype"])
        nthread, requant = int(job.get("nthread", 0)), bool(job.get("allow_requantize"))
        if job.get("dry_run"):
            log = native.quantize_file(src, os.devnull, ftype, nthread=nthread, allow_requantize=requant,
                                       dry_run=True, imatrix=data, metadata=meta,
                                       on_tensor=lambda i, n, p: self.progress("plan", i, n))
            from ..modelfile import read_gguf  # only a dry run needs the header (gguf's import costs)

            info = read_gguf(src)
            size = native.predicted_file_size(info.data_offset, info.alignment, log.tensors)
            n_params = native.parameter_count(log.tensors)
            return {"dry_run": True, "predicted_bytes": size, "n_params": n_params,
                    "bpw": 8.0 * size / max(n_params, 1), "tensors": len(log.tensors),
                    "imatrix": im_path, "seconds": time.perf_counter() - started}
        tmp = part_path(out)
        q_started = time.perf_counter()
        log = native.quantize_file(src, str(tmp), ftype, nthread=nthread, allow_requantize=requant, imatrix=data,
                                   metadata=meta,
                                   on_tensor=lambda i, n, p: self.progress("quantize", i, n, tensor=p.name))
        quantize_s = time.perf_counter() - q_started
        os.replace(tmp, out)
        size = os.path.getsize(out)
        n_params = native.parameter_count(log.tensors)  # from llama.cpp's own per-tensor log
        return {"dry_run": False, "out": out, "size_bytes": size, "n_params": n_params,
                "bpw": 8.0 * size / max(n_params, 1), "imatrix": im_path,
                "quantize_seconds": quantize_s, "seconds": time.perf_counter() - started}

    def sizes(self, job: dict) -> dict:
        """Dry-run sizes of one source for many types at once (one process, one header read)."""
        from ..modelfile import read_gguf
        from . import native

        info = read_gguf(job["src"])
        out: dict[str, int | None] = {}
        names = job["types"]
        for i, (name, ftype) in enumerate(names):
            try:
                log = native.quantize_file(job["src"], os.devnull, int(ftype), nthread=int(job.get("nthread", 0)),
                                           allow_requantize=True, dry_run=True)
                out[name] = native.predicted_file_size(info.data_offset, info.alignment, log.tensors)
            except QuantizeError:  # a type this model cannot take (e.g. MXFP4_MOE without experts)
                out[name] = None
            self.progress("sizes", i + 1, len(names), type=name)
        return {"sizes": out}

    def perplexity(self, job: dict) -> dict:
        from . import perplexity as P

        text = P.read_text(job["text"]) if job.get("text") else job["text_inline"]
        n_ctx, n_threads = int(job.get("n_ctx", 512)), int(job.get("nthread", 0))
        max_windows = int(job.get("max_windows", 0))
        fit = bool(job.get("fit_ctx"))
        if job.get("base"):
            cache = Path(job["cache_dir"]) if job.get("cache_dir") else None
            base, result = P.kl_divergence(job["base"], job["model"], text, cache_dir=cache, fit_ctx=fit,
                                           on_progress=lambda d, n: self.progress("perplexity", d, n),
                                           n_ctx=n_ctx, n_threads=n_threads, max_windows=max_windows)
            return {"result": result.to_json(), "base": base.to_json()}
        result, _ = P.evaluate(job["model"], text, fit_ctx=fit, on_progress=lambda d, n: self.progress("perplexity", d, n),
                               n_ctx=n_ctx, n_threads=n_threads, max_windows=max_windows)
        return {"result": result.to_json()}


def _exit_with_parent(get_job: Callable[[], dict]) -> None:
    """The parent keeps our stdin open while it waits; end of file means it is gone: stop, and
    leave no half-written file behind. Reads the raw descriptor: a daemon thread blocked inside
    ``sys.stdin.buffer`` holds its lock, and Python's shutdown then waits 1 s for it and aborts."""
    while os.read(0, 1 << 16):
        pass
    job = get_job()
    for key in ("out", "imatrix_out"):
        if job.get(key):
            try:
                part_path(job[key]).unlink()
            except OSError:
                pass
    os._exit(3)


def main() -> None:
    channel = protect_stdout()
    send = channel.send
    from .native import llama_bindings

    llama_bindings()  # loaded while the parent still checks the request (it starts us first)
    channel.ready()
    line = read_line(0)
    job: dict = {}
    threading.Thread(target=_exit_with_parent, args=(lambda: job,), daemon=True, name="parent-watch").start()
    try:
        job.update(json.loads(line)["job"])
        checkpoint("request")
        send(ev="result", data=Job(send).run(job))
    except HearthError as exc:
        send(ev="error", message=str(exc), msg=exc.msg.to_json())
    except Exception as exc:  # report it as one sentence; the traceback goes to stderr
        traceback.print_exc()
        err = QuantizeError(M.QUANTIZE_FAILED, name=str(job.get("src") or job.get("model") or "?"), reason=str(exc))
        send(ev="error", message=str(err), msg=err.msg.to_json())
    # Everything is written and renamed; an ordinary interpreter shutdown would only tear down
    # llama.cpp and numpy module by module while the parent waits for us.
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
