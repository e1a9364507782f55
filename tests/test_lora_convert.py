"""PEFT LoRA folders (written here with safetensors) to GGUF LoRA: mapped, permuted, loadable."""

from __future__ import annotations

import numpy as np
import pytest
from gguf import GGUFReader

from hearthlm.core.engine import Engine, GenerationParams, LoadParams
from hearthlm.core.lora import messages as LM
from hearthlm.core.lora.convert import ConvertError, _permute, convert
from hearthlm.core.lora.info import adapter_info

from lora_samples import HF_SHAPES, MLP, bf16_round, write_peft


def assert_applied(model, adapter) -> None:
    """llama.cpp loads the converted adapter on ``model`` and it changes the greedy answer."""
    with Engine() as engine:
        engine.load(LoadParams(str(model), n_ctx=512, n_threads=1))
        q = [{"role": "user", "content": "Hi"}]
        gp = GenerationParams(max_tokens=8, temperature=0)
        base = engine.chat(q, gp, adapters=[])
        adapted = engine.chat(q, gp, adapters=[{"path": adapter, "scale": 1.0}])
        assert adapted.stats.adapters and adapted.text != base.text


def tensors(path) -> dict[str, np.ndarray]:
    return {t.name: np.array(t.data) for t in GGUFReader(str(path)).tensors}


@pytest.mark.engine
def test_a_peft_folder_converts_and_loads(starter_model, tmp_path):
    folder = write_peft(tmp_path / "peft", rank=4, alpha=8.0)
    out = convert(folder, starter_model, tmp_path / "out.gguf")
    assert (out.count, out.architecture, out.rank, out.alpha) == (6, "llama", 4, 8.0)
    info = adapter_info(out.path)
    assert info.alpha == 8.0 and info.architecture == "llama"
    assert info.targets == sorted(f"blk.{i}.attn_{k}.weight" for i in (0, 1) for k in "qkv")
    assert_applied(starter_model, out.path)


def test_the_matrices_are_mapped_and_q_k_rows_permuted_as_the_model_was(starter_model, tmp_path):
    """B @ A of the GGUF equals the PEFT delta with the rows in the order llama.cpp's converter
    wrote the base q/k weights (rotary layout); v is unchanged."""
    folder = write_peft(tmp_path / "peft", rank=4)
    from safetensors.numpy import load_file

    peft = load_file(str(folder / "adapter_model.safetensors"))
    got = tensors(convert(folder, starter_model, tmp_path / "o.gguf").path)
    stem = "base_model.model.model.layers.1.self_attn"
    for module, gguf_name, n_head in (("q_proj", "attn_q", 9), ("k_proj", "attn_k", 3), ("v_proj", "attn_v", None)):
        delta = peft[f"{stem}.{module}.lora_B.weight"] @ peft[f"{stem}.{module}.lora_A.weight"]
        want = _permute(delta, n_head) if n_head else delta
        a, b = got[f"blk.1.{gguf_name}.weight.lora_a"], got[f"blk.1.{gguf_name}.weight.lora_b"]
        np.testing.assert_allclose(b @ a, want, rtol=1e-5, atol=1e-5)


def test_bf16_weights(starter_model, tmp_path):
    f32 = write_peft(tmp_path / "f32", modules=("v_proj",), layers=(0,))
    bf16 = write_peft(tmp_path / "bf16", modules=("v_proj",), layers=(0,), dtype="bf16")
    want = tensors(convert(f32, starter_model, tmp_path / "a.gguf").path)
    got = tensors(convert(bf16, starter_model, tmp_path / "b.gguf").path)
    for name in want:
        np.testing.assert_array_equal(got[name], bf16_round(want[name]))


def test_rslora_alpha(starter_model, tmp_path):
    folder = write_peft(tmp_path / "peft", rank=4, alpha=8.0, config={"use_rslora": True})
    out = convert(folder, starter_model, tmp_path / "o.gguf")
    assert out.alpha == pytest.approx(8.0 * 2)  # llama.cpp divides by rank: alpha / sqrt(r) kept


def _update(got: dict, layer: int, gguf_name: str, alpha: float) -> np.ndarray:
    """The weight update llama.cpp applies at scale 1: alpha / this tensor's rank x B x A."""
    a, b = got[f"blk.{layer}.{gguf_name}.weight.lora_a"], got[f"blk.{layer}.{gguf_name}.weight.lora_b"]
    return (alpha / a.shape[0]) * (b @ a)


@pytest.mark.parametrize("config, ranks, scales", [
    # per-module alphas: q_proj at 16 over rank 4, the rest at the adapter's 8
    ({"alpha_pattern": {"q_proj": 16.0}}, {}, {"q_proj": 16 / 4, "k_proj": 8 / 4, "v_proj": 8 / 4}),
    # per-module ranks: llama.cpp reads each tensor's own rank
    ({}, {"v_proj": 8}, {"q_proj": 8 / 4, "k_proj": 8 / 4, "v_proj": 8 / 8}),
    # rsLoRA with per-module ranks: alpha / sqrt(rank) each
    ({"use_rslora": True}, {"v_proj": 8}, {"q_proj": 8 / 2, "k_proj": 8 / 2, "v_proj": 8 / 8 ** 0.5}),
    # a full module path as the pattern key, and a key that matches nothing
    ({"alpha_pattern": {"model.layers.1.self_attn.k_proj": 2.0, "o_proj": 99.0}}, {},
     {"q_proj": 2.0, "k_proj": {0: 2.0, 1: 2.0 / 4}, "v_proj": 2.0}),
], ids=["alpha_pattern", "rank_pattern", "rslora+rank_pattern", "full-path key"])
def test_per_module_alphas_and_ranks_give_peft_s_update(starter_model, tmp_path, config, ranks, scales):
    """Each module's update in llama.cpp (one alpha, divided by the tensor's rank) equals PEFT's
    (its own alpha over its own rank, or sqrt of it with rsLoRA), rows permuted as the model's."""
    folder = write_peft(tmp_path / "peft", rank=4, alpha=8.0, config=config, ranks=ranks)
    from safetensors.numpy import load_file

    peft = load_file(str(folder / "adapter_model.safetensors"))
    out = convert(folder, starter_model, tmp_path / "o.gguf")
    got = tensors(out.path)
    for layer in (0, 1):
        stem = f"base_model.model.model.layers.{layer}.self_attn"
        for module, gguf_name, n_head in (("q_proj", "attn_q", 9), ("k_proj", "attn_k", 3), ("v_proj", "attn_v", None)):
            scale = scales[module][layer] if isinstance(scales[module], dict) else scales[module]
            delta = scale * (peft[f"{stem}.{module}.lora_B.weight"] @ peft[f"{stem}.{module}.lora_A.weight"])
            want = _permute(delta, n_head) if n_head else delta
            np.testing.assert_allclose(_update(got, layer, gguf_name, out.alpha), want, rtol=1e-4, atol=1e-4)


@pytest.mark.engine
def test_an_adapter_with_per_module_ranks_loads(starter_model, tmp_path):
    folder = write_peft(tmp_path / "peft", rank=4, alpha=8.0, config={"use_rslora": True}, ranks={"v_proj": 8})
    out = convert(folder, starter_model, tmp_path / "o.gguf")
    with Engine() as engine:
        engine.load(LoadParams(str(starter_model), n_ctx=512, n_threads=1))
        answer = engine.chat([{"role": "user", "content": "Hi"}], GenerationParams(max_tokens=4, temperature=0),
                             adapters=[{"path": out.path, "scale": 1.0}])
        assert [a["name"] for a in answer.stats.adapters] == ["o.gguf"]


def test_an_adapter_touching_lm_head_is_refused(starter_model, tmp_path):
    folder = write_peft(tmp_path / "peft", lm_head=True)
    with pytest.raises(ConvertError) as err:
        convert(folder, starter_model, tmp_path / "o.gguf")
    assert err.value.msg.template == LM.PEFT_EMBEDDINGS and "lm_head" in str(err.value)
    assert not (tmp_path / "o.gguf").exists()


def test_refusals(starter_model, tmp_path):
    with pytest.raises(ConvertError) as err:
        convert(tmp_path, starter_model, tmp_path / "o.gguf")
    assert err.value.msg.template == LM.PEFT_MISSING
    dora = write_peft(tmp_path / "dora", config={"use_dora": True})
    with pytest.raises(ConvertError):
        convert(dora, starter_model, tmp_path / "o.gguf")
    ok = write_peft(tmp_path / "ok")
    convert(ok, starter_model, tmp_path / "o.gguf")
    with pytest.raises(ConvertError) as err:  # never overwritten
        convert(ok, starter_model, tmp_path / "o.gguf")
    assert err.value.msg.template == LM.PEFT_OUTPUT_EXISTS
    with pytest.raises(ConvertError) as err:  # an adapter is no base
        convert(ok, tmp_path / "o.gguf", tmp_path / "o2.gguf")
    assert err.value.msg.template == LM.PEFT_BASE_IS_ADAPTER


@pytest.mark.engine
def test_every_linear_layer_converts_and_loads(starter_model, tmp_path):
    """target_modules "all-linear" (the MLP's gate/up/down too), with the adapter's name in the keys
    as a model's own state_dict writes them (lora_A.default.weight): mapped to GGUF's ffn_* and
    attn_* names, and llama.cpp applies it."""
    modules = tuple(m for m in HF_SHAPES if m != "lm_head")
    folder = write_peft(tmp_path / "peft", modules=modules, layers=(0, 29), adapter_name="default")
    out = convert(folder, starter_model, tmp_path / "all.gguf")
    names = {"q_proj": "attn_q", "k_proj": "attn_k", "v_proj": "attn_v", "o_proj": "attn_output",
             "gate_proj": "ffn_gate", "up_proj": "ffn_up", "down_proj": "ffn_down"}
    assert adapter_info(out.path).targets == sorted(f"blk.{i}.{names[m]}.weight" for i in (0, 29) for m in modules)
    got = tensors(out.path)
    from safetensors.numpy import load_file

    peft = load_file(str(folder / "adapter_model.safetensors"))
    for module in MLP:  # no permutation outside q/k: B @ A is PEFT's delta as it is
        stem = f"base_model.model.model.layers.29.mlp.{module}"
        delta = peft[f"{stem}.lora_B.default.weight"] @ peft[f"{stem}.lora_A.default.weight"]
        a, b = got[f"blk.29.{names[module]}.weight.lora_a"], got[f"blk.29.{names[module]}.weight.lora_b"]
        np.testing.assert_allclose(b @ a, delta, rtol=1e-5, atol=1e-5)
    assert_applied(starter_model, out.path)


def test_a_pickled_adapter_is_refused_with_the_reason(starter_model, tmp_path):
    """An older PEFT folder with adapter_model.bin (a PyTorch pickle) and no safetensors: one
    sentence that says why and what to do, nothing written."""
    folder = write_peft(tmp_path / "old")
    (folder / "adapter_model.safetensors").rename(folder / "adapter_model.bin")
    with pytest.raises(ConvertError) as err:
        convert(folder, starter_model, tmp_path / "o.gguf")
    assert err.value.msg.template == LM.PEFT_PICKLE and "adapter_model.bin" in str(err.value)
    assert not (tmp_path / "o.gguf").exists()


GEMMA3_270M = {"q_proj": (1024, 640), "k_proj": (256, 640), "v_proj": (256, 640), "o_proj": (640, 1024),
               "gate_proj": (2048, 640), "up_proj": (2048, 640), "down_proj": (640, 2048)}  # [n_out, n_in]


@pytest.mark.engine
def test_a_gemma_3_adapter_converts_and_applies(gemma_model, tmp_path):
    """Gemma 3 (no q/k permutation), keyed as Gemma3ForCausalLM saves it and as the multimodal
    Gemma3ForConditionalGeneration does (model.language_model.layers…): both map to the same GGUF
    names and change what the model writes."""
    outs = []
    for name, prefix in (("causal", "base_model.model.model"), ("multimodal", "base_model.model.model.language_model")):
        folder = write_peft(tmp_path / name, modules=tuple(GEMMA3_270M), layers=(0, 17), rank=8, alpha=16.0, seed=0,
                            shapes=GEMMA3_270M, prefix=prefix)
        outs.append(convert(folder, gemma_model, tmp_path / f"{name}.gguf"))
    assert [(o.count, o.architecture) for o in outs] == [(14, "gemma3")] * 2
    assert tensors(outs[0].path).keys() == tensors(outs[1].path).keys()
    assert "blk.17.ffn_down.weight.lora_b" in tensors(outs[0].path)
    with Engine() as engine:
        engine.load(LoadParams(str(gemma_model), n_ctx=256, n_threads=1))
        gp = GenerationParams(max_tokens=6, temperature=0)
        base = engine.complete("The capital of France is", gp).text
        texts = []
        for out in outs:
            engine.set_adapters([{"path": str(out.path), "scale": 1.0}])
            texts.append(engine.complete("The capital of France is", gp).text)
        assert texts[0] == texts[1] != base  # the same adapter either way, and applied


def test_a_damaged_weights_file_is_one_sentence(starter_model, tmp_path):
    folder = write_peft(tmp_path / "cut")
    weights = folder / "adapter_model.safetensors"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])  # an interrupted copy
    with pytest.raises(ConvertError) as err:
        convert(folder, starter_model, tmp_path / "o.gguf")
    assert err.value.msg.template == LM.PEFT_DAMAGED and "damaged or incomplete" in str(err.value)
    assert not (tmp_path / "o.gguf").exists()


def test_the_cli_writes_into_the_library_unless_told_otherwise(starter_model, tmp_path):
    """`hearth lora convert PEFT_DIR --base MODEL` (no -o): a new file in Hearth's adapters folder,
    named after the folder and the model, numbered when taken; `hearth models list` shows it."""
    import json
    import subprocess
    import sys

    from hearthlm.core.lora.convert import adapters_dir

    folder = write_peft(tmp_path / "pirate lora")

    def hearth(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "hearthlm.core.cli", *args], capture_output=True, text=True,
                              timeout=300)

    made = [json.loads(hearth("lora", "convert", str(folder), "--base", str(starter_model), "--json").stdout)["path"]
            for _ in range(2)]
    stem = f"pirate-lora-for-{starter_model.stem}"
    assert made == [str(adapters_dir() / f"{stem}.gguf"), str(adapters_dir() / f"{stem}-2.gguf")]
    listed = json.loads(hearth("models", "list", "--json").stdout)
    assert {m["path"] for m in listed if m["source"] == "converted" and m["kind"] == "lora"} == set(made)


def write_header_model(path, arch: str, *, n_embd: int = 64, n_head: int = 4, n_head_kv: int = 2, n_ff: int = 96,
                       fused: bool = False) -> None:
    """A two-layer GGUF of ``arch`` holding only the projection tensors (zeros): enough for the
    converter's checks, which read headers (llama.cpp never loads it here)."""
    import gguf

    kv = n_embd // n_head * n_head_kv
    writer = gguf.GGUFWriter(str(path), arch)
    writer.add_block_count(2)
    writer.add_embedding_length(n_embd)
    writer.add_head_count(n_head)
    writer.add_head_count_kv(n_head_kv)
    shapes = {"attn_output": (n_embd, n_embd), "ffn_down": (n_embd, n_ff)}  # [n_out, n_in]
    if fused:  # Phi-3: q, k and v in one matrix, gate and up in another
        shapes |= {"attn_qkv": (n_embd + 2 * kv, n_embd), "ffn_up": (2 * n_ff, n_embd)}
    else:
        shapes |= {"attn_q": (n_embd, n_embd), "attn_k": (kv, n_embd), "attn_v": (kv, n_embd),
                   "ffn_gate": (n_ff, n_embd), "ffn_up": (n_ff, n_embd)}
    for layer in (0, 1):
        for name, shape in shapes.items():
            writer.add_tensor(f"blk.{layer}.{name}.weight", np.zeros(shape, dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


@pytest.mark.parametrize("arch,permuted", [("granite", True), ("smollm3", True), ("olmo2", False)])
def test_more_llama_like_architectures_map_and_permute_as_their_converters_did(tmp_path, arch, permuted):
    """Granite and SmolLM3 (convert_hf_to_gguf.py's LlamaModel subclasses) had q/k rows permuted for
    llama.cpp's rotary layout, OLMo 2 did not: B @ A follows the base's rows either way."""
    base = tmp_path / f"{arch}.gguf"
    write_header_model(base, arch)
    shapes = {"q_proj": (64, 64), "k_proj": (32, 64), "v_proj": (32, 64), "o_proj": (64, 64),
              "gate_proj": (96, 64), "up_proj": (96, 64), "down_proj": (64, 96)}
    folder = write_peft(tmp_path / "peft", modules=tuple(shapes), layers=(0, 1), shapes=shapes)
    out = convert(folder, base, tmp_path / "o.gguf")
    assert (out.architecture, out.count, out.left_out) == (arch, 14, 0)
    from safetensors.numpy import load_file

    peft, got = load_file(str(folder / "adapter_model.safetensors")), tensors(out.path)
    names = {"q_proj": ("attn_q", 4), "k_proj": ("attn_k", 2), "v_proj": ("attn_v", None), "o_proj": ("attn_output", None),
             "gate_proj": ("ffn_gate", None), "up_proj": ("ffn_up", None), "down_proj": ("ffn_down", None)}
    for module, (name, n_head) in names.items():
        stem = f"base_model.model.model.layers.1.{'mlp' if module in MLP else 'self_attn'}.{module}"
        delta = peft[f"{stem}.lora_B.weight"] @ peft[f"{stem}.lora_A.weight"]
        want = _permute(delta, n_head) if permuted and n_head else delta
        b, a = got[f"blk.1.{name}.weight.lora_b"], got[f"blk.1.{name}.weight.lora_a"]
        np.testing.assert_allclose(b @ a, want, rtol=1e-5, atol=1e-5)
    q_rows = peft["base_model.model.model.layers.1.self_attn.q_proj.lora_B.weight"]
    assert not np.allclose(_permute(q_rows, 4), q_rows)  # not the identity here: the checks above can fail


def test_phi3_fused_projections_map_whole(tmp_path):
    """Phi-3 keeps q, k, v in qkv_proj and gate, up in gate_up_proj; its GGUF keeps them fused too
    (attn_qkv, ffn_up), rows as they are."""
    from safetensors.numpy import load_file, save_file

    base = tmp_path / "phi3.gguf"
    write_header_model(base, "phi3", fused=True)
    rng = np.random.default_rng(0)
    stem = "base_model.model.model.layers.{}.{}"
    arrays = {}
    for module, n_out, n_in in (("self_attn.qkv_proj", 128, 64), ("self_attn.o_proj", 64, 64),
                                ("mlp.gate_up_proj", 192, 64), ("mlp.down_proj", 64, 96)):
        arrays[stem.format(0, module) + ".lora_A.weight"] = rng.normal(0, 0.3, (4, n_in)).astype(np.float32)
        arrays[stem.format(0, module) + ".lora_B.weight"] = rng.normal(0, 0.3, (n_out, 4)).astype(np.float32)
    folder = tmp_path / "peft"
    folder.mkdir()
    save_file(arrays, str(folder / "adapter_model.safetensors"))
    (folder / "adapter_config.json").write_text('{"peft_type": "LORA", "r": 4, "lora_alpha": 8}', encoding="utf-8")
    out = convert(folder, base, tmp_path / "o.gguf")
    got, peft = tensors(out.path), load_file(str(folder / "adapter_model.safetensors"))
    for module, name in (("self_attn.qkv_proj", "attn_qkv"), ("mlp.gate_up_proj", "ffn_up"),
                         ("self_attn.o_proj", "attn_output"), ("mlp.down_proj", "ffn_down")):
        delta = peft[stem.format(0, module) + ".lora_B.weight"] @ peft[stem.format(0, module) + ".lora_A.weight"]
        np.testing.assert_allclose(got[f"blk.0.{name}.weight.lora_b"] @ got[f"blk.0.{name}.weight.lora_a"], delta,
                                   rtol=1e-5, atol=1e-5)


def test_a_multimodal_adapter_s_vision_matrices_are_left_out(tmp_path):
    """A Gemma 3 4B-style PEFT folder trained on "all-linear" also holds the vision tower's and the
    projector's matrices: those are left out (counted and said), the language model's converted; an
    adapter of the vision part alone is refused with the reason."""
    from safetensors.numpy import load_file, save_file

    base = tmp_path / "gemma3.gguf"
    write_header_model(base, "gemma3")
    shapes = {"q_proj": (64, 64), "v_proj": (32, 64)}
    folder = write_peft(tmp_path / "mm", modules=tuple(shapes), layers=(0,), shapes=shapes,
                        prefix="base_model.model.model.language_model")
    arrays = load_file(str(folder / "adapter_model.safetensors"))
    rng = np.random.default_rng(2)
    vision = {}
    for key in ("base_model.model.model.vision_tower.vision_model.encoder.layers.0.self_attn.q_proj",
                "base_model.model.model.multi_modal_projector.mm_input_projection"):
        vision[key + ".lora_A.weight"] = rng.normal(0, 0.3, (4, 48)).astype(np.float32)
        vision[key + ".lora_B.weight"] = rng.normal(0, 0.3, (48, 4)).astype(np.float32)
    save_file(arrays | vision, str(folder / "adapter_model.safetensors"))
    out = convert(folder, base, tmp_path / "o.gguf")
    assert (out.count, out.left_out) == (2, 4)
    assert adapter_info(out.path).targets == ["blk.0.attn_q.weight", "blk.0.attn_v.weight"]

    save_file(vision, str(folder / "adapter_model.safetensors"))
    with pytest.raises(ConvertError) as err:
        convert(folder, base, tmp_path / "vision.gguf")
    assert "all for the vision or audio part" in str(err.value) and not (tmp_path / "vision.gguf").exists()


def test_a_peft_folder_for_another_model_is_one_sentence(starter_model, tmp_path):
    """A Gemma 3 270M adapter given the starter (llama) as its base: the shapes disagree, said in
    one sentence before any row is permuted (it was a numpy reshape error)."""
    from hearthlm.core.lora.info import AdapterError

    folder = write_peft(tmp_path / "gemma", modules=("q_proj", "k_proj"), layers=(0,), shapes=GEMMA3_270M)
    with pytest.raises((ConvertError, AdapterError)) as err:
        convert(folder, starter_model, tmp_path / "o.gguf")
    assert "was not made for SmolLM2-135M-Instruct.Q4_1.gguf" in str(err.value) and "attn_" in str(err.value)
    assert not (tmp_path / "o.gguf").exists()
