"""The brief's one JSON form: what the REST API answers, `fusebrief brief --json` prints and a job
stores; and the brief read back from it (a job's result rendered as Markdown or for Slack).

`service.api.schemas.BriefOut` describes this shape for the OpenAPI document; a test keeps the
two the same.
"""

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from pydantic import TypeAdapter

from service.types import (
    Article,
    ArticleSummary,
    Brief,
    Disagreement,
    Exclusion,
    Fact,
    Passage,
    Sentence,
    Source,
    Usage,
)

_WHEN = TypeAdapter(datetime | None)


def _evidence(passages: Sequence[Passage]) -> list[dict[str, Any]]:
    return [{"sid": p.sid, "start": p.start, "end": p.end, "quote": p.quote} for p in passages]


def _said(sentence: Sentence | Disagreement) -> dict[str, Any]:
    return {
        "text": sentence.text,
        "sources": list(sentence.sources),
        "evidence": _evidence(sentence.evidence),
    }


def _sentence(sentence: Sentence) -> dict[str, Any]:
    return {**_said(sentence), "date": sentence.day.isoformat() if sentence.day else None}


def brief_document(brief: Brief, *, source_text: bool = False) -> dict[str, Any]:
    """The brief as JSON-ready data; with `source_text`, each source's document (headline,
    blank line, cleaned text), to which the evidence offsets refer."""
    return {
        "id": brief.id,
        "title": brief.title,
        "language": brief.language,
        "sentences": [_sentence(s) for s in brief.sentences],
        "disagreements": [_said(d) for d in brief.disagreements],
        "sources": [
            {
                "sid": s.sid,
                "title": s.article.title,
                "source": s.article.source,
                "url": s.article.url,
                "published_at": _WHEN.dump_python(s.article.published_at, mode="json"),
                "language": s.language,
                "id": s.article.client_id,
                "text": s.document if source_text else None,
            }
            for s in brief.sources
        ],
        "article_summaries": [
            {
                "sid": s.sid,
                "kind": s.kind,
                "when": s.when,
                "facts": [
                    {"id": f.fid, "text": f.text, "evidence": _evidence(f.passages)}
                    for f in s.facts
                ],
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


def _passages(items: Sequence[dict[str, Any]]) -> tuple[Passage, ...]:
    return tuple(Passage(p["sid"], p["start"], p["end"], p["quote"]) for p in items)


def brief_from_document(data: dict[str, Any]) -> Brief:
    """A brief read back from its JSON form, for rendering (with the sources' text only when the
    document carries it)."""
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
            text=(s.get("text") or "").partition("\n\n")[2],
            language=s["language"],
        )
        for s in data["sources"]
    ]
    return Brief(
        id=data["id"],
        title=data["title"],
        language=data["language"],
        sentences=[
            Sentence(
                s["text"],
                tuple(s["sources"]),
                _passages(s["evidence"]),
                date.fromisoformat(s["date"]) if s.get("date") else None,
            )
            for s in data["sentences"]
        ],
        disagreements=[
            Disagreement(d["text"], tuple(d["sources"]), _passages(d["evidence"]))
            for d in data["disagreements"]
        ],
        sources=sources,
        summaries=[
            ArticleSummary(
                sid=s["sid"],
                facts=tuple(
                    Fact(f["id"], s["sid"], f["text"], _passages(f["evidence"])) for f in s["facts"]
                ),
                kind=s["kind"],
                when=s["when"],
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
