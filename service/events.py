"""Event identity: an article about a different event under the same names and places (a later
visit by the same minister, another hearing at the same court) is set aside with its evidence,
so that the brief never blends two events.

Two signals, each a contradiction with the rest of the bundle, not a lack of overlap:

- **When.** The map step reports when each article's event happened as the article words it
  ("Monday", "14 March"), kept only when the article itself gives that time; it is resolved
  against the article's publication date (a weekday: the nearest one, news being reported within
  days; "last week" is too coarse, and a date after publication is a plan, not the event); an
  article that gives no time is dated by its publication. An article whose own stated event date
  is more than EVENT_DAYS from the bundle's median event date, while at least two others agree
  with each other, reports another event.
- **Who holds an office.** "Foreign Minister Qin Gang" in two articles and "Foreign Minister
  Wang Yi" in a third: one office held by two people means two moments in time. An article that
  names a minority holder of an office the others agree on reports another event. Only
  qualified offices count ("foreign minister", "chief executive"; not a bare "president", which
  names heads of several states), and an office called former, acting or new binds no one.
"""

import re
import statistics
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime, timedelta

import dateparser

from service.textutil import CALENDAR_WORDS, features, words
from service.types import ArticleSummary, Source

EVENT_DAYS = 3  # an event's reports fall within a few days of each other; a revisit does not
MIN_AGREEING = 2  # the majority that tells the other event apart must be at least this large
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_DAY_WORDS = frozenset({"today", "yesterday", "tonight"})
_OFFICES = (
    "minister|secretary|president|chancellor|governor|mayor|premier|commissioner|ambassador"
    "|director|chair|chairman|chairwoman|chief executive|chief constable|attorney general"
)
_HOLDER = r"[A-Z][\w'’-]+(?: [A-Z][\w'’-]+){0,2}"
# "Foreign Minister Qin Gang", and "Colm Devane, the council's acting chief executive".
_TITLE_FIRST = re.compile(
    rf"(?P<office>(?:[A-Z][\w-]* ){{0,3}}(?i:{_OFFICES}))(?:,)? (?P<holder>{_HOLDER})"
)
_NAME_FIRST = re.compile(
    rf"(?P<holder>{_HOLDER}), (?:the |a )?(?:[\w'’-]+(?:'s|’s) )?(?P<office>(?:[a-z-]+ ){{0,2}}"
    rf"(?i:{_OFFICES}))\b"
)
_NOT_HOLDING = {"former", "ex", "acting", "interim", "new", "incoming", "outgoing", "late", "then"}
_NOT_QUALIFYING = {"the", "a", "an", "of", "and", "his", "her", "their", "its", "deputy's"}


def _said_in(when: str, document: str) -> bool:
    """Whether the article itself gives this time: its numbers and day or month names (a small
    model invents dates for articles that give none)."""
    said, text = features(when), features(document)
    return said.numbers <= text.numbers and said.calendar <= text.calendar


def event_date(
    when: str, published: datetime | None, language: str, document: str | None = None
) -> date | None:
    """When an article's event happened, from its own words and its publication date (and
    only a time `document`, the article, gives)."""
    if not when.strip() or published is None:
        return None
    if document is not None and not _said_in(when, document):
        return None
    day = published.date()
    said = [w.lower() for w in words(when)]
    if not (set(said) & (CALENDAR_WORDS | _DAY_WORDS) or any(w.isdigit() for w in said)):
        return None  # "last week", "next month": too coarse to tell two events apart
    weekday = next((w for w in said if w in _WEEKDAYS), None)
    if weekday is not None and not (CALENDAR_WORDS - set(_WEEKDAYS)) & set(said):
        back = (day.weekday() - _WEEKDAYS.index(weekday)) % 7
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
    # An event is reported after it happens: a later date is a plan, not the article's event.
    return resolved if timedelta(days=-366) <= resolved - day <= timedelta(days=1) else None


def _office(phrase: str) -> str | None:
    """The office a title names, as compared across articles ("Chinese Foreign Minister" →
    "foreign minister"), or None when it binds nobody or is not qualified (a bare "President")."""
    said = [w.lower() for w in phrase.split()]
    if _NOT_HOLDING & set(said):
        return None
    qualified = [w for w in said if w not in _NOT_QUALIFYING and not w.endswith(("'s", "’s"))]
    return " ".join(qualified[-2:]) if len(qualified) >= 2 else None


def office_holders(text: str) -> dict[str, str]:
    """Office → surname of its holder, as one text names them; an office the text gives to two
    people binds neither."""
    seen: dict[str, set[str]] = {}
    for pattern in (_TITLE_FIRST, _NAME_FIRST):
        for match in pattern.finditer(text):
            office = _office(match.group("office"))
            if office is not None:
                seen.setdefault(office, set()).add(match.group("holder").split()[-1])
    return {office: next(iter(people)) for office, people in seen.items() if len(people) == 1}


def _by_date(sources: Sequence[Source], summaries: Sequence[ArticleSummary]) -> dict[str, str]:
    when = {s.sid: s.when for s in summaries}
    dated: dict[str, date] = {}
    stated: set[str] = set()  # dated by their own words, not only by their publication
    for s in sources:
        published = s.article.published_at
        said = event_date(when.get(s.sid, ""), published, s.language, s.document)
        if said is not None:
            stated.add(s.sid)
        if said is not None or published is not None:
            dated[s.sid] = said or published.date()  # type: ignore[union-attr]
    if len(dated) < MIN_AGREEING + 1:
        return {}
    median = date.fromordinal(int(statistics.median(d.toordinal() for d in dated.values())))
    near = [sid for sid, d in dated.items() if abs(d - median).days <= EVENT_DAYS]
    if len(near) < MIN_AGREEING:
        return {}
    return {
        sid: f"different event: it reports an event of {d:%-d %B %Y}, the others one around "
        f"{median:%-d %B %Y}"
        for sid, d in dated.items()
        if sid in stated and abs(d - median).days > EVENT_DAYS
    }


def _by_office(sources: Sequence[Source]) -> dict[str, str]:
    holders = {s.sid: office_holders(s.document) for s in sources}
    reasons: dict[str, str] = {}
    offices = {office for bound in holders.values() for office in bound}
    for office in sorted(offices):
        named = Counter(bound[office] for bound in holders.values() if office in bound)
        if len(named) < 2:
            continue
        (majority, agreeing), *_ = named.most_common()
        if agreeing < MIN_AGREEING or list(named.values()).count(agreeing) > 1:
            continue
        others = [sid for sid, bound in holders.items() if bound.get(office) == majority]
        for sid, bound in holders.items():
            if office in bound and bound[office] != majority and sid not in reasons:
                reasons[sid] = (
                    f"different event: it names {bound[office]} as {office}, where "
                    f"{', '.join(others)} name {majority}"
                )
    return reasons


def different_events(
    sources: Sequence[Source], summaries: Sequence[ArticleSummary]
) -> dict[str, str]:
    """Source ID → why it reports a different event than the rest of the bundle."""
    usable = [s for s in sources if not s.set_aside]
    return _by_office(usable) | _by_date(usable, summaries)
