"""bench/reference.py's scoring: ROUGE recall as TAC 2011 MultiLing scored it, citation validity
and articles kept, on a brief in the API's JSON shape (no model)."""

import json
from pathlib import Path

import pytest

from bench.reference import ROUGE_WORDS, brief_text, first_words, load_topics, rouge_recall, score


def _brief() -> dict[str, object]:
    return {
        "title": "Quake title words",
        "sentences": [
            {"text": "An earthquake struck Chile on Saturday.", "sources": ["S1"]},
            {"text": "A tsunami hit the coast.", "sources": ["S1", "S9"]},
        ],
        "disagreements": [{"text": "Sources disagree on the toll.", "sources": ["S1", "S2"]}],
        "sources": [{"sid": "S1", "id": "a"}, {"sid": "S2", "id": "b"}, {"sid": "S3", "id": "c"}],
        "excluded": [{"sid": "S3", "reason": "off-topic: shares too little"}],
    }


def test_the_summary_is_the_sentences_then_the_disagreements_cut_to_250_words() -> None:
    assert brief_text(_brief()) == (
        "An earthquake struck Chile on Saturday.\nA tsunami hit the coast.\n"
        "Sources disagree on the toll."
    )
    long = "\n".join(" ".join(["word"] * 100) for _ in range(3))
    cut = first_words(long)
    assert len(cut.split()) == ROUGE_WORDS and cut.count("\n") == 2


def test_rouge_recall_is_averaged_over_the_references_without_stemming() -> None:
    references = ["the earthquake struck chile", "an earthquake hit chile"]
    r1, r2 = rouge_recall("The earthquake struck Chile.", references)
    # unigrams: 4/4 and 2/4 ("earthquake", "chile"); bigrams: 3/3 and 0/3
    assert (r1, r2) == pytest.approx((0.75, 0.5))
    assert rouge_recall("earthquakes", ["earthquake"]) == (0.0, 0.0)  # no stemming


def test_a_score_counts_valid_citations_and_articles_kept(tmp_path: Path) -> None:
    topic = {
        "id": "t",
        "articles": [{"title": "t", "source": "s", "text": "x"}] * 3,
        "reference": {"summaries": ["An earthquake struck Chile on Saturday."]},
        "origin": {"cluster": "M005"},
    }
    (tmp_path / "topic.json").write_text(json.dumps(topic))
    (tmp_path / "other.json").write_text(json.dumps({"articles": []}))  # not a topic
    (loaded,) = load_topics(tmp_path)
    assert loaded.name == "M005" and len(loaded.references) == 1
    result = score(loaded, _brief(), 12.0)
    assert (result.cited, result.valid, result.kept, result.articles) == (5, 4, 2, 3)
    assert result.rouge1 == pytest.approx(1.0)
