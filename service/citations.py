"""Check every sentence's citations deterministically before the brief leaves the building.

For each draft sentence: keep only fact or source IDs that exist, and of those facts only the
ones the sentence draws on (a model pads its list); map facts to their sources; then check
support cheaply — every number and every name in the sentence must appear in a cited source (its
text, or its facts when they translate it: a model's facts vouch for nothing its source does not
say). A missing number or name found in another on-topic source adds that source
(the one holding most of the sentence); one found nowhere makes the sentence unsupported, and
so does a sentence most of whose words its sources do not contain (a model's invention). A
sentence that states one side of a detected disagreement as plain fact is withdrawn (the
disagreement sentence reports it). Every removal is reported in the warnings, never silent.
The title passes the same check; a title that fails it is replaced by the headline of the
source the brief cites most.
"""

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from service.textutil import (
    STOPWORDS,
    content_words,
    jaccard,
    names,
    number_values,
    quantities,
)
from service.types import ArticleSummary, DraftSentence, Sentence, Source

_SOURCE_ID = re.compile(r"^S\d+$")
REPEAT_OVERLAP = 0.8  # word-set Jaccard at which a sentence repeats an earlier one
MIN_WORD_SUPPORT = 0.5  # share of a sentence's content words its cited sources must contain
USED_SHARE = 1 / 3  # of the best cited fact's shared words, below which a cited fact is padding


@dataclass
class CheckResult:
    sentences: list[Sentence] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    invalid_ids: int = 0
    unused_ids: int = 0


@dataclass(frozen=True)
class Evidence:
    """What each usable source says, indexed once for matching: its text, plus its facts when
    it is in another language than the brief (the facts are its translation). A same-language
    source's facts are the model's words, so they vouch for nothing the text does not say."""

    text: dict[str, str]  # lower-cased
    numbers: dict[str, set[float]]
    words: dict[str, set[str]]

    @classmethod
    def build(
        cls, sources: Sequence[Source], summaries: Sequence[ArticleSummary], language: str
    ) -> "Evidence":
        facts = {s.sid: " ".join(f.text for f in s.facts) for s in summaries}
        said = {
            s.sid: f"{facts.get(s.sid, '') if s.language != language else ''}\n{s.text}"
            for s in sources
            if not s.set_aside
        }
        return cls(
            text={sid: t.lower() for sid, t in said.items()},
            numbers={sid: number_values(t) for sid, t in said.items()},
            words={sid: content_words(t) for sid, t in said.items()},
        )

    @property
    def sids(self) -> list[str]:
        return list(self.text)

    def holds_name(self, sid: str, name: str) -> bool:
        """Whether the source holds the name, a possessive's owner ("Alliance's") included."""
        owner = name.lower().removesuffix("'s").removesuffix("’s")
        return owner in self.text.get(sid, "")

    def holds_number(self, sid: str, value: float) -> bool:
        return value in self.numbers.get(sid, set())


def _full_stop(text: str) -> str:
    """Small models often drop the final full stop; a brief's sentences end with one."""
    return text if not text or text[-1] in '.!?…"”’)»' else text + "."


def _same_sentence(a: str, b: str) -> bool:
    """The same words, perhaps reordered: a model repeating itself."""
    return a == b or jaccard(content_words(a), content_words(b)) >= REPEAT_OVERLAP


def _quote(text: str) -> str:
    return f"“{text[:160]}{'…' if len(text) > 160 else ''}”"


def _fact_key(raw: str) -> str:
    """A cited ID as the fact and source maps key it: " [s2.f3]" -> "S2.F3"."""
    return raw.strip().strip("[]").upper()


def _resolve_ids(
    ids: Sequence[str], fact_sid: dict[str, str], usable: set[str]
) -> tuple[list[str], int]:
    sids: list[str] = []
    invalid = 0
    for raw in ids:
        ident = _fact_key(raw)
        sid = fact_sid.get(ident) or (ident if _SOURCE_ID.match(ident) else None)
        if sid is None or sid not in usable:
            invalid += 1
        elif sid not in sids:
            sids.append(sid)
    return sids, invalid


def _used_facts(text: str, ids: Sequence[str], fact_text: dict[str, str]) -> list[str]:
    """The cited fact IDs the sentence draws on: a model pads its list with facts that share
    (next to) nothing with the sentence. A fact stays when it shares at least USED_SHARE of the
    content words and numbers the best-matching cited fact shares, and at least one; IDs that
    name no fact are left to the caller. When no cited fact shares anything, the best-matching
    fact of all stands in for them."""
    words, numbers = content_words(text), number_values(text)

    def share(fact: str) -> int:
        return len(words & content_words(fact)) + len(numbers & number_values(fact))

    shared = {i: share(fact) for i in ids if (fact := fact_text.get(_fact_key(i)))}
    least = max(1.0, USED_SHARE * max(shared.values(), default=0))
    used = [i for i in ids if i not in shared or shared[i] >= least]
    if used or not shared:
        return used
    # Every cited fact is unrelated: the model got the IDs wrong ("S2.F1" for "S2.F2"). The
    # fact that shares most with the sentence is the one it meant, if any shares anything.
    best = max(fact_text, key=lambda fid: share(fact_text[fid]), default=None)
    return [best] if best is not None and share(fact_text[best]) > 0 else []


def _word_support(text: str, sids: list[str], evidence: Evidence) -> float:
    """Share of the sentence's content words found in its cited sources."""
    words = content_words(text)
    if not words:
        return 1.0
    cited = set().union(*(evidence.words.get(sid, set()) for sid in sids))
    return len(words & cited) / len(words)


def _support(
    text: str, sids: list[str], evidence: Evidence, *, check_names: bool = True
) -> tuple[list[str], str | None]:
    """Extend `sids` with sources that hold what the sentence says; name what none holds."""
    claims: list[tuple[str, object]] = [("number", v) for v in sorted(number_values(text))]
    if check_names:
        claims += [("name", n) for n in sorted(names(text))]
    for kind, claim in claims:

        def holds(sid: str, kind: str = kind, claim: object = claim) -> bool:
            if kind == "number":
                return evidence.holds_number(sid, float(claim))  # type: ignore[arg-type]
            return evidence.holds_name(sid, str(claim))

        if any(holds(sid) for sid in sids):
            continue
        holders = [sid for sid in evidence.sids if holds(sid)]
        if not holders:
            shown = f"{claim:g}" if isinstance(claim, float) else claim
            return sids, f"the {kind} {shown} appears in no source"
        # Of the sources that hold it, the one that holds most of the sentence's words.
        sids.append(max(holders, key=lambda sid: _word_support(text, [sid], evidence)))
    if _word_support(text, sids, evidence) < MIN_WORD_SUPPORT:
        # The model may have cited the wrong fact: credit the source that holds the words.
        best = max(evidence.sids, key=lambda sid: _word_support(text, [sid], evidence))
        if _word_support(text, [*sids, best], evidence) < MIN_WORD_SUPPORT:
            return sids, "most of its words appear in none of its sources"
        sids.append(best)
    return sids, None


def check_citations(
    draft: Sequence[DraftSentence],
    sources: Sequence[Source],
    summaries: Sequence[ArticleSummary],
    evidence: Evidence,
    disputed: set[tuple[float, str]],
) -> CheckResult:
    """Check each draft sentence against `evidence` (built once per brief: `Evidence.build`)."""
    fact_sid = {f.fid.upper(): f.sid for s in summaries for f in s.facts}
    fact_text = {f.fid.upper(): f.text for s in summaries for f in s.facts}
    usable = {s.sid for s in sources if not s.set_aside}
    order = {s.sid: i for i, s in enumerate(sources)}
    result = CheckResult()
    for sentence in draft:
        text = _full_stop(" ".join(sentence.text.split()))
        if not text:
            continue
        if any(_same_sentence(text, kept.text) for kept in result.sentences):
            result.warnings.append(f"removed a repeated sentence: {_quote(text)}")
            continue
        sids, invalid = _resolve_ids(sentence.facts, fact_sid, usable)
        result.invalid_ids += invalid
        if not sids:
            result.warnings.append(f"removed a sentence that cites no valid source: {_quote(text)}")
            continue
        # Cited facts the sentence does not draw on are padding; if none is left, the sources
        # that hold the sentence's numbers, names and words are credited instead (_support).
        used = _used_facts(text, sentence.facts, fact_text)
        result.unused_ids += len(set(sentence.facts) - set(used))
        sids, _ = _resolve_ids(used, fact_sid, usable)
        sids, unsupported = _support(text, sids, evidence)
        if unsupported:
            result.warnings.append(
                f"removed an unsupported sentence ({unsupported}): {_quote(text)}"
            )
            continue
        if any((q.value, q.unit) in disputed for q in quantities(text)):
            result.warnings.append(
                f"removed a sentence stating one side of a disagreement as fact: {_quote(text)}"
            )
            continue
        result.sentences.append(Sentence(text, tuple(sorted(sids, key=order.__getitem__))))
    if result.unused_ids:
        result.warnings.append(
            f"dropped {result.unused_ids} citation(s) to facts their sentence does not draw on"
        )
    if result.invalid_ids:
        result.warnings.append(f"dropped {result.invalid_ids} citation(s) to unknown fact IDs")
    return result


def _title_case(text: str) -> bool:
    """Most words capitalised, stopwords aside ("Bridge Shut After Inspectors Find Corrosion")."""
    significant = [w for w in text.split() if w[:1].isalpha() and w.lower() not in STOPWORDS]
    return sum(w[0].isupper() for w in significant) > len(significant) / 2 + 1


def check_title(
    title: str,
    sentences: Sequence[Sentence],
    sources: Sequence[Source],
    evidence: Evidence,
    disputed: set[tuple[float, str]],
    language: str,
) -> tuple[str, str | None]:
    """The title, or (when it states what no source does, or one side of a disagreement) the
    headline of the most-cited source in the brief's language; and the warning, if replaced.
    A Title Case headline capitalises every word, so only its numbers and words are checked."""
    text = " ".join(title.split())
    problem: str | None = "it is empty"
    if text:
        _, problem = _support(text, [], evidence, check_names=not _title_case(text))
    if problem is None and any((q.value, q.unit) in disputed for q in quantities(text)):
        problem = "it states one side of a disagreement as fact"
    usable = [s for s in sources if not s.set_aside and s.article.title.strip()]
    if problem is None or not usable:
        return text, None
    cited = Counter(sid for sentence in sentences for sid in sentence.sources)
    best = max(usable, key=lambda s: (s.language == language, cited[s.sid]))
    headline = " ".join(best.article.title.split())
    return headline, f"replaced the title {_quote(text)} ({problem}) with {best.sid}'s headline"
