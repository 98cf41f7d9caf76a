"""Plan the brief in code: group the facts that state the same thing into claims, find where the
sources disagree, rank the claims and choose what the brief says.

1. **Claims.** Two facts of different sources state the same claim when the content words and
   names they share carry most of the rarer of the two (IDF-weighted over the bundle's facts, so
   the story's ever-present names count for little), and their meanings are alike (sentence
   embeddings: sharing the story's words is not saying the same thing). Facts join the claim
   whose first fact they match best; a claim holds at most one fact per source. A claim is said
   once, citing every source that states it.
2. **Disagreements.** Two facts of one claim that give the same quantity different values, name
   different days, or each name a different person (`conflicts.differing`) make the claim a
   disagreement, reported with both sides instead of stated; so do figures that
   `conflicts.find_conflicts` pairs across claims.
3. **Ranking.** The lead is the bundle's news: the writer opens with the most central claim it
   can state (by meaning, how closely each source's nearest fact bears on the claim:
   service.meaning), so that the first sentence states what most sources report. Then what
   several sources agree on; then what each source alone adds: first its lead, its claim
   nearest in meaning to its headline (what its editor put on top, whether or not it names
   anything no other source does), then its distinctive claims (a figure or name no other
   claim has) in the map step's order: an article's lead before its details, however many
   figures the details hold. Room is reserved so that every usable source contributes; claims
   that say nothing specific come last. The writer (service.write) takes
   them in this order, skipping any that fail the citation check or repeat a sentence.
"""

import math
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from service.conflicts import ACTION_KINDS, differing, find_conflicts
from service.meaning import similarities
from service.textutil import features, sentence_spans, stem
from service.timeline import concurrent, in_earlier_period
from service.tuning import (
    HEADLINE_LEAD,
    HEAVIER_SHARE_WEIGHT,
    LEAD_SENTENCES,
    MAX_SENTENCE_WORDS,
    MIN_STATED_CLAIMS,
    RESTATES_NEWS,
    SAME_CLAIM,
    SAME_CLAIM_MEANING,
    SAME_CLAIM_MIN_SHARED,
    SHARED_SHARE,
    STORY_NAME_SOURCES,
)
from service.types import ArticleSummary, Conflict, Fact, Source


@dataclass(frozen=True)
class Claim:
    """Facts of different sources that state one thing; `facts[0]` is the claim's best wording."""

    facts: tuple[Fact, ...]

    @property
    def sources(self) -> tuple[str, ...]:
        """The sources stating it, in bundle order (S1, S2, …)."""
        return tuple(sorted({f.sid for f in self.facts}, key=lambda sid: int(sid[1:])))

    @property
    def text(self) -> str:
        return self.facts[0].text


@dataclass(frozen=True)
class Plan:
    """What the brief will say: the claims in the order they should be stated (the writer takes
    them until `room` sentences passed the check), and the disagreements."""

    ranked: list[Claim]
    conflicts: list[Conflict]
    room: int
    lead: list[Claim]  # the claims by centrality: the first the writer can state opens the brief


def _idf(facts: Sequence[Fact], language: str) -> dict[str, float]:
    df: Counter[str] = Counter(t for f in facts for t in _terms(f, language))
    n = len(facts)
    return {t: math.log((1 + n) / (1 + k)) + 1 for t, k in df.items()}


def _terms(fact: Fact, language: str) -> frozenset[str]:
    """What a fact's wording is compared on: its content stems (names included) and figures."""
    found = features(fact.text, language)
    return found.stems | {f"{v:g} {u}" for v, u in found.figures}


def _said(fact: Fact, language: str) -> frozenset[str]:
    """What a fact says about its names: its terms that are not names."""
    named = {stem(n, language) for n in features(fact.text, language).names}
    return _terms(fact, language) - named


def _overlap(ta: frozenset[str], tb: frozenset[str], idf: dict[str, float]) -> float:
    """The IDF weight of what two term sets share, over the lighter set's weight (0 to 1), and
    discounted when it is a small part of the heavier one (a long fact that mentions a short
    one's words in passing states another claim)."""
    light, heavy = sorted((sum(idf[t] for t in ta), sum(idf[t] for t in tb)))
    if not light:
        return 0.0
    shared = sum(idf[t] for t in ta & tb)
    return min(shared / light, HEAVIER_SHARE_WEIGHT * shared / heavy)


def similarity(a: Fact, b: Fact, idf: dict[str, float], language: str) -> float:
    """How far two facts state one claim (0 to 1): the lesser of how much of their wording they
    share and how much of what they say beside their names (the same people doing different
    things are different claims)."""
    ta, tb = _terms(a, language), _terms(b, language)
    if len(ta & tb) < SAME_CLAIM_MIN_SHARED:
        return 0.0
    return min(_overlap(ta, tb, idf), _overlap(_said(a, language), _said(b, language), idf))


def group_claims(
    summaries: Sequence[ArticleSummary], sources: Sequence[Source], language: str
) -> list[Claim]:
    """Claims in the order of their first fact (by fact rank, then source order); the facts
    are written in ``language``, the brief's."""
    original = {s.sid: s.duplicate_of or s.sid for s in sources}
    depth = max((len(s.facts) for s in summaries), default=0)
    ordered = [s.facts[i] for i in range(depth) for s in summaries if i < len(s.facts)]
    idf = _idf(ordered, language)
    position = {id(f): i for i, f in enumerate(ordered)}
    meaning = similarities([f.text for f in ordered], [f.text for f in ordered])
    claims: list[list[Fact]] = []
    for fact in ordered:
        best, best_score = None, SAME_CLAIM
        for claim in claims:
            if any(original[f.sid] == original[fact.sid] for f in claim):
                continue
            if meaning[position[id(claim[0])], position[id(fact)]] < SAME_CLAIM_MEANING:
                continue  # the same words, not the same thing
            score = similarity(claim[0], fact, idf, language)
            if score >= best_score:
                best, best_score = claim, score
        if best is None:
            claims.append([fact])
        else:
            best.append(fact)
    return [Claim(tuple(_best_wording(c, language))) for c in claims]


def _best_wording(facts: list[Fact], language: str) -> list[Fact]:
    """The claim's facts, the best wording first: most figures and names, then fewest words."""

    def rank(fact: Fact) -> tuple[int, int]:
        found = features(fact.text, language)
        return -(len(found.figures) + len(found.names)), len(fact.text.split())

    short = [f for f in facts if len(f.text.split()) <= MAX_SENTENCE_WORDS]
    best = min(short or facts, key=rank)
    return [best, *(f for f in facts if f is not best)]


ON_FIGURE = "figure"  # the kind of a disagreement on a figure (beside who and when)


def disagreements(
    claims: Sequence[Claim],
    summaries: Sequence[ArticleSummary],
    sources: Sequence[Source],
    language: str,
) -> tuple[list[Claim], list[Conflict]]:
    """The claims that stand, and the disagreements: within a claim (its facts differ on a value)
    and across claims (figures paired by `find_conflicts`). A disputed fact is not stated (the
    disagreement reports it); its claim stands on its other facts, if it has any."""
    conflicts: list[Conflict] = []
    together = concurrent(sources, summaries)  # a later report updates, it does not dispute
    for claim in claims:
        for i, a in enumerate(claim.facts):
            found = next(
                (
                    (b, d)
                    for b in claim.facts[i + 1 :]
                    if together(a.sid, b.sid) and (d := differing(a, b, language)) is not None
                ),
                None,
            )
            if found is not None:
                b, (unit, value_a, value_b) = found
                conflicts.append(Conflict(unit, (a, b), (value_a, value_b)))
                break

    # A fact is in one disagreement of each kind: "17 workers were hurt in the blast on 3 March"
    # can be disputed on how many were hurt and on when, "Kerr signed on Tuesday" on who signed
    # and on when.
    def kind(conflict: Conflict) -> str:
        return conflict.unit if conflict.unit in ACTION_KINDS else ON_FIGURE

    taken = {(f.fid, kind(c)) for c in conflicts for f in c.facts}
    for conflict in find_conflicts(summaries, sources, language):
        sides = {(f.fid, kind(conflict)) for f in conflict.facts}
        if not taken & sides:
            conflicts.append(conflict)
            taken |= {(f.fid, kind(conflict)) for f in conflict.facts}
    # A disputed fact is not stated; the claim stands on its other sources' wordings, if any
    # ("Marlow agreed to buy Tessaly" where two others dispute the price in theirs): the news
    # can still open the brief, and the check turns away any wording with a disputed value.
    disputed = {fid for fid, _ in taken}
    standing = []
    for claim in claims:
        kept = tuple(f for f in claim.facts if f.fid not in disputed)
        if kept:
            standing.append(Claim(kept) if len(kept) < len(claim.facts) else claim)
    return standing, conflicts


def _specifics(fact: Fact, language: str) -> set[str]:
    """A fact's numbers (a count, a year, a sum) and names, as compared across sources; a
    month or a weekday is not a name."""
    found = features(fact.text, language)
    return {f"{v:g}" for v in found.numbers} | _names(fact, language)


def _distinctive(claim: Claim, counts: Counter[str], language: str) -> int:
    """Figures and names of the claim's wording that no other source states."""
    return sum(1 for t in _specifics(claim.facts[0], language) if counts[t] == 1)


def _nearest_headline(
    own: Sequence[Claim],
    headline: str,
    news: Claim | None = None,
    together: Callable[[str, str], bool] | None = None,
) -> Claim | None:
    """Of a source's own claims, the one closest in meaning to its headline (the news its
    editor put on top); None without a headline, when no claim comes HEADLINE_LEAD close, or
    when that claim restates the bundle's `news` (RESTATES_NEWS close to it) and its source
    reports the news's moment (`together`: a source days away from it tells another stage of
    the story, not the news again)."""
    if not own or not headline.strip():
        return None
    alike = similarities([headline], [c.text for c in own])[0]
    best = int(alike.argmax())
    if alike[best] < HEADLINE_LEAD:
        return None
    lead = own[best]
    if news is None or similarities([lead.text], [news.text])[0][0] < RESTATES_NEWS:
        return lead
    same_moment = together is None or any(together(lead.sources[0], n) for n in news.sources)
    return None if same_moment else lead


def rank(
    claims: Sequence[Claim],
    usable: Sequence[str],
    room: int,
    language: str,
    headlines: Mapping[str, str] | None = None,
    news: Claim | None = None,
    together: Callable[[str, str], bool] | None = None,
) -> list[Claim]:
    """Every claim, in the order the brief should state them: the most corroborated first (a
    share of the room), then each source's lead in turn (its own claim nearest its headline,
    `headlines` by sid, unless it restates the bundle's `news` at the news's moment, `together`),
    then each source's distinctive claims in turn, then the rest."""
    stated: dict[str, set[str]] = {}  # figure or name → the sources stating it
    for claim in claims:
        for fact in claim.facts:
            for term in _specifics(fact, language):
                stated.setdefault(term, set()).add(fact.sid)
    counts = Counter({term: len(sids) for term, sids in stated.items()})
    position = {id(c): i for i, c in enumerate(claims)}
    by_support = sorted(claims, key=lambda c: (-len(c.sources), position[id(c)]))
    shared = [c for c in by_support if len(c.sources) > 1]
    ranked = shared[: max(1, int(room * SHARED_SHARE))]
    alone: dict[str, list[Claim]] = {sid: [] for sid in usable}
    for claim in claims:
        if len(claim.sources) == 1 and claim.sources[0] in alone:
            alone[claim.sources[0]].append(claim)
    leads: dict[str, Claim] = {}
    for sid, own in alone.items():
        own.sort(key=lambda c: (-min(_distinctive(c, counts, language), 1), position[id(c)]))
        lead = _nearest_headline(own, (headlines or {}).get(sid, ""), news, together)
        if lead is not None:
            leads[sid] = lead
            own.remove(lead)
            own.insert(0, lead)
    depth = max((len(own) for own in alone.values()), default=0)
    for i in range(depth):  # round robin: every source's best, then every source's second…
        ranked += [
            own[i]
            for sid, own in alone.items()
            if i < len(own) and (_distinctive(own[i], counts, language) or leads.get(sid) is own[i])
        ]
    chosen = {id(c) for c in ranked}
    return ranked + [c for c in by_support if id(c) not in chosen]


def centrality(claims: Sequence[Claim], summaries: Sequence[ArticleSummary]) -> list[float]:
    """How central each claim is to the bundle's story: one for each source stating it, plus,
    for every other source, how close in meaning its nearest fact comes to the claim's wording
    (a claim every source bears on scores near the number of sources; one only its own source
    tells, near 1)."""
    facts = [f for s in summaries for f in s.facts]
    if not claims or not facts:
        return [0.0] * len(claims)
    alike = similarities([c.text for c in claims], [f.text for f in facts])
    total = [float(len(c.sources)) for c in claims]
    for summary in summaries:
        columns = [i for i, f in enumerate(facts) if f.sid == summary.sid]
        if not columns:
            continue
        nearest = alike[:, columns].max(axis=1)
        for i, claim in enumerate(claims):
            if summary.sid not in claim.sources:
                total[i] += float(nearest[i])
    return total


def story_names(summaries: Sequence[ArticleSummary], language: str) -> frozenset[str]:
    """The names the story is about: those the facts of at least half the sources (two at
    least) give — the company, the place, the people every outlet names."""
    named: Counter[str] = Counter()
    for summary in summaries:
        named.update({n for f in summary.facts for n in _names(f, language)})
    need = max(STORY_NAME_SOURCES, math.ceil(len(summaries) / 2))
    return frozenset(n for n, count in named.items() if count >= need)


def _names(fact: Fact, language: str) -> frozenset[str]:
    """A fact's names, lower-cased; a month or a weekday is a date, not a name."""
    found = features(fact.text, language)
    return frozenset(n.lower() for n in found.names) - found.calendar


def _lead_ends(sources: Sequence[Source]) -> dict[str, int]:
    """Where each source's lead ends: the offset in its text after its first LEAD_SENTENCES
    sentences (what its writer put first)."""
    ends = {}
    for source in sources:
        spans = sentence_spans(source.text, source.language)[:LEAD_SENTENCES]
        ends[source.sid] = spans[-1][1] if spans else 0
    return ends


def _in_a_lead(claim: Claim, ends: Mapping[str, int]) -> bool:
    """Whether some source states the claim in its lead (its first passage starts there)."""
    return any(f.passages and f.passages[0].start < ends.get(f.sid, 0) for f in claim.facts)


_YEAR = re.compile(r"(?<![\d,.])(?:1[89]|20)\d\d(?![\d]|[,.]\d)")


def _story_year(sources: Sequence[Source]) -> int | None:
    """The year of the latest report of the story, from the sources' publication dates."""
    years = [s.article.published_at.year for s in sources if s.article.published_at is not None]
    return max(years) if years else None


def _dated_before(text: str, year: int | None) -> bool:
    """Whether the text dates what it states only by years before the story's ("the firm was
    founded in 1998" in a report of 2026): background, not the news."""
    said = [int(y) for y in _YEAR.findall(text)]
    return year is not None and bool(said) and max(said) < year


def _naming(names: frozenset[str]) -> re.Pattern[str] | None:
    """A pattern finding any of ``names`` (lower-cased) in a lower-cased text, wherever it
    stands: the first word of a sentence is a name too ("Dunmore council voted …"); None
    without names."""
    if not names:
        return None
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def by_centrality(
    claims: Sequence[Claim],
    summaries: Sequence[ArticleSummary],
    sources: Sequence[Source],
    language: str,
) -> list[Claim]:
    """The claims, most central first: the writer opens the brief with the first of them it
    can state (the news, even when its most central wording is a headline it cannot use). A
    claim about an earlier period (`timeline.in_earlier_period`, or dated only by years before
    the latest report's, in any of its wordings) is background, never the news: it comes
    after the others; so does one that names none of the story's names (the names most
    sources give): "Crews kept working through the night" is near every fact of a
    wildfire's bundle in meaning, and tells a reader nothing first; and then one that no
    source states in its lead (its first sentences, where news writing puts the news: a
    scene or a reaction further down is not what happened)."""
    scores = centrality(claims, summaries)
    year = _story_year(sources)
    earlier = [
        in_earlier_period(c.text, language) or any(_dated_before(f.text, year) for f in c.facts)
        for c in claims
    ]
    story = _naming(story_names(summaries, language))
    unnamed = [story is not None and not story.search(c.facts[0].text.lower()) for c in claims]
    ends = _lead_ends(sources)
    later = [not _in_a_lead(c, ends) for c in claims]
    return [
        claims[i]
        for i in sorted(
            range(len(claims)), key=lambda i: (earlier[i], unnamed[i], later[i], -scores[i])
        )
    ]


def plan_brief(
    summaries: Sequence[ArticleSummary],
    sources: Sequence[Source],
    max_sentences: int,
    language: str,
) -> Plan:
    """Group, find disagreements, rank: what the brief (in ``language``) will say."""
    claims = group_claims(summaries, sources, language)
    standing, conflicts = disagreements(claims, summaries, sources, language)
    room = max(MIN_STATED_CLAIMS, max_sentences - len(conflicts))
    usable = [s.sid for s in sources if not s.set_aside]
    headlines = {s.sid: s.article.title for s in sources}
    lead = by_centrality(standing, summaries, sources, language)
    news = lead[0] if lead else None
    together = concurrent(sources, summaries)
    ranked = rank(standing, usable, room, language, headlines, news, together)
    return Plan(ranked, conflicts, room, lead)
