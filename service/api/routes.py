"""The HTTP routes: thin wrappers around `build_brief`."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from service.api.deps import JobsDep, LLMDep, SettingsDep, limit_rate, require_api_key
from service.jobs.model import Job
from service.metrics import JOBS
from service.pipeline import build_brief
from service.render import to_markdown
from service.schemas import BriefOut, BriefRequest, ErrorOut, JobOut

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
    dependencies=[Depends(require_api_key), Depends(limit_rate)],
    summary="Summarise a bundle of articles into one cited brief",
)
async def create_brief(
    body: BriefRequest,
    settings: SettingsDep,
    llm: LLMDep,
    jobs: JobsDep,
    accept: Annotated[str, Header()] = "application/json",
    prefer: Annotated[str, Header()] = "",
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> Response:
    """Synchronous by default. With `"async": true` or `Prefer: respond-async` the answer is
    202 with `Location: /v1/jobs/{id}` at once; an `Idempotency-Key` header makes a retried
    submission return the same job instead of starting another."""
    if body.run_async or "respond-async" in prefer:
        job, _ = await jobs.submit(body, idempotency_key)
        return _job_response(job, status_code=202)
    if jobs.remote:
        brief = await jobs.run_and_wait(body)
    else:
        articles, options = body.to_bundle(settings)
        brief = BriefOut.from_brief(
            await build_brief(articles, options, llm.session(options.model))
        )
    if "text/markdown" in accept:
        return PlainTextResponse(to_markdown(brief), media_type="text/markdown; charset=utf-8")
    return JSONResponse(brief.model_dump(mode="json"))


@router.get(
    "/v1/jobs/{job_id}",
    response_model=JobOut,
    responses=_ERRORS,
    dependencies=[Depends(require_api_key)],
    summary="A job's status and progress, and its brief once done",
)
async def get_job(job_id: str, jobs: JobsDep) -> Response:
    return _job_response(await jobs.get(job_id))


@router.delete(
    "/v1/jobs/{job_id}",
    response_model=JobOut,
    responses=_ERRORS,
    dependencies=[Depends(require_api_key)],
    summary="Cancel a queued or running job (a finished job is left as it is)",
)
async def cancel_job(job_id: str, jobs: JobsDep) -> Response:
    return _job_response(await jobs.cancel(job_id))


def _job_response(job: Job, status_code: int = 200) -> JSONResponse:
    return JSONResponse(
        JobOut.from_job(job).model_dump(mode="json"),
        status_code=status_code,
        headers={"Location": f"/v1/jobs/{job.id}"},
    )


@router.get(
    "/metrics",
    dependencies=[Depends(require_api_key)],
    summary="Prometheus metrics",
    response_class=PlainTextResponse,
)
async def metrics(jobs: JobsDep) -> Response:
    for status, count in (await jobs.counts()).items():
        JOBS.labels(status).set(count)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


@router.get("/healthz", summary="The process is up")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="The model is reachable", responses={503: {"model": ErrorOut}})
async def readyz(llm: LLMDep, jobs: JobsDep) -> JSONResponse:
    ready, detail = await (jobs.ready() if jobs.remote else llm.ready())
    if ready:
        return JSONResponse({"status": "ready", "model": llm.primary.model, "detail": detail})
    return JSONResponse(
        {"error": {"code": "model_unavailable", "message": detail}}, status_code=503
    )
