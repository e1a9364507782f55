"""The hub's fit verdict from the memory estimate, with the GGUF header read over HTTP Range
requests from a hub on 127.0.0.1 (real GGUFs; the starter model's header is ~1.5 MB)."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from hearthlm.core.errors import ModelFileError
from hearthlm.core.hardware.estimate import Device, estimate
from hearthlm.core.hub import remote_header as R
from hearthlm.core.hub.api import repo_files
from hearthlm.core.hub.fit import GiB, estimate_verdict
from hearthlm.core.hub.names import GGUFEntry
from hearthlm.core.modelfile import HeaderIncomplete, parse_header, read_gguf

CPU_ONLY = [Device("CPU", "cpu", 8 * GiB, 16 * GiB)]
SMALL_GPU = [Device("CPU", "cpu", 8 * GiB, 16 * GiB), Device("Test GPU", "gpu", 600 * 1024 ** 2, 1 * GiB)]


def _entry(name: str, path: Path) -> GGUFEntry:
    size = path.stat().st_size
    return GGUFEntry(name=name, files=[name], size=size, sizes={name: size})


def _ranges(hub, fragment: str) -> list[str]:
    return [h.get("range", "") for m, p, h in hub.requests if m == "GET" and fragment in p and "/resolve/" in p]


def test_prefix_parser_agrees_with_file_reader_and_asks_for_more(starter_model):
    local = read_gguf(starter_model)
    data = starter_model.read_bytes()[: local.header_bytes]
    with pytest.raises(HeaderIncomplete) as more:
        parse_header(data[:4096], local.file_size, starter_model.name)
    assert 4096 < more.value.needed <= local.header_bytes
    remote = parse_header(data, local.file_size, starter_model.name)
    assert remote.metadata.keys() == local.metadata.keys()
    assert remote.tensors == local.tensors and remote.data_offset == local.data_offset
    # the data offsets are still checked against the stated size: a smaller file is truncated
    with pytest.raises(ModelFileError, match="truncated|ends|missing"):
        parse_header(data, local.header_bytes + 1000, starter_model.name)


@pytest.mark.parametrize("devices", [CPU_ONLY, SMALL_GPU], ids=["cpu", "gpu"])
def test_remote_estimate_equals_local_estimate(hub, starter_model, devices):
    hub.add_repo("acme/starter-GGUF", {"starter-Q4_1.gguf": starter_model})
    entry = _entry("starter-Q4_1.gguf", starter_model)
    fit = R.remote_fit("acme/starter-GGUF", entry, devices, n_ctx=2048)
    local = estimate_verdict(starter_model, devices, n_ctx=2048)
    assert fit.source == "estimate" and fit.reason is None
    assert fit.to_dict() == local.to_dict()
    remote_est = estimate(R.entry_header("acme/starter-GGUF", entry), n_ctx=2048, gpu_layers="auto", devices=devices)
    local_est = estimate(starter_model, n_ctx=2048, gpu_layers="auto", devices=devices)
    assert [d.to_dict() for d in remote_est.devices] == [d.to_dict() for d in local_est.devices]
    if len(devices) > 1:  # 600 MiB free is not enough for every layer with its margins
        assert fit.verdict in ("partial", "cpu") and fit.gpu_layers < fit.max_layers
        assert "Test GPU" in str(fit.detail)
    else:
        assert fit.verdict == "fits" and "2,048 tokens" in str(fit.detail)
    # the ~1.5 MB header took several bounded range requests, never the whole file
    ranges = _ranges(hub, "starter-Q4_1.gguf")
    assert len(ranges) >= 2 and all(r.startswith("bytes=") for r in ranges)
    last_end = max(int(r.split("-")[1]) for r in ranges)
    assert last_end < R.MAX_HEADER_BYTES and last_end < starter_model.stat().st_size // 4


def test_header_larger_than_first_fetch_and_cache_on_second_call(hub, model_files):
    listing = repo_files("acme/tiny-GGUF")
    entry = listing.find("tiny-chat-Q8_0.gguf")
    info = R.entry_header("acme/tiny-GGUF", entry, listing.revision, first_bytes=64)
    assert info.tensors == read_gguf(model_files["single"]).tensors
    assert len(_ranges(hub, "tiny-chat-Q8_0.gguf")) >= 3  # 64 bytes, then doubling
    before = len(hub.requests)
    again = R.remote_fit("acme/tiny-GGUF", entry, CPU_ONLY, revision=listing.revision)
    assert again.source == "estimate"
    assert len(hub.requests) == before, "the second look came from the cache"


def test_split_gguf_sums_every_parts_tensors(hub, model_files):
    listing = repo_files("acme/tiny-GGUF")
    entry = next(e for e in listing.entries if e.parts == 2)
    info = R.entry_header("acme/tiny-GGUF", entry, listing.revision)
    local = read_gguf(model_files["split1"]).tensors + read_gguf(model_files["split2"]).tensors
    assert [t.name for t in info.tensors] == [t.name for t in local]
    assert info.tensor_bytes == sum(t.n_bytes for t in local)
    assert R.remote_fit("acme/tiny-GGUF", entry, CPU_ONLY, revision=listing.revision).source == "estimate"


def _hostile_headers(good: bytes) -> dict[str, bytes]:
    n_kv_at = 16
    huge_string = good[:24] + struct.pack("<Q", 1 << 60) + good[32:]  # the first key's length
    return {
        "truncated-Q8_0.gguf": good[:200],  # the hub says 200 bytes: the header ends inside it
        "not-gguf-Q8_0.gguf": b"<html>login</html>" * 50,
        "huge-count-Q8_0.gguf": good[:n_kv_at] + struct.pack("<Q", 1 << 62) + good[n_kv_at + 8:],
        "huge-string-Q8_0.gguf": huge_string,
    }


def test_hostile_or_truncated_headers_fall_back_to_the_size_guess(hub, model_files):
    good = model_files["single"].read_bytes()
    files = _hostile_headers(good)
    hub.add_repo("evil/headers-GGUF", files)
    for name, content in files.items():
        entry = GGUFEntry(name=name, files=[name], size=len(content), sizes={name: len(content)})
        fit = R.remote_fit("evil/headers-GGUF", entry, CPU_ONLY)
        assert fit.source == "size" and fit.reason is not None, name
        assert "a guess from the file size" in str(fit.detail), name
        assert fit.verdict in ("fits", "tight", "no")
        # nothing close to the stated sizes was asked for
        assert all(int(r.split("-")[1]) < 1 << 20 for r in _ranges(hub, name)), name


def test_header_over_the_limit_missing_file_and_server_errors_fall_back(hub, starter_model):
    hub.add_repo("acme/starter-GGUF", {"starter-Q4_1.gguf": starter_model})
    entry = _entry("starter-Q4_1.gguf", starter_model)
    with pytest.raises(R.HeaderUnavailable, match="larger than"):
        R.fetch_header("acme/starter-GGUF", entry.files[0], entry.size, max_bytes=512 * 1024)
    hub.fail("acme/starter-GGUF", "starter-Q4_1.gguf", "status", status=503, times=None)
    fit = R.remote_fit("acme/starter-GGUF", entry, CPU_ONLY)
    assert fit.source == "size" and "503" in str(fit.reason)
    missing = GGUFEntry(name="gone.gguf", files=["gone.gguf"], size=10, sizes={"gone.gguf": 10})
    fit = R.remote_fit("acme/starter-GGUF", missing, CPU_ONLY)
    assert fit.source == "size" and "gone.gguf" in str(fit.reason)


def test_a_hub_that_stalls_mid_header_is_a_sentence_not_a_hang(hub, starter_model, monkeypatch):
    """huggingface_hub's session has no timeout of its own: a server that sends part of the header
    and then nothing must end in HeaderUnavailable (and the size guess), not wait forever."""
    import time

    monkeypatch.setattr(R, "READ_TIMEOUT_S", 0.5)
    hub.add_repo("slow/starter-GGUF", {"starter-Q4_1.gguf": starter_model})
    entry = _entry("starter-Q4_1.gguf", starter_model)
    hub.fail("slow/starter-GGUF", "starter-Q4_1.gguf", "stall", after=1000, times=None)
    started = time.monotonic()
    with pytest.raises(R.HeaderUnavailable):
        R.fetch_header("slow/starter-GGUF", entry.files[0], entry.size)
    fit = R.remote_fit("slow/starter-GGUF", entry, CPU_ONLY)
    assert fit.source == "size" and fit.reason is not None
    assert time.monotonic() - started < 10


# -- the Models page ------------------------------------------------------------------------------

@pytest.fixture
def page(qtbot, hub, hf_env, tmp_path, monkeypatch):
    from hearthlm.core.hub.fit import Budget
    from hearthlm.core.hub.queue import DownloadQueue
    from hearthlm.gui.models_common import JobRunner
    from hearthlm.gui.models_page import ModelsPage

    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home" / "share"))
    queue = DownloadQueue(cache_dir=hf_env, backoff=0.05)
    widget = ModelsPage(queue=queue, budget=Budget(ram_available=8 * GiB, ram_total=16 * GiB))
    qtbot.addWidget(widget)
    widget.show()
    yield widget
    queue.close()
    JobRunner.wait_all()


def test_browser_shows_the_estimate_with_its_numbers(qtbot, page, hub, starter_model):
    hub.add_repo("acme/starter-GGUF", {"starter-Q4_1.gguf": starter_model})
    browser = page.browser
    browser.open_repo("acme/starter-GGUF")
    qtbot.waitUntil(lambda: browser.files.topLevelItemCount() == 1, timeout=10_000)
    revision = browser._listing.revision
    qtbot.waitUntil(lambda: browser.fit_of("acme/starter-GGUF", revision, "starter-Q4_1.gguf") is not None,
                    timeout=20_000)
    item = browser.files.topLevelItem(0)
    assert item.text(4) == "Fits"
    assert "tokens of context" in item.toolTip(4) and "free RAM" in item.toolTip(4)
    fit = browser.fit_of("acme/starter-GGUF", revision, "starter-Q4_1.gguf")
    assert fit.source == "estimate" and fit.n_ctx == 4096  # the app's default context (trained on 8k)


def test_library_details_show_the_local_estimate(qtbot, page, starter_model):
    from hearthlm.core.hub.library import add_path

    add_path(starter_model)
    library = page.library
    library.refresh()
    # every refresh done (the page's first one lists the starter too: a refresh still coming would
    # redraw the list and clear the details after the selection)
    qtbot.waitUntil(lambda: library.refresh_button.isEnabled() and library.tree.topLevelItemCount() >= 1,
                    timeout=10_000)
    library.select_path(str(starter_model))
    qtbot.waitUntil(lambda: "Estimated memory at 4,096 tokens" in library.detail.text(), timeout=20_000)
    assert "Fits" in library.detail.text() and "free RAM" in library.detail.toolTip()


def test_cli_files_reports_the_estimate_or_the_size_guess(hub, capsys, monkeypatch):
    import json

    import hearthlm.core.hub.fit as fit_module
    from hearthlm.core.cli import main

    # RAM from psutil; no GPU (the real answer would come from llama.cpp in a child process)
    monkeypatch.setattr(fit_module, "_cached", fit_module.Budget(0, 0))
    assert main(["models", "files", "acme/tiny-GGUF", "--json"]) == 0
    files = json.loads(capsys.readouterr().out)["files"]
    assert [f["fit"]["source"] for f in files] == ["estimate", "estimate"]
    assert all(f["fit"]["n_ctx"] and "tokens of context" in f["fit"]["detail"] for f in files)
    assert main(["models", "files", "acme/tiny-GGUF", "--json", "--size-only"]) == 0
    assert {f["fit"]["source"] for f in json.loads(capsys.readouterr().out)["files"]} == {"size"}


def test_through_a_cdn_redirect_with_an_approximate_listed_size(model_files, hf_env, monkeypatch):
    from fake_hub import FakeHub

    with FakeHub(redirect_host="localhost") as served:  # LFS files answer 302 to another host
        monkeypatch.setenv("HF_ENDPOINT", served.url)
        path = model_files["single"]
        served.add_repo("acme/cdn-GGUF", {"tiny-chat-Q8_0.gguf": path})
        real = path.stat().st_size
        # the recommended list holds approximate sizes: the server's Content-Range is believed
        entry = GGUFEntry(name="tiny-chat-Q8_0.gguf", files=["tiny-chat-Q8_0.gguf"], size=real - 100,
                          sizes={"tiny-chat-Q8_0.gguf": real - 100})
        fit = R.remote_fit("acme/cdn-GGUF", entry, CPU_ONLY)
        assert fit.source == "estimate", fit.reason
        assert served.count("GET", "/cdn/") >= 1
        before = len(served.requests)
        assert R.remote_fit("acme/cdn-GGUF", entry, CPU_ONLY).source == "estimate"
        assert len(served.requests) == before
