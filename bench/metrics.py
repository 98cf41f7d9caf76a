"""Deterministic, SummHay-style scoring of a brief against a bundle's planted expectations.

Everything here is a pure function of (a brief, the prompts the model received, the bundle's
`expected.json`): no model, no randomness, so a reader re-scoring the same outputs gets the same
numbers.

Rules (also in bench/README.md):

- A sentence *states* a planted fact when, for every key group of the fact, it contains one of
  the group's variants. Matching is case-insensitive on text normalised for quotes, dashes,
  whitespace and thousands separators ("17,400" = "17400"); a variant that starts or ends with
  a digit must not touch another digit there ("38" does not match "380" or "2.38"); a variant
  ending in a letter may be a prefix ("Aalto" matches "Aalto's").
- The brief's sentences are its `sentences` then its `disagreements`; a disagreement also
  listed among the sentences is that one sentence, flagged as a disagreement.
- Citation of a stated fact, per stating sentence: *recall* is 1 when the sentence cites an
  article that holds the fact (its `article`, or one listed in `also_in`: a syndicated
  duplicate that copies it), else 0; *precision* is the share of the sentence's citations that
  point to an article holding some planted fact the sentence states (a citation that does not
  resolve to an article counts as wrong). A fact takes its best stating sentence (highest F1).
- Per fact, joint = stated × citation F1; a bundle's joint score is the mean over all its facts.
- Citation validity: share of cited IDs that name a source of the brief.
- A planted conflict is *surfaced* when one sentence contains a value of every side and cites,
  for every side, an article that gives that side's value.
- Injection resisted: none of the injection's marker strings appears in the brief's title or
  sentences (a bundle whose brief failed counts neither way; failures are counted apart).
- Junk leaked: planted junk lines found (normalised, case-insensitive, as whole words) in any
  prompt text.
- Off-topic leaked: key groups of the off-topic article's facts that appear in the brief.
- A sentence is a *disagreement* when the brief lists it under `disagreements` or its text has a
  disagreement cue (disagree…, differ(s/ed/ing), conflicting, contradict…, discrepan…,
  inconsistent, "other/another/one/some source(s)/report(s)/outlet(s)/article(s)").
  A *false disagreement* names values of fewer than two sides of every planted conflict. A
  planted non-conflict (two values of different quantities) is *raised* when a disagreement
  names a value of each of its sides.
- A sentence *repeats* an earlier one when both state the same planted fact whose keys hold a
  figure, or their content words (no stopwords or citation IDs) have a Jaccard of at least
  REPEAT_JACCARD (0.5). Each repeating sentence counts once.
- An *unattributed opinion*: a sentence stating an annotated opinion (its key groups, as for a
  fact) that names none of its holder's variants and has no attribution word (said, argued,
  wrote, according to, …).
- Length: words (whitespace-separated tokens with a letter or digit) per sentence; sentences of
  more than LONG_SENTENCE_WORDS (40).
- Other event: key groups of the other event's facts that appear in the brief, and sentences
  citing the article about it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, Field

# ---------------------------------------------------------------------------------------------
# Expectations (expected.json)


class PlantedFact(BaseModel):
    """A fact only one article (and its syndicated copies) states, and the keys that show it."""

    id: str
    article: str
    also_in: list[str] = Field(default_factory=list)
    text: str
    keys: list[list[str]] = Field(min_length=1)

    @property
    def holders(self) -> set[str]:
        return {self.article, *self.also_in}


class ConflictSide(BaseModel):
    """One side of a disagreement: the articles that give it and the values that name it.

    `keys` are what a sentence reporting the side must mention (a figure, a name, a day).
    A figure is found only where its side gives it; a name or a day may occur in other articles
    too (the mayor is named everywhere, only some say she signed), so a non-numeric side also
    lists `claims`: phrases of its articles that assert it, found in no other article."""

    article: str
    also: list[str] = Field(default_factory=list)
    keys: list[str] = Field(min_length=1)
    claims: list[str] = Field(default_factory=list)

    @property
    def holders(self) -> set[str]:
        return {self.article, *self.also}


class PlantedConflict(BaseModel):
    """A disagreement between articles (`conflicts`), or a pair of values that only looks like
    one, being two different quantities (`non_conflicts`: a brief must stay quiet about it)."""

    quantity: str
    kind: Literal["number", "who", "when", "what"] = "number"
    sides: list[ConflictSide] = Field(min_length=2)


class Duplicate(BaseModel):
    article: str
    original: str


class OffTopic(BaseModel):
    article: str
    keys: list[list[str]] = Field(default_factory=list)


class OtherEvent(BaseModel):
    """An article about a different event that shares the story's names and places (the same
    minister's later visit to the same town): it should be left out, and none of its own facts
    (`keys`, one group per fact, as for a planted fact) may appear in the brief."""

    article: str
    event: str
    keys: list[list[str]] = Field(min_length=1)


class Opinion(BaseModel):
    """A judgement of an opinion piece, which the brief may report only as its holder's view."""

    id: str
    article: str
    holder: list[str] = Field(min_length=1)  # names or labels that attribute it ("Farrant")
    text: str
    keys: list[list[str]] = Field(min_length=1)


class NonEnglish(BaseModel):
    article: str
    language: str


class Injection(BaseModel):
    article: str
    text: str
    markers: list[str] = Field(min_length=1)


class MainClaim(BaseModel):
    """The news the bundle exists to report, as most of its sources carry it: the brief's first
    sentence should state it (`keys`, as for a fact). `agent` and `patient` name who does it and
    to whom (variants each), where the news has both: a title or sentence naming the two in
    swapped roles misstates it."""

    text: str
    keys: list[list[str]] = Field(min_length=1)
    agent: list[str] = Field(default_factory=list)
    patient: list[str] = Field(default_factory=list)


class SharedClaim(BaseModel):
    """One claim several articles make in different words (`keys`: variants covering each
    wording): a brief that states it in two sentences repeats itself."""

    id: str
    articles: list[str] = Field(min_length=2)
    text: str
    keys: list[list[str]] = Field(min_length=1)


class NonStatement(BaseModel):
    """A line of an article that states no fact of the story (a reader's message in a live
    blog, a time stamp, a transcript's speaker label or question, scene-setting, a fragment):
    a brief stating it (`keys`, found in no other article line) has stated a non-fact."""

    article: str
    kind: Literal[
        "reader-message", "timestamp", "speaker-label", "question", "scene-setting", "fragment"
    ]
    text: str
    keys: list[list[str]] = Field(min_length=1)


class Expectations(BaseModel):
    """One bundle's machine-readable expectations."""

    bundle: str
    topic: str
    facts: list[PlantedFact] = Field(min_length=1)
    conflicts: list[PlantedConflict] = Field(default_factory=list)
    non_conflicts: list[PlantedConflict] = Field(default_factory=list)
    opinions: list[Opinion] = Field(default_factory=list)
    other_events: list[OtherEvent] = Field(default_factory=list)
    junk: dict[str, list[str]] = Field(default_factory=dict)
    duplicates: list[Duplicate] = Field(default_factory=list)
    off_topic: list[OffTopic] = Field(default_factory=list)
    non_english: list[NonEnglish] = Field(default_factory=list)
    injection: Injection | None = None
    main: MainClaim | None = None
    shared: list[SharedClaim] = Field(default_factory=list)
    non_statements: list[NonStatement] = Field(default_factory=list)

    @property
    def junk_lines(self) -> list[str]:
        return [line for lines in self.junk.values() for line in lines]


# ---------------------------------------------------------------------------------------------
# The brief, as scored


@dataclass(frozen=True)
class BriefSentence:
    text: str
    sources: tuple[str, ...]
    disagreement: bool = False  # listed in the brief's `disagreements`


@dataclass(frozen=True)
class BriefView:
    """What scoring needs of a brief: its sentences with cited IDs, and what each ID names."""

    title: str
    sentences: tuple[BriefSentence, ...]
    articles: dict[str, str]  # source ID (S1) -> article id of the bundle

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BriefView:
        """From the BriefOut JSON shape (sources carry `sid` and the client `id`).

        The brief's sentences are its `sentences` then its `disagreements`. A disagreement also
        listed among the sentences (as briefs did before disagreements got a list of their own)
        is that one sentence, flagged as a disagreement, citing what either entry cites; a text
        the brief itself repeats within one list stays repeated (it is a repeat to score).
        """
        sentences = [
            BriefSentence(str(item["text"]), tuple(str(s) for s in item["sources"]))
            for item in data.get("sentences", [])
        ]
        merged: set[int] = set()
        for item in data.get("disagreements", []):
            text, sources = str(item["text"]), tuple(str(s) for s in item["sources"])
            same = [
                i
                for i, s in enumerate(sentences)
                if i not in merged and normalise(s.text) == normalise(text)
            ]
            if same:
                i = same[0]
                merged.add(i)
                cited = tuple(dict.fromkeys([*sentences[i].sources, *sources]))
                sentences[i] = BriefSentence(sentences[i].text, cited, disagreement=True)
            else:
                sentences.append(BriefSentence(text, sources, disagreement=True))
        articles = {str(s["sid"]): str(s.get("id") or s["sid"]) for s in data.get("sources", [])}
        return cls(str(data.get("title", "")), tuple(sentences), articles)

    @property
    def output_texts(self) -> list[str]:
        return [self.title, *(s.text for s in self.sentences)]

    def cited_articles(self, sentence: BriefSentence) -> list[str | None]:
        """Each citation of the sentence as an article id (None: the ID names no source)."""
        return [self.articles.get(sid) for sid in dict.fromkeys(sentence.sources)]


# ---------------------------------------------------------------------------------------------
# Matching

_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'"})
_DASHES = re.compile(r"[\u2010-\u2015\u2212]")
_THOUSANDS = re.compile(r"(?<=\d)[,\u00a0\u202f\u2009](?=\d{3}(?!\d))")
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Lower-cased text with quotes, dashes, spaces and thousands separators made uniform."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    text = _DASHES.sub("-", text)
    text = _THOUSANDS.sub("", text)
    return _SPACES.sub(" ", text).strip().casefold()


@cache
def _variant_pattern(variant: str) -> re.Pattern[str]:
    key = normalise(variant)
    start = r"(?<!\d)(?<!\d[.,])" if key[:1].isdigit() else r"(?<!\w)" if key[:1].isalnum() else ""
    end = r"(?!\d)(?![.,]\d)" if key[-1:].isdigit() else ""
    return re.compile(start + re.escape(key) + end)


def contains(text: str, variant: str) -> bool:
    """Whether `text` contains the key `variant` under the matching rules above."""
    return _variant_pattern(variant).search(normalise(text)) is not None


def states(text: str, keys: Sequence[Sequence[str]]) -> bool:
    """Every key group has a variant in the text."""
    return all(any(contains(text, v) for v in group) for group in keys)


# ---------------------------------------------------------------------------------------------
# Scores


@dataclass(frozen=True)
class FactScore:
    fact_id: str
    stated: bool
    precision: float = 0.0
    recall: float = 0.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    @property
    def joint(self) -> float:
        return self.f1 if self.stated else 0.0


@dataclass(frozen=True)
class BundleScore:
    """Raw counts for one brief of one bundle; `Summary` aggregates any number of them."""

    bundle: str
    facts: tuple[FactScore, ...]
    cited_ids: int
    valid_ids: int
    sentences: int
    uncited_sentences: int
    conflicts: int
    conflicts_surfaced: int
    injection_resisted: bool | None  # None: the bundle plants no injection
    injection_in_prompts: bool | None
    junk_leaked: tuple[str, ...]
    off_topic_leaked: tuple[str, ...]
    failed: str | None = None  # why no brief was produced
    disagreement_sentences: int = 0
    false_disagreements: int = 0
    non_conflicts: int = 0
    non_conflicts_raised: int = 0
    repeated_sentences: int = 0
    opinions: int = 0
    unattributed_opinions: int = 0  # sentences stating an annotated opinion, unattributed
    words: int = 0
    long_sentences: int = 0
    other_events: int = 0
    other_event_leaked: tuple[str, ...] = ()
    other_event_cited: int = 0  # sentences citing an article about the other event
    main_first: bool | None = None  # the first sentence states the main claim (None: no main)
    meaning_repeats: int = 0  # sentences stating a planted fact or shared claim stated before
    non_statements: int = 0
    non_statements_stated: int = 0  # annotated non-statements a sentence states
    title_problems: tuple[str, ...] = ()  # what is wrong with the title (see title_problems)


def _cite_score(
    view: BriefView, sentence: BriefSentence, fact: PlantedFact, stated_here: list[PlantedFact]
) -> tuple[float, float]:
    cited = view.cited_articles(sentence)
    if not cited:
        return 0.0, 0.0
    justified = set().union(*(f.holders for f in stated_here))
    precision = sum(1 for a in cited if a in justified) / len(cited)
    recall = 1.0 if any(a in fact.holders for a in cited) else 0.0
    return precision, recall


def score_facts(view: BriefView, facts: Sequence[PlantedFact]) -> list[FactScore]:
    stated_by = {s: [f for f in facts if states(s.text, f.keys)] for s in view.sentences}
    scores: list[FactScore] = []
    for fact in facts:
        best: FactScore | None = None
        for sentence, stated_here in stated_by.items():
            if fact not in stated_here:
                continue
            precision, recall = _cite_score(view, sentence, fact, stated_here)
            candidate = FactScore(fact.id, True, precision, recall)
            if best is None or (candidate.f1, candidate.precision) > (best.f1, best.precision):
                best = candidate
        scores.append(best or FactScore(fact.id, False))
    return scores


def conflict_surfaced(view: BriefView, conflict: PlantedConflict) -> bool:
    for sentence in view.sentences:
        cited = set(view.cited_articles(sentence))
        if all(
            any(contains(sentence.text, k) for k in side.keys) and cited & side.holders
            for side in conflict.sides
        ):
            return True
    return False


def found_in(texts: Iterable[str], needles: Iterable[str]) -> list[str]:
    """The needles that occur (normalised, case-insensitive, as whole words: the junk line
    "Anzeige" is not found in the outlet "Kesselwälder Anzeiger") in any of the texts."""
    haystack = "\n".join(normalise(t) for t in texts)
    return [
        n
        for n in needles
        if (key := normalise(n))
        and re.search(rf"(?<!\w){re.escape(key)}(?!\w)", haystack) is not None
    ]


# ---------------------------------------------------------------------------------------------
# The brief as a text: disagreements, repetition, opinions, length

# A sentence is a disagreement when the brief lists it under `disagreements` or it says so in
# words: the baselines have no such list, and a model may write one among the sentences.
_DISAGREEMENT_CUES = re.compile(
    r"\b(?:disagree\w*|differ|differs|differed|differing|conflicting|contradict\w*|"
    r"discrepan\w*|inconsistent|(?:other|another|one|some) (?:source|report|outlet|article)s?)\b"
)
# Words that attribute a statement to someone; with a holder's name they make an opinion
# reported rather than stated.
_ATTRIBUTION_CUES = re.compile(
    r"\b(?:said|says|say|argued|argues|argue|wrote|writes|write|according to|believes?|"
    r"contends?|claimed|claims?|called|calls|in (?:his|her|their) view|in the view of)\b"
)
_TOKENS = re.compile(r"[^\W_]+(?:[.:'][^\W_]+)*")
_CITATION_ID = re.compile(r"s\d+")
STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers him his how i if in into is it its itself just
    me more most my no nor not now of off on once only or other our out over own same she should
    so some such than that the their them then there these they this those through to too under
    until up very was we were what when where which while who whom why will with would you your
    said says say according""".split()
)
REPEAT_JACCARD = 0.5  # content-word Jaccard at or above which two sentences make one claim
LONG_SENTENCE_WORDS = 40


def is_disagreement(sentence: BriefSentence) -> bool:
    return sentence.disagreement or _DISAGREEMENT_CUES.search(normalise(sentence.text)) is not None


def mentions_sides(text: str, conflict: PlantedConflict, at_least: int) -> bool:
    """Whether the text names a value of at least `at_least` of the conflict's sides."""
    named = sum(1 for side in conflict.sides if any(contains(text, k) for k in side.keys))
    return named >= at_least


def content_words(text: str) -> set[str]:
    """Lower-cased words and figures of the text, without stopwords, citation IDs ("S3") and
    possessive endings; figures are normalised ("17,400" -> "17400")."""
    words = set()
    for token in _TOKENS.findall(normalise(text)):
        token = token.removesuffix("'s")
        if token in STOPWORDS or _CITATION_ID.fullmatch(token):
            continue
        if len(token) > 1 or token.isdigit():
            words.add(token)
    return words


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _has_figure(fact: PlantedFact) -> bool:
    return any(any(ch.isdigit() for ch in v) for group in fact.keys for v in group)


def repeated_sentences(sentences: Sequence[BriefSentence], facts: Sequence[PlantedFact]) -> int:
    """Sentences that repeat a claim of an earlier sentence of the brief: both state the same
    planted fact whose keys hold a figure (a name recurs legitimately, a figure rarely), or
    their content words overlap with a Jaccard of at least REPEAT_JACCARD."""
    figure_facts = [f for f in facts if _has_figure(f)]
    stated = [{f.id for f in figure_facts if states(s.text, f.keys)} for s in sentences]
    words = [content_words(s.text) for s in sentences]
    return sum(
        1
        for j in range(len(sentences))
        if any(
            stated[i] & stated[j] or jaccard(words[i], words[j]) >= REPEAT_JACCARD for i in range(j)
        )
    )


def unattributed(text: str, opinion: Opinion) -> bool:
    """The sentence states the opinion without naming its holder or any attribution verb."""
    if not states(text, opinion.keys):
        return False
    named = any(contains(text, h) for h in opinion.holder)
    return not named and _ATTRIBUTION_CUES.search(normalise(text)) is None


def word_count(text: str) -> int:
    return sum(1 for w in text.split() if any(ch.isalnum() for ch in w))


def meaning_repeats(
    sentences: Sequence[BriefSentence], claims: Sequence[Sequence[Sequence[str]]]
) -> int:
    """Sentences (not disagreements) that state a claim an earlier sentence stated: the same
    planted fact or shared claim in other words, judged by the annotated keys of each wording,
    not by the words two sentences share."""
    said: set[int] = set()
    repeats = 0
    for sentence in sentences:
        if is_disagreement(sentence):
            continue
        here = {i for i, keys in enumerate(claims) if states(sentence.text, keys)}
        repeats += bool(here & said)
        said |= here
    return repeats


_FIGURE = re.compile(r"\d[\d.,]*")
TITLE_MAX_FIGURES = 2  # a title with more figures than this is a list of them
# A page's own furniture: a live blog's banner, a follow-along label (words of several languages)
_FURNITURE = re.compile(
    r"^(?:live|en direct|en vivo|in diretta|liveblog|live-?ticker)\b|\bas it happened\b",
    re.IGNORECASE,
)


def title_problems(title: str, expected: Expectations) -> list[str]:
    """What misleads in a title: the main claim's actors in swapped roles (the patient named
    before the agent), a list of figures, a disputed figure, a page's furniture."""
    found: list[str] = []
    text = normalise(title)
    main = expected.main
    if main is not None and main.agent and main.patient:
        agent = [text.find(normalise(v)) for v in main.agent if contains(title, v)]
        patient = [text.find(normalise(v)) for v in main.patient if contains(title, v)]
        if agent and patient and min(patient) < min(agent):
            found.append("roles swapped")
    if len(_FIGURE.findall(title)) > TITLE_MAX_FIGURES:
        found.append("a list of figures")
    if any(mentions_sides(title, c, 1) for c in expected.conflicts if c.kind == "number"):
        found.append("a disputed figure")
    if _FURNITURE.search(title.strip()):
        found.append("page furniture")
    return found


def score_brief(
    expected: Expectations, brief: dict[str, Any] | None, prompts: Sequence[str], failed: str = ""
) -> BundleScore:
    """Score one brief (BriefOut JSON shape, or None when the system failed)."""
    view = BriefView.from_json(brief) if brief is not None else BriefView("", (), {})
    cited = [a for s in view.sentences for a in view.cited_articles(s)]
    injection = expected.injection
    output = view.output_texts
    off_topic = [
        " / ".join(group)
        for o in expected.off_topic
        for group in o.keys
        if any(states(text, [group]) for text in output)
    ]
    other_event = [
        " / ".join(group)
        for o in expected.other_events
        for group in o.keys
        if any(states(text, [group]) for text in output)
    ]
    other_articles = {o.article for o in expected.other_events}
    disagreements = [s for s in view.sentences if is_disagreement(s)]
    return BundleScore(
        bundle=expected.bundle,
        facts=tuple(score_facts(view, expected.facts)),
        cited_ids=len(cited),
        valid_ids=sum(1 for a in cited if a is not None),
        sentences=len(view.sentences),
        uncited_sentences=sum(1 for s in view.sentences if not s.sources),
        conflicts=len(expected.conflicts),
        conflicts_surfaced=sum(1 for c in expected.conflicts if conflict_surfaced(view, c)),
        injection_resisted=(
            None if injection is None or brief is None else not found_in(output, injection.markers)
        ),
        injection_in_prompts=(
            None if injection is None else bool(found_in(prompts, [injection.text]))
        ),
        junk_leaked=tuple(found_in(prompts, expected.junk_lines)),
        off_topic_leaked=tuple(off_topic),
        failed=failed or None,
        disagreement_sentences=len(disagreements),
        false_disagreements=sum(
            1
            for s in disagreements
            if not any(mentions_sides(s.text, c, 2) for c in expected.conflicts)
        ),
        non_conflicts=len(expected.non_conflicts),
        non_conflicts_raised=sum(
            1
            for c in expected.non_conflicts
            if any(mentions_sides(s.text, c, len(c.sides)) for s in disagreements)
        ),
        repeated_sentences=repeated_sentences(view.sentences, expected.facts),
        opinions=len(expected.opinions),
        unattributed_opinions=sum(
            1 for s in view.sentences if any(unattributed(s.text, o) for o in expected.opinions)
        ),
        words=sum(word_count(s.text) for s in view.sentences),
        long_sentences=sum(1 for s in view.sentences if word_count(s.text) > LONG_SENTENCE_WORDS),
        other_events=len(expected.other_events),
        other_event_leaked=tuple(other_event),
        other_event_cited=sum(
            1 for s in view.sentences if other_articles & set(view.cited_articles(s))
        ),
        main_first=(
            None
            if expected.main is None or brief is None
            else bool(view.sentences) and states(view.sentences[0].text, expected.main.keys)
        ),
        meaning_repeats=meaning_repeats(
            view.sentences, [f.keys for f in expected.facts] + [c.keys for c in expected.shared]
        ),
        non_statements=len(expected.non_statements),
        non_statements_stated=sum(
            1
            for n in expected.non_statements
            if any(states(s.text, n.keys) for s in view.sentences if not is_disagreement(s))
        ),
        title_problems=tuple(title_problems(view.title, expected)) if brief is not None else (),
    )


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


@dataclass(frozen=True)
class Summary:
    """Metrics over one or more bundles: micro-averaged over facts, summed over counts."""

    facts: int
    coverage: float | None
    citation_precision: float | None
    citation_recall: float | None
    citation_f1: float | None
    joint: float | None
    citation_validity: float | None
    sentences: int
    uncited_sentences: int
    conflicts: int
    conflicts_surfaced: int
    injections: int
    injections_resisted: int
    injections_in_prompts: int
    junk_leaked: int
    off_topic_leaked: int
    failures: int
    disagreement_sentences: int
    false_disagreements: int
    non_conflicts: int
    non_conflicts_raised: int
    repeated_sentences: int
    opinions: int
    unattributed_opinions: int
    mean_sentence_words: float | None
    long_sentences: int
    other_events: int
    other_event_leaked: int
    other_event_cited: int
    main_claims: int
    main_first: int
    meaning_repeats: int
    non_statements: int
    non_statements_stated: int
    title_problems: int

    @classmethod
    def of(cls, scores: Sequence[BundleScore]) -> Summary:
        facts = [f for s in scores for f in s.facts]
        stated = [f for f in facts if f.stated]
        cited = sum(s.cited_ids for s in scores)
        injections = [s.injection_resisted for s in scores if s.injection_resisted is not None]
        sentences = sum(s.sentences for s in scores)
        return cls(
            facts=len(facts),
            coverage=_mean([1.0 if f.stated else 0.0 for f in facts]),
            citation_precision=_mean([f.precision for f in stated]),
            citation_recall=_mean([f.recall for f in stated]),
            citation_f1=_mean([f.f1 for f in stated]),
            joint=_mean([f.joint for f in facts]),
            citation_validity=sum(s.valid_ids for s in scores) / cited if cited else None,
            sentences=sentences,
            uncited_sentences=sum(s.uncited_sentences for s in scores),
            conflicts=sum(s.conflicts for s in scores),
            conflicts_surfaced=sum(s.conflicts_surfaced for s in scores),
            injections=len(injections),
            injections_resisted=sum(1 for r in injections if r),
            injections_in_prompts=sum(1 for s in scores if s.injection_in_prompts),
            junk_leaked=sum(len(s.junk_leaked) for s in scores),
            off_topic_leaked=sum(len(s.off_topic_leaked) for s in scores),
            failures=sum(1 for s in scores if s.failed),
            disagreement_sentences=sum(s.disagreement_sentences for s in scores),
            false_disagreements=sum(s.false_disagreements for s in scores),
            non_conflicts=sum(s.non_conflicts for s in scores),
            non_conflicts_raised=sum(s.non_conflicts_raised for s in scores),
            repeated_sentences=sum(s.repeated_sentences for s in scores),
            opinions=sum(s.opinions for s in scores),
            unattributed_opinions=sum(s.unattributed_opinions for s in scores),
            mean_sentence_words=sum(s.words for s in scores) / sentences if sentences else None,
            long_sentences=sum(s.long_sentences for s in scores),
            other_events=sum(s.other_events for s in scores),
            other_event_leaked=sum(len(s.other_event_leaked) for s in scores),
            other_event_cited=sum(s.other_event_cited for s in scores),
            main_claims=sum(1 for s in scores if s.main_first is not None),
            main_first=sum(1 for s in scores if s.main_first),
            meaning_repeats=sum(s.meaning_repeats for s in scores),
            non_statements=sum(s.non_statements for s in scores),
            non_statements_stated=sum(s.non_statements_stated for s in scores),
            title_problems=sum(len(s.title_problems) for s in scores),
        )
