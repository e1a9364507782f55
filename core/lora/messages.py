"""The sentences of the LoRA area (adapters and their conversion), translated by the window."""

from __future__ import annotations

from ..messages import CONTEXT, QT_TRANSLATE_NOOP  # noqa: F401 (CONTEXT: lupdate reads the literal)

# -- checking an adapter before the engine loads it (core/lora/info.py) --------------------------
NOT_ADAPTER = QT_TRANSLATE_NOOP("core", "{name} is a model, not a LoRA adapter (its general.type is {kind}).")
NOT_LORA = QT_TRANSLATE_NOOP("core", "{name} is a {kind} adapter; only LoRA adapters can be attached.")
WRONG_ARCH = QT_TRANSLATE_NOOP(
    "core", "{name} is a LoRA adapter for {adapter_arch} models; the loaded model is {model_arch}.")
NO_LORA_TENSORS = QT_TRANSLATE_NOOP("core", "{name} holds no LoRA tensors (.lora_a / .lora_b pairs).")
UNEXPECTED_TENSOR = QT_TRANSLATE_NOOP("core", "{name} is not a usable LoRA adapter: tensor {tensor} is neither a .lora_a nor a .lora_b.")
HALF_PAIR = QT_TRANSLATE_NOOP("core", "{name} is damaged: tensor {tensor} has no matching .lora_a/.lora_b partner.")
NOT_IN_BASE = QT_TRANSLATE_NOOP(
    "core", "{name} does not fit the loaded model: it changes {tensor}, which the model does not have.")
SHAPE_MISMATCH = QT_TRANSLATE_NOOP(
    "core", "{name} does not fit the loaded model: {tensor} is {base_shape} in the model but the adapter's "
            "matrices are {a_shape} and {b_shape} (rank {rank}).")
ADAPTER_NOT_MODEL = QT_TRANSLATE_NOOP(
    "core", "{name} is a LoRA adapter, not a model: load its base model and attach it in the conversation's settings.")
BAD_SCALE = QT_TRANSLATE_NOOP("core", "The scale of {name} must be a number from 0 to 2, not {scale}.")
BAD_LORA_ARG = QT_TRANSLATE_NOOP("core", "--lora takes FILE or FILE:SCALE, not {value}.")
# in the engine (core/engine/adapters.py)
LORA_LOAD_FAILED = QT_TRANSLATE_NOOP("core", "llama.cpp could not load the LoRA adapter {name} (see the engine log for why).")
# the stats line
ADAPTERS_USED = QT_TRANSLATE_NOOP("core", "LoRA: {adapters}")

# -- converting PEFT adapters (core/lora/convert.py) ----------------------------------------------
PEFT_MISSING = QT_TRANSLATE_NOOP(
    "core", "{path} is not a PEFT adapter folder: it needs adapter_config.json and adapter_model.safetensors.")
PEFT_PICKLE = QT_TRANSLATE_NOOP(
    "core", "{path} holds its weights as adapter_model.bin, a PyTorch pickle, which Hearth does not open "
            "(loading one can run code): save the adapter again with safetensors (PEFT's save_pretrained "
            "does by default).")
PEFT_DAMAGED = QT_TRANSLATE_NOOP(
    "core", "adapter_model.safetensors in {path} is damaged or incomplete ({reason}): copy or save it again.")
PEFT_CONFIG_BAD = QT_TRANSLATE_NOOP("core", "adapter_config.json in {path} cannot be read: {reason}.")
PEFT_NOT_LORA = QT_TRANSLATE_NOOP("core", "{path} is a {kind} adapter; only LoRA adapters can be converted.")
PEFT_UNSUPPORTED = QT_TRANSLATE_NOOP("core", "{path} cannot be converted: {reason}.")
PEFT_EMBEDDINGS = QT_TRANSLATE_NOOP(
    "core", "{path} changes {tensor} (the token embeddings or the output layer), usually because tokens "
            "were added during fine-tuning; llama.cpp's LoRA cannot apply that, so it is not converted.")
PEFT_UNKNOWN_TENSOR = QT_TRANSLATE_NOOP(
    "core", "{path} has a tensor {tensor} that is not a LoRA A/B matrix; it is not converted.")
PEFT_UNMAPPED = QT_TRANSLATE_NOOP(
    "core", "{path} changes {tensor}, which has no counterpart in {arch} GGUF models; it is not converted.")
PEFT_ARCH_UNSUPPORTED = QT_TRANSLATE_NOOP(
    "core", "Converting adapters for {arch} models is not supported yet (supported: {supported}).")
PEFT_BASE_IS_ADAPTER = QT_TRANSLATE_NOOP("core", "{name} is itself an adapter: give the base model with --base.")
PEFT_DTYPE = QT_TRANSLATE_NOOP("core", "{path}: tensor {tensor} has type {dtype}, which cannot be converted.")
PEFT_OUTPUT_EXISTS = QT_TRANSLATE_NOOP("core", "{path} already exists; choose another output name.")
PEFT_WRONG_BASE = QT_TRANSLATE_NOOP(
    "core", "{path} was not made for {base}: {tensor} is {base_shape} in that model, and the adapter's matrices for it "
            "are {a_shape} and {b_shape} (an adapter for another model?).")
PEFT_NOT_IN_BASE = QT_TRANSLATE_NOOP(
    "core", "{path} was not made for {base}: it changes {tensor}, which that model does not have.")
CONVERTED = QT_TRANSLATE_NOOP("core", "Wrote {path}: {count} LoRA matrices for {arch}, rank {rank}, alpha {alpha:g}.")
LEFT_OUT = QT_TRANSLATE_NOOP(
    "core", "{count} matrices of the vision or audio part were left out: the GGUF model is the text part, as llama.cpp converts it.")
