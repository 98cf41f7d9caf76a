"""A developing story told in time: when each thing the brief says happened, and the brief's
sentences in time order when the bundle spans days or more.

- **A source's date** is when its event happened as the article itself words it (the map step's
  "when": "Wednesday", "14 March"), kept only when the article gives that time, resolved against
  its publication date (a weekday: the nearest one, news being reported within days; "last week"
  is too coarse, and a date after publication is a plan, not the event); else its publication
  date; else none.
- **A sentence's date** is the earliest date of the sources it cites: when the story first
  reported what it says. A sentence citing no dated source has none.
- **Who can disagree.** Only sources dated within CONCURRENT_DAYS of each other (or undated)
  report one moment of the story: a later article's figure (the toll a month on, the depth of
  another aftershock) updates or adds to an earlier one's, it does not dispute it.
- **The order.** When the bundle's dated sources span more than one moment of the story (more
  than CONCURRENT_DAYS), the opening sentence (the news, as the planner chose it) stays first
  and the others are told in chronological order, the oldest first: a reader learns what
  happened, then follows how the story got there (an old fact of background, "the museum
  opened in 1931", never opens a brief about a theft for coming from its oldest report).
  Sentences of one day keep the planner's order (the most important first), and undated
  sentences follow the dated ones in the planner's order. A bundle of one moment (its articles
  within CONCURRENT_DAYS: the news and the next days' follow-ups) keeps the planner's order,
  which opens with the news.
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from functools import lru_cache

import dateparser

from service.language import profile
from service.textutil import features, words
from service.types import ArticleSummary, Sentence, Source

CONCURRENT_DAYS = 3  # sources dated this close report one moment of a story: they can disagree
RECENT_DAYS = 60  # a day and month without a year is the event's at most this long before


@lru_cache(maxsize=4096)
def in_earlier_period(text: str, language: str) -> bool:
    """Whether the text puts what it states in an earlier period than the news ("raised fares
    by 4.9 per cent last year": the language's earlier_periods, prompts/words.json)."""
    return profile(language).count_words("earlier_periods", text) > 0


def _said_in(when: str, document: str, language: str) -> bool:
    """Whether the article itself gives this time: its numbers and day or month names (a small
    model invents dates for articles that give none)."""
    said, text = features(when, language), features(document, language)
    return said.numbers <= text.numbers and said.calendar <= text.calendar


def _written_date(when: str, document: str | None) -> bool:
    """Whether `when` is a date written in figures ("2026-03-14", "14/03") that the article
    itself writes: a number the model counted ("5 weeks ago" from "spent five weeks at sea")
    dates nothing."""
    figures = re.fullmatch(r"\d{1,4}(?:[-/.]\d{1,2}){1,2}", when.strip()) is not None
    return figures and (document is None or when.strip() in document)


def event_date(
    when: str, published: datetime | None, language: str, document: str | None = None
) -> date | None:
    """When an article's event happened, from its own words and its publication date (and
    only a time `document`, the article, gives). The weekdays and months are ``language``'s
    (CLDR's), and so are its words of a day ("yesterday", "gestern": prompts/words.json)."""
    if not when.strip() or published is None:
        return None
    if document is not None and not _said_in(when, document, language):
        return None
    day = published.date()
    lang = profile(language)
    said = [w.lower() for w in words(when)]
    kinds = {lang.calendar_kind(w) for w in said}
    day_words = set(lang.words("day_words"))
    if not (kinds - {""} or day_words & set(said) or _written_date(when, document)):
        return None  # "last week", "5 weeks ago": too coarse, or counted, not a date
    weekday = next((n for w in said if (n := lang.weekday(w)) is not None), None)
    if weekday is not None and "month" not in kinds:
        back = (day.weekday() - weekday) % 7
        return day - timedelta(days=back) if back <= 3 else day + timedelta(days=7 - back)
    parsed = dateparser.parse(
        when,
        languages=[language.split("-")[0]] if language else None,
        settings={
            "RELATIVE_BASE": published.replace(tzinfo=None),
            "PREFER_DATES_FROM": "past",
            "REQUIRE_PARTS": ["day", "month"],
        },
    )
    if parsed is None:
        return None
    resolved: date = parsed.date()
    # An event is reported after it happens: a later date is a plan, not the article's event;
    # so is a day and month without a year that falls months before publication ("will shut on
    # 27 November", written in September: this year's, not last year's).
    back = RECENT_DAYS if re.search(r"\b\d{4}\b", when) is None else 366
    return resolved if timedelta(days=-back) <= resolved - day <= timedelta(days=1) else None


def source_dates(sources: Sequence[Source], summaries: Sequence[ArticleSummary]) -> dict[str, date]:
    """Source ID → the date of its event (see the module doc), for the sources that have one."""
    when = {s.sid: s.when for s in summaries}
    dates: dict[str, date] = {}
    for source in sources:
        published = source.article.published_at
        said = event_date(when.get(source.sid, ""), published, source.language, source.document)
        if said is not None:
            dates[source.sid] = said
        elif published is not None:
            dates[source.sid] = published.date()
    return dates


def concurrent(
    sources: Sequence[Source], summaries: Sequence[ArticleSummary]
) -> Callable[[str, str], bool]:
    """Whether two sources (by ID) report one moment of the story, and so can disagree."""
    dates = source_dates(sources, summaries)

    def together(a: str, b: str) -> bool:
        day_a, day_b = dates.get(a), dates.get(b)
        return day_a is None or day_b is None or abs((day_a - day_b).days) <= CONCURRENT_DAYS

    return together


def in_time(
    sentences: Sequence[Sentence],
    sources: Sequence[Source],
    summaries: Sequence[ArticleSummary],
) -> list[Sentence]:
    """The sentences, each with its date, the opening first and the rest in time order when
    the bundle spans more than one moment of the story (more than CONCURRENT_DAYS; else in the
    planner's order)."""
    usable = {s.sid for s in sources if not s.set_aside}
    dates = {sid: day for sid, day in source_dates(sources, summaries).items() if sid in usable}
    dated = [
        replace(s, day=min((dates[sid] for sid in s.sources if sid in dates), default=None))
        for s in sentences
    ]
    if not dates or (max(dates.values()) - min(dates.values())).days <= CONCURRENT_DAYS:
        return dated
    undated = date.max  # after every dated sentence; sorted() keeps the planner's order within
    opening, *rest = dated
    return [opening, *sorted(rest, key=lambda s: s.day or undated)]
