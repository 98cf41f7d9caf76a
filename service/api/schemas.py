"""The HTTP edge's schemas: what REST clients send and get back, as the OpenAPI document shows it.

Validation of an article's fields is `service.articles.ArticleFields` (shared by every channel);
the answers are the documents of `service.brief_json` and `service.jobs.model`, described here.
"""

import datetime as dt
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from service.articles import MAX_URL_CHARS, ArticleFields, LanguageCode
from service.briefs import MAX_SENTENCES, MAX_WORDS, MIN_SENTENCES, MIN_WORDS
from service.types import Article

MAX_MODEL_CHARS = 200


class ArticleIn(ArticleFields):
    """One article of a bundle."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "title": "Dock strike ends after pay deal",
                "source": "Harbour Herald",
                "text": "Dock workers voted on Sunday to accept a 6% pay rise ...",
                "url": "https://example.com/strike-ends",
                "published_at": "2026-03-14T09:30:00Z",
                "language": "en",
                "id": "client-42",
            }
        }
    )


class BriefOptionsIn(BaseModel):
    language: LanguageCode | None = Field(
        default=None, description="Language of the brief; default: the bundle's main language."
    )
    # Strict: a JSON integer, not true, "7" or 7.0.
    max_sentences: StrictInt | None = Field(
        default=None,
        ge=MIN_SENTENCES,
        le=MAX_SENTENCES,
        description="At most this many sentences, disagreements included; default: more for a "
        "larger bundle or a longer story (10 for a few articles of one day).",
    )
    max_words: StrictInt | None = Field(
        default=None,
        ge=MIN_WORDS,
        le=MAX_WORDS,
        description="At most this many words in the brief's sentences and disagreements.",
    )
    model: str | None = Field(
        default=None,
        max_length=MAX_MODEL_CHARS,
        description="One of the models this server offers.",
    )
    source_text: StrictBool = Field(
        default=False,
        description="Return each source's text (sources[].text), to which evidence offsets refer.",
    )


class BriefRequestIn(BaseModel):
    """A bundle of articles about one story, and options for the brief."""

    model_config = ConfigDict(
        populate_by_name=True,
        json_schema_extra={
            "example": {
                "articles": [
                    {
                        "title": "Dock strike ends after pay deal",
                        "source": "Harbour Herald",
                        "text": "Dock workers voted on Sunday to accept a 6% pay rise ...",
                    },
                    {
                        "title": "Port reopens as strike ends",
                        "source": "Coast Daily",
                        "text": "<p>The port reopened on Monday after an 11-day strike ...</p>",
                        "published_at": "2026-03-15T08:00:00Z",
                    },
                ],
                "options": {"language": "en", "max_sentences": 8},
            }
        },
    )

    articles: list[ArticleIn] = Field(min_length=1)
    options: BriefOptionsIn = Field(default_factory=BriefOptionsIn)
    run_async: StrictBool = Field(  # strict: JSON true or false, not "yes" or 1
        default=False,
        alias="async",
        description="Answer 202 with a job at once (also `Prefer: respond-async`).",
    )
    callback_url: str | None = Field(
        default=None,
        max_length=MAX_URL_CHARS,
        description="Async only: POST the finished job here, signed with FUSEBRIEF_WEBHOOK_SECRET.",
    )

    def to_articles(self) -> list[Article]:
        return [a.to_article() for a in self.articles]


class EvidenceOut(BaseModel):
    """A passage of a source that states a sentence: `sources[sid].text[start:end] == quote`."""

    sid: str
    start: int
    end: int
    quote: str


class DisagreementOut(BaseModel):
    text: str
    sources: list[str]
    evidence: list[EvidenceOut] = Field(description="The passages of the cited sources stating it.")


class SentenceOut(DisagreementOut):
    date: dt.date | None = Field(
        description="When it happened: the earliest date of its cited sources (the day their "
        "article says its event happened, else its publication day); null where none gives one."
    )


class SourceOut(BaseModel):
    sid: str
    title: str
    source: str
    url: str | None
    published_at: datetime | None
    language: str
    id: str | None
    text: str | None = Field(
        description="With options.source_text: the headline, a blank line and the cleaned text "
        "the model read; evidence offsets refer to it."
    )


class FactOut(BaseModel):
    id: str
    text: str
    evidence: list[EvidenceOut]


class ArticleSummaryOut(BaseModel):
    sid: str
    kind: Literal["report", "opinion"]
    when: str = Field(description="When the article's event happened, as the article says.")
    facts: list[FactOut]
    chunks: int


class ExclusionOut(BaseModel):
    sid: str
    reason: str


class UsageOut(BaseModel):
    llm_calls: int
    prompt_tokens: int
    completion_tokens: int
    cache_hits: int = Field(description="Model replies served from the cache (no call made).")


class BriefOut(BaseModel):
    id: str
    title: str
    language: str
    sentences: list[SentenceOut]
    disagreements: list[DisagreementOut]
    sources: list[SourceOut]
    article_summaries: list[ArticleSummaryOut]
    excluded: list[ExclusionOut]
    model: str
    prompt_version: str
    usage: UsageOut
    warnings: list[str]


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorOut(BaseModel):
    error: ErrorDetail


class ProgressOut(BaseModel):
    articles_summarised: int
    articles_total: int


class JobOut(BaseModel):
    """A brief made in the background: poll GET /v1/jobs/{id} until `status` is final."""

    id: str
    status: Literal["queued", "running", "done", "failed", "cancelled"]
    progress: ProgressOut
    attempts: int = Field(description="How many times a worker started it.")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    brief: BriefOut | None = Field(description="When done.")
    error: ErrorDetail | None = Field(description="When failed.")


class LinkIn(BaseModel):
    """A link to an article page, fetched by the server (POST /v1/articles/fetch)."""

    model_config = ConfigDict(
        json_schema_extra={"example": {"url": "https://example.com/strike-ends"}}
    )

    url: str = Field(min_length=1, max_length=MAX_URL_CHARS, description="An http(s) link.")


class FetchedArticleOut(BaseModel):
    """The article at a link, ready to send as one of a bundle's articles: the page's headline,
    outlet (og:site_name, else the host name), link and date, and its text as the cleaner left
    it (HTML, navigation and boilerplate removed)."""

    title: str
    source: str
    text: str
    url: str | None
    published_at: datetime | None
    language: str | None
    warnings: list[str] = Field(
        description="Passages removed because they addressed an AI model (prompt injection)."
    )
