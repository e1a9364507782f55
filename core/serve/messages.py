"""Sentences of the server (see core/messages.py for the pattern). API errors are returned to
clients in English; the window shows the same sentences translated."""

from __future__ import annotations

from ..messages import QT_TRANSLATE_NOOP

# -- starting ----------------------------------------------------------------------------------
PORT_TAKEN = QT_TRANSLATE_NOOP("core", "Port {port} on {host} is already in use: stop the program using it or choose another port with --port.")
BIND_FAILED = QT_TRANSLATE_NOOP("core", "Cannot listen on {host}:{port}: {reason}.")
KEY_REQUIRED = QT_TRANSLATE_NOOP("core", "Refusing to listen on {host} without an API key: anyone on the network could use it. Give one with --api-key, --api-key-file or HEARTH_API_KEY, or listen on 127.0.0.1.")
KEY_FILE_UNREADABLE = QT_TRANSLATE_NOOP("core", "Cannot read the API key file {path}: {reason}.")
KEY_FILE_EMPTY = QT_TRANSLATE_NOOP("core", "The API key file {path} is empty.")
CORS_WILDCARD = QT_TRANSLATE_NOOP("core", "--cors-origin '*' would let every web page use the server: name the origins instead (e.g. http://localhost:3000).")
SERVING = QT_TRANSLATE_NOOP("core", "Hearth serves {models} at {address} (Ctrl-C stops).")
UNLOADED_IDLE = QT_TRANSLATE_NOOP("core", "Unloaded {model} after {minutes:g} min without requests, freeing its memory; the next request loads it again.")
NO_MODEL_TO_SERVE = QT_TRANSLATE_NOOP("core", "No model to serve: pass --model PATH or a library name, or install the starter model.")

# -- errors returned to clients ------------------------------------------------------------------
HOST_REFUSED = QT_TRANSLATE_NOOP("core", "The Host header “{host}” is not allowed (add it with --allow-host).")
KEY_MISSING = QT_TRANSLATE_NOOP("core", "This server needs an API key: send it as “Authorization: Bearer KEY”.")
KEY_WRONG = QT_TRANSLATE_NOOP("core", "Incorrect API key.")
BODY_TOO_LARGE = QT_TRANSLATE_NOOP("core", "The request body is larger than the limit of {limit} bytes.")
BAD_JSON = QT_TRANSLATE_NOOP("core", "The request body is not valid JSON: {reason}.")
BAD_PARAMETER = QT_TRANSLATE_NOOP("core", "Invalid value for “{param}”: {reason}.")
NO_ROUTE = QT_TRANSLATE_NOOP("core", "There is no route {method} {path}.")
UNKNOWN_MODEL = QT_TRANSLATE_NOOP("core", "The model “{model}” is not served here; GET /v1/models lists those that are.")
ONLY_N_1 = QT_TRANSLATE_NOOP("core", "Only n = 1 is supported (one answer per request).")
MAX_TOKENS_LIMIT = QT_TRANSLATE_NOOP("core", "max_tokens is {value}, over this server's limit of {limit}.")
QUEUE_FULL = QT_TRANSLATE_NOOP("core", "The server is busy ({waiting} requests waiting for {model}): try again in a few seconds.")
STREAMS_FULL = QT_TRANSLATE_NOOP("core", "The server already streams {limit} answers, its limit: try again in a few seconds.")
MODEL_LOADING = QT_TRANSLATE_NOOP("core", "The model “{model}” is loading in Hearth's window: try again in a few seconds.")
ENGINE_CRASHED = QT_TRANSLATE_NOOP("core", "The engine stopped while answering ({reason}); it is being restarted, and the next request will be served.")
ENGINE_FAILED = QT_TRANSLATE_NOOP("core", "The engine could not answer: {reason}.")
BAD_CONTENT_PART = QT_TRANSLATE_NOOP("core", "Content parts of type “{kind}” are not supported: only text.")
EMBED_MODEL_UNKNOWN = QT_TRANSLATE_NOOP("core", "The embedding model “{model}” is not available: use minilm or a served model.")
COLLECTION_UNKNOWN = QT_TRANSLATE_NOOP("core", "There is no collection named “{name}”.")
TEMPLATE_NO_TOOLS = QT_TRANSLATE_NOOP("core", "The tools could not be put in the prompt: {reason}.")
