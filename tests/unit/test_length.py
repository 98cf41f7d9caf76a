"""The brief within max_words: disagreements first (at most half the words), then the planned
sentences that fit (service.length)."""

from service.length import within_words
from service.types import Disagreement, Sentence


def _words(count: int, sid: str = "S1") -> Sentence:
    return Sentence(" ".join(["word"] * count), (sid,))


def test_the_sentences_that_fit_are_kept_in_the_planners_order() -> None:
    sentences = [_words(20, "S1"), _words(40, "S2"), _words(25, "S3"), _words(10, "S4")]
    kept, disagreements, warnings = within_words(sentences, [], 55)
    # 20 + 25 + 10 = 55: the 40-word sentence would pass 55, the shorter ones after it fit.
    assert [s.sources for s in kept] == [("S1",), ("S3",), ("S4",)]
    assert disagreements == [] and warnings == []


def test_disagreements_take_at_most_half_the_words_and_one_left_out_is_reported() -> None:
    first = Disagreement(" ".join(["side"] * 20), ("S1", "S2"))
    second = Disagreement(" ".join(["side"] * 20), ("S3", "S4"))
    kept, disagreements, warnings = within_words([_words(30), _words(30)], [first, second], 60)
    assert disagreements == [first]
    assert [len(s.text.split()) for s in kept] == [30]  # 20 + 30 = 50; another 30 passes 60
    assert warnings == [
        "left out the disagreement between S3, S4 to keep the brief within 60 words"
    ]
