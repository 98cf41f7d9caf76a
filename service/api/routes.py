"""The HTTP routes: they translate HTTP to the brief service and the job queue, and back."""

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sse_starlette import EventSourceResponse

from service.api.deps import (
    BriefsDep,
    CallerDep,
    JobsDep,
    SettingsDep,
    count_brief,
    may_see_internals,
    require_api_key,
)
from service.api.errors import error_body
from service.api.live import brief_events, job_events, stream, wants_events
from service.api.live import last_event_id as parse_last_event_id
from service.api.schemas import (
    BriefOut,
    BriefRequestIn,
    ErrorOut,
    FetchedArticleOut,
    JobOut,
    LinkIn,
)
from service.brief_json import brief_document
from service.briefs import BRIEF_JOB
from service.clean import clean_text
from service.errors import FetchFailed
from service.fetch import fetch_articles
from service.jobs.model import Job, NewJob, job_document
from service.metrics import JOBS
from service.render import to_markdown

log = logging.getLogger("fusebrief")
router = APIRouter()

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut, "description": text}
    for code, text in {
        401: "Missing or wrong API key.",
        404: "No job with that id.",
        413: "Body, bundle or article over the configured limit.",
        422: "Invalid bundle: the message says what to fix.",
        502: "The model's output was unusable after a repair retry.",
        503: "The model is unreachable.",
    }.items()
}

# The first event of a live brief (README, "Live progress"), for the OpenAPI document.
_EVENTS_EXAMPLE = (
    'event: stage\nid: 1\ndata: {"stage": "clean", "label": "cleaning the articles", '
    '"done": 2, "total": 2, "detail": "", "elapsed_s": 0.01}\n\n'
)


@router.post(
    "/v1/briefs",
    response_model=BriefOut,
    responses={
        **_ERRORS,
        200: {
            "content": {
                "text/markdown": {"example": "# Title\n\nA sentence. [S1, S2]\n"},
                "text/event-stream": {"example": _EVENTS_EXAMPLE},
            }
        },
        202: {"model": JobOut, "description": "Queued as a job: poll the Location header."},
        429: {"model": ErrorOut, "description": "Over the per-caller rate limit (Retry-After)."},
    },
    summary="Summarise a bundle of articles into one cited brief",
)
async def create_brief(
    body: BriefRequestIn,
    http: Request,
    caller: CallerDep,
    briefs: BriefsDep,
    jobs: JobsDep,
    accept: Annotated[str, Header()] = "application/json",
    prefer: Annotated[str, Header()] = "",
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> Response:
    """Synchronous by default. With `"async": true` or `Prefer: respond-async` the answer is
    202 with `Location: /v1/jobs/{id}` at once; an `Idempotency-Key` header makes a retried
    submission return the same job instead of starting another. With
    `Accept: text/event-stream` the brief's progress streams as Server-Sent Events (`stage`,
    `warning`, then `brief` or `error`); disconnecting cancels the brief."""
    options = body.options
    request = briefs.request(
        body.to_articles(),
        language=options.language,
        max_sentences=options.max_sentences,
        max_words=options.max_words,
        model=options.model,
        source_text=options.source_text,
    )
    run_async = body.run_async or "respond-async" in prefer
    if run_async and body.callback_url is not None:
        await jobs.check_callback(body.callback_url)
    await count_brief(http, caller)  # only a request that passed every check counts
    if run_async:
        new = NewJob.of(
            BRIEF_JOB,
            request.to_json(),
            owner=caller.owner,
            idempotency_key=idempotency_key,
            callback_url=body.callback_url,
        )
        job, _ = await jobs.submit(new)
        return _job_response(job, status_code=202)
    if wants_events(accept):
        return stream(brief_events(briefs, request), briefs.settings.sse_ping_s)
    brief = await briefs.brief(request)
    if "text/markdown" in accept:
        return PlainTextResponse(to_markdown(brief), media_type="text/markdown; charset=utf-8")
    return JSONResponse(brief_document(brief, source_text=request.options.source_text))


@router.get(
    "/v1/jobs/{job_id}",
    response_model=JobOut,
    responses=_ERRORS,
    summary="A job's status and progress, and its brief once done",
)
async def get_job(job_id: str, caller: CallerDep, jobs: JobsDep) -> Response:
    """Only the API key that made a job sees it; to any other it does not exist."""
    return _job_response(await jobs.get(job_id, caller.owner))


@router.get(
    "/v1/jobs/{job_id}/events",
    responses={
        **_ERRORS,
        200: {
            "content": {"text/event-stream": {"example": _EVENTS_EXAMPLE}},
            "description": "The job's events as Server-Sent Events, then its brief or error.",
        },
    },
    dependencies=[Depends(require_api_key)],
    summary="A job's progress as Server-Sent Events (resumable with Last-Event-ID)",
    response_class=EventSourceResponse,
)
async def job_events_stream(
    job_id: str,
    caller: CallerDep,
    jobs: JobsDep,
    settings: SettingsDep,
    last_event_id: Annotated[str | None, Header(max_length=20)] = None,
) -> Response:
    """The job's `stage` and `warning` events as they are stored, then `brief` (with its
    warnings first) or `error`, then the stream ends. Event ids are the job's event numbers:
    reconnect with `Last-Event-ID` to be sent only what came after."""
    job = await jobs.get(job_id, caller.owner)  # another key's job is not found
    events = job_events(jobs, job, caller.owner, parse_last_event_id(last_event_id))
    return stream(events, settings.sse_ping_s)


@router.delete(
    "/v1/jobs/{job_id}",
    response_model=JobOut,
    responses=_ERRORS,
    summary="Cancel a queued or running job (a finished job is left as it is)",
)
async def cancel_job(job_id: str, caller: CallerDep, jobs: JobsDep) -> Response:
    """Only the API key that made a job can cancel it; to any other it does not exist."""
    return _job_response(await jobs.cancel(job_id, caller.owner))


def _job_response(job: Job, status_code: int = 200) -> JSONResponse:
    return JSONResponse(
        job_document(job),
        status_code=status_code,
        headers={"Location": f"/v1/jobs/{job.id}"},
    )


@router.post(
    "/v1/articles/fetch",
    response_model=FetchedArticleOut,
    responses={
        **_ERRORS,
        422: {"model": ErrorOut, "description": "The link could not be fetched or read."},
        429: {"model": ErrorOut, "description": "Over the per-caller rate limit (Retry-After)."},
    },
    dependencies=[Depends(require_api_key)],
    summary="Fetch the article at a link (the web page's links), cleaned, ready to brief",
)
async def fetch_link(
    body: LinkIn, http: Request, caller: CallerDep, settings: SettingsDep
) -> Response:
    """The server fetches the page with the guard Slack links have (http(s) only, private
    addresses refused unless FUSEBRIEF_FETCH_ALLOW_PRIVATE_LINKS, every redirect checked, at
    most FUSEBRIEF_FETCH_MAX_BYTES) and answers its fields; the client sends them on as an
    article of `POST /v1/briefs`. Counts towards the caller's rate limit like a brief."""
    await count_brief(http, caller)
    [article] = await fetch_articles([body.url], settings)
    cleaned = clean_text(article.text)
    if not cleaned.text.strip():
        raise FetchFailed(f"{body.url}: the page has no article text")
    return JSONResponse(
        {
            "title": article.title,
            "source": article.source,
            "text": cleaned.text,
            "url": article.url,
            "published_at": article.published_at.isoformat() if article.published_at else None,
            "language": article.language,
            "warnings": [
                f"removed a passage addressed to an AI model (possible prompt injection): "
                f"“{line[:120]}”"
                for line in cleaned.injections
            ],
        }
    )


@router.get(
    "/metrics",
    dependencies=[Depends(require_api_key)],
    # The answer is text, but a refusal is the JSON envelope like everywhere else.
    responses={
        401: {
            "description": _ERRORS[401]["description"],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
        }
    },
    summary="Prometheus metrics",
    response_class=PlainTextResponse,
)
async def metrics(jobs: JobsDep) -> Response:
    for status, count in (await jobs.counts()).items():
        JOBS.labels(status).set(count)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


@router.get("/healthz", summary="The process is up")
@router.head("/healthz", include_in_schema=False)
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


_NOT_READY = (
    "not ready: the model (or in scale-out mode the job queue) cannot be reached or is still "
    "starting; the server's log says why, and so does /readyz with an API key"
)


@router.get(
    "/readyz",
    summary="The model is reachable",
    responses={503: {"model": ErrorOut}},
    # The key is optional here: without one the answer says ready or not, and no more.
    openapi_extra={"security": [{}, {"HTTPBearer": []}]},
)
async def readyz(
    briefs: BriefsDep, detailed: Annotated[bool, Depends(may_see_internals)]
) -> JSONResponse:
    """Ready or not for anyone (a load balancer's probe needs no key); which model, where, and
    why not only for a caller with an API key (or anyone on a server without keys): the
    addresses are the operator's internals."""
    ready, detail = await briefs.ready()
    if ready:
        body = {"status": "ready"}
        if detailed:
            body |= {"model": briefs.model_name, "detail": detail}
        return JSONResponse(body)
    if not detailed:
        log.warning("readiness: %s", detail)
    return JSONResponse(
        error_body("model_unavailable", detail if detailed else _NOT_READY), status_code=503
    )
