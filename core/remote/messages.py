"""Sentences of remote endpoints (core/remote), marked for translation. Each failure of a remote
answer has its own sentence: the user must know whether to wait, fix a key, or start a server."""

from __future__ import annotations

from ..messages import QT_TRANSLATE_NOOP

# -- endpoints (endpoints.py, cli.py) ------------------------------------------------------------
BAD_NAME = QT_TRANSLATE_NOOP(
    "core", "{name} cannot name an endpoint: use letters, digits, '.', '-' and '_' (no '/').")
BAD_URL = QT_TRANSLATE_NOOP("core", "{url} is not an http:// or https:// address.")
ENDPOINT_EXISTS = QT_TRANSLATE_NOOP(
    "core", "There is already an endpoint named {name}: choose another name, or replace it (hearth remote add --replace).")
NO_ENDPOINT = QT_TRANSLATE_NOOP("core", "There is no remote endpoint named {name}: add it with `hearth remote add`.")
BAD_REF = QT_TRANSLATE_NOOP("core", "{ref} does not name a remote model: write remote:NAME/MODEL.")
KEY_ENV_EMPTY = QT_TRANSLATE_NOOP("core", "The environment variable {var} is unset or empty, so there is no key to store.")
KEY_FILE_UNREADABLE = QT_TRANSLATE_NOOP("core", "Cannot read the key file {path}: {reason}.")
KEY_FILE_EMPTY = QT_TRANSLATE_NOOP("core", "The key file {path} is empty.")
CA_FILE_UNREADABLE = QT_TRANSLATE_NOOP("core", "Cannot use {path} as a CA certificate file: {reason}.")
ENDPOINT_ADDED = QT_TRANSLATE_NOOP("core", "Added {name} ({url}); its key is kept in {store}.")
ENDPOINT_ADDED_NO_KEY = QT_TRANSLATE_NOOP("core", "Added {name} ({url}), without a key.")
ENDPOINT_REMOVED = QT_TRANSLATE_NOOP("core", "Removed {name} and its key.")
KEYS_KEPT_IN = QT_TRANSLATE_NOOP("core", "Keys are kept in {store}.")
NO_ENDPOINTS = QT_TRANSLATE_NOOP("core", "No remote endpoints yet: add one with `hearth remote add NAME URL`.")
PLAIN_HTTP_KEY = QT_TRANSLATE_NOOP(
    "core", "The key for {name} goes over plain http://, readable by anyone on the network path: use https:// "
            "beyond your own machine or network.")

# -- answers and probes (engine.py, errors.py, probe.py) --------------------------------------------
CONNECT_REFUSED = QT_TRANSLATE_NOOP(
    "core", "Nothing answers at {url} (connection refused): is the server running, and is the port right?")
UNREACHABLE = QT_TRANSLATE_NOOP("core", "Cannot reach {url}: {reason}.")
CONNECT_TIMEOUT = QT_TRANSLATE_NOOP(
    "core", "{url} did not accept a connection within {seconds:.0f} s: the host may be down or a firewall drops the traffic.")
READ_TIMEOUT = QT_TRANSLATE_NOOP(
    "core", "{name} sent nothing for {seconds:.0f} s: the server may be overloaded or still loading the model.")
STALLED = QT_TRANSLATE_NOOP(
    "core", "{name} stopped sending the answer for {seconds:.0f} s; the part received is kept as interrupted.")
TLS_FAILED = QT_TRANSLATE_NOOP(
    "core", "The TLS certificate of {url} could not be verified ({reason}): give the server's CA file to the "
            "endpoint (--ca-file), or fix the certificate.")
NEEDS_KEY = QT_TRANSLATE_NOOP(
    "core", "{name} wants an API key (401): add the endpoint again with --key-env VAR or --key-file FILE.")
KEY_REFUSED = QT_TRANSLATE_NOOP(
    "core", "{name} refused the key stored for it (401): check the key, then add the endpoint again with the right one.")
FORBIDDEN = QT_TRANSLATE_NOOP("core", "{name} does not allow this key to use {model} (403).")
NO_MODEL = QT_TRANSLATE_NOOP(
    "core", "{name} has no model {model} (404): `hearth remote list` shows the models it offers.")
NO_API = QT_TRANSLATE_NOOP(
    "core", "{url} has no OpenAI-compatible API (404 for {path}): the base URL usually ends in /v1.")
RATE_LIMITED = QT_TRANSLATE_NOOP("core", "{name} is limiting requests (429): try again in {seconds} s.")
RATE_LIMITED_NO_WAIT = QT_TRANSLATE_NOOP("core", "{name} is limiting requests (429): try again later.")
REQUEST_REFUSED = QT_TRANSLATE_NOOP("core", "{name} refused the request ({status}): {detail}")
SERVER_FAILED = QT_TRANSLATE_NOOP("core", "{name} failed while answering ({status}): {detail}")
DIED_MID_ANSWER = QT_TRANSLATE_NOOP(
    "core", "{name} closed the connection in the middle of the answer; the part received is kept as interrupted.")
DIED_BEFORE_ANSWER = QT_TRANSLATE_NOOP("core", "{name} closed the connection before answering.")
STREAM_ERROR = QT_TRANSLATE_NOOP("core", "{name} reported an error in the middle of the answer: {detail}")
NOT_OPENAI = QT_TRANSLATE_NOOP(
    "core", "{url} did not answer like an OpenAI-compatible server ({reason}).")
NO_DETAIL = QT_TRANSLATE_NOOP("core", "no details were given")
