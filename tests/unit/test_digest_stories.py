"""Grouping the day's articles into stories, and ranking them, on original fixture articles."""

import asyncio
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import httpx

from service.digest.config import load_config
from service.digest.gather import Day, gather
from service.digest.stories import SAME_STORY, group_stories, similarity_matrix, top_stories
from service.fetch import FetchLimits
from service.types import Article
from tests.conftest import FIXTURES


def fixture_day() -> list[Article]:
    """The example digest's articles of 20 November 2026, read from the fixture files."""
    config = load_config(FIXTURES / "digest" / "digest.toml")
    limits = FetchLimits(max_bytes=1_000_000)

    async def read() -> list[Article]:
        async with httpx.AsyncClient() as client:
            day = Day(date(2026, 11, 20), ZoneInfo("Europe/London"))
            return (await gather(config, day, client, limits)).articles

    return asyncio.run(read())


def titles(story_articles: tuple[Article, ...]) -> list[str]:
    return [a.title for a in story_articles]


def article(title: str, source: str, text: str, hour: int) -> Article:
    return Article(
        title=title,
        source=source,
        text=text,
        published_at=datetime(2026, 11, 20, hour, tzinfo=UTC),
    )


def test_same_event_articles_group_and_different_events_split() -> None:
    stories = group_stories(fixture_day())
    assert [titles(s.articles) for s in stories] == [
        [
            "Tollan footbridge shut after inspectors find corroded cables",
            "Corrosion closes Tollan footbridge as repair bill is put at £3.1m",
            "Walkers face long detour as Tollan footbridge closes",
        ],
        [
            "Brenholt ferry back in service with new hybrid vessel",
            "Hybrid ferry Marra Dawn takes over the Brenholt crossing",
        ],
        ["Carrowmere bakery wins regional sourdough prize"],  # the singleton stays alone
    ]


def test_threshold_separates_the_fixture_events_with_a_margin() -> None:
    articles = fixture_day()
    sim = similarity_matrix(articles)
    story_of = {a.title: n for n, s in enumerate(group_stories(articles)) for a in s.articles}
    same = [
        sim[i][j]
        for i in range(6)
        for j in range(i)
        if story_of[articles[i].title] == story_of[articles[j].title]
    ]
    other = [
        sim[i][j]
        for i in range(6)
        for j in range(i)
        if story_of[articles[i].title] != story_of[articles[j].title]
    ]
    assert min(same) > SAME_STORY > 2 * max(other)


def test_grouping_does_not_depend_on_input_order() -> None:
    articles = fixture_day()
    forward = {frozenset(titles(s.articles)) for s in group_stories(articles)}
    backward = {frozenset(titles(s.articles)) for s in group_stories(articles[::-1])}
    assert forward == backward


def test_stories_rank_by_outlets_and_respect_cap_and_minimum() -> None:
    lane = "The Wick Lane roadworks in Carrowmere start on Monday and last three weeks."
    market = "Brenholt market moves to the Quay car park for the winter, traders said."
    stories = group_stories(
        [
            article("Wick Lane roadworks start Monday", "Carrowmere Courier", lane, 7),
            article("Brenholt market moves to the Quay", "Carrowmere Courier", market, 8),
            article("Brenholt market moves for the winter", "Tollan Valley Wire", market, 9),
            article("Brenholt market moves to the Quay car park", "Marsh Road Radio", market, 10),
            article("Roadworks on Wick Lane from Monday", "Carrowmere Courier", lane, 11),
        ]
    )
    assert [(s.outlets, len(s.articles)) for s in stories] == [(1, 2), (3, 3)]
    ranked = top_stories(stories, max_stories=5, min_sources=1)
    assert [s.outlets for s in ranked] == [3, 1]  # outlets count, not articles
    assert top_stories(stories, max_stories=1, min_sources=1) == ranked[:1]
    assert top_stories(stories, max_stories=5, min_sources=2) == ranked[:1]
    assert top_stories(stories, max_stories=5, min_sources=4) == []


def test_one_article_is_one_story_and_none_is_none() -> None:
    only = article("Wick Lane roadworks start Monday", "Carrowmere Courier", "Roadworks.", 7)
    assert [s.articles for s in group_stories([only])] == [(only,)]
    assert group_stories([]) == []
