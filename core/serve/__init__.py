"""The OpenAI-compatible HTTP server (``hearth serve`` and the window's Server page).

An ASGI app (Starlette, run by uvicorn) in front of Hearth's engines: chat and text completions,
embeddings with Hearth's embedders, and the document collections. Safe by default (security.py):
loopback only without a key, the Host header checked on every bind, CORS only for configured
origins, limits on bodies, answers, queues and streams.
"""
