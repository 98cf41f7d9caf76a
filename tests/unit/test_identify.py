"""Source IDs, duplicates, off-topic and empty articles, on the project's fixture bundle."""

from datetime import UTC, datetime

from service.articles import parse_article
from service.clean import clean_text
from service.identify import identify, main_language
from service.types import Article
from tests.conftest import load_bundle


def _identify_sample():  # type: ignore[no-untyped-def]
    articles = [parse_article(a, "sample") for a in load_bundle("sample")["articles"]]
    return identify(articles, [clean_text(a.text).text for a in articles])


def test_every_article_gets_a_source_id_in_input_order() -> None:
    sources, _ = _identify_sample()
    assert [s.sid for s in sources] == ["S1", "S2", "S3", "S4", "S5", "S6"]
    assert [s.article.client_id for s in sources] == [f"port-{i}" for i in range(1, 7)]


def test_the_syndicated_rewrite_is_kept_with_only_its_new_paragraph() -> None:
    sources, excluded = _identify_sample()
    rewrite = sources[3]
    assert rewrite.duplicate_of == "S2"
    assert "Northgate Mutual" in rewrite.map_text
    assert "Eastquay" not in rewrite.map_text  # copied paragraphs are not mapped again
    assert {"sid": "S4", "reason": "duplicate of S2"} in [e.__dict__ for e in excluded]


def test_the_spanish_report_is_no_outlier_and_dates_set_no_article_aside() -> None:
    sources, excluded = _identify_sample()
    # S6, published five months after the others, is not set aside for its date: only the
    # duplicate is listed.
    assert [(e.sid, e.reason) for e in excluded] == [("S4", "duplicate of S2")]
    assert sources[4].language == "es" and not sources[4].set_aside
    assert main_language(sources) == "en"


def test_content_outlier_is_off_topic_without_dates() -> None:
    texts = [
        "The harbour union and the port authority signed a pay deal ending the dock strike.",
        "Ships queued at the quay while union members voted on the harbour pay deal.",
        "The port authority said the dock strike deal would let ships leave the harbour.",
        "A bakery in the hills won a regional prize for its rye bread and honey cake recipes.",
    ]
    articles = [Article(title=f"t{i}", source=f"o{i}", text=t) for i, t in enumerate(texts)]
    _, excluded = identify(articles, texts)
    assert [e.sid for e in excluded] == ["S4"]
    # The reason says what it is about that no other article mentions, then the measure.
    assert excluded[0].reason.startswith(
        "off-topic: it is about bakery, hills and regional, which no other article mentions; "
        "it shares too little with the other articles (similarity "
    )


def test_a_bundle_spanning_months_keeps_all_its_articles() -> None:
    texts = [
        "An earthquake of magnitude 8.8 struck central Chile, and a tsunami hit the coast.",
        "Heavy rains fell on families left homeless by the Chile earthquake and tsunami.",
        "A strong aftershock of the February earthquake shook central Chile on Wednesday.",
        "Volunteers rebuilt houses in Chile that the earthquake and tsunami had destroyed.",
    ]
    days = [(2, 27), (5, 5), (7, 14), (10, 22)]
    articles = [
        Article(title="t", source="o", text=t, published_at=datetime(2010, m, d, tzinfo=UTC))
        for t, (m, d) in zip(texts, days, strict=True)
    ]
    sources, excluded = identify(articles, texts)
    assert excluded == []
    assert not any(s.set_aside for s in sources)


def test_an_article_with_no_text_left_is_listed_not_dropped() -> None:
    articles = [
        Article(title="a", source="x", text="Real text here."),
        Article(title="b", source="y", text=""),
    ]
    sources, excluded = identify(articles, ["Real text here about the port.", ""])
    assert sources[1].set_aside
    assert excluded[0].sid == "S2" and excluded[0].reason.startswith("empty")
