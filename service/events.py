"""Event identity: an article about a different event under the same names and places (another
hearing at the same court, a later visit by someone else in the same office) is set aside with
its evidence, so that the brief never blends two events.

The evidence is in what the articles say, never in their dates alone: a story develops over days,
months or years (service.timeline tells it in time order). **Who holds an office**: "Foreign
Minister Qin Gang" in two articles and "Foreign Minister Wang Yi" in a third: one office held by
two people means two moments in time. An article that names a minority holder of an office the
others agree on reports another event. Only qualified offices count ("foreign minister", "chief
executive"; not a bare "president", which names heads of several states), and an office called
former, acting or new binds no one. The offices and those words are the language's
(prompts/words.json "offices", "not_holding", "not_qualifying"); the patterns read English word
order ("Foreign Minister Qin Gang", "Qin Gang, the foreign minister"), so only English lists
them so far: a language without them gives no such evidence. An office that opens a parenthesis
is followed by its organisation, not its holder ("CONRAD YELD (chief executive, Brackwater
Ferries)", a transcript's speaker line).

Not used: "an article none of whose facts comes close in meaning to another's (sentence
embeddings) reports something else". On the blind set it set aside two articles of the story
(a union's own count of the job losses, 0.35 from the others' facts; another outlet's account,
0.45) and none of its two articles on another event; on the development set it set aside none.
Nor a yes-or-no question to the embedded 1.5B ("is this article about the same event as the
other articles' headlines?", its first token's odds): on the development sets' 140 articles its
"yes" was 0.57-0.63 for the four articles on another event and the two off-topic ones, and
0.42-0.52 for the story's own opinion pieces and reactions (2026-12-08).
"""

import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

from service.language import profile
from service.types import Source

MIN_AGREEING = 2  # the majority that tells the other event apart must be at least this large
_HOLDER = r"[A-Z][\w'’-]+(?: [A-Z][\w'’-]+){0,2}"


@lru_cache(maxsize=64)
def _patterns(language: str) -> tuple[re.Pattern[str], ...]:
    """ "Foreign Minister Qin Gang", and "Colm Devane, the council's acting chief executive",
    for the language's offices; none for a language that lists none."""
    offices = "|".join(re.escape(o) for o in profile(language).words("offices"))
    if not offices:
        return ()
    title_first = re.compile(
        rf"(?<!\()(?P<office>(?:[A-Z][\w-]* ){{0,3}}(?i:{offices}))(?:,)? (?P<holder>{_HOLDER})"
    )
    name_first = re.compile(
        rf"(?P<holder>{_HOLDER}), (?:the |a )?(?:[\w'’-]+(?:'s|’s) )?"
        rf"(?P<office>(?:[a-z-]+ ){{0,2}}(?i:{offices}))\b"
    )
    return title_first, name_first


def _office(phrase: str, language: str) -> str | None:
    """The office a title names, as compared across articles ("Chinese Foreign Minister" →
    "foreign minister"), or None when it binds nobody or is not qualified (a bare "President")."""
    said = [w.lower() for w in phrase.split()]
    if set(profile(language).words("not_holding")) & set(said):
        return None
    plain = set(profile(language).words("not_qualifying"))
    qualified = [w for w in said if w not in plain and not w.endswith(("'s", "’s"))]
    return " ".join(qualified[-2:]) if len(qualified) >= 2 else None


def office_holders(text: str, language: str) -> dict[str, str]:
    """Office → surname of its holder, as one text (in ``language``) names them; an office the
    text gives to two people binds neither."""
    seen: dict[str, set[str]] = {}
    for pattern in _patterns(language):
        for match in pattern.finditer(text):
            office = _office(match.group("office"), language)
            if office is not None:
                seen.setdefault(office, set()).add(match.group("holder").split()[-1])
    return {office: next(iter(people)) for office, people in seen.items() if len(people) == 1}


def _by_office(sources: Sequence[Source]) -> dict[str, str]:
    holders = {s.sid: office_holders(s.document, s.language) for s in sources}
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


def different_events(sources: Sequence[Source]) -> dict[str, str]:
    """Source ID → why it reports a different event than the rest of the bundle."""
    return _by_office([s for s in sources if not s.set_aside])
