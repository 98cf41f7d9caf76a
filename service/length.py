"""The brief within the words the client asked for (`max_words`): what the reader reads under the
title, its sentences and its disagreements, counted in whitespace-separated words.

Disagreements come first, in order, while they take at most DISAGREEMENT_SHARE of the words (a
disagreement left out is reported in the warnings: its claim is stated nowhere else); then the
sentences in the planner's order, each that still fits (a long one is passed over for the
shorter ones after it).
"""

from collections.abc import Sequence

from service.types import Disagreement, Sentence

DISAGREEMENT_SHARE = 0.5  # of max_words, at most, for the disagreements


def word_count(text: str) -> int:
    return len(text.split())


def within_words(
    sentences: Sequence[Sentence], disagreements: Sequence[Disagreement], max_words: int
) -> tuple[list[Sentence], list[Disagreement], list[str]]:
    """The sentences and disagreements that fit in `max_words`, and a warning for each
    disagreement left out."""
    kept: list[Disagreement] = []
    warnings: list[str] = []
    used = 0
    for disagreement in disagreements:
        words = word_count(disagreement.text)
        if used + words <= DISAGREEMENT_SHARE * max_words:
            kept.append(disagreement)
            used += words
        else:
            warnings.append(
                f"left out the disagreement between {', '.join(disagreement.sources)} to keep "
                f"the brief within {max_words} words"
            )
    stated: list[Sentence] = []
    for sentence in sentences:
        words = word_count(sentence.text)
        if used + words <= max_words:
            stated.append(sentence)
            used += words
    return stated, kept, warnings
