"""Group the day's articles into stories (same event) and rank the stories by outlets.

Deterministic: each article becomes a TF-IDF vector of its title (counted twice), its lead (the
first LEAD_WORDS words) and the names in both (counted twice, since names carry across wording);
clusters are merged by average-link similarity, best pair first, while the best pair's average
cosine is at least SAME_STORY. On the fixture stories same-event pairs score 0.17-0.47 and
different events at most 0.07 (tests/unit/test_digest_stories.py).
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import combinations

from service.clean import clean_text
from service.textutil import content_words, names, words
from service.tfidf import cosine, idf, weighted
from service.types import Article

LEAD_WORDS = 60
SAME_STORY = 0.15
_NEVER = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Story:
    """Articles about one event, earliest first."""

    articles: tuple[Article, ...]

    @property
    def outlets(self) -> int:
        return len({a.source.casefold() for a in self.articles})

    @property
    def first_published(self) -> datetime:
        return min((_stamp(a) for a in self.articles), default=_NEVER)


def _stamp(article: Article) -> datetime:
    stamp = article.published_at
    if stamp is None:
        return _NEVER
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def _features(article: Article) -> Counter[str]:
    lead = " ".join(words(f"{article.title}\n{clean_text(article.text).text}")[:LEAD_WORDS])
    features: Counter[str] = Counter(content_words(lead))
    for word in content_words(article.title):
        features[word] += 2
    # a feed that declares no language is read as English, as it always was
    for name in names(f"{article.title}. {lead}", article.language or "en"):
        features["name:" + name.casefold()] += 2
    return features


def similarity_matrix(articles: Sequence[Article]) -> list[list[float]]:
    """Cosine similarity of every pair of articles' TF-IDF vectors."""
    features = [_features(a) for a in articles]
    weights = idf(features)
    vectors = [weighted(f, weights) for f in features]
    return [[cosine(a, b) for b in vectors] for a in vectors]


def group_stories(articles: Sequence[Article], threshold: float = SAME_STORY) -> list[Story]:
    """Stories in order of their first article; within a story, articles earliest first."""
    sim = similarity_matrix(articles)
    clusters = [[i] for i in range(len(articles))]

    def linkage(a: list[int], b: list[int]) -> float:
        return sum(sim[i][j] for i in a for j in b) / (len(a) * len(b))

    while len(clusters) > 1:
        score, x, y = max(
            ((linkage(a, b), x, y) for (x, a), (y, b) in combinations(enumerate(clusters), 2)),
            key=lambda t: (t[0], -t[1], -t[2]),
        )
        if score < threshold:
            break
        clusters[x] = sorted(clusters[x] + clusters[y])
        del clusters[y]
    return [
        Story(tuple(sorted((articles[i] for i in c), key=_stamp)))
        for c in sorted(clusters, key=min)
    ]


def top_stories(stories: Sequence[Story], max_stories: int, min_sources: int) -> list[Story]:
    """The stories told by at least `min_sources` outlets, most outlets (then articles) first."""
    kept = [s for s in stories if s.outlets >= min_sources]
    kept.sort(key=lambda s: (-s.outlets, -len(s.articles), s.first_published))
    return kept[:max_stories]
