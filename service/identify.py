"""Identify the articles: source IDs, language, near-duplicates and off-topic articles.

Nothing is dropped here: a duplicate keeps its source ID and sends only the paragraphs the
original lacks to the map step; an off-topic article is listed in `excluded` with its reason.
"""

import math
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
from service.types import Article, Exclusion, Source

DetectorFactory.seed = 0  # langdetect is random unless seeded

SENTENCE_MATCH = 0.6  # word-set Jaccard above which two sentences say the same thing
DUPLICATE_SHARE = 0.5  # share of an article's sentences found in one earlier article
OFF_TOPIC_RATIO = 0.45  # similarity below this share of the bundle's median similarity
OFF_TOPIC_DAYS = 7  # publication date this far from the bundle's median date
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


def _sentence_sets(text: str) -> list[tuple[str, set[str]]]:
    return [(s, content_words(s)) for s in split_sentences(text)]


def _matched(sentence: set[str], others: list[tuple[str, set[str]]]) -> bool:
    return len(sentence) >= 3 and any(jaccard(sentence, o) >= SENTENCE_MATCH for _, o in others)


def _mark_duplicates(sources: list[Source]) -> tuple[list[Source], list[Exclusion]]:
    sets = {s.sid: _sentence_sets(s.text) for s in sources}
    out: list[Source] = []
    excluded: list[Exclusion] = []
    for source in sources:
        if source.set_aside:
            out.append(source)
            continue
        mine = [words for _, words in sets[source.sid] if len(words) >= 3]
        original = None
        for earlier in out:
            if earlier.duplicate_of or earlier.set_aside or not mine:
                continue
            share = sum(_matched(w, sets[earlier.sid]) for w in mine) / len(mine)
            if share >= DUPLICATE_SHARE:
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


def _mostly_matched(paragraph: str, others: list[tuple[str, set[str]]]) -> bool:
    sentences = [w for _, w in _sentence_sets(paragraph) if len(w) >= 3]
    if not sentences:
        return True
    return sum(_matched(w, others) for w in sentences) / len(sentences) >= 0.5


def _features(source: Source) -> Counter[str]:
    """Language-neutral features (names) count double; content words help within a language."""
    features: Counter[str] = Counter(content_words(source.text))
    for name in names(source.text):
        features["name:" + name.lower()] += 2
    return features


def _cosine(a: Counter[str], b: Counter[str], idf: dict[str, float]) -> float:
    dot = sum(a[k] * b[k] * idf[k] ** 2 for k in a.keys() & b.keys())
    norm_a = math.sqrt(sum((v * idf[k]) ** 2 for k, v in a.items()))
    norm_b = math.sqrt(sum((v * idf[k]) ** 2 for k, v in b.items()))
    return dot / (norm_a * norm_b) if norm_a and norm_b else 0.0


def _mark_off_topic(sources: list[Source]) -> tuple[list[Source], list[Exclusion]]:
    candidates = [s for s in sources if not s.duplicate_of and not s.set_aside]
    if len(candidates) < 3:
        return sources, []
    # Word overlap means nothing across languages: compare content within the main language.
    language = main_language(candidates)
    same_language = [s for s in candidates if s.language == language]
    reasons = _date_outliers(candidates)
    if len(same_language) >= 3:
        reasons = _content_outliers(same_language) | reasons
    marked = [replace(s, set_aside=True) if s.sid in reasons else s for s in sources]
    return marked, [Exclusion(sid, reason) for sid, reason in reasons.items()]


def _date_outliers(candidates: list[Source]) -> dict[str, str]:
    dated = [s for s in candidates if s.article.published_at]
    if len(dated) < 3:
        return {}
    stamps = [s.article.published_at.timestamp() for s in dated if s.article.published_at]
    median = statistics.median(stamps)
    out: dict[str, str] = {}
    for source, stamp in zip(dated, stamps, strict=True):
        days = abs(stamp - median) / 86400
        if days > OFF_TOPIC_DAYS:
            out[source.sid] = (
                f"off-topic: published {days:.0f} days apart from the rest of the bundle"
            )
    return out


def _content_outliers(candidates: list[Source]) -> dict[str, str]:
    features = [_features(s) for s in candidates]
    document_frequency: Counter[str] = Counter()
    for f in features:
        document_frequency.update(f.keys())
    n = len(features)
    idf = {k: math.log((1 + n) / (1 + df)) + 1 for k, df in document_frequency.items()}
    bundle: Counter[str] = sum(features, Counter())
    similarity = [_cosine(mine, bundle - mine, idf) for mine in features]
    median = statistics.median(similarity)
    return {
        source.sid: "off-topic: shares too little with the other articles "
        f"(similarity {score:.2f} against a bundle median of {median:.2f})"
        for source, score in zip(candidates, similarity, strict=True)
        if score < OFF_TOPIC_RATIO * median
    }
