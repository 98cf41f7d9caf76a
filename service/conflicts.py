"""Find where sources disagree on a number, deterministically, and write it up neutrally.

Small models cannot judge "same quantity?" reliably, so candidates are found in code: two facts
from different, independent sources that give different values in the same unit, in similar
context (shared names or words). The model never sees those facts; the sentence that reports the
disagreement is built here from versioned templates, quoting and citing every side.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from service.prompts import disagreement_templates
from service.textutil import (
    Quantity,
    content_words_in_order,
    figures,
    names,
    quantities,
    words,
)
from service.types import ArticleSummary, Conflict, Disagreement, Fact, Source

CONTEXT_OVERLAP = 0.4  # overlap coefficient of the two facts' context words
NEAR_WORDS = 3  # content words each side of a quantity that say what it measures
NEAR_OVERLAP = 0.6  # overlap of those words above which other names do not matter…
NEAR_SHARED = 3  # …when at least this many are shared
CALENDAR_WORDS = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april may"
    " june july august september october november december".split()
)
IGNORED_UNITS = frozenset({"", "and", "or", "to", "of", "in", "on", "at", "the", "a"})
_SUFFIXES = ("ing", "ed", "es", "s", "e")


def _stem(word: str) -> str:
    """A crude stem, alike for both sides: "fined"/"fine", "Quillon's"/"Quillon", "jobs"/"job"."""
    word = word.lower().removesuffix("'s").removesuffix("’s")
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


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


def _context(fact: Fact, quantity: Quantity, stated: set[tuple[float, str]]) -> _Context:
    before, _, after = fact.text.partition(quantity.text)
    unit = {_stem(w) for w in quantity.unit.split()}

    def stems(part: str) -> list[str]:
        return [s for s in map(_stem, content_words_in_order(part)) if s not in unit]

    text = f"{before} {after}"
    return _Context(
        words=set(stems(text)),
        near=set(stems(before)[-NEAR_WORDS:] + stems(after)[:NEAR_WORDS]),
        names={_stem(n) for n in names(text) if n.lower() not in CALENDAR_WORDS},
        all_stems={_stem(w) for w in words(text)},
        stated=stated,
    )


def _same_quantity(qa: Quantity, a: _Context, qb: Quantity, b: _Context) -> bool:
    if qa.unit != qb.unit or qa.unit in IGNORED_UNITS or qa.value == qb.value:
        return False
    # A fact that states both figures ("cost 412 million, above the estimate of 265 million")
    # agrees with the other on the one they share and measures something else with the other.
    if (qb.value, qb.unit) in a.stated or (qa.value, qa.unit) in b.stated:
        return False
    # The words right around both figures agree ("was 71% effective at preventing hospital
    # admission"): one measure, whoever is quoted giving it.
    if len(a.near & b.near) >= NEAR_SHARED and _overlap(a.near, b.near) >= NEAR_OVERLAP:
        return True
    # Agreeing on another figure in this unit ("cost 530 million" in both), the facts' other
    # figures measure other things ("above the estimate of 310 million" vs "220 million above").
    if any(unit == qa.unit for _, unit in a.stated & b.stated):
        return False
    # Each side naming someone the other never mentions (Mayor Lund vs Governor Pell): two events.
    if a.names - b.all_stems and b.names - a.all_stems:
        return False
    return _overlap(a.words, b.words) >= CONTEXT_OVERLAP


def find_conflicts(
    summaries: Sequence[ArticleSummary], sources: Sequence[Source]
) -> list[Conflict]:
    """Groups of facts that disagree on one quantity, each group spanning 2+ sources."""
    original = {s.sid: s.duplicate_of or s.sid for s in sources}
    items = [(f, q) for s in summaries for f in s.facts for q in quantities(f.text)]
    stated = {f: figures(f.text) for f, _ in items}  # once per fact, not once per quantity
    contexts = [_context(f, q, stated[f]) for f, q in items]  # once per item, not once per pair
    groups: list[list[tuple[Fact, Quantity]]] = []
    for i, (fact_a, qa) in enumerate(items):
        for j in range(i + 1, len(items)):
            fact_b, qb = items[j]
            if original[fact_a.sid] == original[fact_b.sid]:
                continue
            if not _same_quantity(qa, contexts[i], qb, contexts[j]):
                continue
            group = next((g for g in groups if (fact_a, qa) in g or (fact_b, qb) in g), None)
            if group is None:
                groups.append([(fact_a, qa), (fact_b, qb)])
            else:
                group.extend(item for item in ((fact_a, qa), (fact_b, qb)) if item not in group)
    return [Conflict(unit=g[0][1].unit, facts=tuple(f for f, _ in g)) for g in groups]


def disputed_values(conflicts: Sequence[Conflict]) -> set[tuple[float, str]]:
    """(value, unit) pairs that must never appear in the brief as plain fact."""
    return {
        (q.value, q.unit)
        for c in conflicts
        for f in c.facts
        for q in quantities(f.text)
        if q.unit == c.unit
    }


def describe(conflict: Conflict, language: str, outlets: dict[str, str]) -> Disagreement:
    """The neutral sentence reporting one disagreement: each side's figure and its own words."""
    templates = disagreement_templates()["templates"]
    template = templates.get(language, templates["en"])
    sides: list[str] = []
    sids: list[str] = []
    given: set[tuple[str, float]] = set()  # a source stating one figure twice is one side
    for fact in conflict.facts:
        quantity = next(q for q in quantities(fact.text) if q.unit == conflict.unit)
        if (fact.sid, quantity.value) in given:
            continue
        given.add((fact.sid, quantity.value))
        sides.append(
            template["side"].format(
                sid=fact.sid,
                outlet=outlets[fact.sid],
                value=quantity.text,
                fact=fact.text.rstrip(". "),
            )
        )
        if fact.sid not in sids:
            sids.append(fact.sid)
    text = template["sentence"].format(sides=template["join"].join(sides))
    return Disagreement(text=text, sources=tuple(sids))
