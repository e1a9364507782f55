"""Vectors of texts kept on disk per embedder (CPU is scarce: a corpus is embedded once per model).

One SQLite file per embedder name under $HEARTH_BENCH_CACHE (default /tmp/hearth-retrieval-cache),
keyed by the sha1 of the text. Only for benchmarks: the product's store keeps its own vectors.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(os.environ.get("HEARTH_BENCH_CACHE", "/tmp/hearth-retrieval-cache"))


class CachedEmbed:
    def __init__(self, name: str, embed: Callable[[Sequence[str]], np.ndarray]):
        ROOT.mkdir(parents=True, exist_ok=True)
        self.name, self._embed = name, embed
        # the product asks a Chinese question's cross-language index on a thread of its own
        self._db = sqlite3.connect(ROOT / (re.sub(r"[^\w.-]+", "_", name)[-120:] + ".sqlite3"), check_same_thread=False)
        self._lock = threading.Lock()
        self._db.execute("CREATE TABLE IF NOT EXISTS v (h TEXT PRIMARY KEY, vec BLOB)")

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            return self._call(texts)

    def _call(self, texts: Sequence[str]) -> np.ndarray:
        keys = [hashlib.sha1(t.encode("utf-8")).hexdigest() for t in texts]
        have: dict[str, np.ndarray] = {}
        for i in range(0, len(keys), 500):
            part = keys[i:i + 500]
            for h, blob in self._db.execute(f"SELECT h, vec FROM v WHERE h IN ({','.join('?' * len(part))})", part):
                have[h] = np.frombuffer(blob, np.float32)
        todo = [i for i, h in enumerate(keys) if h not in have]
        for start in range(0, len(todo), 256):  # kept part by part: a long embedding can be stopped
            part_todo = todo[start:start + 256]
            vecs = np.asarray(self._embed([texts[i] for i in part_todo]), np.float32)
            with self._db:
                self._db.executemany("INSERT OR REPLACE INTO v VALUES (?, ?)",
                                     [(keys[i], vecs[j].tobytes()) for j, i in enumerate(part_todo)])
            for j, i in enumerate(part_todo):
                have[keys[i]] = vecs[j]
        return np.stack([have[h] for h in keys]) if keys else np.zeros((0, 0), np.float32)
