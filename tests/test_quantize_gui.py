"""The quantize wizard with the real child process on the starter model's F16 (pytest-qt, offscreen)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hearthlm.core.quantized_models import load_results
from hearthlm.core.quantize.types import TYPES
from hearthlm.gui.quantize_page import QuantizePage

pytestmark = pytest.mark.engine


def _row(name: str) -> int:
    return next(i for i, t in enumerate(TYPES) if t.name == name)


@pytest.fixture
def page(qtbot) -> QuantizePage:
    p = QuantizePage()
    p.threads = 1
    qtbot.addWidget(p)
    p.show()
    yield p
    p.cancel()
    qtbot.waitUntil(lambda: p._job is None, timeout=30000)


def test_types_needing_an_imatrix_are_offered_only_with_one(page: QuantizePage) -> None:
    iq = page.types.item(_row("IQ2_XS"), 0)
    assert not iq.flags() & iq.flags().ItemIsSelectable
    page.im_default.setChecked(True)
    assert iq.flags() & iq.flags().ItemIsSelectable
    page.im_none.setChecked(True)
    assert not iq.flags() & iq.flags().ItemIsSelectable
    assert page.types.item(_row("Q4_K_M"), 3).text()  # every type explained


def test_predicts_size_quantizes_measures_and_keeps_results(page: QuantizePage, qtbot, f16_model: Path,
                                                            hearth_home: Path) -> None:
    page.set_source(str(f16_model))
    qtbot.waitUntil(lambda: page.types.item(_row("Q4_K_M"), 2).text() != "–", timeout=60000)
    assert "MiB" in page.types.item(_row("Q4_K_M"), 2).text()
    qtbot.waitUntil(lambda: page._job is None, timeout=30000)
    assert all(page.types.item(r, 2).text() != "–" for r in range(page.types.rowCount()))  # every type
    page.types.selectRow(_row("Q8_0"))
    assert "Q8_0" in page.prediction.text() and "MiB" in page.prediction.text()
    page.start()
    qtbot.waitUntil(lambda: page._job is None, timeout=180000)
    assert page.results.rowCount() == 1, page.status.text()
    cells = [page.results.item(0, c).text() for c in range(6)]
    assert cells[0] == "Q8_0" and "±" in cells[3] and cells[5] != "–"
    (record,) = load_results()
    assert record["type"] == "Q8_0" and record["kl"] >= 0 and Path(record["out"]).exists()
    predicted = float(page.types.item(_row("Q8_0"), 2).text().split()[0].replace(",", ""))
    assert abs(predicted * 2**20 / record["size_bytes"] - 1) < 0.01
    # results are kept: a new page shows them again
    again = QuantizePage()
    qtbot.addWidget(again)
    again.set_source(str(f16_model))
    qtbot.waitUntil(lambda: again.results.rowCount() == 1, timeout=30000)
    again.cancel()
    qtbot.waitUntil(lambda: again._job is None, timeout=30000)


def test_cancel_leaves_no_file(page: QuantizePage, qtbot, f16_model: Path, hearth_home: Path) -> None:
    page.source.setText(str(f16_model))  # no dry run: straight to the job
    page.measure.setChecked(False)
    page.types.selectRow(_row("Q4_K_M"))
    qtbot.waitUntil(lambda: page._job is None, timeout=30000)
    page.start()
    qtbot.waitUntil(lambda: page.progress.value() > 5, timeout=60000)
    page.cancel_button.click()
    qtbot.waitUntil(lambda: page._job is None, timeout=30000)
    assert "Cancelled" in page.status.text()
    folder = hearth_home / "data" / "models" / "quantized"
    assert not list(folder.glob("*.gguf")) and load_results() == []


def test_missing_imatrix_file_is_said_not_run(page: QuantizePage, qtbot, f16_model: Path) -> None:
    page.source.setText(str(f16_model))
    page.im_file.setChecked(True)
    page.types.selectRow(_row("IQ2_XS"))
    page.start()
    assert page._job is None and "first" in page.status.text()


def test_a_second_source_replaces_the_first_s_prediction_without_a_wait(page: QuantizePage, qtbot, f16_model: Path,
                                                                        tmp_path: Path) -> None:
    """Choosing another source while the sizes of the first are being predicted cancels that
    prediction (its result, if it comes, is dropped) and predicts the new one's; the window keeps
    running meanwhile (it used to wait for the second job when the first one ended)."""
    import shutil
    import time

    from PySide6.QtCore import QTimer

    other = tmp_path / "other-f16.gguf"
    shutil.copy(f16_model, other)
    shown: list[str] = []
    page._sizes_done = lambda sizes: (shown.append(page.source.text()), QuantizePage._sizes_done(page, sizes))
    gaps, last = [], [time.monotonic()]

    def tick() -> None:
        now = time.monotonic()
        gaps.append(now - last[0])
        last[0] = now
    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(20)
    page.set_source(str(f16_model))
    qtbot.waitUntil(lambda: page._job is not None, timeout=60000)  # its header read, its sizes being predicted
    page.set_source(str(other))
    qtbot.waitUntil(lambda: bool(shown) and page._job is None, timeout=60000)
    timer.stop()
    assert shown == [str(other)]  # only the current source's sizes were shown
    assert "MiB" in page.types.item(_row("Q4_K_M"), 2).text()
    assert max(gaps) < 1.0, f"the window waited {max(gaps):.2f} s"
    assert page.run_button.isEnabled() and not page.cancel_button.isEnabled()


def test_the_source_s_header_is_read_off_the_ui_thread_and_its_warning_shown(page: QuantizePage, qtbot,
                                                                           starter_model: Path, tmp_path: Path,
                                                                           monkeypatch) -> None:
    """A quantized source gets the requantize warning, a file that is not a GGUF its sentence; the
    header is read on a job (a large vocabulary or a slow disk never holds the window)."""
    import threading

    from hearthlm.core.quantize import api

    ui_thread, read_on = threading.get_ident(), []
    real = api.requantize_warning

    def warning(path):
        read_on.append(threading.get_ident())
        return real(path)
    monkeypatch.setattr(api, "requantize_warning", warning)
    page.set_source(str(starter_model))
    qtbot.waitUntil(lambda: "already quantized" in page.requant_note.text(), timeout=30000)
    assert read_on and ui_thread not in read_on
    page.cancel()
    qtbot.waitUntil(lambda: page._job is None, timeout=30000)
    notes = tmp_path / "notes.gguf"
    notes.write_text("not a model", encoding="utf-8")
    page.set_source(str(notes))
    qtbot.waitUntil(lambda: "not a GGUF" in page.requant_note.text(), timeout=30000)
