"""Align every fact to the passage of its source that states it (the evidence a reader can jump
to), and drop the facts no passage supports.

A passage is one to MAX_SENTENCES consecutive sentences of the source's document (its headline,
a blank line, its cleaned text: what the map step read), chosen for the numbers, names and
content words it shares with the fact. A fact is supported when every number it states is in
its passage and, for an article in the brief's language, every name it states is in the article:
a number or name the article does not hold is the model's invention, and the fact is dropped
with a warning. Facts translated from another language are matched on numbers and names only; a fact
the model copied in its article's language instead is matched as that language's
(service.translate translates it afterwards).
"""

from collections.abc import Sequence
from dataclasses import replace

from service.textutil import Features, features, holds_name, sentence_spans
from service.translate import untranslated
from service.types import ArticleSummary, Fact, Passage, Source

MAX_SENTENCES = 3  # a fact may draw on a few neighbouring sentences of one paragraph
NUMBER_WEIGHT = 3.0  # a shared number says more about where a fact comes from than a word
NAME_WEIGHT = 2.0
EXTRA_SENTENCE = 0.75  # what each sentence beyond the first must add to be part of a passage


def _windows(document: str) -> list[tuple[int, int, int]]:
    """(start, end, sentences) of every run of up to MAX_SENTENCES sentences of one paragraph."""
    spans = sentence_spans(document)
    windows = []
    for i, (start, _) in enumerate(spans):
        for j in range(i, min(i + MAX_SENTENCES, len(spans))):
            if "\n" in document[start : spans[j][1]]:
                break
            windows.append((start, spans[j][1], j - i + 1))
    return windows


def _score(fact: Features, passage: Features, same_language: bool) -> float:
    score = NUMBER_WEIGHT * len(fact.numbers & passage.numbers)
    score += NAME_WEIGHT * len(fact.names & passage.names)
    if same_language:
        score += len(fact.stems & passage.stems)
    return score


def align_fact(fact: Fact, source: Source, language: str) -> tuple[Fact, str | None]:
    """The fact (written in ``language``) with its passage, or the reason no passage supports
    it; each read as its own language ("nine days" is the "neun Tage" of a German article)."""
    document = source.document
    same_language = language == source.language
    wanted = features(fact.text, language)
    # The passage holding most of the fact's numbers, then sharing most with it, then shortest.
    best: tuple[int, float, int, tuple[int, int]] | None = None
    for start, end, sentences in _windows(document):
        found = features(document[start:end], source.language)
        shared = _score(wanted, found, same_language)
        key = (
            len(wanted.numbers & found.numbers),
            shared - EXTRA_SENTENCE * (sentences - 1),
            -(end - start),
        )
        if shared > 0 and (best is None or key > best[:3]):
            best = (*key, (start, end))
    if best is None:
        return fact, "it shares nothing with its article"
    start, end = best[3]
    passage = features(document[start:end], source.language)
    missing = sorted(wanted.numbers - passage.numbers)
    if missing:
        return fact, f"the number {missing[0]:g} is not where its article says the rest"
    passages = [Passage(source.sid, start, end, document[start:end])]
    if same_language:
        for name in sorted(wanted.names):
            if any(holds_name(p.quote.lower(), name) for p in passages):
                continue
            mention = _first_mention(document, name)
            if mention is None:
                return fact, f"the name {name} appears nowhere in its article"
            passages.append(Passage(source.sid, *mention, document[slice(*mention)]))
    return replace(fact, passages=tuple(passages)), None


def _first_mention(document: str, name: str) -> tuple[int, int] | None:
    """The first sentence of the document that holds `name`."""
    for start, end in sentence_spans(document):
        if holds_name(document[start:end].lower(), name):
            return start, end
    return None


def align_summaries(
    summaries: Sequence[ArticleSummary], sources: Sequence[Source], language: str
) -> tuple[list[ArticleSummary], list[str]]:
    """Every fact with its passage; the facts no passage supports left out, each with a warning."""
    by_sid = {s.sid: s for s in sources}
    aligned: list[ArticleSummary] = []
    warnings: list[str] = []
    for summary in summaries:
        source = by_sid[summary.sid]
        kept: list[Fact] = []
        for fact in summary.facts:
            # A fact copied in its article's language is matched as that language's.
            copied = untranslated(fact, source, language)
            placed, problem = align_fact(fact, source, source.language if copied else language)
            if problem is None:
                kept.append(placed)
            else:
                quoted = fact.text if len(fact.text) <= 120 else fact.text[:119] + "…"
                warnings.append(
                    f"{fact.fid}: left out a fact its article does not support "
                    f"({problem}): “{quoted}”"
                )
        aligned.append(replace(summary, facts=tuple(kept)))
    return aligned, warnings
