"""Hugging Face search, file lists, reliable downloads, and the one library of local models.

Everything here talks to the hub through huggingface_hub (``HF_ENDPOINT`` or an ``endpoint``
argument points it elsewhere, e.g. a test hub on 127.0.0.1). Nothing here imports Qt.
"""
