"""Find where sources disagree on a number, deterministically, and write it up neutrally.

Small models cannot judge "same quantity?" reliably, so candidates are found in code: two facts
from different, independent sources that give different values in the same unit, in similar
context (shared names or words). The model never sees those facts; the sentence that reports the
disagreement is built here from versioned templates, quoting and citing every side.
"""

from collections.abc import Sequence

from service.prompts import disagreement_templates
from service.textutil import Quantity, content_words, names, quantities
from service.types import ArticleSummary, Conflict, Disagreement, Fact, Source

CONTEXT_OVERLAP = 0.4  # overlap coefficient of the two facts' context words
CALENDAR_WORDS = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april may"
    " june july august september october november december".split()
)
IGNORED_UNITS = frozenset({"", "and", "or", "to", "of", "in", "on", "at", "the", "a"})


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def _context(fact: Fact, quantity: Quantity) -> tuple[set[str], set[str]]:
    text = fact.text.replace(quantity.text, " ")
    actors = {n.lower() for n in names(text)} - CALENDAR_WORDS
    return content_words(text) - {quantity.unit}, actors


Context = tuple[set[str], set[str]]  # a quantity's context words and the names around it


def _same_quantity(qa: Quantity, context_a: Context, qb: Quantity, context_b: Context) -> bool:
    if qa.unit != qb.unit or qa.unit in IGNORED_UNITS or qa.value == qb.value:
        return False
    words_a, names_a = context_a
    words_b, names_b = context_b
    # Each side naming someone the other does not (Mayor Lund vs Governor Pell): two events.
    if names_a - names_b and names_b - names_a:
        return False
    return _overlap(words_a, words_b) >= CONTEXT_OVERLAP


def find_conflicts(
    summaries: Sequence[ArticleSummary], sources: Sequence[Source]
) -> list[Conflict]:
    """Groups of facts that disagree on one quantity, each group spanning 2+ sources."""
    original = {s.sid: s.duplicate_of or s.sid for s in sources}
    items = [(f, q) for s in summaries for f in s.facts for q in quantities(f.text)]
    contexts = [_context(f, q) for f, q in items]  # once per item, not once per pair
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
    for fact in conflict.facts:
        value = next(q.text for q in quantities(fact.text) if q.unit == conflict.unit)
        side = template["side"].format(
            sid=fact.sid, outlet=outlets[fact.sid], value=value, fact=fact.text.rstrip(". ")
        )
        if side not in sides:
            sides.append(side)
        if fact.sid not in sids:
            sids.append(fact.sid)
    text = template["sentence"].format(sides=template["join"].join(sides))
    return Disagreement(text=text, sources=tuple(sids))
