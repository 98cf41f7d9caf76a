"""Scale-out mode (FUSEBRIEF_QUEUE_URL=redis://…): arq carries job ids from API processes to
`fusebrief worker` processes on any machine; `RedisJobStore` holds the jobs themselves.

Why arq and not Celery: the pipeline is asyncio end to end, and arq runs coroutines natively in
one event loop per worker (Celery would need a sync wrapper and an event loop per task); arq
keeps a job in the queue until it completes (acks-late), so a job of a killed worker is
delivered again, and it re-queues running jobs on SIGTERM.
"""

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from arq import create_pool
from arq.connections import ArqRedis, RedisSettings
from arq.worker import Worker, func

from service.config import Settings
from service.jobs.model import Handler
from service.jobs.redis_store import RedisJobStore
from service.jobs.worker import JobRunner, worker_id

QUEUE_NAME = "fusebrief:queue"
RUN_JOB = "run_job"


def redis_settings(settings: Settings) -> RedisSettings:
    assert settings.queue_url is not None
    return RedisSettings.from_dsn(settings.queue_url)


async def connect_queue(settings: Settings) -> ArqRedis:
    return await create_pool(redis_settings(settings), default_queue_name=QUEUE_NAME)


async def enqueue(pool: ArqRedis, job_id: str) -> None:
    """Hand a stored job to the workers (arq ignores a second enqueue of the same id)."""
    await pool.enqueue_job(RUN_JOB, job_id, _job_id=job_id, _queue_name=QUEUE_NAME)


async def _run_job(ctx: dict[str, Any], job_id: str) -> None:
    runner: JobRunner = ctx["runner"]
    store: RedisJobStore = ctx["store"]
    job = await store.start(job_id, runner.owner)
    if job is not None:  # else cancelled, finished, or given up after too many attempts
        await runner.run(job)


def build_worker(
    settings: Settings,
    handlers: Mapping[str, Handler],
    *,
    starting: Callable[[], Awaitable[None]] | None = None,
    stopping: Callable[[], None] | None = None,
) -> Worker:
    """An arq worker that runs FUSEBRIEF_JOB_WORKERS jobs at a time through `JobRunner` with
    `handlers`; `starting` runs before the first job (the embedded model's start), `stopping`
    after the last."""

    async def startup(ctx: dict[str, Any]) -> None:
        if starting is not None:
            await starting()
        store = RedisJobStore(
            ctx["redis"],
            max_attempts=settings.job_max_attempts,
            result_ttl_s=settings.job_result_ttl_s,
        )
        ctx["store"] = store
        ctx["runner"] = JobRunner(store, handlers, settings, worker_id())

    async def shutdown(ctx: dict[str, Any]) -> None:
        if "runner" in ctx:
            await ctx["runner"].drain()
        if stopping is not None:
            stopping()

    return Worker(
        # One more arq try than our attempts, so the store itself records an abandoned job.
        functions=[
            func(
                _run_job,
                name=RUN_JOB,
                max_tries=settings.job_max_attempts + 1,
                timeout=settings.job_timeout_s + 60,  # the runner's own timeout comes first
            )
        ],
        queue_name=QUEUE_NAME,
        redis_settings=redis_settings(settings),
        on_startup=startup,
        on_shutdown=shutdown,
        max_jobs=settings.job_workers,
        keep_result=0,
        retry_jobs=True,
        handle_signals=True,
        poll_delay=0.2,
    )
