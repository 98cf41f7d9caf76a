"""Pydantic models at the edges: what clients send (REST body, CLI JSON files) and get back."""

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from service.chunk import count_tokens
from service.config import Settings
from service.errors import BundleTooLarge
from service.jobs.model import Job
from service.types import Article, Brief, BriefOptions

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
LanguageCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, pattern=r"^[a-z]{2,3}(-[a-z]{2,4})?$"),
]


class ArticleIn(BaseModel):
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

    title: NonEmpty
    source: NonEmpty = Field(description="The outlet that published the article.")
    text: NonEmpty = Field(description="Article text, plain or HTML; boilerplate is removed.")
    url: str | None = None
    published_at: datetime | None = Field(default=None, description="ISO 8601.")
    language: LanguageCode | None = Field(default=None, description="ISO 639-1, e.g. 'en'.")
    id: str | None = Field(default=None, max_length=200, description="Your own identifier.")

    def to_article(self) -> Article:
        return Article(
            title=self.title,
            source=self.source,
            text=self.text,
            url=self.url,
            published_at=self.published_at,
            language=self.language,
            client_id=self.id,
        )


class BriefOptionsIn(BaseModel):
    language: LanguageCode | None = Field(
        default=None, description="Language of the brief; default: the bundle's main language."
    )
    max_sentences: int | None = Field(default=None, ge=5, le=15)
    model: str | None = Field(default=None, description="One of the models this server offers.")


class BriefRequest(BaseModel):
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
    run_async: bool = Field(
        default=False,
        alias="async",
        description="Answer 202 with a job at once (also `Prefer: respond-async`).",
    )
    callback_url: str | None = Field(
        default=None,
        description="Async only: POST the finished job here, signed with FUSEBRIEF_WEBHOOK_SECRET.",
    )

    def bundle_json(self) -> dict[str, Any]:
        """The articles and options alone: what a job stores and runs."""
        return self.model_dump(mode="json", include={"articles", "options"})

    def to_bundle(self, settings: Settings) -> tuple[list[Article], BriefOptions]:
        """The pipeline's inputs, after the configured size limits."""
        if len(self.articles) > settings.max_articles:
            raise BundleTooLarge(
                f"the bundle has {len(self.articles)} articles; this server accepts at most "
                f"{settings.max_articles} (FUSEBRIEF_MAX_ARTICLES): split the bundle"
            )
        for number, article in enumerate(self.articles, start=1):
            if len(article.text) > settings.max_article_chars:
                raise BundleTooLarge(
                    f"article {number} ({article.title!r}) has {len(article.text)} characters; "
                    f"the limit is {settings.max_article_chars} (FUSEBRIEF_MAX_ARTICLE_CHARS)"
                )
        tokens = sum(count_tokens(a.text) for a in self.articles)
        if tokens > settings.max_bundle_tokens:
            raise BundleTooLarge(
                f"the bundle's articles have {tokens} tokens together; the limit is "
                f"{settings.max_bundle_tokens} (FUSEBRIEF_MAX_BUNDLE_TOKENS): send fewer articles"
            )
        options = BriefOptions(
            language=self.options.language,
            max_sentences=self.options.max_sentences or settings.default_max_sentences,
            model=self.options.model,
        )
        return [a.to_article() for a in self.articles], options


class SentenceOut(BaseModel):
    text: str
    sources: list[str]


class SourceOut(BaseModel):
    sid: str
    title: str
    source: str
    url: str | None
    published_at: datetime | None
    language: str
    id: str | None


class FactOut(BaseModel):
    id: str
    text: str


class ArticleSummaryOut(BaseModel):
    sid: str
    facts: list[FactOut]
    angle: str
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
    disagreements: list[SentenceOut]
    sources: list[SourceOut]
    article_summaries: list[ArticleSummaryOut]
    excluded: list[ExclusionOut]
    model: str
    prompt_version: str
    usage: UsageOut
    warnings: list[str]

    @classmethod
    def from_brief(cls, brief: Brief) -> "BriefOut":
        return cls(
            id=brief.id,
            title=brief.title,
            language=brief.language,
            sentences=[SentenceOut(text=s.text, sources=list(s.sources)) for s in brief.sentences],
            disagreements=[
                SentenceOut(text=d.text, sources=list(d.sources)) for d in brief.disagreements
            ],
            sources=[
                SourceOut(
                    sid=s.sid,
                    title=s.article.title,
                    source=s.article.source,
                    url=s.article.url,
                    published_at=s.article.published_at,
                    language=s.language,
                    id=s.article.client_id,
                )
                for s in brief.sources
            ],
            article_summaries=[
                ArticleSummaryOut(
                    sid=s.sid,
                    facts=[FactOut(id=f.fid, text=f.text) for f in s.facts],
                    angle=s.angle,
                    chunks=s.chunks,
                )
                for s in brief.summaries
            ],
            excluded=[ExclusionOut(sid=e.sid, reason=e.reason) for e in brief.excluded],
            model=brief.model,
            prompt_version=brief.prompt_version,
            usage=UsageOut(
                llm_calls=brief.usage.llm_calls,
                prompt_tokens=brief.usage.prompt_tokens,
                completion_tokens=brief.usage.completion_tokens,
                cache_hits=brief.usage.cache_hits,
            ),
            warnings=brief.warnings,
        )


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

    @classmethod
    def from_job(cls, job: Job) -> "JobOut":
        def when(timestamp: float | None) -> datetime | None:
            return datetime.fromtimestamp(timestamp, UTC) if timestamp is not None else None

        return cls(
            id=job.id,
            status=job.status,
            progress=ProgressOut(
                articles_summarised=job.progress_done, articles_total=job.progress_total
            ),
            attempts=job.attempts,
            created_at=datetime.fromtimestamp(job.created_at, UTC),
            started_at=when(job.started_at),
            finished_at=when(job.finished_at),
            brief=BriefOut.model_validate(job.result) if job.result else None,
            error=ErrorDetail(code=job.error_code, message=job.error_message or "")
            if job.error_code
            else None,
        )
