"""Find where sources disagree on a number, deterministically, and write it up neutrally.

Small models cannot judge "same quantity?" reliably (the 1.5B answered 54% of such pairs right;
read by its first token's odds, as service.restatements reads it, its "yes" to "do A and B give
different values for the same thing?" reached 0.65-0.73 for pairs of facts that disagree on
nothing, as high as for most planted disagreements: 131 pairs of the development sets, 2026-12-08),
so candidates are found in code: two facts from different, independent sources that give
different values in the same unit, in similar context (shared names or words); or two figures
of one kind (a count of things, a measure in one unit, a date), close in value, whose facts say
the same thing in other words (sentence embeddings, each pair the most alike of the two sources'
figures of that kind: "cut 450 jobs" / "lay off about 400 workers"). The model never sees those
facts; the sentence that reports the disagreement is built here from versioned templates,
quoting and citing every side.
"""

import re
from collections.abc import Callable, Sequence, Set
from dataclasses import dataclass

from service.actors import same_object
from service.language import profile
from service.meaning import similarities
from service.prompts import phrases
from service.textutil import (
    Features,
    Quantity,
    fact_words,
    features,
    names,
    short_stopwords,
    stem,
    unit_words,
    words,
)
from service.timeline import concurrent, in_earlier_period
from service.translate import untranslated
from service.tuning import (
    DISPUTED_ACTION_MEANING,
    LONE_MEASURE_MEANING,
    SAME_MEASURE_MEANING,
    SAME_SPAN_MEANING,
)
from service.types import ArticleSummary, Conflict, Disagreement, Fact, Source

ACTION_KINDS = frozenset({"who", "when"})  # what _action_conflicts disputes, besides figures
YEARS = (1000, 2199)  # four digits in this range are a year, not a count
CONTEXT_OVERLAP = 0.4  # overlap coefficient of the two facts' context words
NEAR_WORDS = 3  # content words each side of a quantity that say what it measures
NEAR_OVERLAP = 0.6  # overlap of those words above which other names do not matter…
NEAR_SHARED = 3  # …when at least this many are shared
ACTION_WORDS = 4  # content words beside a who/when anchor that say what happened
ACTION_SHARED = 2  # … of which two sources must share this many to speak of one action
# Two sources that each give one figure for something they both count (jobs, votes, homes) give
# it for one quantity when the figures are this close: outlets disagree by a little, not by a
# factor (187 on the first train vs 2,600 a day are two quantities; 140 and 90 metres from the
# landing target are one distance).
CLOSE_VALUES = 1.6
# … but never for measures any number of things share (shares, spans of time: the language's
# "generic_units", prompts/words.json).


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


@dataclass(frozen=True)
class _Context:
    """What surrounds one quantity in one fact."""

    words: set[str]  # stems of the fact's other content words
    near: set[str]  # stems of the content words right before and after the quantity
    names: set[str]  # stems of the names in the fact
    all_stems: set[str]  # every word of the fact, names and sentence-initial words included
    stated: set[tuple[float, str]]  # every (value, unit) the fact states


def _ignored(unit: str, language: str) -> bool:
    """No unit, or a word that is none ("and", "of": prompts/words.json "not_units")."""
    return not unit or unit in unit_words("not_units", language)


def _context(
    fact: Fact, quantity: Quantity, stated: set[tuple[float, str]], language: str
) -> _Context:
    before, _, after = fact.text.partition(quantity.text)
    unit = {stem(w, language) for w in quantity.unit.split()}

    def stems(part: str) -> list[str]:
        return [s for w in fact_words(part, language) if (s := stem(w, language)) not in unit]

    text = f"{before} {after}"
    calendar = profile(language).calendar_kind
    return _Context(
        words=set(stems(text)),
        near=set(stems(before)[-NEAR_WORDS:] + stems(after)[:NEAR_WORDS]),
        names={stem(n, language) for n in names(text, language) if not calendar(n)},
        all_stems={stem(w, language) for w in words(text)},
        stated=stated,
    )


def _same_quantity(qa: Quantity, a: _Context, qb: Quantity, b: _Context, language: str) -> bool:
    if qa.unit != qb.unit or _ignored(qa.unit, language) or qa.value == qb.value:
        return False
    if not _close(qa, qb):  # outlets disagree by a little, not by a factor
        return False
    # A fact that states both figures ("cost 412 million, 147 million more than first planned")
    # agrees with the other on the one they share and measures something else with the other.
    if (qb.value, qb.unit) in a.stated or (qa.value, qa.unit) in b.stated:
        return False
    # The words right around both figures agree ("was 71% effective at preventing hospital
    # admission"): one measure, whoever is quoted giving it.
    if len(a.near & b.near) >= NEAR_SHARED and _overlap(a.near, b.near) >= NEAR_OVERLAP:
        return True
    if _agree_on_another(a.stated, b.stated, qa.unit):
        return False
    # Each side naming someone the other never mentions (Mayor Lund vs Governor Pell): two events.
    if a.names - b.all_stems and b.names - a.all_stems:
        return False
    return _overlap(a.words, b.words) >= CONTEXT_OVERLAP


def _readings(
    summaries: Sequence[ArticleSummary], sources: Sequence[Source], language: str
) -> dict[str, str]:
    """Fact ID → the language to read its figures in: the brief's, or its article's for a fact
    the map step left in its article's words ("saranno tagliati milleduecento posti" is 1,200
    jobs, read in Italian)."""
    by_sid = {s.sid: s for s in sources}
    return {
        f.fid: (
            by_sid[f.sid].language
            if f.sid in by_sid and untranslated(f, by_sid[f.sid], language)
            else language
        )
        for s in summaries
        for f in s.facts
    }


def _shown(quantity: Quantity, read: str, language: str) -> str:
    """A figure as a disagreement reports it: as its fact gives it, with, for a fact read in its
    article's language, the number in the brief's digits first ("1,200 (milleduecento posti)")."""
    if read == language or _kind(quantity, read) == "date":
        return quantity.text
    return f"{profile(language).written(quantity.value)} ({quantity.text})"


def find_conflicts(
    summaries: Sequence[ArticleSummary], sources: Sequence[Source], language: str
) -> list[Conflict]:
    """Groups of facts (written in ``language``, the brief's) that disagree on one quantity,
    each group spanning 2+ sources."""
    original = {s.sid: s.duplicate_of or s.sid for s in sources}
    together = concurrent(sources, summaries)
    read = _readings(summaries, sources, language)
    items = [
        (f, q) for s in summaries for f in s.facts for q in features(f.text, read[f.fid]).quantities
    ]
    stated = {f: set(features(f.text, read[f.fid]).figures) for f, _ in items}
    # once per item, not once per pair
    contexts = [_context(f, q, stated[f], read[f.fid]) for f, q in items]
    measured = _alike_measures(items, original, together, language, read)
    groups: list[list[tuple[Fact, Quantity]]] = []
    for i, (fact_a, qa) in enumerate(items):
        for j in range(i + 1, len(items)):
            fact_b, qb = items[j]
            if original[fact_a.sid] == original[fact_b.sid] or not together(fact_a.sid, fact_b.sid):
                continue
            if _other_periods(fact_a, fact_b, language):
                continue  # last year's figure and this year's
            same = _same_quantity(qa, contexts[i], qb, contexts[j], language) or (i, j) in measured
            if not same:
                continue
            group = next((g for g in groups if (fact_a, qa) in g or (fact_b, qb) in g), None)
            if group is None:
                groups.append([(fact_a, qa), (fact_b, qb)])
            else:
                group.extend(item for item in ((fact_a, qa), (fact_b, qb)) if item not in group)
    figures = [
        Conflict(
            unit="when" if _kind(g[0][1], language) == "date" else g[0][1].unit,
            facts=tuple(f for f, _ in g),
            values=tuple(_shown(q, read[f.fid], language) for f, q in g),
        )
        for g in groups
    ]
    return figures + _action_conflicts(summaries, original, together, language)


@dataclass(frozen=True)
class _Action:
    """Something a fact says happened, anchored on who did it or when: the anchor as written
    ("Hebden", "Tuesday") and the content stems of the action beside it."""

    fact: Fact
    kind: str  # "who" or "when"
    anchor: str
    action: frozenset[str]
    verb: str  # the content word after a name (what was done), or the one nearest before a date


def _actions(fact: Fact, language: str) -> list[_Action]:
    """The who and when anchors of a fact: each name with the words that follow it (what that
    person did), each weekday or month with the words before it (what happened then); names
    are left out of the action (they say who, not what)."""
    tokens = words(fact.text)
    named = features(fact.text, language).names
    calendar = profile(language).calendar_kind
    stop = short_stopwords(language)

    def content(word: str) -> bool:
        return len(word) >= 3 and not word.isdigit() and word.lower() not in stop

    found = []
    for i, token in enumerate(tokens):
        if calendar(token):
            before = [stem(w, language) for w in tokens[:i] if content(w) and w not in named]
            done = frozenset(before[-ACTION_WORDS:])
            found.append(_Action(fact, "when", token, done, before[-1] if before else ""))
        elif token in named and (i + 1 == len(tokens) or tokens[i + 1] not in named):
            after = [
                stem(w, language) for w in tokens[i + 1 : i + 1 + ACTION_WORDS * 2] if content(w)
            ]
            action = [w for w in after if w.capitalize() not in named][:ACTION_WORDS]
            if after and after[0] in action:  # the name is followed by what it did
                found.append(_Action(fact, "who", token, frozenset(action), after[0]))
    return found


def _action_conflicts(
    summaries: Sequence[ArticleSummary],
    original: dict[str, str],
    together: Callable[[str, str], bool],
    language: str,
) -> list[Conflict]:
    """Two sources saying one thing happened (the same action words) with different people
    doing it, or on different days: "Mayor Kerr signed the order" vs "Hebden signed the order";
    "signed on Tuesday" vs "signed on Wednesday". Each side's anchor must be absent from the
    other side's fact, and each source must give only one anchor for that action."""
    actions = [a for s in summaries for f in s.facts for a in _actions(f, language)]
    conflicts: list[Conflict] = []
    used: set[tuple[str, str]] = set()  # (fact, kind): a fact may say who and when, both disputed
    for i, a in enumerate(actions):
        for b in actions[i + 1 :]:
            if a.kind != b.kind or original[a.fact.sid] == original[b.fact.sid]:
                continue
            if not together(a.fact.sid, b.fact.sid):
                continue  # a later report of the story, not another account of one moment
            if not _one_action(a, b, language):
                continue
            sides = {(a.fact.fid, a.kind), (b.fact.fid, b.kind)}
            if a.anchor.lower() == b.anchor.lower() or sides & used:
                continue
            shared = a.action & b.action
            if len(shared) < ACTION_SHARED or _overlap(set(a.action), set(b.action)) < 0.5:
                continue
            if not any(len(w) >= 4 for w in shared - {a.verb}):  # the action, not "told him"
                continue
            if a.anchor.lower() in b.fact.text.lower() or b.anchor.lower() in a.fact.text.lower():
                continue
            if not (_one_anchor(a, actions, original) and _one_anchor(b, actions, original)):
                continue
            if a.kind == "when" and _rival_actors(a.fact, b.fact, language):
                continue  # Qadir met Lund on Monday, and Pell on Tuesday: two meetings
            conflicts.append(Conflict(a.kind, (a.fact, b.fact), (a.anchor, b.anchor)))
            used |= {(a.fact.fid, a.kind), (b.fact.fid, b.kind)}
    return conflicts


def _one_action(a: _Action, b: _Action, language: str) -> bool:
    """Whether two anchors can be one action's: "Kerr signed" and "Hebden signed", not "Hebden
    visited"; "signed the order on Tuesday" and "the order was signed on Wednesday" (each
    side's word nearest the date among the other's), two weekdays or two months — not
    "reopened on Monday" and "closed since November"."""
    if not same_object(a.fact.text, b.fact.text, language, {a.anchor, b.anchor}):
        return False  # Kerr won stage 15 and Hebden stage 17: two actions
    if a.kind == "who":
        return a.verb == b.verb
    # The same thing said to happen on two days: one side's action words within the other's
    # ("the aftershock struck Chile on Wednesday" is not "the earthquake struck Chile on
    # Saturday": a story that develops has many happenings).
    same = a.action <= b.action or b.action <= a.action
    return (
        same
        and _comparable_dates(a.anchor, b.anchor, language)
        and a.verb in b.action
        and b.verb in a.action
    )


def _rival_actors(a: Fact, b: Fact, language: str) -> bool:
    """Each fact names someone the other does not mention (two events, not one)."""
    fa, fb = features(a.text, language), features(b.text, language)
    return bool(_own_names(fa, fb, b.text, language) and _own_names(fb, fa, a.text, language))


def _one_anchor(mine: _Action, actions: Sequence[_Action], original: dict[str, str]) -> bool:
    """Whether the source gives this action one anchor only (not "Kerr, then Hebden, signed")."""
    source = original[mine.fact.sid]
    return all(
        other.anchor.lower() == mine.anchor.lower()
        for other in actions
        if original[other.fact.sid] == source
        and other.kind == mine.kind
        and len(other.action & mine.action) >= ACTION_SHARED
    )


def _kind(quantity: Quantity, language: str, text: str = "") -> str | None:
    """What a figure is compared with across sources: "date" (a day of a month), "count" (a
    whole number of things, whatever the noun: "260 staff" and "310 jobs" may count one thing;
    or a whole number without a unit that ends the sentence of `text`, the fact: "the death
    toll stands at fourteen"), or its unit (a measure, a sum of money, a span of time, a share:
    "million euro", "week"); None for a year ("2028", four digits), another number without a
    unit (an age: "Rinaldi, 24,") or a word that is none."""
    unit = quantity.unit
    if _year(quantity):  # "in 2028 by a new vessel", "since 2019"
        return None
    if not unit and text:
        ends = re.search(rf"(?<!\w){re.escape(quantity.text)}\s*(?:[.;!]|$)", text.rstrip())
        return "count" if ends and quantity.value.is_integer() else None
    if _ignored(unit, language):
        return None
    if profile(language).calendar_kind(unit) == "month":
        return "date"
    money = set(profile(language).meanings("currencies").values())
    if " " in unit or unit in money or unit in unit_words("generic_units", language):
        return unit
    return "count" if quantity.value.is_integer() else unit


def _alike_measures(
    items: Sequence[tuple[Fact, Quantity]],
    original: dict[str, str],
    together: Callable[[str, str], bool],
    language: str,
    read: dict[str, str],
) -> set[tuple[int, int]]:
    """Pairs of `items` (by index, both orders) that give one quantity different values: two
    sources' figures of one kind (`_kind`) and close values (or two dates), whose facts are the
    most alike in meaning of the two sources' figures of that kind (at least
    SAME_MEASURE_MEANING; SAME_SPAN_MEANING for spans of time and shares; LONE_MEASURE_MEANING
    when each source gives one figure only in that unit). Figures are paired most alike first,
    each at most once with each other source, agreeing values included: a figure another source
    states too is that source's, not a rival's. A source that states the other's value anywhere
    agrees on it (its other figure measures something else), so do two facts that agree on
    another figure in the unit, and two facts each naming someone the other never mentions tell
    of two events. `read`: the language each fact's figures are read in, by fact ID."""
    kinds = [_kind(q, read[f.fid], f.text) for f, q in items]
    if sum(k is not None for k in kinds) < 2:
        return set()
    alike = similarities([f.text for f, _ in items], [f.text for f, _ in items])

    def value(i: int) -> tuple[float, str]:
        """What two figures of one kind compare: a date's day and month (the month's number,
        whatever the language), else the number (two counts of one value agree, whatever their
        nouns: "23 people" and "23 customers")."""
        fact, q = items[i]
        if kinds[i] != "date":
            return (q.value, "")
        month = profile(read[fact.fid]).month(q.unit)
        return (q.value, str(month) if month is not None else q.unit)

    stated: dict[tuple[str, str], set[tuple[float, str]]] = {}
    units: dict[tuple[str, str], set[float]] = {}
    for i, (fact, q) in enumerate(items):
        if (kind := kinds[i]) is not None:
            stated.setdefault((original[fact.sid], kind), set()).add(value(i))
            units.setdefault((original[fact.sid], q.unit), set()).add(q.value)
    generic = unit_words("generic_units", language)

    def floor(i: int, j: int) -> float:
        qa, qb = items[i][1], items[j][1]
        if qa.unit in generic:
            return SAME_SPAN_MEANING
        lone = qa.unit == qb.unit and all(
            len(units[original[f.sid], q.unit]) == 1 for f, q in (items[i], items[j])
        )
        return LONE_MEASURE_MEANING if lone else SAME_MEASURE_MEANING

    candidates = []
    for i, (fa, qa) in enumerate(items):
        for j in range(i + 1, len(items)):
            fb, qb = items[j]
            if kinds[i] is None or kinds[i] != kinds[j] or original[fa.sid] == original[fb.sid]:
                continue
            if not together(fa.sid, fb.sid):
                continue
            if value(i) != value(j) and kinds[i] != "date" and not _close(qa, qb):
                continue
            if alike[i, j] >= floor(i, j):
                candidates.append((float(alike[i, j]), i, j))
    paired: set[tuple[int, str]] = set()  # (item, other source): each figure pairs once a source
    found: set[tuple[int, int]] = set()
    for _, i, j in sorted(candidates, reverse=True):
        (fa, qa), (fb, qb) = items[i], items[j]
        sa, sb = original[fa.sid], original[fb.sid]
        if (i, sb) in paired or (j, sa) in paired:
            continue
        paired |= {(i, sb), (j, sa)}
        kind = kinds[i] or ""
        if value(i) == value(j) or value(j) in stated[sa, kind] or value(i) in stated[sb, kind]:
            continue
        figures_a, figures_b = (features(f.text, read[f.fid]).figures for f in (fa, fb))
        if _rival_actors(fa, fb, language) or _agree_on_another(figures_a, figures_b, qa.unit):
            continue
        found |= {(i, j), (j, i)}
    return found


def _other_periods(a: Fact, b: Fact, language: str) -> bool:
    """Whether two facts give their figures for different periods: both name years, and not
    the same ("in the year to June 2026" / "to June 2025"), or one puts its figure in an
    earlier period and the other does not (`timeline.in_earlier_period`)."""
    years = [{q.value for q in features(f.text, language).quantities if _year(q)} for f in (a, b)]
    if all(years) and not years[0] & years[1]:
        return True
    return in_earlier_period(a.text, language) != in_earlier_period(b.text, language)


def _year(quantity: Quantity) -> bool:
    """Four digits in the range of years: "2028", not "2,028 homes"."""
    in_range = YEARS[0] <= quantity.value <= YEARS[1]
    return in_range and re.match(r"\d{4}\b", quantity.text) is not None


def _agree_on_another(
    stated_a: Set[tuple[float, str]], stated_b: Set[tuple[float, str]], unit: str
) -> bool:
    """Whether two facts, by the (value, unit) figures each states, agree on a figure in this
    unit ("cost 530 million" in both): their other figures in it measure other things ("the
    first bid was 310 million" / "220 million more than first offered")."""
    return any(u == unit for _, u in stated_a & stated_b)


def _close(qa: Quantity, qb: Quantity) -> bool:
    """Figures close enough to be two reports of one quantity (see CLOSE_VALUES)."""
    low, high = sorted((qa.value, qb.value))
    return low > 0 and high / low <= CLOSE_VALUES


def differing(a: Fact, b: Fact, language: str) -> tuple[str, str, str] | None:
    """How two facts of different sources that state the same claim differ, if they do:
    (what differs, a's value, b's value). What differs is a figure's unit when they give one
    quantity different values, "when" when they name different dates, days or months, or "who"
    when each names one person the other does not (and nothing else differs)."""
    fa, fb = features(a.text, language), features(b.text, language)
    if _other_periods(a, b, language):
        return None  # last year's figure and this year's
    for qa in fa.quantities:
        if _ignored(qa.unit, language) or (qa.value, qa.unit) in fb.figures:
            continue
        for qb in fb.quantities:
            if qb.unit == qa.unit and (qb.value, qb.unit) not in fa.figures and _close(qa, qb):
                return ("when" if _kind(qa, language) == "date" else qa.unit), qa.text, qb.text
    if fa.calendar and fb.calendar and not fa.calendar & fb.calendar:
        day_a, day_b = _word(a.text, fa.calendar), _word(b.text, fb.calendar)
        when_a, when_b = _when(a, day_a, language), _when(b, day_b, language)
        if when_a and when_b and _one_action(when_a, when_b, language):
            return "when", day_a, day_b
    only_a, only_b = _own_names(fa, fb, b.text, language), _own_names(fb, fa, a.text, language)
    if len(only_a) == 1 and len(only_b) == 1 and not fa.figures ^ fb.figures:
        rivals = {only_a[0], only_b[0]}
        return (
            ("who", only_a[0], only_b[0]) if same_object(a.text, b.text, language, rivals) else None
        )
    return None


def _own_names(mine: Features, other: Features, other_text: str, language: str) -> list[str]:
    """The names one fact gives that the other neither gives nor mentions in any form; a
    weekday or a month is a date, not a name."""
    lower = other_text.lower()
    calendar = profile(language).calendar_kind
    return sorted(
        n for n in mine.names - other.names if stem(n, language) not in lower and not calendar(n)
    )


def _comparable_dates(a: str, b: str, language: str) -> bool:
    """Two weekdays or two months: "reopened on Monday" and "closed since November" can both
    be true."""
    kinds = {profile(language).calendar_kind(a), profile(language).calendar_kind(b)}
    return kinds in ({"day"}, {"month"})


def _when(fact: Fact, day: str, language: str) -> _Action | None:
    """The fact's "when" anchor on `day`."""
    return next((w for w in _actions(fact, language) if w.kind == "when" and w.anchor == day), None)


def _word(text: str, found: frozenset[str]) -> str:
    """The first of the lower-cased words `found`, as the text writes it."""
    for word in words(text):
        if word.lower() in found:
            return word
    return sorted(found)[0]


@dataclass(frozen=True)
class Disputed:
    """What the brief must never state as plain fact: the disputed figures, as (value, noun)
    pairs, and the disputed actors and days, each with the content stems of the action both
    sides describe and the rival sides' facts ("Kerr" with "sign", "order", "mayor" and
    "Deputy mayor Hebden signed an order closing the Corn Exchange")."""

    figures: frozenset[tuple[float, str]] = frozenset()
    anchors: tuple[tuple[str, frozenset[str], tuple[str, ...]], ...] = ()


ACTION_SHARED_STEMS = 2  # a sentence naming a disputed actor states the dispute with this many


def disputed_values(conflicts: Sequence[Conflict], language: str) -> Disputed:
    """What the conflicts dispute (see `disputes`)."""
    figures = frozenset(
        (q.value, noun)
        for c in conflicts
        for f, value in zip(c.facts, c.values, strict=True)
        for q in features(f.text, language).quantities
        if q.text == value
        for noun in q.nouns
    )
    anchors = []
    for c in conflicts:
        if c.unit not in ACTION_KINDS:
            continue
        anchors_said = {stem(w, language) for v in c.values for w in words(v)}
        shared = set.intersection(*(set(features(f.text, language).stems) for f in c.facts))
        action = frozenset(shared - anchors_said)  # what both say was done, to whom, where
        for value in c.values:
            rivals = tuple(f.text for v, f in zip(c.values, c.facts, strict=True) if v != value)
            anchors.append((value, action, rivals))
    return Disputed(figures, tuple(anchors))


def disputes(text: str, disputed: Disputed, language: str) -> bool:
    """Whether the text states a disputed figure (its value and unit, or its value with no
    unit of its own, as a headline writes it: "Blast injures 17" where sources dispute 17
    workers), or names a disputed actor or day together with the action disputed: two of the
    stems both sides use, or the meaning of a rival side's fact (DISPUTED_ACTION_MEANING alike):
    "Mayor Kerr shut the Corn Exchange" where one source says Deputy mayor Hebden signed the
    order closing it and another that Kerr did."""
    found = features(text, language)
    if any((q.value, noun) in disputed.figures for q in found.quantities for noun in q.nouns):
        return True
    values = {value for value, _ in disputed.figures}
    if any(not q.nouns and q.value in values for q in found.quantities):
        return True
    said = {w.lower() for w in words(text)}
    named = [(a, action, rivals) for a, action, rivals in disputed.anchors if a.lower() in said]
    if any(len(found.stems & action) >= ACTION_SHARED_STEMS for _, action, _ in named):
        return True
    rivals = [r for _, _, texts in named for r in texts]
    return bool(rivals) and float(similarities([text], rivals).max()) >= DISPUTED_ACTION_MEANING


def describe(conflict: Conflict, language: str, labels: dict[str, str]) -> Disagreement:
    """The neutral sentence reporting one disagreement: each side's value and its own words,
    with the passages that state them."""
    template = phrases(language)
    sides: list[str] = []
    sids: list[str] = []
    given: set[tuple[str, str]] = set()  # a source stating one value twice is one side
    for fact, value in zip(conflict.facts, conflict.values, strict=True):
        if (fact.sid, value.lower()) in given:
            continue
        given.add((fact.sid, value.lower()))
        sides.append(
            template["side"].format(
                source=labels[fact.sid], value=value, fact=fact.text.rstrip(". ")
            )
        )
        if fact.sid not in sids:
            sids.append(fact.sid)
    text = template["sentence"].format(sides=template["join"].join(sides))
    evidence = tuple(p for fact in conflict.facts for p in fact.passages)
    return Disagreement(text=text, sources=tuple(sids), evidence=evidence)
