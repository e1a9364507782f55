"""Hub search, file lists, model cards, names and fit verdicts, against a hub on 127.0.0.1."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from hearthlm.core.hub import api
from hearthlm.core.hub import messages as M
from hearthlm.core.hub.errors import HubError
from hearthlm.core.hub.fit import GiB, Budget, verdict
from hearthlm.core.hub.names import group_gguf_files, inside, quant_from_name, safe_relative, safe_token
from hearthlm.core.hub.recommended import recommended, recommended_with_fit


def test_search_finds_only_gguf_repos_sorted_three_ways(hub):
    by_downloads = [m.id for m in api.search_models("acme", sort="downloads")]
    assert by_downloads == ["acme/tiny-GGUF", "acme/big-GGUF", "acme/gated-GGUF"]  # not-gguf filtered
    assert [m.id for m in api.search_models("acme", sort="likes")][0] == "acme/big-GGUF"
    assert [m.id for m in api.search_models("acme", sort="recent")][0] == "acme/big-GGUF"
    assert [m.id for m in api.search_models("tiny")] == ["acme/tiny-GGUF"]
    gated = next(m for m in api.search_models("gated"))
    assert gated.gated and gated.downloads == 1
    sent = [(p, h) for m, p, h in hub.requests if p == "/api/models"]
    assert sent, "the search went through /api/models"


def test_repo_files_group_split_parts_with_sizes_hashes_and_quant(hub, model_files):
    listing = api.repo_files("acme/tiny-GGUF")
    assert listing.license == "mit" and not listing.gated
    assert listing.revision == hub.repos["acme/tiny-GGUF"].sha
    names = [e.name for e in listing.entries]
    assert names == ["tiny-chat-Q8_0.gguf", "tiny-split-Q4_K_M.gguf"]  # README/config not listed
    single, split = listing.entries
    assert single.quant == "Q8_0" and single.parts == 1
    assert single.size == model_files["single"].stat().st_size
    assert single.sha256["tiny-chat-Q8_0.gguf"] == hashlib.sha256(model_files["single"].read_bytes()).hexdigest()
    assert split.quant == "Q4_K_M" and split.parts == 2 and split.complete
    assert split.size == model_files["split1"].stat().st_size + model_files["split2"].stat().st_size
    assert split.files == ["tiny-split-Q4_K_M-00001-of-00002.gguf", "tiny-split-Q4_K_M-00002-of-00002.gguf"]


def test_listing_refuses_names_outside_the_repo(hub):
    listing = api.repo_files("evil/traversal-GGUF")
    assert [e.name for e in listing.entries] == ["ok-Q4_0.gguf"]
    assert set(listing.unsafe) == {"../../escape-Q4_0.gguf", "/tmp/absolute-Q4_0.gguf"}


def test_card_summary_keeps_prose_and_license(hub):
    card = api.card_summary("acme/tiny-GGUF")
    assert card["license"] == "mit"
    assert card["summary"].startswith("A tiny model written for **tests**")
    assert "Second paragraph of prose." in card["summary"]
    assert "code is ignored" not in card["summary"] and "table" not in card["summary"]
    assert api.card_summary("acme/big-GGUF") == {"license": None, "summary": ""}


def test_errors_are_one_sentence(hub):
    with pytest.raises(HubError) as missing:
        api.repo_files("acme/nope")
    assert missing.value.msg.template == M.REPO_NOT_FOUND
    with pytest.raises(HubError) as bad:
        api.repo_files("../etc")
    assert bad.value.msg.template == M.BAD_REPO_ID
    hub.fail("acme/tiny-GGUF", "", "status", method="API", status=503)
    with pytest.raises(HubError) as down:
        api.repo_files("acme/tiny-GGUF")
    assert "503" in str(down.value)


def test_unreachable_hub_is_a_sentence(hf_env, monkeypatch):
    from ports import refused_port

    with refused_port() as port, pytest.raises(HubError) as err:  # a port nobody listens on
        monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
        api.repo_files("acme/tiny-GGUF")  # (search retries a refused connection for ~20 s first)
    assert err.value.msg.template == M.HUB_UNREACHABLE and "127.0.0.1" in str(err.value)


@pytest.mark.parametrize("name,ok", [
    ("model.gguf", True), ("sub/dir/model.gguf", True), ("../model.gguf", False), ("a/../../b.gguf", False),
    ("/etc/passwd", False), ("C:/x.gguf", False), ("a\\..\\b.gguf", False), ("", False), ("a//b", False),
    ("./a.gguf", False), ("a/./b.gguf", False), ("..", False)])
def test_safe_relative(name, ok):
    assert safe_relative(name) is ok


def test_inside_never_leaves_the_root(tmp_path: Path):
    (tmp_path / "root").mkdir()
    (tmp_path / "root" / "link").symlink_to(tmp_path)
    assert inside(tmp_path / "root", "a/b.gguf") == tmp_path / "root" / "a" / "b.gguf"
    assert inside(tmp_path / "root", "../x") is None
    assert inside(tmp_path / "root", "link/x") is None  # a symlinked folder leading out
    assert safe_token("a" * 64) and not safe_token("../x") and not safe_token("..") and not safe_token(None)


@pytest.mark.parametrize("name,quant", [
    ("qwen2.5-0.5b-instruct-q4_k_m.gguf", "Q4_K_M"), ("Llama-3.2-1B-Instruct-IQ4_XS.gguf", "IQ4_XS"),
    ("model.Q8_0.gguf", "Q8_0"), ("model-f16.gguf", "F16"), ("Model-BF16-00001-of-00003.gguf", "BF16"),
    ("gemma-3-1b-it-Q4_0.gguf", "Q4_0"), ("weird.gguf", ""), ("x-Q5_K_S.gguf", "Q5_K_S")])
def test_quant_from_name(name, quant):
    assert quant_from_name(name) == quant


def test_incomplete_split_set_is_flagged():
    entries, unsafe = group_gguf_files([("m-00001-of-00003.gguf", 5, None), ("m-00003-of-00003.gguf", 5, None)])
    assert len(entries) == 1 and not entries[0].complete and entries[0].parts == 2 and not unsafe


def test_fit_verdicts():
    cpu = Budget(ram_available=8 * GiB, ram_total=16 * GiB)
    assert verdict(1 * GiB, cpu).verdict == "fits"
    assert verdict(9 * GiB, cpu).verdict == "tight"  # more than is free, less than the machine has
    assert verdict(20 * GiB, cpu).verdict == "no"
    gpu = Budget(ram_available=8 * GiB, ram_total=16 * GiB, device_free=6 * GiB, device_name="RTX")
    assert verdict(4 * GiB, gpu).verdict == "fits" and verdict(4 * GiB, gpu).where == "RTX"
    assert verdict(8 * GiB, gpu).verdict == "tight"
    assert verdict(30 * GiB, gpu).verdict == "no"
    assert "GB" in str(verdict(1 * GiB, cpu).detail)


def test_recommended_list_is_complete_and_gets_verdicts():
    models = recommended()
    assert 5 <= len(models) <= 12
    for m in models:
        assert {"repo", "file", "size", "license", "kind"} <= set(m) and m["file"].endswith(".gguf")
        assert api.check_repo_id(m["repo"]) and safe_relative(m["file"]) and m["size"] > 0
    assert any("zh" in m["languages"] for m in models if m["kind"] == "chat")
    assert any(m["kind"] == "embedding" and "zh" in m["languages"] for m in models)
    tiny = recommended_with_fit(Budget(ram_available=1 * GiB + 10, ram_total=2 * GiB))
    assert {m["fit"]["verdict"] for m in tiny} <= {"tight", "no"}
    roomy = recommended_with_fit(Budget(ram_available=64 * GiB, ram_total=64 * GiB))
    assert {m["fit"]["verdict"] for m in roomy} == {"fits"}


def test_an_offline_search_fails_at_once_with_one_sentence(monkeypatch):
    """No network (the hub's name does not resolve): the search says so at once instead of
    retrying for 23 s (huggingface_hub's backoff); with a proxy set the name is left to the proxy."""
    import socket
    import time

    def no_dns(*_args, **_kwargs):
        raise socket.gaierror(-2, "Name or service not known")
    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    for var in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    started = time.monotonic()
    with pytest.raises(HubError) as err:
        api.search_models("llama", endpoint="https://hub.example")
    assert time.monotonic() - started < 1
    assert err.value.msg.template == M.HUB_UNREACHABLE and "Name or service not known" in str(err.value)
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    api._resolvable("https://hub.example")  # not asked: the proxy resolves names


def test_every_recommended_note_can_be_translated():
    """The notes shown as tooltips (first run, Find) come from a JSON file lupdate does not read:
    each must be declared in core/hub/recommended.py NOTES, or it stays English in the Chinese UI."""
    from hearthlm.core.hub.recommended import NOTES

    notes = [m["note"] for m in recommended()]
    assert notes and all(note in NOTES for note in notes), [n for n in notes if n not in NOTES]
    assert all(note.template == note for note in notes)  # a Msg: the window translates it
