"""Sentences of the models area (hub search, downloads, library), marked for translation."""

from __future__ import annotations

from ..messages import QT_TRANSLATE_NOOP

# -- hub access --------------------------------------------------------------------------------
GATED_NO_TOKEN = QT_TRANSLATE_NOOP(
    "core", "{repo} is gated or private: accept its terms on Hugging Face, then set a Hugging Face token "
            "in Settings or in the HF_TOKEN environment variable, or log in with `hf auth login`.")
# {source} is one of the TOKEN_FROM_* below: the user must know which token to fix
TOKEN_REFUSED = QT_TRANSLATE_NOOP(
    "core", "Hugging Face refused {source} for {repo} ({status}): check that the token is valid and that "
            "its account was granted access to this model.")
TOKEN_FROM_SETTINGS = QT_TRANSLATE_NOOP("core", "the token in Hearth's settings")
TOKEN_FROM_ENV = QT_TRANSLATE_NOOP("core", "the token in {name}")
TOKEN_FROM_LOGIN = QT_TRANSLATE_NOOP("core", "the token of your huggingface-cli login ({path})")
TOKEN_GIVEN = QT_TRANSLATE_NOOP("core", "the Hugging Face token given")
REPO_NOT_FOUND = QT_TRANSLATE_NOOP(
    "core", "There is no model {repo} on the hub (if it is private, set a Hugging Face token).")
FILE_NOT_FOUND = QT_TRANSLATE_NOOP("core", "{repo} has no file {file}.")
REVISION_NOT_FOUND = QT_TRANSLATE_NOOP("core", "{repo} has no revision {revision}.")
HUB_UNREACHABLE = QT_TRANSLATE_NOOP("core", "Cannot reach the hub at {endpoint}: {reason}.")
HUB_ERROR = QT_TRANSLATE_NOOP("core", "The hub answered {repo} with an error ({status}).")
NOT_A_HUB = QT_TRANSLATE_NOOP(
    "core", "The server at {endpoint} did not answer like a Hugging Face hub ({reason}); check HF_ENDPOINT and "
            "any proxy between you and the hub.")
OFFLINE = QT_TRANSLATE_NOOP("core", "Hugging Face access is switched off on this machine (HF_HUB_OFFLINE is set).")
RATE_LIMITED = QT_TRANSLATE_NOOP("core", "The hub is limiting requests (429).")
BAD_REPO_ID = QT_TRANSLATE_NOOP("core", "{repo} is not a model name: use the form owner/name.")
NO_GGUF_FILES = QT_TRANSLATE_NOOP("core", "{repo} has no GGUF files.")
NO_SUCH_GGUF = QT_TRANSLATE_NOOP("core", "{repo} has no GGUF file named {file}; it has: {choices}.")
INCOMPLETE_SET = QT_TRANSLATE_NOOP(
    "core", "{repo} lists only {parts} parts of the split model {file}, so it cannot be loaded; choose another file.")
CHOOSE_FILE = QT_TRANSLATE_NOOP("core", "{repo} has several GGUF files; name one of: {choices}.")

# -- downloads -----------------------------------------------------------------------------------
UNSAFE_NAME = QT_TRANSLATE_NOOP(
    "core", "The hub listed a file name that would be written outside the models folder ({name}); it was "
            "refused and nothing was written.")
UNSAFE_HEADER = QT_TRANSLATE_NOOP(
    "core", "The hub sent an unusable {what} for {file} ({value}); nothing was written.")
HASH_MISMATCH = QT_TRANSLATE_NOOP(
    "core", "{file} arrived damaged: its sha256 does not match the hub's, so it was moved to quarantine "
            "({path}) and not added to the library. Download it again.")
DISK_FULL = QT_TRANSLATE_NOOP("core", "Not enough disk space for {file}: {reason}.")
WRITE_FAILED = QT_TRANSLATE_NOOP("core", "Cannot write {file}: {reason}.")
RETRYING = QT_TRANSLATE_NOOP("core", "{reason} Retrying in {seconds} s (attempt {attempt} of {attempts}).")
GAVE_UP = QT_TRANSLATE_NOOP("core", "{reason} Gave up after {attempts} attempts; resume it to try again.")
WORKER_DIED = QT_TRANSLATE_NOOP("core", "The download process stopped unexpectedly ({detail}).")
NO_SUCH_DOWNLOAD = QT_TRANSLATE_NOOP("core", "No download with id {id}.")

# -- library ---------------------------------------------------------------------------------------
NOT_IN_LIBRARY = QT_TRANSLATE_NOOP("core", "No model named {name} in the library.")
AMBIGUOUS_NAME = QT_TRANSLATE_NOOP("core", "{name} matches several models: {choices}. Use the full path.")
NOT_OURS = QT_TRANSLATE_NOOP(
    "core", "{name} belongs to {source}; Hearth deletes only the models it downloaded. Remove it there.")
STARTER_KEPT = QT_TRANSLATE_NOOP(
    "core", "{name} is the starter model installed with Hearth, so it stays: uninstalling the {package} package removes it.")
IMPORT_NOTHING = QT_TRANSLATE_NOOP("core", "{path} holds no GGUF files.")
IMPORT_MISSING = QT_TRANSLATE_NOOP("core", "There is nothing at {path}.")

# -- fit verdicts ------------------------------------------------------------------------------------
FIT_FITS = QT_TRANSLATE_NOOP("core", "Fits")
FIT_TIGHT = QT_TRANSLATE_NOOP("core", "May be slow")
FIT_NO = QT_TRANSLATE_NOOP("core", "Won't fit")
FIT_DETAIL = QT_TRANSLATE_NOOP("core", "needs about {need} of {free} free {where}")

# -- fit verdicts from the memory estimate (core/hub/fit.py, remote_header.py) ------------------------
FIT_PARTIAL = QT_TRANSLATE_NOOP("core", "Fits with partial GPU offload")
FIT_CPU_ONLY = QT_TRANSLATE_NOOP("core", "Fits in RAM only (slow)")
FIT_EST_CPU = QT_TRANSLATE_NOOP(
    "core", "Estimated at {n_ctx:,} tokens of context: needs about {need} of {free} free RAM "
            "(with a {margin}% margin).")
FIT_EST_GPU = QT_TRANSLATE_NOOP(
    "core", "Estimated at {n_ctx:,} tokens of context: {layers} of {max_layers} layers on {gpu}, needing about "
            "{gpu_need} of {gpu_free} free there, and {ram_need} of {ram_free} free RAM (with a {margin}% margin).")
FIT_SIZE_ONLY = QT_TRANSLATE_NOOP("core", "{detail} (a guess from the file size: {reason})")
HEADER_TOO_BIG = QT_TRANSLATE_NOOP("core", "the header of {file} is larger than {limit}, so it was not read")
HEADER_NO_RANGE = QT_TRANSLATE_NOOP("core", "the hub did not answer a byte-range request for {file} ({status})")
