"""LoRA adapters on a loaded model: applied live, scales, KV never mixed across adapters, and a bad
adapter costs one sentence, not the engine. Real llama.cpp on the starter model; the adapters are
written by the tests (tests/lora_samples.py)."""

from __future__ import annotations

import pytest

from hearthlm.core.engine import Engine, GenerationParams, LoadParams
from hearthlm.core.engine.kv_states import SavedStates
from hearthlm.core.engine.runner import MIN_STATE_TOKENS
from hearthlm.core.errors import EngineError, ModelFileError
from hearthlm.core.lora import messages as LM
from hearthlm.core.lora.info import AdapterError, adapter_info

from lora_samples import MLP, one_layer_logits, write_adapter, write_one_layer_llama, write_peft

pytestmark = pytest.mark.engine

GREEDY = GenerationParams(max_tokens=16, temperature=0)
QUESTION = [{"role": "user", "content": "Name three colours."}]
OTHER = [{"role": "user", "content": "What is two plus two?"}]


@pytest.fixture(scope="module")
def adapters(tmp_path_factory):
    d = tmp_path_factory.mktemp("lora")
    found = {"a": write_adapter(d / "a.gguf", seed=1, alpha=16.0),
             "b": write_adapter(d / "b.gguf", seed=2, alpha=8.0, kinds=("attn_k", "attn_output")),
             "flush": write_adapter(d / "flush.gguf", seed=3, layers=(5,))}
    FLUSH[0] = found["flush"]
    return found


FLUSH: list = [None]


def fresh(engine: Engine, messages, adapters) -> object:
    """An answer computed from an empty cache (the prompts are too short for saved states): any
    change of adapters empties it, so a third adapter is applied first."""
    engine.set_adapters([{"path": FLUSH[0], "scale": 1.0}])
    answer = engine.chat(messages, GREEDY, adapters=adapters)
    assert answer.stats.evaluated_tokens == answer.stats.prompt_tokens
    return answer


def test_adapter_header_is_read(adapters):
    info = adapter_info(adapters["a"])
    assert (info.architecture, info.alpha, info.rank) == ("llama", 16.0, 8)
    assert "blk.0.attn_q.weight" in info.targets


def test_scale_zero_is_the_base_model_token_for_token(lora_engine, adapters):
    base = fresh(lora_engine, QUESTION, [])
    zero = fresh(lora_engine, QUESTION, [{"path": adapters["a"], "scale": 0.0}])
    assert zero.text == base.text and zero.stats.completion_tokens == base.stats.completion_tokens
    assert zero.stats.adapters == []  # a zero scale is not applied: the stats name no adapter


def test_scale_one_changes_the_answer_and_detaching_restores_it(lora_engine, adapters):
    base = fresh(lora_engine, QUESTION, [])
    with_a = lora_engine.chat(QUESTION, GREEDY, adapters=[{"path": adapters["a"], "scale": 1.0}])
    # the base model's cache of the same prompt was not reused under the adapter
    assert with_a.stats.evaluated_tokens == with_a.stats.prompt_tokens
    assert with_a.text != base.text
    assert [a["name"] for a in with_a.stats.adapters] == ["a.gguf"]
    detached = lora_engine.chat(QUESTION, GREEDY, adapters=[])
    assert detached.stats.evaluated_tokens == detached.stats.prompt_tokens  # nor the adapter's, after
    assert detached.text == base.text


@pytest.mark.parametrize("dtype", ["f16", "q8_0"])
def test_f16_and_q8_0_adapters_apply(lora_engine, adapters, tmp_path, dtype):
    """Adapters as llama.cpp's converter writes them with --outtype f16 / q8_0 (rank 32, so that
    Q8_0's blocks of 32 fit): read, checked and applied like F32 ones."""
    f32 = write_adapter(tmp_path / "f32.gguf", seed=4, rank=32)
    other = write_adapter(tmp_path / f"{dtype}.gguf", seed=4, rank=32, dtype=dtype)
    assert adapter_info(other).rank == 32 and adapter_info(other).targets == adapter_info(f32).targets
    base = fresh(lora_engine, QUESTION, [])
    want = fresh(lora_engine, QUESTION, [{"path": f32, "scale": 1.0}])
    got = fresh(lora_engine, QUESTION, [{"path": other, "scale": 1.0}])
    assert got.text != base.text and [a["name"] for a in got.stats.adapters] == [f"{dtype}.gguf"]
    if dtype == "f16":  # the same matrices, rounded to F16: the same greedy answer
        assert got.text == want.text
    else:  # Q8_0 also quantizes the activations it multiplies: applied, not bit for bit
        assert want.text != base.text and fresh(lora_engine, QUESTION, []).text == base.text


def test_scale_is_applied(lora_engine, adapters):
    half = fresh(lora_engine, QUESTION, [{"path": adapters["a"], "scale": 0.5}]).text
    full = fresh(lora_engine, QUESTION, [{"path": adapters["a"], "scale": 1.0}]).text
    assert half != full


def test_swapping_adapters_mid_conversation_never_reuses_the_other_adapters_kv(lora_engine, adapters):
    a = [{"path": adapters["a"], "scale": 1.0}]
    b = [{"path": adapters["b"], "scale": 1.0}]
    first = lora_engine.chat(QUESTION, GREEDY, adapters=a)
    turn2 = QUESTION + [{"role": "assistant", "content": first.text}, {"role": "user", "content": "And three more?"}]
    under_b = lora_engine.chat(turn2, GREEDY, adapters=b)
    assert under_b.stats.evaluated_tokens == under_b.stats.prompt_tokens  # nothing of A's cache kept
    assert under_b.text == fresh(lora_engine, turn2, b).text
    # Same adapters again: the prefix is reused as usual.
    again = lora_engine.chat(turn2, GREEDY, adapters=b)
    assert again.stats.evaluated_tokens < again.stats.prompt_tokens


def test_saved_states_are_kept_per_adapter(lora_engine, adapters):
    """A long conversation's saved state under adapter A is restored for A, never for B."""
    long_text = " ".join(f"Point {i}: the river runs past the old mill." for i in range(40))
    convo = [{"role": "user", "content": long_text}]
    a = [{"path": adapters["a"], "scale": 1.0}]
    b = [{"path": adapters["b"], "scale": 1.0}]
    one_token = GenerationParams(max_tokens=1, temperature=0)
    under_a = lora_engine.chat(convo, one_token, adapters=a)
    assert under_a.stats.prompt_tokens > MIN_STATE_TOKENS + 20
    under_b = lora_engine.chat(convo, one_token, adapters=b)  # A's cache is saved, B starts empty
    assert under_b.stats.evaluated_tokens == under_b.stats.prompt_tokens
    back_to_a = lora_engine.chat(convo, one_token, adapters=a)  # A's saved state comes back
    assert back_to_a.stats.evaluated_tokens < MIN_STATE_TOKENS
    again_b = lora_engine.chat(convo, one_token, adapters=b)  # and B's own (saved when A came back)
    assert again_b.stats.evaluated_tokens < MIN_STATE_TOKENS and again_b.text == under_b.text


def test_saved_states_match_only_their_own_key():
    states = SavedStates(budget_bytes=1000, available=None)
    states.key = "a"
    states.put([1, 2, 3, 4], b"x")
    states.key = "b"
    assert states.best([1, 2, 3, 4, 5]) is None
    states.put([1, 2], b"y")  # a prefix under another key does not replace A's state
    states.key = "a"
    assert states.best([1, 2, 3, 4, 5])[1] == 4


def test_wrong_architecture_is_one_sentence(lora_engine, adapters, tmp_path):
    qwen = write_adapter(tmp_path / "qwen.gguf", arch="qwen2")
    with pytest.raises(AdapterError) as err:
        lora_engine.set_adapters([{"path": qwen, "scale": 1.0}])
    assert err.value.msg.template == LM.WRONG_ARCH and "qwen2" in str(err.value)
    assert lora_engine.chat(QUESTION, GREEDY, adapters=[]).text


def test_shape_mismatch_is_one_sentence(lora_engine, tmp_path):
    wrong = write_adapter(tmp_path / "wide.gguf", kinds=("attn_k",), shapes={"attn_k": (576, 576)})
    with pytest.raises(AdapterError) as err:
        lora_engine.set_adapters([{"path": wrong, "scale": 1.0}])
    assert err.value.msg.template == LM.SHAPE_MISMATCH and "blk.0.attn_k.weight" in str(err.value)


def test_damaged_adapter_and_a_model_given_as_adapter(lora_engine, adapters, starter_model, tmp_path):
    damaged = tmp_path / "cut.gguf"
    damaged.write_bytes(adapters["a"].read_bytes()[:5000])
    with pytest.raises(ModelFileError):
        lora_engine.set_adapters([{"path": damaged, "scale": 1.0}])
    with pytest.raises(AdapterError) as err:
        lora_engine.set_adapters([{"path": starter_model, "scale": 1.0}])
    assert err.value.msg.template == LM.NOT_ADAPTER
    with pytest.raises(AdapterError):
        lora_engine.set_adapters([{"path": adapters["a"], "scale": 3}])
    assert lora_engine.alive and lora_engine.chat(QUESTION, GREEDY, adapters=[]).text


def test_the_engine_survives_an_adapter_llama_cpp_refuses(lora_engine, tmp_path, monkeypatch):
    """Past the parent's checks (switched off here), llama.cpp itself refuses the file in the engine
    process: one sentence, and the engine answers on with the adapters it had."""
    import hearthlm.core.lora.info as info

    bad = write_adapter(tmp_path / "missing.gguf", kinds=("attn_q",), layers=(99,))
    monkeypatch.setattr(info, "check_fits", lambda *_a: None)
    with pytest.raises(EngineError) as err:
        lora_engine.set_adapters([{"path": bad, "scale": 1.0}])
    assert err.value.msg.template == LM.LORA_LOAD_FAILED
    assert lora_engine.alive and lora_engine.chat(QUESTION, GREEDY, adapters=[]).text


def test_an_adapter_is_not_loaded_as_a_model(lora_engine, adapters):
    with pytest.raises(ModelFileError) as err:
        lora_engine.load(LoadParams(str(adapters["a"])))
    assert err.value.msg.template == LM.ADAPTER_NOT_MODEL
    assert lora_engine.model is not None and lora_engine.chat(QUESTION, GREEDY, adapters=[]).text


def test_hearth_chat_lora(starter_model, adapters, tmp_path):
    """`hearth chat --lora FILE[:SCALE]` (repeatable): the answer names the adapters it used; a file
    that is not an adapter is one line on stderr and exit status 1."""
    import json
    import subprocess
    import sys

    def chat(*lora: str) -> subprocess.CompletedProcess:
        args = [a for value in lora for a in ("--lora", value)]
        return subprocess.run([sys.executable, "-m", "hearthlm.core.cli", "chat", "--model", str(starter_model),
                               "--prompt", "Hi", "--max-tokens", "4", "--temperature", "0", "--threads", "1",
                               "--json", *args], capture_output=True, text=True, timeout=300)

    done = chat(f"{adapters['a']}:0.5", str(adapters["b"]))
    assert done.returncode == 0, done.stderr
    used = json.loads(done.stdout)["adapters"]
    assert [(a["name"], a["scale"]) for a in used] == [("a.gguf", 0.5), ("b.gguf", 1.0)]
    refused = chat(str(starter_model))
    assert refused.returncode == 1
    assert refused.stderr.strip().count("\n") == 0 and "not a LoRA adapter" in refused.stderr


@pytest.mark.parametrize("scale", [1.0, 0.6])
def test_one_step_s_logits_equal_numpy_s_from_the_merged_weights(starter_model, tmp_path, scale):
    """The issue's own check, end to end: a one-layer F32 llama model (grouped-query attention, the
    starter's tokenizer, random weights) and a PEFT adapter on all seven projections, converted by
    ``hearth lora convert``'s code. After a three-token prompt, the first answer token's
    log-probabilities under the adapter at ``scale`` equal those numpy computes the Hugging Face way
    from W + scale x alpha / rank x B @ A merged into the weights — so q and k's rows were permuted
    for llama.cpp's rotary layout, and alpha and the scale applied, as PEFT would; without the
    adapter, those of the plain weights."""
    import gguf
    import numpy as np
    from safetensors.numpy import load_file

    from hearthlm.core.lora.convert import convert

    weights = write_one_layer_llama(tmp_path / "one.gguf", starter_model)
    vocab = gguf.GGUFReader(str(tmp_path / "one.gguf")).fields["tokenizer.ggml.tokens"].contents()
    tokens = [vocab.index(t) for t in ("Hello", "Ġworld", "Ġagain")]
    rank, alpha = 4, 8.0
    hf = {"q_proj": "attn_q", "k_proj": "attn_k", "v_proj": "attn_v", "o_proj": "attn_output",
          "gate_proj": "ffn_gate", "up_proj": "ffn_up", "down_proj": "ffn_down"}
    folder = write_peft(tmp_path / "peft", modules=tuple(hf), layers=(0,), rank=rank, alpha=alpha, seed=3, std=0.4,
                        shapes={m: weights[f"blk.0.{name}.weight"].shape for m, name in hf.items()})
    peft = load_file(str(folder / "adapter_model.safetensors"))
    merged = dict(weights)
    for module, name in hf.items():
        stem = f"base_model.model.model.layers.0.{'mlp' if module in MLP else 'self_attn'}.{module}"
        a, b = peft[f"{stem}.lora_A.weight"], peft[f"{stem}.lora_B.weight"]
        merged[f"blk.0.{name}.weight"] = weights[f"blk.0.{name}.weight"] + scale * alpha / rank * (
            b.astype(np.float64) @ a.astype(np.float64))
    adapter = convert(folder, tmp_path / "one.gguf", tmp_path / "lora.gguf").path

    def top(logits: np.ndarray) -> np.ndarray:
        shifted = logits - logits.max()
        return np.sort(shifted - np.log(np.exp(shifted).sum()))[::-1][:5]

    gp = GenerationParams(max_tokens=1, temperature=0, top_logprobs=5)
    got = {}
    with Engine() as engine:
        engine.load(LoadParams(str(tmp_path / "one.gguf"), n_ctx=64, n_threads=1))
        for label, adapters in (("base", []), ("lora", [{"path": adapter, "scale": scale}])):
            engine.set_adapters(adapters)
            answer = engine.complete("Hello world again", gp)
            assert answer.stats.prompt_tokens == 3
            got[label] = np.array([e["logprob"] for e in answer.logprobs[0]["top_logprobs"]])
    np.testing.assert_allclose(got["base"], top(one_layer_logits(weights, tokens)), atol=3e-3)
    np.testing.assert_allclose(got["lora"], top(one_layer_logits(merged, tokens)), atol=3e-3)
    assert np.abs(got["lora"] - got["base"]).max() > 0.3  # the adapter moves them far beyond the tolerance
