"""Live briefs over Server-Sent Events (sse-starlette): `POST /v1/briefs` with
`Accept: text/event-stream`, and `GET /v1/jobs/{id}/events` for a job.

Each stream sends typed events, every one's data a JSON object:

    stage    {"stage", "label", "done", "total", "detail", "elapsed_s"}, as the brief advances
    warning  {"message"}, one per warning of the brief (and a job's restart after a dead worker)
    brief    the brief, the same JSON as the synchronous answer
    error    {"error": {"code", "message"}}, the envelope and code the synchronous call answers

then ends after `brief` or `error`. Keep-alive comments go out every FUSEBRIEF_SSE_PING_S while
the model works. Errors found before a brief starts (the API key, a malformed body, the limits)
are ordinary HTTP error answers, as without the stream.

A synchronous stream runs the brief for as long as its client listens: a client that disconnects
cancels the brief. A job's stream only watches the job store (the job runs on regardless); its
event ids are the job's event numbers, so a client that reconnects with `Last-Event-ID` is sent
only what it has not seen.
"""

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import suppress
from typing import Any

from sse_starlette import EventSourceResponse, ServerSentEvent

from service.api.errors import error_body
from service.brief_json import brief_document
from service.briefs import BriefRequest, BriefService
from service.errors import FusebriefError
from service.jobs.model import Job
from service.jobs.queue import JobQueue
from service.progress import BRIEF, ERROR, STAGE, WARNING, StageClock
from service.types import Brief, ProgressEvent

log = logging.getLogger("fusebrief.api")
EVENT_STREAM = "text/event-stream"
JOB_POLL_S = 0.25  # how often a job's stream looks for new events in the store
FINAL = ("done", "failed", "cancelled")


def wants_events(accept: str) -> bool:
    return EVENT_STREAM in accept


def stream(events: AsyncIterator[ServerSentEvent], ping_s: float) -> EventSourceResponse:
    """The SSE answer: `events`, keep-alive comments every `ping_s`, no proxy buffering."""
    return EventSourceResponse(
        events,
        ping=ping_s,
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


def _event(kind: str, data: dict[str, Any], number: int | None = None) -> ServerSentEvent:
    return ServerSentEvent(
        data=json.dumps(data, ensure_ascii=False),
        event=kind,
        id=str(number) if number is not None else None,
    )


def _error(code: str, message: str) -> dict[str, Any]:
    return error_body(code, message)


def _unexpected(error: BaseException) -> dict[str, Any]:
    return _error("internal_error", f"the brief failed unexpectedly: {error}")


async def brief_events(
    service: BriefService, request: BriefRequest
) -> AsyncIterator[ServerSentEvent]:
    """Run `request`'s brief, sending its stages as they happen, then its warnings and the brief
    (or the error). Closing the stream (the client went away) cancels the brief."""
    queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
    clock = StageClock()

    def progress(event: ProgressEvent) -> None:
        queue.put_nowait(clock.stage(event))

    work = asyncio.create_task(service.brief(request, progress))
    work.add_done_callback(lambda _: queue.put_nowait(None))
    number = 0
    try:
        while (data := await queue.get()) is not None:
            number += 1
            yield _event(STAGE, data, number)
        try:
            brief = work.result()
        except FusebriefError as error:
            yield _event(ERROR, _error(error.code, error.message), number + 1)
            return
        except Exception as error:
            log.exception("a streamed brief failed unexpectedly")
            yield _event(ERROR, _unexpected(error), number + 1)
            return
        for n, (kind, data) in enumerate(_ending(brief), start=number + 1):
            yield _event(kind, data, n)
    finally:
        if not work.done():
            log.info("the client of a streamed brief went away: brief cancelled")
            work.cancel()
            with suppress(asyncio.CancelledError, Exception):
                await work


def _ending(brief: Brief) -> list[tuple[str, dict[str, Any]]]:
    return [(WARNING, {"message": w}) for w in brief.warnings] + [(BRIEF, brief_document(brief))]


def job_ending(job: Job) -> list[tuple[str, dict[str, Any]]]:
    """The events that end a finished job's stream: its warnings and brief, or its error."""
    if job.status == "done":
        if job.result is None:  # a job that delivers its own result (Slack)
            return []
        warnings = job.result.get("warnings") or []
        return [(WARNING, {"message": w}) for w in warnings] + [(BRIEF, job.result)]
    if job.status == "cancelled":
        return [(ERROR, _error("job_cancelled", f"the job {job.id} was cancelled"))]
    code = job.error_code or "job_failed"
    return [(ERROR, _error(code, job.error_message or f"the job {job.id} failed"))]


def last_event_id(header: str | None) -> int:
    """The number in a Last-Event-ID header; 0 (from the start) when there is none."""
    value = (header or "").strip()
    return int(value) if value.isdigit() else 0


async def job_events(
    jobs: JobQueue, job: Job, owner: str, after: int
) -> AsyncIterator[ServerSentEvent]:
    """A job's stored events numbered above `after`, as they are written, then its ending.

    The ending's events are numbered after the job's stored events (a finished job stores no
    more), so they too are skipped by a client that has seen them."""
    seen = after
    while True:
        final = job.status in FINAL  # read before the events: a job stores all before it ends
        total, events = await jobs.events(job.id, seen)
        for seen, stored in events:
            yield _event(stored["type"], stored["data"], seen)
        if final:
            for number, (kind, data) in enumerate(job_ending(job), start=total + 1):
                if number > after:
                    yield _event(kind, data, number)
            return
        await asyncio.sleep(JOB_POLL_S)
        job = await jobs.get(job.id, owner)
