"""The brief's one JSON form: what the REST API answers, `fusebrief brief --json` prints and a job
stores; and the brief read back from it (a job's result rendered as Markdown or for Slack).

`service.api.schemas.BriefOut` describes this shape for the OpenAPI document; a test keeps the
two the same.
"""

from datetime import datetime
from typing import Any

from pydantic import TypeAdapter

from service.types import (
    Article,
    ArticleSummary,
    Brief,
    Disagreement,
    Exclusion,
    Fact,
    Sentence,
    Source,
    Usage,
)

_WHEN = TypeAdapter(datetime | None)


def brief_document(brief: Brief) -> dict[str, Any]:
    """The brief as JSON-ready data."""
    return {
        "id": brief.id,
        "title": brief.title,
        "language": brief.language,
        "sentences": [{"text": s.text, "sources": list(s.sources)} for s in brief.sentences],
        "disagreements": [
            {"text": d.text, "sources": list(d.sources)} for d in brief.disagreements
        ],
        "sources": [
            {
                "sid": s.sid,
                "title": s.article.title,
                "source": s.article.source,
                "url": s.article.url,
                "published_at": _WHEN.dump_python(s.article.published_at, mode="json"),
                "language": s.language,
                "id": s.article.client_id,
            }
            for s in brief.sources
        ],
        "article_summaries": [
            {
                "sid": s.sid,
                "facts": [{"id": f.fid, "text": f.text} for f in s.facts],
                "angle": s.angle,
                "chunks": s.chunks,
            }
            for s in brief.summaries
        ],
        "excluded": [{"sid": e.sid, "reason": e.reason} for e in brief.excluded],
        "model": brief.model,
        "prompt_version": brief.prompt_version,
        "usage": {
            "llm_calls": brief.usage.llm_calls,
            "prompt_tokens": brief.usage.prompt_tokens,
            "completion_tokens": brief.usage.completion_tokens,
            "cache_hits": brief.usage.cache_hits,
        },
        "warnings": list(brief.warnings),
    }


def brief_from_document(data: dict[str, Any]) -> Brief:
    """A brief read back from its JSON form, for rendering (the sources' text is not in it)."""
    sources = [
        Source(
            sid=s["sid"],
            article=Article(
                title=s["title"],
                source=s["source"],
                text="",
                url=s["url"],
                published_at=_WHEN.validate_python(s["published_at"]),
                language=s["language"],
                client_id=s["id"],
            ),
            text="",
            language=s["language"],
        )
        for s in data["sources"]
    ]
    return Brief(
        id=data["id"],
        title=data["title"],
        language=data["language"],
        sentences=[Sentence(s["text"], tuple(s["sources"])) for s in data["sentences"]],
        disagreements=[Disagreement(d["text"], tuple(d["sources"])) for d in data["disagreements"]],
        sources=sources,
        summaries=[
            ArticleSummary(
                sid=s["sid"],
                facts=tuple(Fact(f["id"], s["sid"], f["text"]) for f in s["facts"]),
                angle=s["angle"],
                chunks=s["chunks"],
            )
            for s in data["article_summaries"]
        ],
        excluded=[Exclusion(e["sid"], e["reason"]) for e in data["excluded"]],
        model=data["model"],
        prompt_version=data["prompt_version"],
        usage=Usage(**data["usage"]),
        warnings=list(data["warnings"]),
    )
