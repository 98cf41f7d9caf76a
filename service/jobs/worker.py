"""Running one job: keep its lease alive, run it through the handler registered for its kind,
record the outcome.

Every job ends `done`, `failed` (with the error a client can act on) or `cancelled`; none is left
`running`: if this process dies, the lease runs out and another worker takes the job over. On
graceful shutdown a running job is handed back to the queue. `PollingWorkers` drive the runner
from the SQLite store; in Redis mode arq drives it (see `redis_queue`).
"""

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Mapping
from contextlib import suppress
from typing import Any

from service.config import Settings
from service.errors import FusebriefError
from service.jobs.model import Handler, Job, JobStore, job_document
from service.jobs.sqlite_store import SQLiteJobStore
from service.jobs.webhook import deliver
from service.progress import STAGE, WARNING, StageClock
from service.tracing import job_span
from service.types import ProgressEvent

log = logging.getLogger("fusebrief.jobs")
POLL_S = 1.0  # how often an idle worker looks for jobs other processes queued


async def _wait(event: asyncio.Event, timeout: float) -> None:
    """Until `event` is set or `timeout` passes; then clear it."""
    with suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), timeout)
    event.clear()


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class _Progress:
    """Articles mapped so far, and the live events not yet stored; the lease keeper writes them
    when they change, and once more when the job ends (`close`)."""

    def __init__(self) -> None:
        self.latest: tuple[int, int] | None = None
        self.pending: list[dict[str, Any]] = []
        self.closed = False
        self._clock = StageClock()
        self._changed = asyncio.Event()

    def report(self, event: ProgressEvent) -> None:
        if event.stage == "map":
            self.latest = (event.done, event.total)
        self.pending.append({"type": STAGE, "data": self._clock.stage(event)})
        self._changed.set()

    def warn(self, message: str) -> None:
        self.pending.append({"type": WARNING, "data": {"message": message}})
        self._changed.set()

    def close(self) -> None:
        self.closed = True
        self._changed.set()

    async def wait(self, timeout: float) -> None:
        await _wait(self._changed, timeout)


class JobRunner:
    """Runs jobs with the handler registered for their kind (`handlers`: kind → handler)."""

    def __init__(
        self, store: JobStore, handlers: Mapping[str, Handler], settings: Settings, owner: str
    ) -> None:
        self.store = store
        self.handlers = handlers
        self.settings = settings
        self.owner = owner
        self._running: dict[str, asyncio.Task[dict[str, Any] | None]] = {}
        self._deliveries: set[asyncio.Task[bool]] = set()

    def cancel_local(self, job_id: str) -> None:
        """Stop a job this process is running (the store already says `cancelled`)."""
        if (work := self._running.get(job_id)) is not None:
            work.cancel()

    async def drain(self) -> None:
        """Let webhook deliveries in flight finish (bounded) before the process exits."""
        if self._deliveries:
            await asyncio.wait(self._deliveries, timeout=self.settings.fetch_timeout_s)

    async def run(self, job: Job) -> None:
        log.info("job %s: started (attempt %d)", job.id, job.attempts)
        progress = _Progress()
        if job.attempts > 1:
            progress.warn(
                f"the job's worker stopped before it finished; started again (attempt "
                f"{job.attempts} of {self.settings.job_max_attempts})"
            )
        work = asyncio.create_task(self._execute(job, progress))
        self._running[job.id] = work
        keeper = asyncio.create_task(self._keep_lease(job.id, work, progress))
        timeout = self.settings.job_timeout_s
        try:
            outcome: dict[str, Any] = {"result": await asyncio.wait_for(work, timeout)}
        except TimeoutError:
            message = (
                f"the brief took longer than {timeout:g} s (FUSEBRIEF_JOB_TIMEOUT_S); "
                "send fewer or shorter articles, or use a faster model"
            )
            outcome = {"error": ("job_timeout", message)}
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():  # shutting down: hand it back
                work.cancel()
                await self.store.release(job.id, self.owner)
                log.info("job %s: handed back to the queue", job.id)
                raise
            log.info("job %s: cancelled", job.id)
            return
        except FusebriefError as error:
            outcome = {"error": (error.code, error.message)}
        except Exception as error:
            log.exception("job %s: unexpected error", job.id)
            outcome = {"error": ("internal_error", f"the brief failed unexpectedly: {error}")}
        finally:
            # The keeper writes what is left and stops; it is never cancelled mid-write, so no
            # event is written twice or out of order.
            progress.close()
            await asyncio.gather(keeper, return_exceptions=True)
            self._running.pop(job.id, None)
        if progress.latest is not None:  # the keeper may not have written the last step
            await self.store.progress(job.id, self.owner, *progress.latest)
        if await self.store.finish(job.id, self.owner, **outcome):
            log.info("job %s: %s", job.id, "failed" if "error" in outcome else "done")
            await self._notify(job.id)
        else:
            log.warning("job %s: lost its lease before finishing; result discarded", job.id)

    async def _execute(self, job: Job, progress: _Progress) -> dict[str, Any] | None:
        """The handler's result (a brief's JSON; None for a job that delivers its own), under
        the job's span in the trace it was queued in."""
        with job_span(job.kind, job.attempts, job.traceparent):
            handler = self.handlers.get(job.kind)
            if handler is None:
                raise FusebriefError.from_code(
                    "job_kind_unknown",
                    f"this worker runs no {job.kind!r} jobs; run a fusebrief of the same release",
                )
            return await handler(job.request, progress.report)

    async def _keep_lease(self, job_id: str, work: asyncio.Task[Any], progress: _Progress) -> None:
        """Renew the lease (and write progress and live events) until the job ends; stop it if
        it was taken."""
        while True:
            if progress.latest is not None:
                await self.store.progress(job_id, self.owner, *progress.latest)
            while progress.pending:  # events reported while a batch is written go next
                batch = progress.pending[:]
                await self.store.add_events(job_id, self.owner, batch)
                del progress.pending[: len(batch)]
            if progress.closed:  # nothing pending: no await since the loop above emptied it
                return
            if not await self.store.renew(job_id, self.owner, self.settings.job_lease_s):
                work.cancel()  # cancelled by the client, or another worker took over
                return
            await progress.wait(self.settings.job_lease_s / 3)

    async def _notify(self, job_id: str) -> None:
        job = await self.store.get(job_id)
        if job is None or job.callback_url is None:
            return
        payload = job_document(job)
        delivery = asyncio.create_task(deliver(job.callback_url, payload, self.settings))
        self._deliveries.add(delivery)
        delivery.add_done_callback(self._deliveries.discard)


class PollingWorkers:
    """The embedded mode's workers: tasks in the service process that claim from SQLite."""

    def __init__(self, store: SQLiteJobStore, runner: JobRunner, count: int) -> None:
        self.store = store
        self.runner = runner
        self.count = count
        self._wake = asyncio.Event()
        self._loops: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self._loops = [
            asyncio.create_task(self._loop(), name=f"job-worker-{n}") for n in range(self.count)
        ]

    def wake(self) -> None:
        """A job was queued: an idle worker should look now, not at its next poll."""
        self._wake.set()

    async def stop(self) -> None:
        """Hand running jobs back to the queue and stop."""
        for loop in self._loops:
            loop.cancel()
        await asyncio.gather(*self._loops, return_exceptions=True)
        await self.runner.drain()

    async def _loop(self) -> None:
        lease_s = self.runner.settings.job_lease_s
        while True:
            job = await self.store.claim(self.runner.owner, lease_s)
            if job is None:
                await _wait(self._wake, POLL_S)
                continue
            await self.runner.run(job)
