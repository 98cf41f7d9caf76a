"""The job queue as entry points see it: submit (idempotent), look up, cancel, run and wait; and
its lifecycle. Jobs are run by the handler registered for their kind; the queue knows no more.

Embedded mode (default): jobs in FUSEBRIEF_DATA_DIR/jobs.sqlite3, run by workers inside the
service process. Scale-out mode (FUSEBRIEF_QUEUE_URL=redis://…): jobs in Redis, run by
`fusebrief worker` processes; API processes only queue and read.
"""

import asyncio
import time
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import replace
from typing import Any

from arq.connections import ArqRedis
from redis.exceptions import RedisError

from service.config import Settings
from service.errors import (
    FusebriefError,
    IdempotencyConflict,
    InvalidBundle,
    JobNotFound,
    ModelUnavailable,
)
from service.fetch import check_url
from service.jobs.model import INTERNAL, Handler, Job, JobStore, NewJob
from service.jobs.redis_queue import QUEUE_NAME, connect_queue, enqueue
from service.jobs.redis_store import RedisJobStore
from service.jobs.sqlite_store import SQLiteJobStore
from service.jobs.worker import JobRunner, PollingWorkers, worker_id
from service.progress import STAGE
from service.tracing import current_traceparent
from service.types import ProgressEvent, ProgressSink, no_progress

WAIT_POLL_S = 0.25
WAIT_MARGIN_S = 60.0


class JobQueue:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store: JobStore
        self._workers: PollingWorkers | None = None
        self._runner: JobRunner | None = None
        self._pool: ArqRedis | None = None

    async def start(self, handlers: Mapping[str, Handler]) -> None:
        """Open the store; in embedded mode also start the workers that run `handlers`."""
        settings = self.settings
        if settings.queue_url:
            self._pool = await connect_queue(settings)
            self.store = RedisJobStore(
                self._pool,
                max_attempts=settings.job_max_attempts,
                result_ttl_s=settings.job_result_ttl_s,
            )
            return
        store = SQLiteJobStore(
            settings.data_dir / "jobs.sqlite3",
            max_attempts=settings.job_max_attempts,
            result_ttl_s=settings.job_result_ttl_s,
        )
        self.store = store
        self._runner = JobRunner(store, handlers, settings, worker_id())
        self._workers = PollingWorkers(store, self._runner, settings.job_workers)
        self._workers.start()

    async def stop(self) -> None:
        if self._workers is not None:
            await self._workers.stop()
        if self._pool is not None:
            await self._pool.aclose()

    async def submit(self, new: NewJob) -> tuple[Job, bool]:
        """Queue a job, in the trace it is queued in (its worker continues it); the same owner's
        same Idempotency-Key and body return the first job, not a new one."""
        if new.callback_url is not None:
            await self.check_callback(new.callback_url)
        job, created = await self._queue(replace(new, traceparent=current_traceparent()))
        if not created and job.request_hash != new.request_hash:
            raise IdempotencyConflict(
                f"the Idempotency-Key {new.idempotency_key!r} was already used for a different "
                "request; send a new key for a new request"
            )
        return job, created

    async def _queue(self, new: NewJob) -> tuple[Job, bool]:
        job, created = await self.store.submit(new)
        if created and self._pool is not None:
            await enqueue(self._pool, job.id)
        elif created and self._workers is not None:
            self._workers.wake()
        return job, created

    @property
    def remote(self) -> bool:
        """Scale-out mode: briefs run in `fusebrief worker` processes, never in this one."""
        return self._pool is not None

    async def ready(self) -> tuple[bool, str]:
        """Scale-out mode: whether Redis answers (the workers hold the model)."""
        assert self._pool is not None
        try:
            await self._pool.ping()
        except (OSError, RedisError) as error:
            return False, f"the job queue at FUSEBRIEF_QUEUE_URL is unreachable: {error}"
        return True, "the job queue is reachable; workers run the model"

    async def run_and_wait(
        self, kind: str, request: dict[str, Any], progress: ProgressSink = no_progress
    ) -> dict[str, Any]:
        """A job queued like any other and awaited here (scale-out mode's synchronous briefs):
        its stages passed on to `progress` as the worker reports them, then its result, or the
        error it failed with. Cancelled while waiting (the client went away), the job is
        cancelled too."""
        job, _ = await self.submit(NewJob.of(kind, request, owner=INTERNAL))
        deadline = time.monotonic() + self.settings.job_timeout_s + WAIT_MARGIN_S
        seen = 0
        try:
            while True:
                _, events = await self.store.events(job.id, seen)
                for seen, event in events:  # noqa: B007 (seen: the last one passed on)
                    if event.get("type") == STAGE:
                        data = event["data"]
                        progress(
                            ProgressEvent(
                                data["stage"], data["done"], data["total"], data["detail"]
                            )
                        )
                if job.status not in ("queued", "running"):
                    break
                if time.monotonic() > deadline:
                    raise ModelUnavailable(
                        f"no worker finished the job {job.id} in time; check that "
                        "`fusebrief worker` processes are running and reach FUSEBRIEF_QUEUE_URL"
                    )
                await asyncio.sleep(WAIT_POLL_S)
                job = await self.get(job.id, INTERNAL)
        except asyncio.CancelledError:
            with suppress(Exception):
                await asyncio.shield(self.cancel(job.id, INTERNAL))
            raise
        if job.status == "done" and job.result is not None:
            return job.result
        raise FusebriefError.from_code(
            job.error_code or f"job_{job.status}",
            job.error_message or f"the job {job.id} was {job.status}",
        )

    async def events(
        self, job_id: str, after: int = 0
    ) -> tuple[int, list[tuple[int, dict[str, Any]]]]:
        """How many live events the job has stored, and those numbered above `after`."""
        return await self.store.events(job_id, after)

    async def counts(self) -> dict[str, int]:
        """Jobs by status (scale-out: only the queue's length, running jobs included)."""
        if self._workers is not None:
            return await self._workers.store.counts()
        assert self._pool is not None
        return {"queued": await self._pool.zcard(QUEUE_NAME)}

    async def get(self, job_id: str, owner: str) -> Job:
        """`owner`'s job; another owner's job is not found, exactly like a job that does not
        exist (the answer must not tell that the id is taken)."""
        job = await self.store.get(job_id)
        if job is None or job.owner != owner:
            raise JobNotFound(f"no job {job_id!r} here; check the id from the Location header")
        return job

    async def cancel(self, job_id: str, owner: str) -> Job:
        """Cancel `owner`'s job (another owner's is not found)."""
        await self.get(job_id, owner)
        job = await self.store.cancel(job_id)
        if job is None:
            raise JobNotFound(f"no job {job_id!r} here; check the id from the Location header")
        if self._runner is not None:
            self._runner.cancel_local(job_id)
        return job

    async def check_callback(self, url: str) -> None:
        """InvalidBundle unless `url` may receive a job's result (a secret to sign it with, an
        http(s) URL to a public address); `submit` checks it again."""
        if self.settings.webhook_secret is None:
            raise InvalidBundle(
                "callback_url needs a signing secret on the server: the operator must set "
                "FUSEBRIEF_WEBHOOK_SECRET; or leave callback_url out and poll the job"
            )
        await check_url(url, self.settings.webhook_allow_private)
