"""Sentences the documents area shows a user (see core/messages.py for the pattern)."""

from __future__ import annotations

from ..messages import QT_TRANSLATE_NOOP

# -- reading files ---------------------------------------------------------------------------
NOT_FOUND = QT_TRANSLATE_NOOP("core", "{path} does not exist.")
NOT_A_FILE = QT_TRANSLATE_NOOP("core", "{path} is not a regular file.")
CANNOT_READ = QT_TRANSLATE_NOOP("core", "Cannot read {path}: {reason}.")
TOO_LARGE = QT_TRANSLATE_NOOP("core", "{path} is {size} MB, over the {limit} MB limit for documents; it was skipped.")
TOO_MANY_PASSAGES = QT_TRANSLATE_NOOP("core", "{path} would make more than {limit} passages, over the limit for one document (the search index keeps every passage in memory); it was skipped. Split it, or add the parts you need.")
EMPTY_FILE = QT_TRANSLATE_NOOP("core", "{path} is empty.")
NO_TEXT = QT_TRANSLATE_NOOP("core", "{path} contains no text to index.")
UNSUPPORTED = QT_TRANSLATE_NOOP("core", "{path} is not a document Hearth can read (type {suffix}).")
BINARY_TEXT = QT_TRANSLATE_NOOP("core", "{path} looks like binary data, not text.")
UNKNOWN_ENCODING = QT_TRANSLATE_NOOP("core", "Cannot tell the text encoding of {path}.")
PDF_NO_TEXT = QT_TRANSLATE_NOOP("core", "{path} has no text layer — is it a scanned document? Run it through OCR first.")
PDF_ENCRYPTED = QT_TRANSLATE_NOOP("core", "{path} is password-protected; remove the password to index it.")
PDF_CORRUPT = QT_TRANSLATE_NOOP("core", "{path} is not a readable PDF (damaged or not a PDF).")
ZIP_CORRUPT = QT_TRANSLATE_NOOP("core", "{path} is damaged: it is not a readable {kind} file.")
ZIP_BOMB = QT_TRANSLATE_NOOP("core", "{path} would expand to {size} MB, over the {limit} MB limit; it was skipped as unsafe.")
PARSE_FAILED = QT_TRANSLATE_NOOP("core", "Cannot read {path}: {reason}.")
LINK_OUTSIDE = QT_TRANSLATE_NOOP("core", "{path} is a link to {target}, outside the folder {folder}: not followed. Add {target} itself to index it.")
LINK_LOOP = QT_TRANSLATE_NOOP("core", "{path} is a link that loops back on itself: not followed.")

# -- store and collections -------------------------------------------------------------------
BAD_COLLECTION_NAME = QT_TRANSLATE_NOOP("core", "“{name}” is not a valid collection name: use letters, digits, spaces, - or _ (at most 60).")
NO_COLLECTION = QT_TRANSLATE_NOOP("core", "There is no collection named “{name}”.")
NOT_IN_COLLECTION = QT_TRANSLATE_NOOP("core", "{path} is not in the collection “{name}”.")
STORE_BUSY = QT_TRANSLATE_NOOP("core", "The document store is busy with another Hearth process; try again when it has finished.")
UNKNOWN_EMBEDDER = QT_TRANSLATE_NOOP("core", "Unknown embedding model “{name}”: use e5, minilm or gguf:PATH.")
EMBEDDER_MISSING = QT_TRANSLATE_NOOP("core", "The embedding model is not installed: {hint}.")
EMBEDDER_FAILED = QT_TRANSLATE_NOOP("core", "The embedding model failed: {reason}.")
EMBEDDER_CRASHED = QT_TRANSLATE_NOOP(
    "core", "The embedding model stopped ({cause}) while embedding the question; the next question starts it again.")
INGEST_CRASHED = QT_TRANSLATE_NOOP("core", "The indexing process stopped unexpectedly: {cause}.")
EMPTY_QUESTION = QT_TRANSLATE_NOOP("core", "The question is empty.")

# -- shared collections on a Chroma server (core/docs/shared*.py) ------------------------------
SHARED_BAD_URL = QT_TRANSLATE_NOOP("core", "“{url}” is not a Chroma server address: use http://HOST:PORT or https://HOST[:PORT].")
SHARED_UNREACHABLE = QT_TRANSLATE_NOOP("core", "The Chroma server at {url} cannot be reached ({reason}).")
SHARED_RETRYING = QT_TRANSLATE_NOOP("core", "{error} Trying again in {seconds:.1f} s.")
SHARED_FAILED = QT_TRANSLATE_NOOP("core", "The Chroma server at {url} failed: {reason}.")
SHARED_TOKEN_NEEDED = QT_TRANSLATE_NOOP("core", "The Chroma server at {url} refused the request without a token: name the environment variable that holds its token (--token-env VAR).")
SHARED_TOKEN_REFUSED = QT_TRANSLATE_NOOP("core", "The Chroma server at {url} refused the token in {env}.")
SHARED_TOKEN_ENV_UNSET = QT_TRANSLATE_NOOP("core", "The environment variable {env}, which holds the token for {url}, is not set.")
SHARED_KEYWORD_ONLY = QT_TRANSLATE_NOOP("core", "The Chroma server at {url} cannot be reached, so these results come from this computer's copy of “{name}” by keywords only.")
SHARED_IS_LOCAL = QT_TRANSLATE_NOOP("core", "The collection “{name}” is kept on this computer, not on a Chroma server: choose another name for the shared one.")
PATH_FOR_COLLECTION = QT_TRANSLATE_NOOP("core", "“{path}” is a file or folder, and the collection comes first: hearth docs add \"{collection}\" {path}")
SHARED_NEEDS_PATHS = QT_TRANSLATE_NOOP("core", "Name at least one file or folder to add (only a shared collection, with --server, can be created empty).")
SHARED_EMBEDDER_DIFFERS = QT_TRANSLATE_NOOP("core", "The shared collection “{name}” on {url} uses the embedding model {embedder}, so it cannot be re-embedded from one computer.")
CROSS_SHARED = QT_TRANSLATE_NOOP("core", "The shared collection “{name}” lives on its server: a cross-language index is kept only for collections on this computer.")

# -- progress and results ---------------------------------------------------------------------
CROSS_UNAVAILABLE = QT_TRANSLATE_NOOP("core", "{reason} So the cross-language index was not asked: these results come from the other searches.")
CROSS_PROGRESS = QT_TRANSLATE_NOOP("core", "cross-language index: {done} of {total} passages")
STATUS_ADDED = QT_TRANSLATE_NOOP("core", "indexed, {chunks} chunks")
STATUS_INDEXING = QT_TRANSLATE_NOOP("core", "indexing, {chunks} chunks so far")
STATUS_UNCHANGED = QT_TRANSLATE_NOOP("core", "unchanged")
STATUS_REMOVED = QT_TRANSLATE_NOOP("core", "removed")
ADD_SUMMARY = QT_TRANSLATE_NOOP("core", "{added} indexed, {unchanged} unchanged, {removed} removed, {failed} failed.")
NO_COLLECTIONS = QT_TRANSLATE_NOOP("core", "No collections yet: add documents with hearth docs add NAME PATH.")
NO_RESULTS = QT_TRANSLATE_NOOP("core", "Nothing in the collection matches the question.")
CONTEXT_HEADER = QT_TRANSLATE_NOOP("core", "Use these excerpts from the user's documents to answer. Cite them by number like [1]. If they do not contain the answer, say so.")

# -- documents in a chat --------------------------------------------------------------------------
CHAT_DOCS_EMPTY = QT_TRANSLATE_NOOP("core", "The attached collections hold no documents yet, so this answer does not use them.")
CHAT_DOCS_MISSING = QT_TRANSLATE_NOOP("core", "The collection “{name}” no longer exists, so this answer does not use it.")
CHAT_DOCS_NO_MATCH = QT_TRANSLATE_NOOP("core", "No excerpt from the attached collections matched the question and fit in the context, so this answer does not use them.")
CHAT_DOCS_FAILED = QT_TRANSLATE_NOOP("core", "The documents could not be searched, so this answer does not use them: {reason}")
