"""What a job is, and what every job store (SQLite, Redis) must do with it.

Guarantees every store keeps: a job is run by one lease holder at a time; only the current lease
holder can record progress or complete it (so it never completes twice); a cancelled job is
never completed; a job started `max_attempts` times without finishing is failed.
"""

import hashlib
import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from service.errors import current_code
from service.types import ProgressSink

Status = Literal["queued", "running", "done", "failed", "cancelled"]
# Whose a job is. A REST caller's jobs belong to a hash of its API key ("key:<sha256>", see
# service.api.deps), never the key itself; without API keys every caller is ANONYMOUS. Slack's
# jobs belong to SLACK, and the jobs the service queues for itself (scale-out mode's synchronous
# briefs) to INTERNAL: no API caller is either. Only the owner can read or cancel a job, and
# idempotency keys are unique per owner.
ANONYMOUS = "anonymous"
SLACK = "slack"
INTERNAL = "internal"
# A job's kind names the handler that runs it ("brief", "slack", …): the job system knows no more.
Handler = Callable[[dict[str, Any], ProgressSink], Awaitable[dict[str, Any] | None]]


def abandoned_message(attempts: int) -> str:
    return (
        f"the job was started {attempts} times and its worker stopped each time; "
        "send a smaller bundle or check the server log"
    )


@dataclass(frozen=True)
class NewJob:
    request: dict[str, Any]
    request_hash: str
    idempotency_key: str | None = None
    callback_url: str | None = None
    kind: str = "brief"
    owner: str = ANONYMOUS
    # The W3C traceparent of the trace the job was queued in (the queue sets it); not part of
    # `request_hash`: the same request retried in another trace is the same job.
    traceparent: str | None = None

    @classmethod
    def of(
        cls,
        kind: str,
        request: dict[str, Any],
        *,
        owner: str,
        idempotency_key: str | None = None,
        callback_url: str | None = None,
    ) -> "NewJob":
        """A job to queue for `owner`; its hash tells a retried submission from a different
        one."""
        signature = json.dumps([request, callback_url], sort_keys=True, ensure_ascii=False)
        digest = hashlib.sha256(signature.encode()).hexdigest()
        return cls(request, digest, idempotency_key, callback_url, kind, owner)


@dataclass(frozen=True)
class Job:
    id: str
    kind: str
    owner: str
    status: Status
    request: dict[str, Any]
    request_hash: str
    idempotency_key: str | None
    callback_url: str | None
    progress_done: int
    progress_total: int
    result: dict[str, Any] | None
    error_code: str | None
    error_message: str | None
    attempts: int
    lease_owner: str | None
    created_at: float
    started_at: float | None
    finished_at: float | None
    traceparent: str | None = None  # the trace it was queued in (service.tracing)

    @classmethod
    def from_fields(cls, fields: Mapping[str, Any]) -> "Job":
        """From a SQLite row or a Redis hash (where every value is a string, "" for none)."""

        def text(name: str) -> str | None:
            value = fields[name]
            return str(value) if value not in (None, "") else None

        def optional(name: str) -> str | None:
            """A field a job stored before it existed lacks (sqlite3.Row: IndexError)."""
            try:
                return text(name)
            except (KeyError, IndexError):
                return None

        def number(name: str) -> float | None:
            value = text(name)
            return float(value) if value is not None else None

        def blob(name: str) -> dict[str, Any] | None:
            value = text(name)
            return json.loads(value) if value is not None else None

        return cls(
            id=str(fields["id"]),
            kind=fields["kind"],
            # A Redis job from before owners existed has none: it was an anonymous caller's.
            owner=optional("owner") or ANONYMOUS,
            status=fields["status"],
            request=blob("request") or {},
            request_hash=str(fields["request_hash"]),
            idempotency_key=text("idempotency_key"),
            callback_url=text("callback_url"),
            progress_done=int(fields["progress_done"] or 0),
            progress_total=int(fields["progress_total"] or 0),
            result=blob("result"),
            error_code=text("error_code"),
            error_message=text("error_message"),
            attempts=int(fields["attempts"] or 0),
            lease_owner=text("lease_owner"),
            created_at=float(fields["created_at"]),
            started_at=number("started_at"),
            finished_at=number("finished_at"),
            traceparent=optional("traceparent"),
        )


def job_document(job: Job) -> dict[str, Any]:
    """The job's JSON form, as `GET /v1/jobs/{id}` answers and a webhook delivers it."""

    def when(timestamp: float | None) -> str | None:
        if timestamp is None:
            return None
        return datetime.fromtimestamp(timestamp, UTC).isoformat().replace("+00:00", "Z")

    error = None
    if job.error_code:
        error = {"code": current_code(job.error_code), "message": job.error_message or ""}
    return {
        "id": job.id,
        "status": job.status,
        "progress": {
            "articles_summarised": job.progress_done,
            "articles_total": job.progress_total,
        },
        "attempts": job.attempts,
        "created_at": when(job.created_at),
        "started_at": when(job.started_at),
        "finished_at": when(job.finished_at),
        "brief": job.result,
        "error": error,
    }


class JobStore(Protocol):
    async def submit(self, new: NewJob) -> tuple[Job, bool]:
        """Queue a job; with an idempotency key its owner already used, return that job and
        False instead."""

    async def get(self, job_id: str) -> Job | None:
        """The job, whoever owns it (owners are checked by the queue, service.jobs.queue)."""

    async def cancel(self, job_id: str) -> Job | None:
        """Cancel a queued or running job (its worker notices at its next lease renewal)."""

    async def renew(self, job_id: str, owner: str, lease_s: float) -> bool:
        """Extend the lease; False when the job is no longer ours (cancelled or taken over)."""

    async def progress(self, job_id: str, owner: str, done: int, total: int) -> None: ...

    async def add_events(self, job_id: str, owner: str, events: Sequence[dict[str, Any]]) -> None:
        """Append live events ({"type", "data"}), numbered 1, 2, … per job, while `owner` holds
        the running job (a worker that lost its lease writes nothing)."""

    async def events(
        self, job_id: str, after: int = 0
    ) -> tuple[int, list[tuple[int, dict[str, Any]]]]:
        """How many live events the job has, and those numbered above `after`, in order."""
        ...

    async def finish(
        self,
        job_id: str,
        owner: str,
        *,
        result: dict[str, Any] | None = None,
        error: tuple[str, str] | None = None,
    ) -> bool:
        """Record the outcome if `owner` still holds the job; False means someone else does."""

    async def release(self, job_id: str, owner: str) -> None:
        """Put a running job back in the queue (graceful shutdown), without using an attempt."""
