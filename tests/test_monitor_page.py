"""The Monitor page and the offload controls in the real window (offscreen), and the load guard's
refusal reaching the user as a sentence."""

from __future__ import annotations

import pytest

from hearthlm.core.hardware.gpu_readers import GpuSample
from hearthlm.core.hardware.monitor import Sampler
from hearthlm.core.hardware.offload_store import OffloadChoice, get_choice, set_choice
from hearthlm.core.settings import Settings
from hearthlm.gui.main_window import MainWindow
from hearthlm.gui.monitor_page import MonitorPage
from hearthlm.gui.offload_controls import OffloadControls

LOAD_TIMEOUT_MS = 60_000


def test_monitor_page_plots_samples_from_its_thread(qtbot) -> None:
    gpu = GpuSample(0, "Fake GPU", "nvidia", 8 << 30, 3 << 30, utilization_pct=40.0, temperature_c=50.0)
    page = MonitorPage(sampler=Sampler(interval=0.1, read_gpus_fn=lambda: [gpu]))
    qtbot.addWidget(page)
    page.resize(900, 600)
    page.show()
    page.set_engine_pid(__import__("os").getpid())
    page.report_tokens_per_s(33.0)
    # the summary shows the latest sample the UI thread has drawn, which may be the sampler's first
    # (taken before the pid and the rate were set): wait for one taken after them
    qtbot.waitUntil(lambda: len(page.sampler.samples()) >= 3 and "Fake GPU" in page.summary.text()
                    and "tokens/s" in page.summary.text(), timeout=10_000)
    assert set(page.memory_plot.series) >= {"RAM", "Fake GPU"}
    assert page.engine_plot.series["engine"] and "33.0 tokens/s" in page.summary.text()
    assert page.tps_plot.series["tokens/s"][-1][1] == 33.0
    page.grab().save(str(__import__("pathlib").Path(__import__("tempfile").gettempdir()) / "hearth-monitor-test.png"))
    page.sampler.stop()


def test_the_page_reads_the_model_s_layers_on_a_job_and_the_latest_model_wins(qtbot, starter_model, gemma_model,
                                                                               monkeypatch) -> None:
    """show_model reads the header (every vocabulary string) off the UI thread; a model chosen
    while another's header is read is the one shown."""
    import threading

    from hearthlm.core import modelfile

    ui_thread, read_on = threading.get_ident(), []
    real = modelfile.read_gguf

    def read(path, *args, **kwargs):
        read_on.append(threading.get_ident())
        return real(path, *args, **kwargs)
    monkeypatch.setattr(modelfile, "read_gguf", read)
    page = MonitorPage(sampler=Sampler(interval=60))
    qtbot.addWidget(page)
    page.show_model(str(gemma_model))
    page.show_model(str(starter_model))  # before Gemma's header is read
    qtbot.waitUntil(lambda: page.offload.model == str(starter_model), timeout=10_000)
    qtbot.wait(300)  # Gemma's answer, whenever it comes, does not replace it
    assert page.offload.model == str(starter_model) and page.offload.layers.maximum() == 31
    assert read_on and ui_thread not in read_on
    page.show_model(str(starter_model.parent / "missing.gguf"))
    qtbot.waitUntil(lambda: page.offload.model is None, timeout=10_000)
    page.sampler.stop()


def test_offload_controls_remember_per_model_and_explain_a_cpu_build(qtbot, starter_model, gemma_model) -> None:
    controls = OffloadControls()
    qtbot.addWidget(controls)
    controls.set_gpu_offload(False)
    assert not controls.layers.isEnabled() and not controls.auto.isEnabled()
    assert "packaging/install.py --build" in controls.note.text()
    controls.set_model(str(starter_model), 30)
    assert controls.layers.maximum() == 31
    controls.kv.setCurrentIndex(controls.kv.findData("q8_0"))
    assert get_choice(starter_model).kv_type == "q8_0"
    # "Off" is not offered with a quantized V cache
    assert not controls.flash.model().item(controls.flash.findData("off")).isEnabled()
    controls.set_model(str(gemma_model), 18)
    assert controls.kv.currentData() == "f16"  # the other model keeps its own choice
    controls.set_gpu_offload(True)
    controls.auto.setChecked(True)
    assert get_choice(gemma_model).gpu_layers == "auto" and not controls.layers.isEnabled()
    controls.set_model(str(starter_model), 30)
    assert controls.kv.currentData() == "q8_0" and not controls.auto.isChecked()


@pytest.mark.engine
def test_window_has_the_monitor_and_the_guard_refuses_with_numbers(qtbot, starter_model) -> None:
    # A context far beyond this machine's memory: the guard must refuse before the engine sees it.
    settings = Settings(n_ctx=4_000_000, n_threads=1)
    set_choice(starter_model, OffloadChoice(gpu_layers=0, kv_type="q8_0"))
    win = MainWindow(settings, model=str(starter_model))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.chat.banner_row.isVisible(), timeout=LOAD_TIMEOUT_MS)
    text = win.chat.banner.text()
    assert "4,000,000 tokens" in text and "is free" in text and "Try a context of" in text
    assert win.chat.session.model_info is None and win.chat.session.engine.engine is None  # the engine never started
    pages = [win.pages.tabText(i) for i in range(win.pages.count())]
    assert "Monitor" in pages
    # With a sane context the same window loads, with the model's remembered KV cache type.
    win.settings.n_ctx = 1024
    with qtbot.waitSignal(win.chat.events.loaded, timeout=LOAD_TIMEOUT_MS):
        win.load_model(str(starter_model))
    assert win.chat.session.engine.keeper.params.type_k == "q8_0"
    win.close()
