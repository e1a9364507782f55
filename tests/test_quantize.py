"""Quantization, importance matrix, perplexity and KL divergence on the real starter model.

An F16 GGUF is made once per session from the starter model (dequantized with the ``gguf``
package); every llama.cpp job runs in the real child process with one thread.
"""

from __future__ import annotations

import json
import math
import threading
from pathlib import Path

import numpy as np
import pytest

from hearthlm.core.cli import main as hearth
from hearthlm.core.modelfile import read_gguf
from hearthlm.core.quantize import api, imatrix
from hearthlm.core.quantize.errors import QuantizeCancelled, QuantizeError
from hearthlm.core.quantized_models import load_results
from hearthlm.core.quantize.types import TYPES, find_type

pytestmark = pytest.mark.engine

CTX = 128
WINDOWS = 2


@pytest.fixture(scope="session")
def quantized(f16_model: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    folder = tmp_path_factory.mktemp("quantized")
    out = {}
    for name in ("Q8_0", "Q4_K_M", "Q2_K"):
        out[name] = api.quantize(f16_model, name, out=folder / f"smol-{name}.gguf", nthread=1, record=False)
    return out


@pytest.fixture(scope="session")
def calib_imatrix(f16_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("imatrix") / "smol.imatrix.gguf"
    api.compute_imatrix(f16_model, api.bundled_text("en.txt"), out, n_ctx=CTX, nthread=1)
    return out


def test_types_table_covers_every_llama_ftype() -> None:
    import llama_cpp

    offered = {t.ftype for t in TYPES}
    ftypes = {v for k, v in vars(llama_cpp).items() if k.startswith("LLAMA_FTYPE_") and k != "LLAMA_FTYPE_GUESSED"}
    assert ftypes <= offered
    assert find_type("q4_k_m").name == "Q4_K_M" and find_type("Q4_K").name == "Q4_K_M"
    assert {t.name for t in TYPES if t.needs_imatrix} >= {"IQ1_S", "IQ1_M", "IQ2_XXS", "IQ2_XS", "IQ2_S", "IQ3_XXS"}
    assert all(t.explanation and t.bpw > 0 for t in TYPES)


def test_outputs_load_and_answer(quantized: dict[str, dict]) -> None:
    from hearthlm.core.engine import Engine, GenerationParams, LoadParams

    for name, result in quantized.items():
        info = read_gguf(result["out"])
        assert info.quantization == name
        assert result["size_bytes"] == Path(result["out"]).stat().st_size
        with Engine() as eng:
            eng.load(LoadParams(result["out"], n_ctx=256, n_threads=1))
            answer = eng.chat([{"role": "user", "content": "What is the capital of France?"}],
                              GenerationParams(max_tokens=8, temperature=0.0))
        assert answer.text.strip(), name


def test_sizes_order_and_dry_run_within_one_percent(f16_model: Path, quantized: dict[str, dict]) -> None:
    sizes = [quantized[n]["size_bytes"] for n in ("Q8_0", "Q4_K_M", "Q2_K")]
    assert sizes == sorted(sizes, reverse=True) and sizes[0] < f16_model.stat().st_size
    for name, result in quantized.items():
        dry = api.quantize(f16_model, name, dry_run=True, nthread=1)
        assert abs(dry["predicted_bytes"] / result["size_bytes"] - 1) < 0.01, name


def test_perplexity_orders_types_and_kl_grows(f16_model: Path, quantized: dict[str, dict]) -> None:
    text = api.default_eval_text()
    rows = {}
    for name in ("Q8_0", "Q4_K_M", "Q2_K"):
        out = api.perplexity(quantized[name]["out"], text, n_ctx=CTX, nthread=1, base=f16_model, max_windows=WINDOWS)
        rows[name] = out["result"]
        base = out["base"]
    ppl = [rows[n]["ppl"] for n in ("Q8_0", "Q4_K_M", "Q2_K")]
    kl = [rows[n]["kl"] for n in ("Q8_0", "Q4_K_M", "Q2_K")]
    assert ppl[0] <= ppl[1] <= ppl[2], ppl
    assert 0 <= kl[0] < kl[1] < kl[2], kl
    assert abs(ppl[0] - base["ppl"]) / base["ppl"] < 0.05  # Q8_0 is nearly lossless
    assert all(r["n_scored"] == WINDOWS * (CTX - 1 - CTX // 2) for r in rows.values())


def test_perplexity_matches_llama_cpp_python(f16_model: Path) -> None:
    """An independent computation with llama-cpp-python's high-level Llama(logits_all=True)."""
    from llama_cpp import Llama

    text = api.default_eval_text().read_text(encoding="utf-8")
    ours = api.perplexity(f16_model, api.default_eval_text(), n_ctx=CTX, nthread=1, max_windows=WINDOWS)["result"]
    import llama_cpp

    llm = Llama(str(f16_model), n_ctx=CTX, logits_all=True, n_threads=1, verbose=False)
    adds_bos = bool(llama_cpp.llama_vocab_get_add_bos(llm._model.vocab))
    tokens = llm.tokenize(text.encode("utf-8"), add_bos=adds_bos)
    nll = []
    for w in range(WINDOWS):
        window = tokens[w * CTX:(w + 1) * CTX]
        if adds_bos:  # llama.cpp's perplexity starts every window with BOS
            window[0] = llm.token_bos()
        llm.reset()
        llm.eval(window)
        scores = np.asarray(llm.scores[:CTX], dtype=np.float64)
        for j in range(CTX // 2, CTX - 1):
            row = scores[j]
            top = row.max()
            nll.append(top + math.log(np.exp(row - top).sum()) - row[window[j + 1]])
    independent = math.exp(float(np.mean(nll)))
    assert abs(ours["ppl"] / independent - 1) < 0.005, (ours["ppl"], independent)


def test_imatrix_written_read_back_and_used(f16_model: Path, calib_imatrix: Path, quantized: dict[str, dict],
                                            tmp_path: Path) -> None:
    im = imatrix.load(calib_imatrix)
    assert len(im.entries) == 30 * 7  # every blk.* matrix of SmolLM2's 30 layers
    q = im.entries["blk.0.attn_q.weight"]
    assert q.sum2.shape == (1, 576) and q.counts[0] == im.chunk_count * CTX
    assert np.all(q.mean_squares() > 0)
    # the legacy .dat format carries the same numbers
    dat = imatrix.save(im, tmp_path / "smol.imatrix.dat")
    assert np.allclose(imatrix.load(dat).entries["blk.3.ffn_down.weight"].mean_squares(),
                       im.entries["blk.3.ffn_down.weight"].mean_squares(), rtol=1e-6)
    # used: the output records it and differs from the same type without it
    with_im = api.quantize(f16_model, "Q4_K_M", out=tmp_path / "q4-im.gguf", imatrix=calib_imatrix, nthread=1)
    meta = read_gguf(with_im["out"]).metadata
    assert meta["quantize.imatrix.entries_count"] == 210
    assert meta["quantize.imatrix.chunks_count"] == im.chunk_count
    assert Path(with_im["out"]).read_bytes() != Path(quantized["Q4_K_M"]["out"]).read_bytes()


def test_iq_types_need_an_imatrix(f16_model: Path, calib_imatrix: Path) -> None:
    with pytest.raises(QuantizeError, match="needs an importance matrix"):
        api.quantize(f16_model, "IQ2_XS", nthread=1)
    dry = api.quantize(f16_model, "IQ2_XS", imatrix=calib_imatrix, dry_run=True, nthread=1)
    assert dry["bpw"] < 6


def test_cancelled_job_leaves_no_file(f16_model: Path, tmp_path: Path) -> None:
    cancel = threading.Event()
    seen = []

    def on_event(ev: dict) -> None:
        seen.append(ev)
        if ev.get("stage") == "quantize" and ev["done"] >= 20:
            cancel.set()

    out = tmp_path / "cancelled.gguf"
    with pytest.raises(QuantizeCancelled):
        api.quantize(f16_model, "Q4_K_M", out=out, nthread=1, on_event=on_event, cancel=cancel)
    assert seen and list(tmp_path.iterdir()) == []
    assert all(r.get("out") != str(out) for r in load_results())


def test_cli_quantize_and_perplexity(f16_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "cli-q8.gguf"
    assert hearth(["quantize", str(f16_model), "--type", "q8_0", "-o", str(out), "--threads", "1", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["out"] == str(out) and out.exists()
    assert any(r["out"] == str(out) and r["type"] == "Q8_0" for r in load_results())
    assert hearth(["perplexity", str(out), "--ctx", str(CTX), "--max-windows", "2", "--threads", "1", "--json"]) == 0
    ppl = json.loads(capsys.readouterr().out)["result"]
    assert ppl["ppl"] > 1 and ppl["ppl_err"] > 0
    assert next(r for r in load_results() if r["out"] == str(out))["ppl"] == ppl["ppl"]
    assert hearth(["quantize", "--list-types", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == len(TYPES)
    assert hearth(["quantize", str(f16_model), "--type", "Q9_9"]) == 1
    assert "not a llama.cpp quantization type" in capsys.readouterr().err
    assert hearth(["perplexity", str(out), "--text", str(api.bundled_text("en.txt")), "--ctx", "4096"]) == 1
    assert "needs at least 8192" in capsys.readouterr().err
    # no --ctx: the bundled text is measured as it is (its window fitted), as the window does
    assert hearth(["perplexity", str(out), "--max-windows", "1", "--threads", "1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["result"]["n_ctx"] <= 512
    assert hearth(["perplexity", str(out), "--text", "/no/such/text.txt"]) == 1
    assert "No file at /no/such/text.txt." in capsys.readouterr().err


def test_cli_quantize_takes_a_library_name(f16_model: Path, capsys: pytest.CaptureFixture) -> None:
    assert hearth(["models", "import", str(f16_model), "--json"]) == 0
    capsys.readouterr()
    assert hearth(["quantize", f16_model.name, "--type", "q8_0", "--dry-run", "--threads", "1", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["source"] == str(f16_model) and result["predicted_bytes"] > 0
    # the type as llama-quantize takes it, after the source: the same result
    assert hearth(["quantize", f16_model.name, "Q8_0", "--dry-run", "--threads", "1", "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert {**again, "seconds": 0} == {**result, "seconds": 0}
    assert hearth(["quantize", f16_model.name, "Q8_0", "--type", "Q4_0", "--dry-run"]) == 2
    assert "two output types" in capsys.readouterr().err
    assert hearth(["quantize", f16_model.name]) == 2
    assert "hearth quantize SRC Q4_K_M" in capsys.readouterr().err


def test_fitted_context_for_short_texts() -> None:
    from hearthlm.core.quantize.perplexity import fitted_ctx

    assert fitted_ctx(660, 256) == 256 and fitted_ctx(500, 256) == 128 and fitted_ctx(100, 512) == 64


def test_child_stops_and_cleans_up_when_its_parent_dies(f16_model: Path, tmp_path: Path) -> None:
    """A window killed mid-quantization must not leave a child writing a half file forever."""
    import subprocess
    import sys
    import time

    out = tmp_path / "orphan.gguf"
    code = (
        "from hearthlm.core.quantize.child import run_job\n"
        "def on(ev):\n"
        "    if ev.get('done', 0) >= 10: print('HALFWAY', flush=True)\n"
        f"run_job({{'kind': 'quantize', 'src': {str(f16_model)!r}, 'out': {str(out)!r}, 'ftype': 15, 'nthread': 1}}, on)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)
    assert parent.stdout is not None
    for line in parent.stdout:
        if b"HALFWAY" in line:
            parent.kill()
            break
    parent.wait()
    deadline = time.monotonic() + 20
    while list(tmp_path.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert list(tmp_path.iterdir()) == []


def test_child_exits_at_once_after_answering(tmp_path: Path) -> None:
    """The child must end by itself, cleanly, as soon as its answer is written: Python's normal
    shutdown waited 1 s on the stdin lock held by the parent watcher and then aborted (exit -6)."""
    import time

    from hearthlm.core.quantize.child import discard, start_worker

    child = start_worker()
    try:
        job = {"kind": "quantize", "src": str(tmp_path / "missing.gguf"), "out": str(tmp_path / "o.gguf"),
               "ftype": 7, "nthread": 1}
        assert child.wait_ready(60)
        child.request("run", job=job)  # stdin stays open: the child must not wait for it to close
        answer = child.next_event(timeout=60)
        answered = time.monotonic()
        assert answer["ev"] == "error" and "missing.gguf" in answer["message"]
        assert child.proc is not None and child.proc.wait(timeout=10) == 0
        assert time.monotonic() - answered < 0.5
        child.reap()
        assert not any("Fatal Python error" in line for line in child.stderr_tail)
    finally:
        discard(child)


def test_quantize_child_loads_only_llama_cpp_bindings() -> None:
    """The quantize path needs llama.cpp's ctypes bindings, not numpy or the high-level Llama class
    (their import was most of a child's start); the package still completes on first use."""
    import subprocess
    import sys

    code = ("import sys\n"
            "from hearthlm.core.quantize import native, worker\n"
            "L = native.llama_bindings(); L.llama_backend_init()\n"
            "print(sorted(m for m in ('numpy', 'llama_cpp.llama', 'gguf') if m in sys.modules))\n"
            "import llama_cpp\n"
            "print(llama_cpp.Llama.__name__, llama_cpp.llama_backend_init is L.llama_backend_init)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.splitlines() == ["[]", "Llama True"]


def test_a_relative_output_is_recorded_absolute(f16_model: Path, tmp_path: Path, monkeypatch,
                                                capsys: pytest.CaptureFixture) -> None:
    """`hearth quantize SRC Q8_0 -o small.gguf` in one folder: the results and the library keep the
    file's absolute path, so `hearth models rm small.gguf` run elsewhere removes that file and no
    other (a relative path named a file in whatever folder the command ran in)."""
    work, elsewhere = tmp_path / "work", tmp_path / "elsewhere"
    work.mkdir()
    elsewhere.mkdir()
    (elsewhere / "small.gguf").write_text("the user's own file", encoding="utf-8")
    monkeypatch.chdir(work)
    assert hearth(["quantize", str(f16_model), "Q8_0", "-o", "small.gguf", "--threads", "1", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)["out"]
    assert out == str(work / "small.gguf")
    assert next(r for r in load_results() if r["out"].endswith("small.gguf"))["out"] == str(work / "small.gguf")
    monkeypatch.chdir(elsewhere)
    assert hearth(["models", "rm", "small.gguf", "--json"]) == 0
    assert not (work / "small.gguf").exists()
    assert (elsewhere / "small.gguf").read_text(encoding="utf-8") == "the user's own file"
