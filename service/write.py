"""Write the brief from its plan: each claim as one sentence that cites every source stating it,
with the passages that state it; and a title.

A claim's sentence is its best wording (a fact in the brief's language, a source's own words
before a translation) that can be a sentence: not longer than MAX_SENTENCE_WORDS, not a
fragment (nor a headline's: its passage with the auxiliary left out), not its article's headline
or a Title Case run of it, not in a speaker's own voice
(the first person, or a quotation with no speaker named: service.voice), not left in its
article's language. It is checked before it is used (service.citations). A claim only an
opinion piece makes is attributed to it in code (prompts/phrases.json), never stated in the
brief's own voice. The title is the last model call: a headline over the sentences that passed
the check, itself checked.
"""

import re
from collections.abc import Sequence, Set
from dataclasses import dataclass, replace
from typing import Annotated

from pydantic import BaseModel, StringConstraints

from service.citations import MIN_WORD_SUPPORT, TITLE_SENTENCES, check_sentence, check_title
from service.claims import Claim
from service.conflicts import Disputed
from service.llm import JsonModel
from service.prompts import phrases, title_messages
from service.statements import headline_fragment, not_a_statement, without_time_stamp
from service.textutil import (
    content_words,
    features,
    names_outlet,
    short_stopwords,
    words,
)
from service.translate import untranslated
from service.tuning import (
    ADDS_NOTHING_SHARE,
    COMMON_FIGURE_MAX,
    MAX_SENTENCE_WORDS,
    RESTATED_FIGURE_WORDS,
)
from service.types import ArticleSummary, Fact, Passage, Sentence, Source
from service.voice import attributed, names_speaker, quoted, stray_script

TITLE_OUTPUT_TOKENS = 60
HEADLINE_RUN = 4  # words of a Title Case headline a fact copies with their capitals


@dataclass(frozen=True)
class _Bundle:
    """What the writer knows of the bundle besides a claim's facts."""

    language: str
    kinds: dict[str, str]  # sid → "report" or "opinion"
    labels: dict[str, str]  # sid → how a sentence names the source
    headlines: dict[str, str]
    outlets: dict[str, str]
    body_names: dict[str, frozenset[str]]  # sid → the names its cleaned text capitalises
    disputed: Disputed
    translated: dict[str, str]  # the sources in another language than the brief's → theirs
    untranslated: set[str]  # the facts of theirs that copy their article's words

    @classmethod
    def of(
        cls,
        sources: Sequence[Source],
        summaries: Sequence[ArticleSummary],
        language: str,
        disputed: Disputed,
    ) -> "_Bundle":
        by_sid = {s.sid: s for s in sources}
        return cls(
            language=language,
            kinds={s.sid: s.kind for s in summaries},
            labels={s.sid: s.outlet or s.sid for s in sources},
            headlines={s.sid: s.article.title for s in sources},
            outlets={s.sid: s.outlet for s in sources if s.outlet},
            body_names={s.sid: features(s.text, s.language).names for s in sources},
            disputed=disputed,
            translated={s.sid: s.language for s in sources if s.language != language},
            untranslated={
                f.fid
                for s in summaries
                for f in s.facts
                if untranslated(f, by_sid[f.sid], language)
            },
        )


class TitleOutput(BaseModel):
    title: Annotated[str, StringConstraints(strip_whitespace=True, max_length=160)]


def _full_stop(text: str) -> str:
    """A brief's sentences end with a full stop (small models often drop it, or stop a list at
    its comma: "…, 95km south of San Antonio," is not left ending ",.")."""
    text = text.rstrip(",;: ")
    return text if not text or text[-1] in '.!?…"”’)»' else text + "."


def _lower_first(text: str, language: str) -> str:
    """'The deal…' → 'the deal…', but names and acronyms keep their capitals."""
    first = text.split(maxsplit=1)[0] if text.split() else ""
    if first.lower() in short_stopwords(language) and first[:1].isupper():
        return text[0].lower() + text[1:]
    return text


def _supports(fact: Fact, text: str, bundle: _Bundle) -> bool:
    """Whether the fact's passages state the sentence: they hold every number of it and, unless
    the fact is translated, most of its words (a fact grouped with the claim for its subject
    does not vouch for what the sentence says about it)."""
    quotes = " ".join(p.quote for p in fact.passages)
    translated = bundle.translated
    said = features(text, bundle.language).numbers
    if not said <= features(quotes, translated.get(fact.sid, bundle.language)).numbers:
        return False
    if fact.sid in translated:
        return True
    words = content_words(text)
    return not words or len(words & content_words(quotes)) >= MIN_WORD_SUPPORT * len(words)


_OPENING_QUOTE = r"\s*[“\"«„‘]"


_SENTENCE_END = re.compile(r"[.!?…。！？][\"”’»)\]]*\s*$")


def _line_not_sentence(text: str, passages: Sequence[str], headline: str) -> bool:
    """Whether the fact and the body line it comes from both stop without a sentence's end
    mark: the line is a caption, a label or page furniture ("Photo gallery (9 images)", "Entry
    posted · 21:20"), not a sentence. The article's headline is judged elsewhere: a headline
    tells its news without a full stop."""
    body = [p for p in passages if p.strip() not in headline]
    return (
        bool(body)
        and _SENTENCE_END.search(text) is None
        and all(_SENTENCE_END.search(p) is None for p in body)
    )


def _cut_at_quotation(fact: Fact) -> bool:
    """Whether the fact stops where its passage opens a quotation ("The White House described
    the meeting as." from 'described the meeting as "candid"'): what was said is missing."""
    said = re.findall(r"\w+", fact.text)  # not `words`: the module imports textutil's
    if len(said) < 2 or not fact.passages:
        return False
    tail = r"\W+".join(re.escape(w) for w in said[-2:])
    return re.search(tail + _OPENING_QUOTE, fact.passages[0].quote) is not None


def _unusable(fact: Fact, bundle: _Bundle) -> str | None:
    """Why a fact's wording cannot be a sentence of the brief, if it cannot."""
    text, language, headline_text = fact.text, bundle.language, bundle.headlines.get(fact.sid, "")
    if fact.fid in bundle.untranslated:
        return "it is in its article's language, not the brief's"
    outlet = bundle.outlets.get(fact.sid, "")
    if outlet and names_outlet(text, outlet) and not attributed(text, language):
        return "it is about its own outlet (a promotion or a notice), not the story"
    if len(text.split()) > MAX_SENTENCE_WORDS:
        return "it is longer than a sentence should be"
    if (problem := not_a_statement(text, language)) is not None:
        return problem
    if _cut_at_quotation(fact):
        return "it stops where the quotation it introduces begins"
    if _line_not_sentence(text, [p.quote for p in fact.passages[:1]], headline_text):
        return "it is a line that ends no sentence (a heading, a caption, a label)"
    if (
        fragment := headline_fragment(text, [p.quote for p in fact.passages], language)
    ) is not None:
        return f"it is a headline's fragment (its passage's “{fragment.auxiliary}” left out)"
    if stray_script(text, headline_text + " " + " ".join(p.quote for p in fact.passages)):
        return "it holds characters of a script its article does not use"
    if any(quoted(text, p.quote) for p in fact.passages[:1]) and not (
        attributed(text, language) and names_speaker(text, language)
    ):
        return "it is a quotation and names no speaker"
    if _headline_copy(text, headline_text):
        return "it is its article's headline, copied"
    if _title_case_copy(text, headline_text, bundle.body_names.get(fact.sid, frozenset())):
        return "it copies part of its article's Title Case headline"
    return None


def _headline_copy(text: str, headline: str) -> bool:
    """Whether the fact is its headline copied, headline grammar and all ("Protests surround
    London Olympic torch relay"): its words, case aside, a run of the headline's. A sentence
    that tells the headline's news in a sentence's own grammar ("Heavy rains started in
    central and southern Chile" under "Heavy rains start in central and southern Chile while
    aftershock takes place") is the article's news, not a copy."""
    mine = tuple(w.lower() for w in words(text))
    title = tuple(w.lower() for w in words(headline))
    n = len(mine)
    return bool(n) and any(title[i : i + n] == mine for i in range(len(title) - n + 1))


def _title_case_copy(text: str, headline: str, names: frozenset[str]) -> bool:
    """Whether the fact copies a run of its headline with the headline's capitals ("Mayor and
    unions met at the Guildhall, Agree to Resume Pay Talks"): a run of HEADLINE_RUN words
    of it, in which two or more capitalised words are no name of the article's text."""
    tokens, title = words(text), words(headline)
    runs = {tuple(title[i : i + HEADLINE_RUN]) for i in range(len(title) - HEADLINE_RUN + 1)}
    for i in range(1, len(tokens) - HEADLINE_RUN + 1):  # the first word is capitalised anyway
        run = tuple(tokens[i : i + HEADLINE_RUN])
        if run in runs and sum(w[:1].isupper() and w not in names for w in run) >= 2:
            return True
    return False


def _restored(fact: Fact, bundle: _Bundle) -> Fact | None:
    """The fact in its passage's own sentence when the model cut that sentence into a headline's
    fragment ("25 arrests made by Metropolitan Police officers" → "Around 25 arrests have been
    made by Metropolitan Police officers …"): the same statement, its grammar whole."""
    found = headline_fragment(fact.text, [p.quote for p in fact.passages], bundle.language)
    return replace(fact, text=found.sentence) if found is not None else None


def state_claim(claim: Claim, bundle: _Bundle) -> tuple[Sentence | None, str]:
    """The claim's sentence, or None and why it cannot be stated: its best wording that can be
    a sentence, citing every fact of the claim whose passages hold the wording's numbers."""
    problems = [_unusable(f, bundle) for f in claim.facts]
    usable = [f for f, problem in zip(claim.facts, problems, strict=True) if problem is None]
    if not usable:  # a headline's fragment is told in the sentence it was cut from, if it can be
        restored = (_restored(f, bundle) for f in claim.facts)
        usable = [f for f in restored if f is not None and _unusable(f, bundle) is None][:1]
    # A source's own words before a translation of another's: the check can test a wording in
    # the brief's language against its passage, a translation only on its numbers.
    usable.sort(key=lambda f: f.sid in bundle.translated)
    if not usable:
        return None, problems[0] or ""
    wording = usable[0]
    text = _full_stop(without_time_stamp(" ".join(wording.text.split())))
    text = text[:1].upper() + text[1:]  # "mayor of Porthgwyn, … asked": a sentence's capital
    cited = [f for f in claim.facts if _supports(f, text, bundle)] or [wording]
    evidence = tuple(dict.fromkeys(p for f in cited for p in f.passages))
    names = frozenset().union(*(bundle.body_names[f.sid] for f in cited))
    problem = check_sentence(
        text, evidence, bundle.disputed, bundle.translated, bundle.language, names
    )
    if problem is not None:
        return None, problem
    opinion = all(bundle.kinds.get(sid) == "opinion" for sid in claim.sources)
    if opinion and not attributed(text, bundle.language):
        template = phrases(bundle.language)["opinion"]  # attributed in code, after the check
        text = template.format(
            outlet=bundle.labels[wording.sid], claim=_lower_first(text, bundle.language)
        )
    sids = tuple(dict.fromkeys(f.sid for f in cited))
    return Sentence(text, sids, evidence), ""


def restates(text: str, earlier: str, language: str) -> bool:
    """Whether the wording is a part of what an earlier sentence said: nearly all of its words
    in the earlier sentence and no number the earlier lacks, or the same telling figure with
    words around it in common ("a 7.5% wage rise over two years" after "a two-year deal that
    gives workers a 7.5% wage rise"). A restatement in other words is the model's question
    (service.restatements)."""
    mine, theirs = features(text, language), features(earlier, language)
    if not mine.stems or mine.numbers - theirs.numbers:
        return False  # a figure the earlier sentence lacks: an update or the other side
    shared = len(mine.stems & theirs.stems)
    if shared >= ADDS_NOTHING_SHARE * len(mine.stems):
        return True  # nearly all in the earlier sentence: a part of its claim
    telling = {
        (value, unit)
        for value, unit in mine.figures & theirs.figures
        if not (value.is_integer() and value <= COMMON_FIGURE_MAX)
    }
    return bool(telling) and shared >= RESTATED_FIGURE_WORDS


def holds(text: str, earlier: str, language: str) -> bool:
    """Whether the wording holds an earlier sentence and more: every number the earlier one
    states and all its content words but one, at least ADDS_NOTHING_SHARE of them ("Marrow, a
    former nurse who entered politics five years ago, was elected mayor on Sunday" holds
    "Marrow, a former nurse, was elected mayor"; "Mayor Lorne praised the ferry crews for the
    night rescue" is not held by "Mayor Lorne, a former ferry pilot, led the night rescue": two
    words missing, one of them what the sentence says)."""
    mine, theirs = features(text, language), features(earlier, language)
    if not theirs.stems or theirs.numbers - mine.numbers:
        return False
    missing = len(theirs.stems - mine.stems)
    return missing <= 1 and missing <= (1 - ADDS_NOTHING_SHARE) * len(theirs.stems)


def _quote(text: str) -> str:
    return f"“{text[:160]}{'…' if len(text) > 160 else ''}”"


def state_claims(
    ranked: Sequence[Claim],
    room: int,
    sources: Sequence[Source],
    summaries: Sequence[ArticleSummary],
    language: str,
    disputed: Disputed,
    lead: Sequence[Claim] = (),
) -> tuple[list[Sentence], list[str]]:
    """Sentences for the ranked claims, in the planner's order (the order of importance, in
    which a length limit cuts them: `in_reading_order` arranges what is kept), until `room` of
    them passed the check; and a warning for each claim that could not be stated. The first
    sentence is the first claim of `lead` (the claims by centrality) that can be stated."""
    bundle = _Bundle.of(sources, summaries, language, disputed)
    order = {s.sid: i for i, s in enumerate(sources)}
    stated: list[Sentence] = []
    warnings: list[str] = []
    written: dict[int, tuple[Sentence | None, str]] = {}  # each claim checked once

    def written_as(claim: Claim) -> tuple[Sentence | None, str]:
        if id(claim) not in written:
            written[id(claim)] = state_claim(claim, bundle)
        return written[id(claim)]

    opening = next((claim for claim in lead if written_as(claim)[0] is not None), None)
    if opening is not None:
        ranked = [opening, *(c for c in ranked if c is not opening)]
    for claim in ranked:
        if len(stated) >= room:
            break
        sentence, problem = written_as(claim)
        if sentence is None:
            warnings.append(f"left out a claim ({problem}): {_quote(claim.text)}")
            continue
        if any(restates(sentence.text, s.text, language) for s in stated):
            continue  # another wording of a claim already stated
        sids = tuple(sorted(sentence.sources, key=order.__getitem__))
        held = next((i for i, s in enumerate(stated) if holds(sentence.text, s.text, language)), -1)
        if held >= 0:
            # The longer wording takes the place of the part it holds, citing its own sources:
            # the part's need not state what the longer wording adds.
            stated[held] = Sentence(sentence.text, sids, sentence.evidence)
            continue
        stated.append(Sentence(sentence.text, sids, sentence.evidence))
    return stated, warnings


def in_reading_order(sentences: Sequence[Sentence], language: str) -> list[Sentence]:
    """What happened before what people said about it: after the opening sentence, the
    sentences that state a fact come first and those that report someone's words or view
    (attributed: "… said", "according to …") after them, each group in the planner's order."""
    if not sentences:
        return []
    opening, *rest = sentences
    said = [attributed(s.text, language) for s in rest]
    facts = [s for s, was_said in zip(rest, said, strict=True) if not was_said]
    return [opening, *facts, *(s for s, was_said in zip(rest, said, strict=True) if was_said)]


async def write_title(
    sentences: Sequence[Sentence],
    sources: Sequence[Source],
    model: JsonModel,
    language: str,
    disputed: Disputed,
    opinions: Set[str] = frozenset(),
) -> tuple[str, str | None]:
    """A checked headline for the brief, and a warning when the model's had to be replaced
    (by a headline, a report's before an opinion piece's: `opinions`, by sid)."""
    lines = "\n".join(f"- {s.text}" for s in sentences[:TITLE_SENTENCES])
    messages = title_messages(language, lines)
    reply = await model.complete_json(messages, TitleOutput, max_tokens=TITLE_OUTPUT_TOKENS)
    evidence: list[Passage] = [p for s in sentences for p in s.evidence]
    return check_title(reply.title, sentences, sources, evidence, disputed, language, opinions)
