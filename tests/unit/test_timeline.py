"""A developing story told in time: each sentence's date, and the brief's sentences in
chronological order when the bundle spans days or more (service.timeline)."""

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from service.claims import plan_brief
from service.conflicts import find_conflicts
from service.timeline import event_date, in_time, source_dates
from service.types import Sentence, Source
from tests.unit.test_plan import _source, _summary


def test_an_event_date_is_the_articles_own_time_resolved_against_its_publication() -> None:
    monday = datetime(2026, 3, 9, 18, tzinfo=UTC)
    assert event_date("Monday", monday, "en") == monday.date()
    assert str(event_date("Tuesday", datetime(2026, 3, 11, tzinfo=UTC), "en")) == "2026-03-10"
    assert str(event_date("27 February", datetime(2010, 3, 1, tzinfo=UTC), "en")) == "2010-02-27"
    assert event_date("last week", monday, "en") is None  # too coarse
    assert event_date("Monday", None, "en") is None
    # A time the article does not give (a model's invention) is not used.
    assert event_date("Friday 27 March", monday, "en", "He came.") is None


def test_a_count_of_weeks_or_a_coming_day_dates_no_event() -> None:
    june = datetime(2026, 6, 25, tzinfo=UTC)
    voyage = "The ship spent five weeks at sea before docking on 2026-06-20."
    assert event_date("5 weeks ago", june, "en", voyage) is None  # a span the model counted
    assert str(event_date("2026-06-20", june, "en", voyage)) == "2026-06-20"  # written so
    assert event_date("2026-06-19", june, "en", voyage) is None  # not written so
    september = datetime(2026, 9, 16, tzinfo=UTC)
    # "will shut on 27 November", written in September: this year's, a plan, not last year's.
    assert event_date("27 November", september, "en") is None
    assert str(event_date("27 November 2025", september, "en")) == "2025-11-27"
    assert str(event_date("2 August", september, "en")) == "2026-08-02"


def test_a_source_is_dated_by_its_own_words_else_by_its_publication() -> None:
    sources = [
        _source(
            "S1", "The quake struck on Wednesday.", published=datetime(2010, 7, 15, tzinfo=UTC)
        ),
        _source("S2", "The quake struck.", published=datetime(2010, 10, 22, tzinfo=UTC)),
        _source("S3", "The quake struck."),
    ]
    summaries = [_summary("S1", "f", when="Wednesday"), _summary("S2", "f", when="Wednesday")]
    assert source_dates(sources, summaries) == {"S1": date(2010, 7, 14), "S2": date(2010, 10, 22)}


# Three articles of a story that developed over months, and one without a date.
STORY = [
    _source("S1", "x", published=datetime(2010, 2, 27, tzinfo=UTC)),
    _source("S2", "x", published=datetime(2010, 5, 5, tzinfo=UTC)),
    _source("S3", "x", published=datetime(2010, 10, 22, tzinfo=UTC)),
    _source("S4", "x"),
]
# The same sources published within a day of each other.
ONE_DAY = [
    _source("S1", "x", published=datetime(2026, 3, 14, 6, tzinfo=UTC)),
    _source("S2", "x", published=datetime(2026, 3, 14, 18, tzinfo=UTC)),
    _source("S3", "x", published=datetime(2026, 3, 15, 5, tzinfo=UTC)),
    _source("S4", "x"),
]


@pytest.mark.parametrize(
    ("sources", "planned", "told"),
    [
        # A story spanning months: the opening (the news) first, then the oldest first, the
        # latest state last; one day's sentences in the planner's order; a sentence citing no
        # dated source after the dated ones.
        (
            STORY,
            [("S3",), ("S4",), ("S1",), ("S2", "S3"), ("S1", "S3")],
            [
                (("S3",), "2010-10-22"),
                (("S1",), "2010-02-27"),
                (("S1", "S3"), "2010-02-27"),
                (("S2", "S3"), "2010-05-05"),
                (("S4",), None),
            ],
        ),
        # A story of one day keeps the planner's order (the most important first), dated.
        (
            ONE_DAY,
            [("S3",), ("S4",), ("S1",), ("S2",)],
            [
                (("S3",), "2026-03-15"),
                (("S4",), None),
                (("S1",), "2026-03-14"),
                (("S2",), "2026-03-14"),
            ],
        ),
    ],
)
def test_a_developing_story_is_told_in_time_order_and_each_sentence_dated(
    sources: list[Source],
    planned: list[tuple[str, ...]],
    told: list[tuple[tuple[str, ...], str | None]],
) -> None:
    sentences = [Sentence(f"Claim {i}.", sids) for i, sids in enumerate(planned)]
    result = in_time(sentences, sources, [])
    assert [(s.sources, s.day.isoformat() if s.day else None) for s in result] == told


def test_a_set_aside_source_neither_dates_nor_spans_the_story() -> None:
    sources = [*ONE_DAY[:3], replace(STORY[2], sid="S4", set_aside=True)]
    sentences = [Sentence("B.", ("S2",)), Sentence("C.", ("S3",)), Sentence("A.", ("S1",))]
    assert [s.sources for s in in_time(sentences, sources, [])] == [("S2",), ("S3",), ("S1",)]


@pytest.mark.parametrize(
    ("later", "disputed"),
    [
        (datetime(2010, 3, 1, tzinfo=UTC), True),  # two days on: one moment, two counts
        (datetime(2010, 3, 28, tzinfo=UTC), False),  # a month on: the count has moved on
    ],
)
def test_only_sources_of_one_moment_disagree_a_later_figure_updates(
    later: datetime, disputed: bool
) -> None:
    a = "The earthquake killed 214 people in central Chile."
    b = "The earthquake killed 279 people in central Chile."
    sources = [
        _source("S1", a, published=datetime(2010, 2, 27, tzinfo=UTC)),
        _source("S2", b, published=later),
        _source("S3", "Rescuers searched the rubble.", published=later),
    ]
    summaries = [_summary("S1", a), _summary("S2", b), _summary("S3", "Rescuers searched.")]
    plan = plan_brief(summaries, sources, max_sentences=6, language="en")
    assert [c.unit for c in plan.conflicts] == (["people"] if disputed else [])
    assert bool(find_conflicts(summaries, sources, "en")) == disputed
