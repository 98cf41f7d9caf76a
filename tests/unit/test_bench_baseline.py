"""bench/baseline.py: the LangChain baseline's answer split into sentences and cited IDs."""

from bench.baseline import parse_cited_text


def test_markers_after_the_full_stop_close_the_sentence_before() -> None:
    text = "BRIEF:\n1. Quillon won by 312 votes. [S1] The recount took nine hours. [S3][S2]"
    assert parse_cited_text(text) == [
        {"text": "Quillon won by 312 votes.", "sources": ["S1"]},
        {"text": "The recount took nine hours.", "sources": ["S3", "S2"]},
    ]


def test_bullets_parentheses_and_uncited_sentences() -> None:
    text = "- Either 14 weeks (S1) or 11 weeks (s3).\n- Dr. Frask said so [S1 and S2].\nNo cite."
    assert parse_cited_text(text) == [
        {"text": "Either 14 weeks or 11 weeks.", "sources": ["S1", "S3"]},
        {"text": "Dr. Frask said so.", "sources": ["S1", "S2"]},
        {"text": "No cite.", "sources": []},
    ]


def test_a_marker_opening_a_line_belongs_to_that_line() -> None:
    text = "The fine was 4.2 million. [S1]\n[S2] Coast and Country: Campaigners hail ruling"
    assert [s["sources"] for s in parse_cited_text(text)] == [["S1"], ["S2"]]
