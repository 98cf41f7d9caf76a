"""Check what the brief says against the passages it cites, deterministically, before anything
leaves the building.

A sentence passes when every number it states is in its evidence passages; when, for a sentence
resting on articles in the brief's language, every name it states is in them too (possessives
matched to their owner), the passages' sentences that state its action name its actor doing it
to what it names (service.actors: "Contador won the green jersey" does not stand on "Tom Boonen
wins the green jersey"), and at least MIN_WORD_SUPPORT of its content words are; and when it does
not state one side of a detected disagreement as plain fact (the disagreement's own sentence
reports both sides). Facts translated from another language are checked on their numbers only:
their names and words are the translation's. The title passes the same check against the whole
brief's evidence (a Title Case headline read with only the articles' names capitalised), and its
actor must act as the brief's first sentences have them act; a title that fails is replaced by
the headline of the source the brief cites most. Every removal or replacement is reported in the
brief's warnings, never silent.
"""

import re
from collections import Counter
from collections.abc import Mapping, Sequence, Set

from service.actors import other_actor
from service.clean import addresses_a_model
from service.conflicts import Disputed, disputes
from service.statements import without_label
from service.textutil import (
    content_words,
    features,
    holds_name,
    short_stopwords,
    split_sentences,
    words,
)
from service.types import Passage, Sentence, Source

MIN_WORD_SUPPORT = 0.5  # share of a sentence's content words its passages must contain
TITLE_MAX_FIGURES = 2  # a title stating more numbers than this is a list of figures
TITLE_MAX_PARTS = 2  # a title of more comma-separated parts than this is a list of events
TITLE_SENTENCES = 6  # the title is written over, and checked against, the first sentences


def check_sentence(
    text: str,
    evidence: Sequence[Passage],
    disputed: Disputed,
    translated: Mapping[str, str],
    language: str,
    names: frozenset[str],
) -> str | None:
    """Why the sentence (in ``language``, the brief's) cannot stand on its evidence, or None
    when it can; `translated` are the sources in another language, each with its language,
    `names` the names its articles capitalise mid-sentence (who can act in it)."""
    if not evidence:
        return "it cites no passage"
    said = features(text, language)
    held = set().union(
        *(features(p.quote, translated.get(p.sid, language)).numbers for p in evidence)
    )
    missing = sorted(said.numbers - held)
    if missing:
        return f"the number {missing[0]:g} is in none of its passages"
    if disputes(text, disputed, language):
        return "it states one side of a disagreement as fact"
    own = [p for p in evidence if p.sid not in translated]
    if not own:
        return None
    lower = "\n".join(p.quote for p in own).lower()
    unknown = sorted(n for n in said.names if not holds_name(lower, n))
    if unknown:
        return f"the name {unknown[0]} is in none of its passages"
    passages = [s for p in own for s in split_sentences(p.quote, language)]
    known = names.union(said.names, *(features(p.quote, language).names for p in own))
    actor = other_actor(text, passages, known, language)
    if actor is not None:
        return actor
    words = content_words(text)
    found = content_words(lower)
    if words and len(words & found) / len(words) < MIN_WORD_SUPPORT:
        return "most of its words are in none of its passages"
    return None


def _title_case(text: str, language: str) -> bool:
    """Most words capitalised, stopwords aside ("Bridge Shut After Inspectors Find Corrosion")."""
    stop = short_stopwords(language)
    significant = [w for w in text.split() if w[:1].isalpha() and w.lower() not in stop]
    return sum(w[0].isupper() for w in significant) > len(significant) / 2 + 1


def _sentence_case(title: str, names: frozenset[str]) -> str:
    """A Title Case headline as a sentence would write it: only the articles' names (the words
    they capitalise mid-sentence) keep their capitals, so that who acts in it can be read."""
    tokens = title.split()
    return " ".join(
        t if i == 0 or t.strip(".,:;!?\"'“”‘’()") in names else t.lower()
        for i, t in enumerate(tokens)
    )


def _unknown_name(
    title: str,
    sentences: Sequence[Sentence],
    evidence: Sequence[Passage],
    sources: Sequence[Source],
    language: str,
) -> str | None:
    """A Title Case headline hides its names among its words ("… and US Secretary of State
    John Kerry Meet"): two words in a row that neither the brief, its evidence nor its sources
    use are a name they never gave (one such word is a paraphrase: "Loss", "Decision")."""
    said = " ".join([*(s.text for s in sentences), *(p.quote for p in evidence)])
    known = features(said, language).stems.union(
        *(features(s.document, language).stems for s in sources if s.language == language)
    )
    tokens = words(title)
    new = [
        bool(features(w, language).stems) and not features(w, language).stems <= known
        for w in tokens
    ]
    for i in range(len(tokens) - 1):
        if new[i] and new[i + 1]:
            return f"“{tokens[i]} {tokens[i + 1]}” is in none of its sources"
    return None


def _quote(text: str) -> str:
    return f"“{text[:160]}{'…' if len(text) > 160 else ''}”"


def _figures_not_given(
    title: str, evidence: Sequence[Passage], sources: Sequence[Source], language: str
) -> str | None:
    """A figure of the title (a number with its unit: "9%", "46 years") that no passage of the
    brief gives in that unit: a number its sources give for something else ("nine votes to
    four" is no 9% rise; a 46-year-old is no 46 years). Passages of sources in another language
    are not compared (their units are their language's words)."""
    own = {s.sid for s in sources if s.language == language}
    given = set().union(*(features(p.quote, language).figures for p in evidence if p.sid in own))
    foreign = any(p.sid not in own for p in evidence)
    for quantity in features(title, language).quantities:
        if quantity.unit and (quantity.value, quantity.unit) not in given and not foreign:
            return quantity.text
    return None


def check_title(
    title: str,
    sentences: Sequence[Sentence],
    sources: Sequence[Source],
    evidence: Sequence[Passage],
    disputed: Disputed,
    language: str,
    opinions: Set[str] = frozenset(),
) -> tuple[str, str | None]:
    """The title, or (when it states what the brief's evidence does not, or one side of a
    disagreement) a source's headline that states no side of a disagreement (else the brief's
    first sentence); and the warning, if replaced. The headline is chosen in the brief's
    language first, a report's before an opinion piece's (`opinions`, by sid: a column's
    headline is its writer's view), and among those the most cited source's. A Title Case
    headline capitalises every word, so its names are not told from its other words: only its
    numbers and words are checked."""
    text = " ".join(title.split())
    problem: str | None = "it is empty"
    if text and addresses_a_model(text):
        problem = "it is an instruction addressed to an AI model"
    elif len(features(text, language).numbers) > TITLE_MAX_FIGURES:
        problem = "it lists figures rather than saying what happened"
    elif len(re.split(r"[,;]\s", text)) > TITLE_MAX_PARTS:
        problem = "it lists several things rather than saying what happened"
    elif text:
        translated = {s.sid: s.language for s in sources if s.language != language}
        names = frozenset().union(*(features(s.text, s.language).names for s in sources))
        title_case = _title_case(text, language)
        checked = _sentence_case(text, names) if title_case else text
        problem = check_sentence(checked, evidence, disputed, translated, language, names)
        unmeasured = _figures_not_given(text, evidence, sources, language)
        if problem is None and unmeasured is not None:
            problem = f"its figure “{unmeasured}” is not one its passages give"
        if problem is None and title_case:
            problem = _unknown_name(text, sentences, evidence, sources, language)
        if problem is None:
            opening = [s.text for s in sentences[:TITLE_SENTENCES]]
            roles = other_actor(checked, opening, names, language)
            problem = None if roles is None else f"{roles} (the brief's first sentences)"
    usable = [s for s in sources if not s.set_aside and s.article.title.strip()]
    if problem is None or not usable:
        return text, None
    cited = Counter(sid for sentence in sentences for sid in sentence.sources)
    ranked = sorted(
        usable,
        key=lambda s: (s.language == language, s.sid not in opinions, cited[s.sid]),
        reverse=True,
    )
    for source in ranked:  # a headline stating one side of a disagreement will not do either
        headline = without_label(" ".join(source.article.title.split()))
        if not disputes(headline, disputed, language):
            why = f"replaced the title {_quote(text)} ({problem}) with {source.sid}'s headline"
            return headline, why
    if sentences:
        why = f"replaced the title {_quote(text)} ({problem}) with the brief's first sentence"
        return sentences[0].text, why + " (every headline states a disputed figure)"
    return text, None
