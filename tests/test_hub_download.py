"""Downloads against a hub on 127.0.0.1 that breaks: dropped connections, wrong bytes, 401/403,
404, 429 and 5xx, a slow or stalled server, hostile names; pause, resume, cancel, app restart."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fake_hub import GOOD_TOKEN
from hearthlm.core.child.side import FAULT_ENV
from hearthlm.core.hub import api, ledger
from hearthlm.core.hub import messages as M
from hearthlm.core.hub.library import list_models
from hearthlm.core.hub.names import GGUFEntry
from hearthlm.core.hub.queue import DownloadQueue

TINY, BIG = "acme/tiny-GGUF", "acme/big-GGUF"
SINGLE = "tiny-chat-Q8_0.gguf"


def _queue(hf_env: Path, **kw) -> DownloadQueue:
    """A queue that starts a worker for each attempt: no loaded spare waiting (each costs ~0.3 s of
    CPU, and most tests here end after one download); the first test keeps the app's spare."""
    kw.setdefault("backoff", 0.05)
    kw.setdefault("spare", False)
    return DownloadQueue(cache_dir=hf_env, **kw)


def _entry(repo: str, name: str) -> GGUFEntry:
    entry = api.repo_files(repo).find(name)
    assert entry is not None
    return entry


def _pull(queue: DownloadQueue, repo: str, name: str, timeout: float = 60):
    queue.start()
    item = queue.add(repo, _entry(repo, name))
    return queue.wait(item.id, timeout)


def _sha(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _ranges(hub, name: str) -> list[str]:
    return [h.get("range") for m, p, h in hub.requests if m == "GET" and p.endswith(name)]


def _wait_for(predicate, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_download_lands_in_the_shared_hf_cache_verified(hub, hf_env, model_files):
    queue = _queue(hf_env, spare=True)
    try:
        result = _pull(queue, TINY, SINGLE)
        spare = _settled(queue)._spare  # the next download's worker, already loaded
        assert spare is not None and spare.alive
    finally:
        queue.close()
    assert result.state == "ready", result.message
    path = Path(result.path)
    assert path.is_symlink() and hf_env in path.parents  # the standard cache layout, not a copy
    assert _sha(path) == _sha(model_files["single"])
    assert result.done == result.total == model_files["single"].stat().st_size
    assert not list(hf_env.rglob("*.incomplete"))
    # another tool using huggingface_hub finds the very same file without downloading
    from huggingface_hub import hf_hub_download

    again = hf_hub_download(TINY, SINGLE, cache_dir=hf_env, local_files_only=True)
    assert Path(again) == path
    assert [m.path for m in list_models(roots={}) if m.source == "hearth"] == [str(path)]


def _counting_workers(queue: DownloadQueue) -> list:
    """The worker processes (ChildProcess) the queue starts from here on, in order."""
    started: list = []
    spawn = queue._spawn

    def counted():
        started.append(spawn())
        return started[-1]

    queue._spawn = counted
    return started


def _settled(queue: DownloadQueue) -> DownloadQueue:
    """Once no download thread runs: a download is "ready" a moment before its thread lets its worker go."""
    _wait_for(lambda: not queue._running)
    return queue


def test_one_worker_serves_the_retries_and_the_next_download(hub, hf_env, model_files):
    """A worker whose job ended cleanly (a 503 it reported with its sentence, or a finished file)
    waits for the next job: the retry and a second download run in the same process."""
    hub.fail(TINY, SINGLE, "status", status=503, method="HEAD", times=1)
    queue = _queue(hf_env)
    started = _counting_workers(queue)
    states = []
    queue.subscribe(lambda d: states.append(d.state))
    try:
        first = _pull(queue, TINY, SINGLE)
        assert first.state == "ready" and "retrying" in states, first.message
        assert len(started) == 1 and _settled(queue)._spare is started[0] and started[0].alive
        second = _pull(queue, TINY, "tiny-split-Q4_K_M.gguf")
        assert second.state == "ready", second.message
        assert len(started) == 1 and _settled(queue)._spare is started[0] and started[0].alive
    finally:
        queue.close()
    assert [_sha(p) for p in second.paths] == [_sha(model_files["split1"]), _sha(model_files["split2"])]
    assert started[0].proc.returncode == 0  # let go at close: end of input, and it exited by itself


def test_a_paused_cancelled_killed_or_outdated_worker_is_not_reused(hub, hf_env, model_files, monkeypatch):
    size = model_files["big"].stat().st_size
    hub.fail(BIG, "tiny-big-F32.gguf", "slow", rate=size // 8, times=2)
    queue = _queue(hf_env).start()
    started = _counting_workers(queue)
    try:
        item = queue.add(BIG, _entry(BIG, "tiny-big-F32.gguf"))
        _wait_for(lambda: queue.get(item.id).done > 0)
        queue.pause(item.id)
        assert len(started) == 1 and not started[0].alive and queue._spare is None
        paused_at = queue.get(item.id).done
        queue.resume(item.id)
        _wait_for(lambda: queue.get(item.id).done > paused_at)  # the second slow GET is under way
        assert len(started) == 2
        queue.cancel(item.id)
        assert not started[1].alive and queue._spare is None
        # a finished download's worker waits; killed meanwhile (as the OOM killer could), it is replaced
        assert _pull(queue, TINY, SINGLE).state == "ready"
        assert len(started) == 3 and _settled(queue)._spare is started[2]
        os.kill(started[2].pid, signal.SIGKILL)
        _wait_for(lambda: not started[2].alive)
        assert _pull(queue, TINY, "tiny-split-Q4_K_M.gguf").state == "ready"
        assert len(started) == 4 and _settled(queue)._spare is started[3]
        # started before the environment changed (HF_HUB_OFFLINE, proxies, timeouts live there): replaced
        monkeypatch.setenv("HEARTH_TEST_ENV_CHANGED", "1")
        result = _pull(queue, BIG, "tiny-big-F32.gguf")
        assert result.state == "ready", result.message
        assert len(started) == 5 and not started[3].alive and _settled(queue)._spare is started[4]
    finally:
        queue.close()
    assert _sha(result.path) == _sha(model_files["big"])


def test_a_worker_that_crashed_mid_job_is_not_reused(hub, hf_env, monkeypatch):
    monkeypatch.setenv(FAULT_ENV, "segv@request")  # every worker started here crashes on its job
    queue = _queue(hf_env, retries=1)
    started = _counting_workers(queue)
    try:
        result = _pull(queue, TINY, SINGLE)
    finally:
        queue.close()
    assert result.state == "failed" and result.message.template == M.GAVE_UP
    assert len(started) == 2 and all(w.proc.returncode == -signal.SIGSEGV for w in started)


def test_split_gguf_is_one_download(hub, hf_env, model_files):
    queue = _queue(hf_env)
    seen = []
    queue.subscribe(lambda d: seen.append((d.state, d.done, d.total)))
    try:
        result = _pull(queue, TINY, "tiny-split-Q4_K_M.gguf")
    finally:
        queue.close()
    assert result.state == "ready" and len(result.paths) == 2
    assert [_sha(p) for p in result.paths] == [_sha(model_files["split1"]), _sha(model_files["split2"])]
    total = model_files["split1"].stat().st_size + model_files["split2"].stat().st_size
    assert result.total == total and max(done for _, done, _ in seen) == total
    assert [s for s, _, _ in seen].count("ready") == 1  # ready once, after both parts
    library = [m for m in list_models(roots={}) if m.source == "hearth"]
    assert len(library) == 1 and library[0].parts == result.paths and library[0].size == total


def test_dropped_connection_resumes_with_range(hub, hf_env, model_files):
    size = model_files["big"].stat().st_size
    hub.fail(BIG, "tiny-big-F32.gguf", "drop", after=size // 3)
    hub.fail(BIG, "tiny-big-F32.gguf", "drop", after=size // 2)  # on the resumed request: again
    queue = _queue(hf_env)
    try:
        result = _pull(queue, BIG, "tiny-big-F32.gguf")
    finally:
        queue.close()
    assert result.state == "ready", result.message
    assert _sha(result.path) == _sha(model_files["big"])
    ranges = _ranges(hub, "tiny-big-F32.gguf")
    assert len(ranges) >= 2 and ranges[0] is None
    assert all(r and r.startswith("bytes=") and int(r[6:].rstrip("-")) > 0 for r in ranges[1:])  # never from zero


def test_wrong_bytes_are_quarantined_and_never_listed(hub, hf_env):
    hub.fail(TINY, SINGLE, "corrupt", times=None)
    queue = _queue(hf_env)
    try:
        result = _pull(queue, TINY, SINGLE)
    finally:
        queue.close()
    assert result.state == "failed" and result.message.template == M.HASH_MISMATCH
    assert "quarantine" in str(result.message)
    assert len(result.quarantined) == 1 and Path(result.quarantined[0]).exists()
    assert hf_env not in Path(result.quarantined[0]).parents
    blobs = [p for p in hf_env.rglob("blobs/*") if p.suffix != ".lock"]
    assert not [p for p in blobs if p.name == _entry(TINY, SINGLE).sha256[SINGLE]]
    assert not list((hf_env / "models--acme--tiny-GGUF").rglob(SINGLE))
    assert not [m for m in list_models(roots={}) if m.source == "hearth"]
    assert ledger.entries() == []


def test_gated_repo_without_token_says_what_to_do(hub, hf_env):
    queue = _queue(hf_env, token="")
    try:
        result = _pull(queue, "acme/gated-GGUF", SINGLE)
    finally:
        queue.close()
    assert result.state == "failed" and result.message.template == M.GATED_NO_TOKEN
    assert "HF_TOKEN" in str(result.message) and result.attempts == 1  # not retried


def test_refused_token_is_named(hub, hf_env):
    queue = _queue(hf_env, token="hf_wrong")
    try:
        result = _pull(queue, "acme/gated-GGUF", SINGLE)
    finally:
        queue.close()
    assert result.state == "failed" and result.message.template == M.TOKEN_REFUSED
    assert "403" in str(result.message)


def test_token_from_settings_opens_a_gated_repo(hub, hf_env):
    from hearthlm.core.settings import Settings, save_settings

    save_settings(Settings(hf_token=GOOD_TOKEN))
    listing = api.repo_files("acme/gated-GGUF")
    queue = _queue(hf_env)  # token=None: Settings, then HF_TOKEN
    try:
        queue.start()
        item = queue.add("acme/gated-GGUF", listing.entries[0])
        result = queue.wait(item.id, 60)
    finally:
        queue.close()
    assert result.state == "ready", result.message
    auth = {h.get("authorization") for m, p, h in hub.requests if "/resolve/" in p}
    assert auth == {f"Bearer {GOOD_TOKEN}"}


def test_token_from_hf_token_env(hub, hf_env, monkeypatch):
    monkeypatch.setenv("HF_TOKEN", GOOD_TOKEN)
    queue = _queue(hf_env)
    try:
        result = _pull(queue, "acme/gated-GGUF", SINGLE)
    finally:
        queue.close()
    assert result.state == "ready", result.message


def test_missing_file_is_404_and_not_retried(hub, hf_env):
    entry = _entry(TINY, SINGLE)
    entry.files = ["gone-Q4_0.gguf"]
    entry.name = "gone-Q4_0.gguf"
    queue = _queue(hf_env).start()
    try:
        result = queue.wait(queue.add(TINY, entry).id, 30)
    finally:
        queue.close()
    assert result.state == "failed" and result.message.template == M.FILE_NOT_FOUND
    assert result.attempts == 1


@pytest.mark.parametrize("status,method", [(429, "HEAD"), (500, "HEAD"), (503, "GET"), (502, "GET")])
def test_rate_limit_and_server_errors_then_success(hub, hf_env, status, method):
    hub.fail(TINY, SINGLE, "status", status=status, method=method, times=1)
    queue = _queue(hf_env)
    states = []
    queue.subscribe(lambda d: states.append((d.state, d.error)))
    try:
        result = _pull(queue, TINY, SINGLE)
    finally:
        queue.close()
    assert result.state == "ready", result.message
    retrying = [e for s, e in states if s == "retrying"]
    assert retrying, "the failure was retried with a wait"
    assert all(e["template"] == M.RETRYING for e in retrying)


def test_persistent_server_error_gives_up_with_a_sentence(hub, hf_env):
    hub.fail(TINY, SINGLE, "status", status=503, method="HEAD", times=None)
    queue = _queue(hf_env, retries=2)
    try:
        result = _pull(queue, TINY, SINGLE)
    finally:
        queue.close()
    assert result.state == "failed" and result.message.template == M.GAVE_UP
    assert "503" in str(result.message) and "2 attempts" in str(result.message)


def test_backoff_grows_exponentially(hub, hf_env):
    hub.fail(TINY, SINGLE, "status", status=500, method="HEAD", times=3)
    queue = _queue(hf_env, backoff=0.2)
    waits = []
    queue.subscribe(lambda d: d.state == "retrying" and waits.append(d.error["values"]["seconds"]))
    try:
        result = _pull(queue, TINY, SINGLE)
    finally:
        queue.close()
    assert result.state == "ready" and waits == [0.2, 0.4, 0.8]


def test_slow_server_pause_resume_continues_from_partial(hub, hf_env, model_files):
    size = model_files["big"].stat().st_size
    hub.fail(BIG, "tiny-big-F32.gguf", "slow", rate=size // 8)  # ~8 s for the whole file
    queue = _queue(hf_env).start()
    try:
        item = queue.add(BIG, _entry(BIG, "tiny-big-F32.gguf"))
        _wait_for(lambda: queue.get(item.id).done > size // 10)
        progress = queue.get(item.id)
        assert progress.state == "downloading" and progress.speed > 0 and progress.eta is not None
        t = time.monotonic()
        queue.pause(item.id)
        assert time.monotonic() - t < 3 and queue.get(item.id).state == "paused"
        partial = Path(queue.get(item.id).partials["tiny-big-F32.gguf"])
        assert partial.exists() and 0 < partial.stat().st_size < size
        queue.resume(item.id)
        result = queue.wait(item.id, 60)
    finally:
        queue.close()
    assert result.state == "ready", result.message
    assert _sha(result.path) == _sha(model_files["big"])
    resumed = _ranges(hub, "tiny-big-F32.gguf")[-1]
    assert resumed and int(resumed[6:].rstrip("-")) > 0


def test_stalled_server_times_out_and_resumes(hub, hf_env, model_files):
    size = model_files["big"].stat().st_size
    hub.fail(BIG, "tiny-big-F32.gguf", "stall", after=size // 2)  # sends half, then nothing
    queue = _queue(hf_env)
    try:
        result = _pull(queue, BIG, "tiny-big-F32.gguf")
    finally:
        queue.close()
    assert result.state == "ready", result.message
    assert _sha(result.path) == _sha(model_files["big"])
    # resumed from what was written (up to one read chunk of the half sent may be lost with the socket)
    assert int(_ranges(hub, "tiny-big-F32.gguf")[-1][6:].rstrip("-")) > 0


def test_download_survives_an_app_restart(hub, hf_env, model_files):
    size = model_files["big"].stat().st_size
    hub.fail(BIG, "tiny-big-F32.gguf", "slow", rate=size // 6)
    first = _queue(hf_env).start()
    item = first.add(BIG, _entry(BIG, "tiny-big-F32.gguf"))
    _wait_for(lambda: first.get(item.id).done > size // 8)
    first.close()  # the app quits mid-download
    assert first.get(item.id).state == "queued"
    second = _queue(hf_env)  # the app starts again: same queue file in the data folder
    assert [i.id for i in second.items()] == [item.id]
    second.start()
    try:
        result = second.wait(item.id, 60)
    finally:
        second.close()
    assert result.state == "ready", result.message
    assert _sha(result.path) == _sha(model_files["big"])
    assert int(_ranges(hub, "tiny-big-F32.gguf")[-1][6:].rstrip("-")) > 0


def test_paused_download_stays_paused_after_restart(hub, hf_env, model_files):
    size = model_files["big"].stat().st_size
    hub.fail(BIG, "tiny-big-F32.gguf", "slow", rate=size // 8)
    first = _queue(hf_env).start()
    item = first.add(BIG, _entry(BIG, "tiny-big-F32.gguf"))
    _wait_for(lambda: first.get(item.id).done > 0)
    first.pause(item.id)
    first.close()
    second = _queue(hf_env).start()
    try:
        time.sleep(0.5)
        assert second.get(item.id).state == "paused"
    finally:
        second.close()


def test_cancel_removes_the_partial_file(hub, hf_env, model_files):
    size = model_files["big"].stat().st_size
    hub.fail(BIG, "tiny-big-F32.gguf", "slow", rate=size // 8)
    queue = _queue(hf_env).start()
    try:
        item = queue.add(BIG, _entry(BIG, "tiny-big-F32.gguf"))
        _wait_for(lambda: queue.get(item.id).done > 0)
        partial = Path(queue.get(item.id).partials["tiny-big-F32.gguf"])
        queue.cancel(item.id)
        assert queue.get(item.id).state == "cancelled"
        assert not partial.exists()
    finally:
        queue.close()
    assert not [m for m in list_models(roots={}) if m.source == "hearth"]


@pytest.mark.parametrize("name", ["../../escape-Q4_0.gguf", "/tmp/absolute-Q4_0.gguf"])
def test_hostile_names_never_write_outside(hub, hf_env, tmp_path, name):
    entry = GGUFEntry(name=name, files=[name], sizes={name: 100})
    before = set(os.listdir("/tmp"))
    queue = _queue(hf_env).start()
    try:
        result = queue.wait(queue.add("evil/traversal-GGUF", entry).id, 30)
    finally:
        queue.close()
    assert result.state == "failed" and result.message.template == M.UNSAFE_NAME
    assert not Path("/tmp/absolute-Q4_0.gguf").exists()
    assert not list(hf_env.parent.parent.rglob("escape-Q4_0.gguf"))
    assert not (set(os.listdir("/tmp")) - before) & {"absolute-Q4_0.gguf", "escape-Q4_0.gguf"}
    assert not any(m == "GET" for m, p, _ in hub.requests if "escape" in p or "absolute" in p)


def test_server_that_ignores_range_restarts_the_file_cleanly(hub, hf_env, model_files):
    size = model_files["big"].stat().st_size
    hub.fail(BIG, "tiny-big-F32.gguf", "drop", after=size // 2)
    hub.fail(BIG, "tiny-big-F32.gguf", "norange")  # the resumed request gets the whole file again
    queue = _queue(hf_env)
    try:
        result = _pull(queue, BIG, "tiny-big-F32.gguf")
    finally:
        queue.close()
    assert result.state == "ready", result.message
    assert _sha(result.path) == _sha(model_files["big"])  # cut back and rehashed, not appended


def test_hostile_etag_header_never_names_a_file(hub, hf_env):
    hub.fail(TINY, SINGLE, "headers", method="HEAD", times=None,
             headers={"X-Linked-Etag": '"../../../../escape"'})
    queue = _queue(hf_env)
    try:
        result = _pull(queue, TINY, SINGLE)
    finally:
        queue.close()
    assert result.state == "failed" and result.message.template == M.UNSAFE_HEADER
    assert not list(hf_env.parent.parent.rglob("escape*"))


def test_server_that_is_not_a_hub_is_named(hub, hf_env):
    hub.fail(TINY, SINGLE, "headers", method="HEAD", times=None, headers={"X-Repo-Commit": None})
    queue = _queue(hf_env, retries=1)
    try:
        result = _pull(queue, TINY, SINGLE)
    finally:
        queue.close()
    assert result.state == "failed" and result.message.values["reason"].template == M.NOT_A_HUB
    assert "HF_ENDPOINT" in str(result.message)


def test_retry_after_is_respected(hub, hf_env):
    hub.fail(TINY, SINGLE, "status", status=429, method="HEAD", retry_after=1)
    queue = _queue(hf_env, backoff=0.01)
    waits = []
    queue.subscribe(lambda d: d.state == "retrying" and waits.append(d.error["values"]["seconds"]))
    try:
        result = _pull(queue, TINY, SINGLE)
    finally:
        queue.close()
    assert result.state == "ready" and waits == [1.0]


def test_offline_mode_says_so(hub, hf_env, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    queue = _queue(hf_env, retries=1)
    try:
        result = _pull(queue, TINY, SINGLE)
    finally:
        queue.close()
    assert result.state == "failed" and result.message.template == M.OFFLINE


def test_cdn_redirect_is_followed_without_the_token(hub, hf_env, model_files):
    hub.redirect_host = "localhost"  # LFS files answer 302 to another host, as the real hub's CDN
    queue = _queue(hf_env, token=GOOD_TOKEN)
    try:
        result = _pull(queue, "acme/gated-GGUF", SINGLE)
    finally:
        queue.close()
    assert result.state == "ready", result.message
    assert _sha(result.path) == _sha(model_files["single"])
    cdn = [h for m, p, h in hub.requests if p.startswith("/cdn/") and m == "GET"]
    assert cdn and all("authorization" not in h for h in cdn)  # the token stays on the hub
    hub_side = [h for m, p, h in hub.requests if "/resolve/" in p]
    assert hub_side and all(h.get("authorization") == f"Bearer {GOOD_TOKEN}" for h in hub_side)


def test_a_deleted_model_is_downloaded_again(hub, hf_env):
    from hearthlm.core.hub.library import delete, find

    queue = _queue(hf_env)
    try:
        first = _pull(queue, TINY, SINGLE)
        queue.cancel(first.id)  # a ready download is not cancelled: it belongs to the library now
        assert queue.get(first.id).state == "ready" and Path(first.path).exists()
        delete(find(f"{TINY}/{SINGLE}"))
        assert not Path(first.path).exists()
        again = queue.wait(queue.add(TINY, _entry(TINY, SINGLE)).id, 60)
    finally:
        queue.close()
    assert again.id == first.id and again.state == "ready" and Path(again.path).exists()


def test_removing_a_paused_download_deletes_its_partial(hub, hf_env, model_files):
    size = model_files["big"].stat().st_size
    hub.fail(BIG, "tiny-big-F32.gguf", "slow", rate=size // 8)
    queue = _queue(hf_env).start()
    try:
        item = queue.add(BIG, _entry(BIG, "tiny-big-F32.gguf"))
        _wait_for(lambda: queue.get(item.id).done > 0)
        queue.pause(item.id)
        partial = Path(queue.get(item.id).partials["tiny-big-F32.gguf"])
        assert partial.exists()
        queue.remove(item.id)
        assert not partial.exists() and queue.items() == []
    finally:
        queue.close()


def test_small_gguf_kept_in_git_is_checked_by_its_git_blob_id(hub, hf_env, model_files):
    repo = hub.add_repo("acme/git-GGUF", {})
    hub.add_file(repo, "plain-Q8_0.gguf", model_files["single"], lfs=False)  # no LFS: ETag is git's blob id
    entry = _entry("acme/git-GGUF", "plain-Q8_0.gguf")
    assert entry.sha256 == {}
    queue = _queue(hf_env).start()
    try:
        good = queue.wait(queue.add("acme/git-GGUF", entry).id, 60)
        assert good.state == "ready" and _sha(good.path) == _sha(model_files["single"])
        ledger.forget("acme/git-GGUF", "plain-Q8_0.gguf")
        Path(good.path).unlink()
        for blob in (hf_env / "models--acme--git-GGUF" / "blobs").iterdir():
            blob.unlink()
        hub.fail("acme/git-GGUF", "plain-Q8_0.gguf", "corrupt", times=None)
        bad = queue.wait(queue.add("acme/git-GGUF", entry).id, 60)
    finally:
        queue.close()
    assert bad.state == "failed" and bad.message.template == M.HASH_MISMATCH


def test_not_enough_disk_space_is_said_before_downloading(hub, hf_env, monkeypatch):
    # the worker is another process: make the disk look full there through a sitecustomize hook
    hook = hf_env.parent / "hook"
    hook.mkdir(parents=True)
    (hook / "sitecustomize.py").write_text(
        "import shutil, collections\n"
        "U = collections.namedtuple('usage', 'total used free')\n"
        "shutil.disk_usage = lambda path: U(10**9, 10**9 - 100, 100)\n")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(hook), os.environ.get("PYTHONPATH", "")]))
    queue = _queue(hf_env)
    try:
        result = _pull(queue, TINY, SINGLE)
    finally:
        queue.close()
    assert result.state == "failed" and result.message.template == M.DISK_FULL
    assert "100 free" in str(result.message)
    assert not [m for m, p, _ in hub.requests if m == "GET" and p.endswith(SINGLE)]


def test_the_waiting_worker_loads_only_what_a_download_uses():
    """The spare worker imports huggingface_hub's download code before its job, and not hf_api
    (~0.07 s of CPU in every worker; no download path imports it: checked over this file's tests)."""
    out = subprocess.run([sys.executable, "-X", "importtime", "-m", "hearthlm.core.hub.fetch"], stdin=subprocess.DEVNULL,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and '"ready"' in out.stdout, out.stderr[-2000:]
    imported = {line.rsplit("|", 1)[-1].strip() for line in out.stderr.splitlines() if line.startswith("import time:")}
    assert "huggingface_hub.file_download" in imported
    assert "huggingface_hub.hf_api" not in imported


def test_two_queues_downloading_the_same_file_at_once_make_one_good_file(hub, hf_env, model_files, tmp_path):
    """Two windows, or the window and `hearth models pull` (each its own queue, one shared cache),
    asking for the same file at the same time: one writes the blob (huggingface_hub's lock for it),
    the other waits and takes it; both end ready with the file's true bytes (appending both to one
    .incomplete used to make a corrupt file that passed the size check)."""
    size = model_files["big"].stat().st_size
    hub.fail(BIG, "tiny-big-F32.gguf", "slow", rate=size // 3, times=None)  # ~3 s each
    first = DownloadQueue(tmp_path / "window-queue.json", cache_dir=hf_env, backoff=0.05, spare=False).start()
    second = DownloadQueue(tmp_path / "cli-queue.json", cache_dir=hf_env, backoff=0.05, spare=False).start()
    try:
        a = first.add(BIG, _entry(BIG, "tiny-big-F32.gguf"))
        _wait_for(lambda: first.get(a.id).done > 0)
        b = second.add(BIG, _entry(BIG, "tiny-big-F32.gguf"))
        results = [first.wait(a.id, 120), second.wait(b.id, 120)]
    finally:
        first.close()
        second.close()
    assert [r.state for r in results] == ["ready", "ready"], [r.message for r in results]
    assert results[0].path == results[1].path and _sha(results[0].path) == _sha(model_files["big"])
    assert Path(results[0].path).stat().st_size == size


def test_cancel_keeps_a_part_another_tool_had_downloaded(hub, hf_env, model_files):
    """Part 1 of a split model is already in the shared cache (downloaded by huggingface_hub, as
    `hf download` or llama.cpp's -hf do); Hearth is asked for the model and cancelled while it
    fetches part 2: part 2's bytes go, part 1 stays (cancel used to delete every finished part)."""
    from huggingface_hub import hf_hub_download

    first, second = "tiny-split-Q4_K_M-00001-of-00002.gguf", "tiny-split-Q4_K_M-00002-of-00002.gguf"
    theirs = Path(hf_hub_download(TINY, first, cache_dir=hf_env, endpoint=hub.url))
    size = model_files["split2"].stat().st_size
    hub.fail(TINY, second, "slow", rate=max(1, size // 8))
    queue = _queue(hf_env).start()
    try:
        item = queue.add(TINY, _entry(TINY, "tiny-split-Q4_K_M.gguf"))
        _wait_for(lambda: first in queue.get(item.id).finished and second in queue.get(item.id).partials)
        partial = Path(queue.get(item.id).partials[second])
        queue.cancel(item.id)
    finally:
        queue.close()
    assert theirs.exists() and _sha(theirs) == _sha(model_files["split1"])
    assert not partial.exists()
