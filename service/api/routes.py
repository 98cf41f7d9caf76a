"""The HTTP routes: they translate HTTP to the brief service and the job queue, and back."""

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from service.api.deps import (
    BriefsDep,
    CallerDep,
    JobsDep,
    count_brief,
    may_see_internals,
    require_api_key,
)
from service.api.errors import error_body
from service.api.schemas import BriefOut, BriefRequestIn, ErrorOut, JobOut
from service.brief_json import brief_document
from service.briefs import BRIEF_JOB
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


@router.post(
    "/v1/briefs",
    response_model=BriefOut,
    responses={
        **_ERRORS,
        200: {"content": {"text/markdown": {"example": "# Title\n\nA sentence. [S1, S2]\n"}}},
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
    submission return the same job instead of starting another."""
    options = body.options
    request = briefs.request(
        body.to_articles(),
        language=options.language,
        max_sentences=options.max_sentences,
        model=options.model,
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
    brief = await briefs.brief(request)
    if "text/markdown" in accept:
        return PlainTextResponse(to_markdown(brief), media_type="text/markdown; charset=utf-8")
    return JSONResponse(brief_document(brief))


@router.get(
    "/v1/jobs/{job_id}",
    response_model=JobOut,
    responses=_ERRORS,
    summary="A job's status and progress, and its brief once done",
)
async def get_job(job_id: str, caller: CallerDep, jobs: JobsDep) -> Response:
    """Only the API key that made a job sees it; to any other it does not exist."""
    return _job_response(await jobs.get(job_id, caller.owner))


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
