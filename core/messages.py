"""Every sentence the core shows a user, in one place, so the window can show it translated.

core/ never imports Qt, but Qt's ``lupdate`` reads source text: the local ``QT_TRANSLATE_NOOP``
below marks each template for extraction into resources/translations/*.ts under the context
"core". A ``Msg`` is the English sentence (a ``str``) that also keeps its template and values, so
the GUI can format the translated template with the same values (see gui/messages.py). A value
may itself be a ``Msg`` (a cause inside a sentence) and is translated the same way.
"""

from __future__ import annotations

from typing import Any

CONTEXT = "core"


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 (the name lupdate looks for)
    return text


class Msg(str):
    """An English sentence (it *is* the str) that remembers its template and values."""

    template: str
    values: dict[str, Any]

    def __new__(cls, template: str, values: dict[str, Any] | None = None) -> Msg:
        values = dict(values or {})
        self = super().__new__(cls, template.format(**values) if values else template)
        self.template, self.values = template, values
        return self

    def __reduce__(self) -> tuple:  # pickle/copy keep the template
        return (Msg, (self.template, self.values))

    def to_json(self) -> dict[str, Any]:
        return {"template": self.template,
                "values": {k: v.to_json() if isinstance(v, Msg) else v for k, v in self.values.items()}}

    @classmethod
    def from_json(cls, data: Any) -> Msg | None:
        if not isinstance(data, dict) or "template" not in data:
            return None
        values = {}
        for key, value in data.get("values", {}).items():
            nested = cls.from_json(value) if isinstance(value, dict) else None
            values[key] = nested if nested is not None else value
        return cls(data["template"], values)


def msg(template: str, **values: Any) -> Msg:
    return Msg(template, values)


# -- model files (core/modelfile.py) ---------------------------------------------------------
NO_MODEL_FILE = QT_TRANSLATE_NOOP("core", "No model file at {path}.")
IS_FOLDER = QT_TRANSLATE_NOOP("core", "{path} is a folder, not a model file: choose a .gguf file inside it.")
NOT_REGULAR = QT_TRANSLATE_NOOP("core", "{path} is not a regular file, so it cannot be a model.")
PERMISSION = QT_TRANSLATE_NOOP("core", "Cannot read {path}: permission denied.")
UNREADABLE = QT_TRANSLATE_NOOP("core", "Cannot read {path}: {reason}.")
EMPTY_FILE = QT_TRANSLATE_NOOP("core", "{name} is empty (0 bytes), so it is not a model.")
NOT_GGUF = QT_TRANSLATE_NOOP("core", "{name} is not a GGUF model file (it does not start with the GGUF signature).")
GGUF_V1 = QT_TRANSLATE_NOOP("core", "{name} uses GGUF version 1, which llama.cpp no longer reads: get a newer file.")
GGUF_VERSION = QT_TRANSLATE_NOOP("core", "{name} is damaged or from an unknown GGUF version ({version}).")
DAMAGED = QT_TRANSLATE_NOOP("core", "{name} is damaged or truncated: {detail}. Download it again.")
TOO_MANY = QT_TRANSLATE_NOOP(
    "core", "{name} is damaged or truncated: its header counts {n_kv:,} metadata entries and {n_tensors:,} "
            "tensors, more than a file of {size:,} bytes can hold. Download it again.")
TRUNCATED = QT_TRANSLATE_NOOP(
    "core", "{name} is truncated: its tensors need {needed:,} bytes but the file has {size:,} "
            "({missing:,} missing). Download it again.")
# what exactly is damaged (the {detail} above); {what}: the part of the file, below
PART_HEADER = QT_TRANSLATE_NOOP("core", "header")
PART_METADATA_KEY = QT_TRANSLATE_NOOP("core", "metadata key")
PART_METADATA_ENTRY = QT_TRANSLATE_NOOP("core", "metadata entry {key}")
PART_TENSOR_LIST = QT_TRANSLATE_NOOP("core", "tensor list")
PART_TENSOR = QT_TRANSLATE_NOOP("core", "tensor {tensor}")
D_ENDS_INSIDE = QT_TRANSLATE_NOOP("core", "the file ends inside the {what}")
D_STRING_SIZE = QT_TRANSLATE_NOOP("core", "a {what} claims {length:,} bytes")
D_NESTED = QT_TRANSLATE_NOOP("core", "arrays nested too deeply in {what}")
D_VALUE_TYPE = QT_TRANSLATE_NOOP("core", "unknown value type {vtype} in {what}")
D_ARRAY_SIZE = QT_TRANSLATE_NOOP("core", "{what} claims {count:,} items, more than the file holds")
D_TENSOR_TYPE = QT_TRANSLATE_NOOP("core", "tensor {tensor} has unknown type {ggml_type}")
D_TENSOR_ROW = QT_TRANSLATE_NOOP("core", "tensor {tensor} has a row of {row} that is not a multiple of {block}")
D_ALIGNMENT = QT_TRANSLATE_NOOP("core", "general.alignment is {alignment}, not a power of two")
D_DIMS = QT_TRANSLATE_NOOP("core", "tensor {tensor} has {n_dims} dimensions")
D_SHAPE = QT_TRANSLATE_NOOP("core", "tensor {tensor} has an impossible shape {shape}")
D_MISALIGNED = QT_TRANSLATE_NOOP("core", "tensor {tensor} is not aligned to {alignment} bytes")

# -- settings (core/settings.py) --------------------------------------------------------------
SETTINGS_CORRUPT = QT_TRANSLATE_NOOP(
    "core", "The settings file {path} could not be read ({reason}): Hearth started with the default settings "
            "and kept the damaged file as {kept}.")
SETTINGS_UNREADABLE = QT_TRANSLATE_NOOP(
    "core", "The settings file {path} could not be read ({reason}): Hearth uses the default settings and will not "
            "save over that file.")
SETTINGS_NOT_SAVED = QT_TRANSLATE_NOOP(
    "core", "Not saved: the settings file {path} could not be read ({reason}), and saving would replace what it holds.")
SETTINGS_CORRUPT_NOT_KEPT = QT_TRANSLATE_NOOP(
    "core", "The settings file {path} could not be read ({reason}), and it could not be set aside ({error}): "
            "Hearth started with the default settings, and saving settings will replace that file.")

# -- secrets (core/secrets.py) --------------------------------------------------------------------------
STORE_KEYRING = QT_TRANSLATE_NOOP("core", "the system keychain ({backend})")
STORE_FILE = QT_TRANSLATE_NOOP("core", "the file {path}, readable only by you (no system keychain was found)")
SECRET_STORE_FAILED = QT_TRANSLATE_NOOP("core", "Could not keep the secret in {store}: {reason}.")
HF_TOKEN_MOVED = QT_TRANSLATE_NOOP(
    "core", "The Hugging Face token was moved out of settings.json into {store}.")

# -- chat templates (core/prompt/template.py) --------------------------------------------------
TEMPLATE_REFUSED = QT_TRANSLATE_NOOP(
    "core", "The model's chat template tried to reach outside its sandbox and was refused; using the "
            "{format} format instead.")
TEMPLATE_FAILED = QT_TRANSLATE_NOOP("core", "The model's chat template failed ({error}); using the {format} format instead.")
TEMPLATE_TOO_SLOW = QT_TRANSLATE_NOOP(
    "core", "The model's chat template ran for more than {seconds:g} s and was stopped; using the {format} format instead.")
TEMPLATE_TOO_LARGE = QT_TRANSLATE_NOOP(
    "core", "The model's chat template tried to build text of {count:,} characters or items and was stopped; using "
            "the {format} format instead.")
NO_TEMPLATE = QT_TRANSLATE_NOOP(
    "core", "This model file has no chat template: using the {format} format; this looks like a base "
            "model, not a chat model, so its answers may just continue your text.")

# -- the engine (core/engine/) ---------------------------------------------------------------
ENGINE_NOT_RUNNING = QT_TRANSLATE_NOOP("core", "The engine is not running: start a new one.")
ENGINE_TIMEOUT = QT_TRANSLATE_NOOP("core", "The engine did not answer within {seconds:.0f} s while {activity}.")
ENGINE_FAILED = QT_TRANSLATE_NOOP("core", "The engine failed: {error}")
UNKNOWN_COMMAND = QT_TRANSLATE_NOOP("core", "Unknown engine command {cmd}.")
NO_MODEL_LOADED = QT_TRANSLATE_NOOP("core", "No model is loaded.")
LLAMA_LOAD_FAILED = QT_TRANSLATE_NOOP("core", "llama.cpp could not load {name} (see the engine log for why).")
LLAMA_CONTEXT_FAILED = QT_TRANSLATE_NOOP(
    "core", "llama.cpp could not create a context of {n_ctx} tokens for {name}: try a smaller context size.")
TOKENIZE_FAILED = QT_TRANSLATE_NOOP("core", "The prompt could not be tokenized.")
PROMPT_EMPTY = QT_TRANSLATE_NOOP("core", "The prompt is empty.")
PROMPT_TOO_LONG = QT_TRANSLATE_NOOP(
    "core", "The prompt has {n_tokens:,} tokens but the context holds {n_ctx:,}: shorten it or load the "
            "model with a larger context.")
EVAL_FAILED = QT_TRANSLATE_NOOP("core", "llama.cpp could not evaluate the prompt (llama_decode returned {rc}).")
GENERATE_FAILED = QT_TRANSLATE_NOOP("core", "llama.cpp failed while generating (llama_decode returned {rc}).")
GRAMMAR_INVALID = QT_TRANSLATE_NOOP(
    "core", "The grammar the answer must follow is not valid GBNF (llama.cpp's log in the engine log says where).")
ENGINE_BUSY = QT_TRANSLATE_NOOP(
    "core", "The engine is busy: {active} answers are being generated and {queued} more are waiting; try again shortly.")
BAD_PARALLEL = QT_TRANSLATE_NOOP("core", "The number of parallel sequences must be 1 or more, not {value}.")
# crashes: "{activity}" and "{cause}" are Msgs of their own
CRASH_FIRST_DECODE = QT_TRANSLATE_NOOP(
    "core", "The engine crashed with {signal} on its first decode: the installed llama.cpp build does not "
            "suit this CPU; reinstall the safe build with `{command}`.")
CRASH = QT_TRANSLATE_NOOP("core", "The engine stopped while {activity}: {cause}.")
CRASH_SEE_LOG = QT_TRANSLATE_NOOP("core", "{sentence} Details are in {path}.")
ENGINE_RESTART_FAILED = QT_TRANSLATE_NOOP(
    "core", "The engine had stopped and could not be restarted with {name}: {reason}")
ACT_IDLE = QT_TRANSLATE_NOOP("core", "waiting for a question")
ACT_STARTING = QT_TRANSLATE_NOOP("core", "starting")
ACT_LOADING = QT_TRANSLATE_NOOP("core", "loading {name}")
ACT_GENERATING = QT_TRANSLATE_NOOP("core", "generating an answer")
CAUSE_SIGNAL = QT_TRANSLATE_NOOP("core", "{signal} ({meaning})")
CAUSE_EXIT = QT_TRANSLATE_NOOP("core", "exit code {code}")
CAUSE_UNKNOWN = QT_TRANSLATE_NOOP("core", "an unknown cause")
SIG_SEGV = QT_TRANSLATE_NOOP("core", "a segmentation fault")
SIG_ILL = QT_TRANSLATE_NOOP("core", "an illegal CPU instruction")
SIG_ABRT = QT_TRANSLATE_NOOP("core", "an abort, usually a failed check inside llama.cpp or out of memory")
SIG_KILL = QT_TRANSLATE_NOOP("core", "being killed, often by the system running out of memory")
SIG_BUS = QT_TRANSLATE_NOOP("core", "a bus error (the model file may have changed or shrunk while in use)")
SIG_FPE = QT_TRANSLATE_NOOP("core", "an arithmetic fault")
SIG_TERM = QT_TRANSLATE_NOOP("core", "a request to terminate")

# -- offload options (core/engine/offload_params.py) ----------------------------------------
BAD_FLASH_ATTN = QT_TRANSLATE_NOOP("core", "Flash attention must be auto, on or off, not {value}.")
BAD_KV_TYPE = QT_TRANSLATE_NOOP("core", "Unknown KV cache type {value}: choose one of {choices}.")
KV_NEEDS_FLASH_ATTN = QT_TRANSLATE_NOOP(
    "core", "A {kv_type} V cache needs flash attention: set flash attention to auto or on, or use an f16 cache.")

# -- the conversation store (core/chat/store.py) ---------------------------------------------
STORE_UNREADABLE = QT_TRANSLATE_NOOP("core", "Cannot open the conversation store {path}: {reason}.")
STORE_TOO_NEW = QT_TRANSLATE_NOOP(
    "core", "The conversation store {path} was written by a newer Hearth (schema version {version}; this "
            "one reads up to {supported}): update Hearth to open it.")
STORE_BUSY = QT_TRANSLATE_NOOP(
    "core", "The conversation store {path} stayed locked by another Hearth process for {seconds:.0f} s; "
            "try again.")
STORE_FAILED = QT_TRANSLATE_NOOP("core", "Cannot write to the conversation store {path}: {reason}.")
NO_CONVERSATION = QT_TRANSLATE_NOOP("core", "No conversation matches {id}.")
AMBIGUOUS_CONVERSATION = QT_TRANSLATE_NOOP(
    "core", "{id} matches {count} conversations: give more of the id.")
NO_MESSAGE = QT_TRANSLATE_NOOP("core", "There is no message {id} in the conversation store.")
WRONG_PARENT = QT_TRANSLATE_NOOP("core", "Message {parent} belongs to another conversation than {id}.")
# conversation exports and listings (core/chat/store_export.py, core/cli.py)
UNTITLED = QT_TRANSLATE_NOOP("core", "Untitled conversation")
ROLE_USER = QT_TRANSLATE_NOOP("core", "You")
ROLE_ASSISTANT = QT_TRANSLATE_NOOP("core", "Assistant")
ROLE_SYSTEM = QT_TRANSLATE_NOOP("core", "System")
ROLE_TOOL = QT_TRANSLATE_NOOP("core", "Tool")
EXPORT_MODEL = QT_TRANSLATE_NOOP("core", "Model: {model}")
EXPORT_DATES = QT_TRANSLATE_NOOP("core", "Started {created}, last changed {updated}.")
EXPORT_BRANCHES = QT_TRANSLATE_NOOP(
    "core", "This is the active one of {count} branches; the JSON export holds them all.")
EXPORT_INTERRUPTED = QT_TRANSLATE_NOOP("core", "(This answer was interrupted.)")
EXPORT_STREAMING = QT_TRANSLATE_NOOP("core", "(This answer was still being written.)")
EXPORT_STATS = QT_TRANSLATE_NOOP(
    "core", "{prompt_tokens} prompt tokens, {completion_tokens} generated, first token after {ttft_s:.2f} s, "
            "{tokens_per_s:.1f} tokens/s")
# the `hearth conversations` and `hearth chat --conversation` commands (core/cli.py)
COL_ID = QT_TRANSLATE_NOOP("core", "ID")
COL_UPDATED = QT_TRANSLATE_NOOP("core", "Updated")
COL_MESSAGES = QT_TRANSLATE_NOOP("core", "Messages")
COL_TITLE = QT_TRANSLATE_NOOP("core", "Title")
NO_CONVERSATIONS = QT_TRANSLATE_NOOP("core", "No conversations yet.")
NOTHING_FOUND = QT_TRANSLATE_NOOP("core", "Nothing found for {query}.")
CONVERSATION_DELETED = QT_TRANSLATE_NOOP("core", "Deleted the conversation {title} ({id}).")
EXPORT_WRITTEN = QT_TRANSLATE_NOOP("core", "Wrote {path}.")
CONVERSATION_SAVED = QT_TRANSLATE_NOOP(
    "core", "Saved in conversation {id}; continue it with: hearth chat --conversation {short}")

# -- the context (core/prompt/context.py) ------------------------------------------------------
CONTEXT_TRIMMED = QT_TRANSLATE_NOOP(
    "core", "The conversation is longer than the context of {n_ctx:,} tokens: the {count} oldest messages "
            "were left out of this answer (the system prompt was kept).")
TWO_NOTES = QT_TRANSLATE_NOOP("core", "{first} {second}")
