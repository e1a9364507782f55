"""Tokens as a user sees them: pieces with ids (pieces.py), a model's tokenizer loaded without its
weights (vocab.py), run in a child process for the window (worker.py, client.py)."""
