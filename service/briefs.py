"""The brief service: the one way every entry point (REST, CLI, jobs, Slack, digest) makes a brief.

An entry point turns what it received into `Article`s, asks `BriefService.request` for a checked
`BriefRequest` (limits, defaults, the model choice: one place for each), then `BriefService.brief`
for the brief, and renders it. Where the brief runs is decided here too: in this process through
the pipeline, or, in scale-out mode, on a worker through the job queue (`Jobs`).

Errors are `service.errors.FusebriefError`s with messages a user can act on; each entry point maps
them to its own terms (HTTP status, exit code, a Slack notice) in one table.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from service.articles import language_tag, parse_article
from service.brief_json import brief_document, brief_from_document
from service.chunk import count_tokens
from service.config import Settings
from service.errors import BundleTooLarge, InvalidBundle
from service.limits import check_raw_size
from service.llm import LLMClient
from service.meaning import load as load_encoder
from service.pipeline import build_brief
from service.summarize import default_map_batch_tokens
from service.tracing import brief_span
from service.tuning import EXTRA_SENTENCE_ARTICLES, SMALL_BUNDLE, SPAN_SENTENCE_DAYS
from service.types import Article, Brief, BriefOptions, ProgressEvent, ProgressSink, no_progress

# A brief's length in sentences, disagreements included, and in words (its sentences and
# disagreements): the bounds every entry point offers.
MIN_SENTENCES = 5
MAX_SENTENCES = 25
MIN_WORDS = 50
MAX_WORDS = 1000

BRIEF_JOB = "brief"  # the job kind whose handler is `BriefService.run_job`


@dataclass(frozen=True)
class BriefRequest:
    """Articles and options that passed every check: what the pipeline (or a job) runs."""

    articles: tuple[Article, ...]
    options: BriefOptions

    def to_json(self) -> dict[str, Any]:
        """What a job stores: the articles' fields as a client sends them, and the options."""
        return {
            "articles": [
                {
                    "title": a.title,
                    "source": a.source,
                    "text": a.text,
                    "url": a.url,
                    "published_at": a.published_at.isoformat() if a.published_at else None,
                    "language": a.language,
                    "id": a.client_id,
                }
                for a in self.articles
            ],
            "options": {
                "language": self.options.language,
                "max_sentences": self.options.max_sentences,
                "max_words": self.options.max_words,
                "model": self.options.model,
                "source_text": self.options.source_text,
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "BriefRequest":
        articles = tuple(
            parse_article(fields, f"article {n}")
            for n, fields in enumerate(data["articles"], start=1)
        )
        options = data.get("options") or {}
        return cls(
            articles,
            BriefOptions(
                language=options.get("language"),
                max_sentences=options.get("max_sentences") or 0,  # 0: the server's default
                max_words=options.get("max_words"),
                model=options.get("model"),
                source_text=bool(options.get("source_text")),
            ),
        )


def default_sentences(articles: Sequence[Article], base: int) -> int:
    """How many sentences a bundle gets when the client does not say: `base`
    (FUSEBRIEF_DEFAULT_MAX_SENTENCES) for a few articles of one day, one more for every
    EXTRA_SENTENCE_ARTICLES articles beyond SMALL_BUNDLE and one more for each span of
    SPAN_SENTENCE_DAYS their publication dates reach (a story told over months has more to
    tell); at most MAX_SENTENCES."""
    days = [a.published_at.date() for a in articles if a.published_at is not None]
    span = (max(days) - min(days)).days if days else 0
    extra = max(0, len(articles) - SMALL_BUNDLE) // EXTRA_SENTENCE_ARTICLES
    extra += sum(1 for step in SPAN_SENTENCE_DAYS if span >= step)
    return min(MAX_SENTENCES, base + extra)


class Jobs(Protocol):
    """The job queue as the service needs it in scale-out mode (see service.jobs.queue)."""

    async def run_and_wait(
        self, kind: str, request: dict[str, Any], progress: ProgressSink = no_progress
    ) -> dict[str, Any]:
        """Queue a job, wait for a worker to finish it (passing on its progress), return its
        result (or raise its error); cancelled while waiting, the job is cancelled."""
        ...

    async def ready(self) -> tuple[bool, str]:
        """Whether the queue answers, and a line saying so."""
        ...


class BriefService:
    """Checks requests and makes briefs, here or (scale-out) on a worker."""

    def __init__(self, settings: Settings, models: LLMClient, remote: Jobs | None = None) -> None:
        self.settings = settings
        self.models = models
        self.remote = remote  # set: briefs run on `fusebrief worker` processes, not here
        if remote is None:
            load_encoder()  # the sentence encoder the planning stages use, before any brief

    @property
    def model_name(self) -> str:
        """The configured model (the first of the fallback order)."""
        return self.models.primary.model

    async def ready(self) -> tuple[bool, str]:
        """Whether a brief can be made now (the model, or in scale-out mode the queue, answers),
        and a line saying so."""
        return await (self.remote.ready() if self.remote else self.models.ready())

    def request(
        self,
        articles: Sequence[Article],
        *,
        language: str | None = None,
        max_sentences: int | None = None,
        max_words: int | None = None,
        model: str | None = None,
        source_text: bool = False,
    ) -> BriefRequest:
        """Check the bundle against the configured limits and fill in the defaults: without
        max_sentences, as many as `default_sentences` gives the bundle, or with max_words the
        most a brief may have (the words decide)."""
        settings = self.settings
        if not articles:
            raise InvalidBundle("the bundle has no articles; send at least one article")
        if len(articles) > settings.max_articles:
            raise BundleTooLarge(
                f"the bundle has {len(articles)} articles; this server accepts at most "
                f"{settings.max_articles} (FUSEBRIEF_MAX_ARTICLES): split the bundle"
            )
        for number, article in enumerate(articles, start=1):
            check_raw_size(article.text, settings.max_html_bytes, f"article {number}")
        first_with_id: dict[str, int] = {}
        for number, article in enumerate(articles, start=1):
            if article.client_id is None:
                continue
            if (first := first_with_id.setdefault(article.client_id, number)) != number:
                raise InvalidBundle(
                    f"articles {first} and {number} have the same id {article.client_id!r}; "
                    "give each article its own id, or leave id out"
                )
        # What reaches a prompt: the headline and the outlet as well as the text.
        tokens = sum(count_tokens(f"{a.title}\n{a.source}\n{a.text}") for a in articles)
        if tokens > settings.max_bundle_tokens:
            raise BundleTooLarge(
                f"the bundle's articles (titles, outlets and texts) have {tokens} tokens "
                f"together; the limit is {settings.max_bundle_tokens} "
                "(FUSEBRIEF_MAX_BUNDLE_TOKENS): send fewer or shorter articles"
            )
        if language is not None:
            try:
                language = language_tag(language)
            except ValueError as error:
                raise InvalidBundle(f"options.language: {error}") from error
        if max_words is not None and not MIN_WORDS <= max_words <= MAX_WORDS:
            raise InvalidBundle(f"max_words is {max_words}; choose {MIN_WORDS} to {MAX_WORDS}")
        length = max_sentences or (
            MAX_SENTENCES
            if max_words is not None
            else default_sentences(articles, settings.default_max_sentences)
        )
        if not MIN_SENTENCES <= length <= MAX_SENTENCES:
            raise InvalidBundle(
                f"max_sentences is {length}; choose {MIN_SENTENCES} to {MAX_SENTENCES}"
            )
        if model and model not in self.models.allowed_models:
            raise InvalidBundle(
                f"options.model {model!r} is not offered here; choose one of "
                f"{', '.join(self.models.allowed_models)} or leave it out"
            )
        options = BriefOptions(
            language=language,
            max_sentences=length,
            max_words=max_words,
            model=model,
            source_text=source_text,
        )
        return BriefRequest(tuple(articles), options)

    def request_from_json(self, data: dict[str, Any]) -> BriefRequest:
        """A request from its JSON form (a stored job, a bundle file), checked like any other."""
        parsed = BriefRequest.from_json(data)
        return self.request(
            parsed.articles,
            language=parsed.options.language,
            max_sentences=parsed.options.max_sentences,
            max_words=parsed.options.max_words,
            model=parsed.options.model,
            source_text=parsed.options.source_text,
        )

    async def brief(self, request: BriefRequest, progress: ProgressSink = no_progress) -> Brief:
        """The checked, cited brief of `request`, in a trace span of its own (service.tracing)
        whose events are the brief's stages."""
        attributes = {
            "fusebrief.articles": len(request.articles),
            "fusebrief.max_sentences": request.options.max_sentences,
            "gen_ai.request.model": request.options.model or self.model_name,
        }
        with brief_span(attributes) as span:

            def report(event: ProgressEvent) -> None:
                if span.is_recording():
                    span.add_event(
                        f"stage {event.stage}",
                        {
                            "fusebrief.stage": event.stage,
                            "fusebrief.done": event.done,
                            "fusebrief.total": event.total,
                        },
                    )
                progress(event)

            brief = await self._brief(request, report)
            if span.is_recording():
                span.set_attributes(
                    {
                        "fusebrief.sentences": len(brief.sentences),
                        "fusebrief.disagreements": len(brief.disagreements),
                        "fusebrief.sources": len(brief.sources),
                        "fusebrief.excluded": len(brief.excluded),
                        "fusebrief.warnings": len(brief.warnings),
                        "fusebrief.llm_calls": brief.usage.llm_calls,
                        "fusebrief.cache_hits": brief.usage.cache_hits,
                        "gen_ai.usage.input_tokens": brief.usage.prompt_tokens,
                        "gen_ai.usage.output_tokens": brief.usage.completion_tokens,
                    }
                )
            return brief

    async def _brief(self, request: BriefRequest, progress: ProgressSink) -> Brief:
        if self.remote is not None:
            result = await self.remote.run_and_wait(BRIEF_JOB, request.to_json(), progress)
            return brief_from_document(result)
        session = self.models.session(request.options.model)
        batch_tokens = self.map_batch_tokens(session.self_hosted)
        return await build_brief(
            request.articles,
            request.options,
            session,
            progress,
            map_batch_tokens=batch_tokens,
            max_article_chars=self.settings.max_article_chars,
        )

    def map_batch_tokens(self, self_hosted: bool) -> int:
        """FUSEBRIEF_MAP_BATCH_TOKENS, or the map step's default for such a model."""
        configured = self.settings.map_batch_tokens
        return configured if configured is not None else default_map_batch_tokens(self_hosted)

    async def run_job(self, payload: dict[str, Any], progress: ProgressSink) -> dict[str, Any]:
        """The handler of a "brief" job: the stored request in, the brief's JSON out."""
        request = self.request_from_json(payload)
        brief = await self.brief(request, progress)
        return brief_document(brief, source_text=request.options.source_text)
