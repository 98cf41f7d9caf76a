"""The junk line classifier: logistic regression over :mod:`service.junk_signals`, from data.

The coefficients live in ``service/data/junk_model.json``, fitted by ``bench/junk_model.py`` on
the article-extraction benchmark's pages (lines labelled by whether they belong to the page's
true article body). Scoring is plain Python: the product does not need the fitting library.

Two stages, one model per kind of input (``html``: lines of an HTML page's article blocks, with
link density and block kinds; ``plain``: lines of plain text, without them):

1. each line's own signals, standardised, give a logit;
2. the context stage (jusText's context-sensitive smoothing, fitted rather than hand-set) mixes
   that logit with its neighbours': the mean logit of the lines next to it and of the lines up to
   :attr:`Stage.wide` away.

A line whose probability of being junk reaches the model's threshold is removed; :func:`why`
names the signals that pushed it there.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from service.junk_signals import LineSignals

__all__ = ["JunkModel", "Scored", "Stage", "default_model", "load_model"]


@dataclass(frozen=True)
class Stage:
    """One kind of input's model: a standardised logistic regression and its context stage."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    context: tuple[float, float, float]  # weights of the line's own logit, near and wide means
    context_bias: float
    wide: int  # the wide mean covers the lines up to this far away
    threshold: float  # a line is junk from this probability on

    def logits(self, signals: Sequence[LineSignals]) -> list[float]:
        """Stage 1: each line's logit of being junk from its own signals."""
        return [
            self.bias + sum(w * x for w, x in zip(self.weights, self._standard(s), strict=True))
            for s in signals
        ]

    def _standard(self, signals: LineSignals) -> list[float]:
        raw = signals.vector(self.features)
        return [(x - m) / s for x, m, s in zip(raw, self.mean, self.scale, strict=True)]

    def contributions(self, signals: LineSignals) -> dict[str, float]:
        """How much each feature adds to the line's junk logit."""
        standard = self._standard(signals)
        return {
            name: w * x for name, w, x in zip(self.features, self.weights, standard, strict=True)
        }


def context_means(logits: Sequence[float], wide: int) -> list[tuple[float, float]]:
    """For each line, the mean logit of the lines next to it and of those up to ``wide`` away
    (0.0 for a line alone)."""
    out: list[tuple[float, float]] = []
    for i in range(len(logits)):
        near = [logits[j] for j in (i - 1, i + 1) if 0 <= j < len(logits)]
        far = [logits[j] for j in range(max(0, i - wide), min(len(logits), i + wide + 1)) if j != i]
        out.append((sum(near) / len(near) if near else 0.0, sum(far) / len(far) if far else 0.0))
    return out


@dataclass(frozen=True)
class Scored:
    """One line's verdict: its probability of being junk, its own and context logits, and
    whether it goes."""

    junk: float
    own: float  # stage 1 logit
    context: float  # what the neighbours added in stage 2
    removed: bool  # the probability reached the stage's threshold


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def _side(low: str, high: str) -> Callable[[LineSignals, bool], str]:
    return lambda s, above: high if above else low


# How each feature's value reads in an explanation; ``above``: the value is above the mean.
_SAY: dict[str, Callable[[LineSignals, bool], str]] = {
    "log_words": lambda s, above: f"{'long' if above else 'short'} ({s.words} words)",
    "log_chars": lambda s, above: f"{'long' if above else 'short'} ({s.chars} characters)",
    "stopword_density": lambda s, above: (
        f"{'high' if above else 'low'} stop-word density {s.stopword_density:.2f}"
    ),
    "no_stopwords": _side("has stop words", "no stop words"),
    "sentence_end": _side("no sentence ending", "ends a sentence"),
    "lower_share": lambda s, above: f"lower-case words after the first {s.lower_share:.0%}",
    "capital_share": lambda s, above: f"capitalised words {s.capital_share:.0%}",
    "digit_share": lambda s, above: f"digits {s.digit_share:.0%}",
    "symbol_share": lambda s, above: f"symbols {s.symbol_share:.0%}",
    "clause": _side("no finite clause", "a finite clause"),
    "ends_colon": _side("no colon at the end", "ends in a colon"),
    "page_repeats": lambda s, above: f"on the page {s.page_repeats + 1} times",
    "topic_share": lambda s, above: f"content words in the page's prose {s.topic_share:.0%}",
    "off_topic": _side("shares a word with the prose", "no content word of the page's prose"),
    "edge": lambda s, above: "at the page's edge" if above else "in the page's middle",
    "before_body": _side("not before the first paragraph", "before the first paragraph"),
    "after_body": _side("not after the last paragraph", "after the last paragraph"),
    "outer_fragment": _side("", "a fragment outside the prose"),
    "link_share": lambda s, above: f"link text {s.link_share:.0%}",
    "heading": _side("not a heading", "a heading"),
    "list_item": _side("not a list item", "a list item"),
    "table_row": _side("not a table row", "a table row"),
}


@dataclass(frozen=True)
class JunkModel:
    """The fitted stages by kind of input; an explanation names at most ``explain_signals``
    signals, each of which added at least ``explain_min`` to the junk logit."""

    stages: dict[str, Stage]
    explain_signals: int = 3
    explain_min: float = 0.25

    def why(self, signals: LineSignals, scored: Scored, kind: str) -> str:
        """The signals that made the line junk, strongest first ("low stop-word density 0.05,
        short (3 words), neighbours look like junk")."""
        stage = self.stages[kind]
        added = stage.contributions(signals)
        raw = dict(zip(stage.features, signals.vector(stage.features), strict=True))
        mean = dict(zip(stage.features, stage.mean, strict=True))
        strongest = sorted(
            (name for name, value in added.items() if value >= self.explain_min),
            key=lambda name: -added[name],
        )[: self.explain_signals]
        said = [_SAY[name](signals, raw[name] > mean[name]) for name in strongest]
        said = [phrase for phrase in said if phrase]
        if scored.context >= self.explain_min:
            said.append("neighbours look like junk")
        return ", ".join(said) or f"junk probability {scored.junk:.2f}"

    def score(self, signals: Sequence[LineSignals], kind: str) -> list[Scored]:
        """Each line's verdict on a page of ``kind`` ("html" or "plain")."""
        stage = self.stages[kind]
        own = stage.logits(signals)
        a, b, c = stage.context
        out: list[Scored] = []
        for z, (near, far) in zip(own, context_means(own, stage.wide), strict=True):
            added = b * near + c * far
            junk = _sigmoid(stage.context_bias + a * z + added)
            out.append(Scored(junk, z, added, junk >= stage.threshold))
        return out


def _stage(data: dict[str, Any]) -> Stage:
    context = tuple(float(x) for x in data["context"])
    return Stage(
        features=tuple(data["features"]),
        mean=tuple(float(x) for x in data["mean"]),
        scale=tuple(float(x) for x in data["scale"]),
        weights=tuple(float(x) for x in data["weights"]),
        bias=float(data["bias"]),
        context=(context[0], context[1], context[2]),
        context_bias=float(data["context_bias"]),
        wide=int(data["wide"]),
        threshold=float(data["threshold"]),
    )


def load_model(data: dict[str, Any]) -> JunkModel:
    """A model from its JSON data (the shape ``bench/junk_model.py`` writes)."""
    explain = data.get("explain", {})
    return JunkModel(
        stages={kind: _stage(stage) for kind, stage in data["stages"].items()},
        explain_signals=int(explain.get("signals", 3)),
        explain_min=float(explain.get("min", 0.25)),
    )


@lru_cache(maxsize=1)
def default_model() -> JunkModel:
    """The model shipped in ``service/data/junk_model.json``."""
    text = resources.files("service").joinpath("data/junk_model.json").read_text("utf-8")
    return load_model(json.loads(text))
