"""LoRA adapters: reading and checking GGUF adapters (info.py), converting PEFT adapters (convert.py)."""
