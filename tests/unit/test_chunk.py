"""Token-aware chunking keeps every piece within budget and loses no text."""

from service.chunk import count_tokens, split_to_budget
from service.summarize import chunk_budget
from tests.conftest import load_bundle


def test_short_text_is_one_piece() -> None:
    assert split_to_budget("A short article.", 100) == ["A short article."]


def test_long_article_splits_within_budget_and_keeps_its_words() -> None:
    long_text = load_bundle("long_article.json")["articles"][1]["text"]
    budget = chunk_budget(2048)
    pieces = split_to_budget(long_text, budget)
    assert count_tokens(long_text) > 2048
    assert len(pieces) >= 3
    assert all(count_tokens(p) <= budget for p in pieces)
    words = set(long_text.split())
    assert words <= set(" ".join(pieces).split())


def test_chunk_budget_leaves_room_for_prompt_and_answer() -> None:
    assert chunk_budget(8192) < 8192 - 900
    assert chunk_budget(1024) == 256  # never below a useful minimum
