"""Identify the articles: source IDs, language, near-duplicates and off-topic articles.

Nothing is dropped here: a duplicate keeps its source ID and sends only the paragraphs the
original lacks to the map step; an off-topic article is listed in `excluded` with its reason.
Off-topic is decided on content only: a story develops over days, months or years, so an
article's publication date never sets it aside (service.timeline orders the brief in time).
"""

import math
import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from langdetect import DetectorFactory, LangDetectException, detect

from service.textutil import (
    content_words,
    jaccard,
    names,
    split_paragraphs,
    split_sentences,
)
from service.tfidf import cosine, idf, weighted
from service.types import Article, Exclusion, Source

DetectorFactory.seed = 0  # langdetect is random unless seeded

SENTENCE_MATCH = 0.6  # word-set Jaccard above which two sentences say the same thing
DUPLICATE_SHARE = 0.5  # share of an article's sentences found in one earlier article
OFF_TOPIC_RATIO = 0.45  # similarity below this share of the bundle's median similarity
EMPTY_REASON = "empty: no article text left after removing boilerplate"


def detect_language(text: str) -> str:
    try:
        return str(detect(text[:5000]))
    except LangDetectException:
        return "en"


def identify(
    articles: Sequence[Article], texts: Sequence[str]
) -> tuple[list[Source], list[Exclusion]]:
    """Give S1..Sn in input order, then mark duplicates and off-topic articles."""
    sources = [
        Source(
            sid=f"S{i}",
            article=article,
            text=text,
            language=(article.language or detect_language(text)).lower(),
        )
        for i, (article, text) in enumerate(zip(articles, texts, strict=True), start=1)
    ]
    empty = [Exclusion(s.sid, EMPTY_REASON) for s in sources if not s.text.strip()]
    sources = [replace(s, set_aside=True) if not s.text.strip() else s for s in sources]
    sources, duplicate_exclusions = _mark_duplicates(sources)
    sources, off_topic_exclusions = _mark_off_topic(sources)
    order = {s.sid: i for i, s in enumerate(sources)}
    excluded = sorted(
        empty + duplicate_exclusions + off_topic_exclusions, key=lambda e: order[e.sid]
    )
    return sources, excluded


def main_language(sources: Sequence[Source]) -> str:
    """The language most of the on-topic text is written in."""
    weights: Counter[str] = Counter()
    for source in sources:
        if not source.set_aside:
            weights[source.language] += len(source.text)
    return weights.most_common(1)[0][0] if weights else "en"


class _Sentences:
    """An article's sentences as word sets, indexed by word, so that a sentence is compared
    only with the sentences that could match it (an article against every earlier one is
    quadratic in the bundle; comparing every sentence pair made 128 articles cost seconds)."""

    def __init__(self, text: str) -> None:
        self.sets = [content_words(s) for s in split_sentences(text)]
        self.by_word: dict[str, list[int]] = {}
        for i, words in enumerate(self.sets):
            for word in words:
                self.by_word.setdefault(word, []).append(i)


def _matched(sentence: set[str], others: _Sentences) -> bool:
    """Whether one of `others` has a word-set Jaccard ≥ SENTENCE_MATCH with `sentence`."""
    if len(sentence) < 3:
        return False
    # A match shares at least k = ceil(SENTENCE_MATCH × |sentence|) words, so any |sentence|
    # − k + 1 of the sentence's words hold one of them: only sentences holding one of the
    # rarest few (in `others`; a word `others` lacks holds none) can match.
    postings = sorted((others.by_word.get(w, ()) for w in sentence), key=len)
    prefix = len(sentence) - math.ceil(SENTENCE_MATCH * len(sentence) - 1e-9) + 1
    candidates = {i for posting in postings[:prefix] for i in posting}
    return any(jaccard(sentence, others.sets[i]) >= SENTENCE_MATCH for i in candidates)


def _share_matched(sentences: list[set[str]], others: _Sentences, share: float) -> bool:
    """Whether at least `share` of `sentences` match one of `others`; stops once it is known."""
    need = share * len(sentences)
    matched = 0
    for i, words in enumerate(sentences):
        matched += _matched(words, others)
        if matched >= need:
            return True
        if matched + len(sentences) - i - 1 < need:
            return False
    return False


def _mark_duplicates(sources: list[Source]) -> tuple[list[Source], list[Exclusion]]:
    sets = {s.sid: _Sentences(s.text) for s in sources}
    out: list[Source] = []
    excluded: list[Exclusion] = []
    for source in sources:
        if source.set_aside:
            out.append(source)
            continue
        mine = [words for words in sets[source.sid].sets if len(words) >= 3]
        original = None
        for earlier in out:
            if earlier.duplicate_of or earlier.set_aside or not mine:
                continue
            if _share_matched(mine, sets[earlier.sid], DUPLICATE_SHARE):
                original = earlier
                break
        if original is None:
            out.append(source)
            continue
        novel = [
            p for p in split_paragraphs(source.text) if not _mostly_matched(p, sets[original.sid])
        ]
        out.append(replace(source, duplicate_of=original.sid, novel_text="\n\n".join(novel)))
        excluded.append(Exclusion(source.sid, f"duplicate of {original.sid}"))
    return out, excluded


def _mostly_matched(paragraph: str, others: _Sentences) -> bool:
    sentences = [w for w in _Sentences(paragraph).sets if len(w) >= 3]
    if not sentences:
        return True
    return sum(_matched(w, others) for w in sentences) / len(sentences) >= 0.5


def _features(source: Source) -> Counter[str]:
    """Language-neutral features (names) count double; content words help within a language."""
    features: Counter[str] = Counter(content_words(source.text))
    for name in names(source.text, source.language):
        features["name:" + name.lower()] += 2
    return features


def _mark_off_topic(sources: list[Source]) -> tuple[list[Source], list[Exclusion]]:
    candidates = [s for s in sources if not s.duplicate_of and not s.set_aside]
    if len(candidates) < 3:
        return sources, []
    # Word overlap means nothing across languages: compare content within the main language.
    language = main_language(candidates)
    same_language = [s for s in candidates if s.language == language]
    reasons = _content_outliers(same_language) if len(same_language) >= 3 else {}
    marked = [replace(s, set_aside=True) if s.sid in reasons else s for s in sources]
    return marked, [Exclusion(sid, reason) for sid, reason in reasons.items()]


def _content_outliers(candidates: list[Source]) -> dict[str, str]:
    features = [_features(s) for s in candidates]
    weights = idf(features)
    bundle: Counter[str] = sum(features, Counter())
    similarity = [
        cosine(weighted(mine, weights), weighted(bundle - mine, weights)) for mine in features
    ]
    median = statistics.median(similarity)
    return {
        source.sid: f"off-topic: {_own_subject(source.text, mine, bundle - mine)}shares too little "
        f"with the other articles (similarity {score:.2f} against a bundle median of {median:.2f})"
        for source, mine, score in zip(candidates, features, similarity, strict=True)
        if score < OFF_TOPIC_RATIO * median
    }


OWN_SUBJECT_WORDS = 3  # an off-topic article's own words named in its reason
OWN_SUBJECT_MIN_LETTERS = 4  # shorter ones are seldom what it is about ("won", "VI")


def _own_subject(text: str, mine: Counter[str], others: Counter[str]) -> str:
    """What an article is about that no other article mentions, for the reason it is set aside:
    its words and names the others never use, names first, then in the order it uses them ("it
    is about Congress, Mayors and Councilors, which no other article mentions; "), or nothing
    when it has none."""
    lowered = text.lower()
    own = sorted(
        (term for term in mine if not others[term] and not others["name:" + term]),
        key=lambda term: (-mine[term], lowered.find(term.removeprefix("name:"))),
    )
    written = {w.lower(): w for w in reversed(re.findall(r"[^\W\d_]+", text))}  # first spelling
    shown = list(
        dict.fromkeys(
            written.get(word, word)
            for word in (term.removeprefix("name:") for term in own)
            if len(word) >= OWN_SUBJECT_MIN_LETTERS and word.isalpha()  # no "quillmoor's"
        )
    )[:OWN_SUBJECT_WORDS]
    if not shown:
        return ""
    listed = ", ".join(shown[:-1]) + (" and " if len(shown) > 1 else "") + shown[-1]
    return f"it is about {listed}, which no other article mentions; it "
