"""The word-indexed duplicate check gives exactly the answers of the plain pairwise Jaccard it
replaced, and stopping early gives the share test's answer (bench/speed.py measured the plain
comparison as seconds of CPU on large bundles)."""

import random

from service.identify import DUPLICATE_SHARE, SENTENCE_MATCH, _matched, _Sentences, _share_matched
from service.textutil import jaccard

WORDS = [f"word{i}" for i in range(9)]


def test_the_word_index_matches_exactly_the_pairs_plain_jaccard_matches() -> None:
    rng = random.Random(5)
    matches = 0
    for _ in range(500):
        lines = [" ".join(rng.sample(WORDS, rng.randint(1, 8))) + "." for _ in range(6)]
        others = _Sentences("\n".join(lines))
        sentence = set(rng.sample(WORDS, rng.randint(0, 8)))
        plain = len(sentence) >= 3 and any(
            jaccard(sentence, other) >= SENTENCE_MATCH for other in others.sets
        )
        assert _matched(sentence, others) == plain
        matches += plain
    assert 50 < matches < 450, matches  # both answers were exercised


def test_the_share_stops_early_with_the_same_answer_as_counting_everything() -> None:
    rng = random.Random(7)
    for _ in range(300):
        others = _Sentences("\n".join(" ".join(rng.sample(WORDS, 5)) + "." for _ in range(5)))
        mine = [set(rng.sample(WORDS, rng.randint(3, 6))) for _ in range(rng.randint(1, 7))]
        counted = sum(_matched(w, others) for w in mine) / len(mine) >= DUPLICATE_SHARE
        assert _share_matched(mine, others, DUPLICATE_SHARE) == counted
