"""TF-IDF weights and cosine similarity over feature counts, for comparing articles (off-topic
articles in a bundle, stories in a digest's day)."""

import math
from collections import Counter
from collections.abc import Mapping, Sequence


def idf(features: Sequence[Counter[str]]) -> dict[str, float]:
    """Smoothed inverse document frequency of every feature: log((1 + n) / (1 + df)) + 1."""
    frequency: Counter[str] = Counter(k for f in features for k in f)
    n = len(features)
    return {k: math.log((1 + n) / (1 + df)) + 1 for k, df in frequency.items()}


def weighted(counts: Mapping[str, float], weights: Mapping[str, float]) -> dict[str, float]:
    return {k: v * weights[k] for k, v in counts.items()}


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    dot = sum(v * b[k] for k, v in a.items() if k in b)
    norm_a = math.sqrt(sum(v * v for v in a.values()))
    norm_b = math.sqrt(sum(v * v for v in b.values()))
    return dot / (norm_a * norm_b) if norm_a and norm_b else 0.0
