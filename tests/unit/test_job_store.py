"""What every job store guarantees (SQLite and Redis alike): one lease holder at a time, only it
completes the job and only once, cancelled jobs stay cancelled, poison jobs are failed."""

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

from service.config import Settings
from service.jobs.model import Job, NewJob
from service.jobs.redis_store import EVENTS_SUFFIX, IDEMPOTENCY_PREFIX, PREFIX, RedisJobStore
from service.jobs.sqlite_store import SQLiteJobStore
from service.jobs.worker import JobRunner
from service.types import ProgressEvent

Store = SQLiteJobStore | RedisJobStore
KEEP_S = 3600.0  # a finished job's time to live, where the test is not about it


@pytest.fixture(params=["sqlite", "redis"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    if request.param == "sqlite":
        yield SQLiteJobStore(tmp_path / "jobs.sqlite3", max_attempts=2, result_ttl_s=KEEP_S)
        return
    redis = Redis.from_url(request.getfixturevalue("redis_url"))
    yield RedisJobStore(redis, max_attempts=2, result_ttl_s=KEEP_S)
    await redis.aclose()


async def _submit(store: Store, key: str | None = None) -> str:
    job, created = await store.submit(
        NewJob(request={"a": 1}, request_hash="h", idempotency_key=key)
    )
    assert created and job.status == "queued"
    return job.id


async def _take(store: Store, job_id: str, owner: str, lease_s: float = 60) -> Job | None:
    """How a worker gets a job: SQLite workers claim the oldest; arq delivers an id to start."""
    if isinstance(store, SQLiteJobStore):
        return await store.claim(owner, lease_s)
    return await store.start(job_id, owner)


async def test_a_taken_job_is_running_under_its_owner(store: Store) -> None:
    job_id = await _submit(store)
    job = await _take(store, job_id, "w1")
    assert job is not None and (job.id, job.status, job.lease_owner) == (job_id, "running", "w1")
    assert job.attempts == 1 and job.started_at is not None


async def test_only_the_current_lease_holder_completes_a_job_and_only_once(store: Store) -> None:
    job_id = await _submit(store)
    await _take(store, job_id, "dead-worker", lease_s=0.01)
    await asyncio.sleep(0.05)  # its lease runs out (Redis: arq delivers the job again)
    taken = await _take(store, job_id, "w2")
    assert taken is not None and taken.id == job_id and taken.attempts == 2
    assert not await store.renew(job_id, "dead-worker", 60)
    assert not await store.finish(job_id, "dead-worker", result={"late": True})
    await store.progress(job_id, "dead-worker", 9, 9)
    await store.progress(job_id, "w2", 1, 2)
    assert await store.finish(job_id, "w2", result={"ok": True})
    assert not await store.finish(job_id, "w2", result={"twice": True})
    done = await store.get(job_id)
    assert done is not None and done.status == "done" and done.result == {"ok": True}
    assert (done.progress_done, done.progress_total) == (1, 2)
    assert done.finished_at is not None and done.lease_owner is None


async def test_a_failed_job_keeps_its_error(store: Store) -> None:
    job_id = await _submit(store)
    await _take(store, job_id, "w1")
    assert await store.finish(job_id, "w1", error=("model_unavailable", "start the model"))
    job = await store.get(job_id)
    assert job is not None and job.status == "failed" and job.result is None
    assert (job.error_code, job.error_message) == ("model_unavailable", "start the model")


async def test_a_job_that_keeps_losing_its_worker_is_failed_not_retried_forever(
    store: Store,
) -> None:
    job_id = await _submit(store)
    for owner in ("w1", "w2"):
        assert await _take(store, job_id, owner, lease_s=0.01) is not None
        await asyncio.sleep(0.05)
    assert await _take(store, job_id, "w3") is None
    job = await store.get(job_id)
    assert job is not None and job.status == "failed" and job.error_code == "job_abandoned"
    assert "started 2 times" in (job.error_message or "")


async def test_a_cancelled_job_is_not_taken_renewed_or_completed(store: Store) -> None:
    queued, running = await _submit(store), await _submit(store)
    assert (await _take(store, queued, "w1")) is not None  # SQLite claims the oldest first
    cancelled = await store.cancel(queued)
    assert cancelled is not None and cancelled.status == "cancelled"
    assert not await store.renew(queued, "w1", 60)  # the worker learns it must stop
    assert not await store.finish(queued, "w1", result={"x": 1})
    await store.cancel(running)
    assert await _take(store, running, "w2") is None
    assert (await store.get(running)).status == "cancelled"  # type: ignore[union-attr]


async def test_released_jobs_go_back_to_the_queue_without_using_an_attempt(store: Store) -> None:
    job_id = await _submit(store)
    await _take(store, job_id, "w1")
    await store.release(job_id, "w1")
    assert (await store.get(job_id)).status == "queued"  # type: ignore[union-attr]
    again = await _take(store, job_id, "w2")
    assert again is not None and again.id == job_id and again.attempts == 1


async def test_an_idempotency_key_returns_the_first_job(store: Store) -> None:
    job_id = await _submit(store, key="k")
    same, created = await store.submit(
        NewJob(request={}, request_hash="other", idempotency_key="k")
    )
    assert (same.id, created, same.request_hash) == (job_id, False, "h")


async def test_an_unknown_job_is_none(store: Store) -> None:
    assert await store.get("missing") is None
    assert await store.cancel("missing") is None


async def test_only_the_lease_holder_adds_live_events_numbered_in_order(store: Store) -> None:
    job_id = await _submit(store)
    early = [{"type": "stage", "data": {"stage": "clean"}}]
    await store.add_events(job_id, "w1", early)  # not running yet: nothing is written
    await _take(store, job_id, "w1")
    first = [{"type": "stage", "data": {"n": 1}}, {"type": "stage", "data": {"n": 2}}]
    await store.add_events(job_id, "w1", first)
    await store.add_events(job_id, "intruder", [{"type": "stage", "data": {"n": 99}}])
    await store.add_events(job_id, "w1", [{"type": "warning", "data": {"message": "café"}}])
    total, events = await store.events(job_id)
    assert total == 3 and [n for n, _ in events] == [1, 2, 3]
    assert [e["data"] for _, e in events] == [{"n": 1}, {"n": 2}, {"message": "café"}]
    assert await store.events(job_id, 2) == (3, events[2:])
    assert await store.events(job_id, 7) == (3, [])
    assert await store.finish(job_id, "w1", result={"ok": True})
    await store.add_events(job_id, "w1", [{"type": "stage", "data": {"n": 4}}])  # finished
    assert (await store.events(job_id))[0] == 3
    assert await store.events("no-such-job") == (0, [])


async def test_jobs_and_idempotency_keys_belong_to_their_owner(store: Store) -> None:
    mine, created = await store.submit(
        NewJob(request={}, request_hash="h", idempotency_key="k", owner="key:alice")
    )
    assert created and mine.owner == "key:alice"
    # Another owner's use of the same key is a new job of its own, whatever the body.
    theirs, created = await store.submit(
        NewJob(request={}, request_hash="h", idempotency_key="k", owner="key:bob")
    )
    assert created and theirs.id != mine.id and theirs.owner == "key:bob"
    again, created = await store.submit(
        NewJob(request={}, request_hash="h", idempotency_key="k", owner="key:alice")
    )
    assert (again.id, created) == (mine.id, False)
    stored = await store.get(theirs.id)
    assert stored is not None and stored.owner == "key:bob"


class _SlowEvents(SQLiteJobStore):
    """A SQLite store whose first event write waits until the job has reported its last events
    and ended: the moment a worker used to lose them."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, max_attempts=2, result_ttl_s=KEEP_S)
        self.job_ended = asyncio.Event()
        self.writes = 0

    async def add_events(self, job_id: str, owner: str, events: list[dict[str, Any]]) -> None:
        self.writes += 1
        if self.writes == 1:
            await self.job_ended.wait()
        await super().add_events(job_id, owner, events)


async def test_events_reported_while_a_batch_is_written_are_not_lost(tmp_path: Path) -> None:
    store = _SlowEvents(tmp_path / "jobs.sqlite3")

    async def handler(request: dict[str, Any], report: Any) -> dict[str, Any]:
        report(ProgressEvent("clean", 1, 1))
        await asyncio.sleep(0.05)  # the keeper is now writing the first batch
        for stage in ("map", "check", "title"):
            report(ProgressEvent(stage, 1, 1))
        store.job_ended.set()
        return {"ok": True}

    job_id = await _submit(store)
    job = await _take(store, job_id, "w1")
    assert job is not None
    runner = JobRunner(store, {"brief": handler}, Settings(_env_file=None), "w1")  # type: ignore[call-arg]
    await runner.run(job)
    _, events = await store.events(job_id)
    assert [e["data"]["stage"] for _, e in events] == ["clean", "map", "check", "title"]


STAGE = [{"type": "stage", "data": {"stage": "clean"}}]


async def test_sqlite_a_finished_jobs_events_go_with_its_result(tmp_path: Path) -> None:
    """The jobs that ended over FUSEBRIEF_JOB_RESULT_TTL_S ago go with their live events, at
    the next claim (here another process's first); running and queued jobs stay."""
    path = tmp_path / "jobs.sqlite3"
    store = SQLiteJobStore(path, max_attempts=2, result_ttl_s=1.0)
    done, running = await _submit(store, key="k"), await _submit(store)
    for job_id in (done, running):
        assert await store.claim("w1", 60) is not None
        await store.add_events(job_id, "w1", STAGE)
    assert await store.finish(done, "w1", result={"ok": True})
    cancelled = await _submit(store)
    await store.cancel(cancelled)
    # Before the result expires, a claim leaves the finished jobs alone.
    assert await SQLiteJobStore(path, max_attempts=2, result_ttl_s=1.0).claim("w2", 60) is None
    assert await store.events(done) == (1, [(1, STAGE[0])])
    await asyncio.sleep(1.1)
    assert await SQLiteJobStore(path, max_attempts=2, result_ttl_s=1.0).claim("w3", 60) is None
    assert await store.get(done) is None and await store.get(cancelled) is None
    assert await store.events(done) == (0, [])
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT DISTINCT job_id FROM job_events").fetchall() == [(running,)]
    assert (await store.get(running)).status == "running"  # type: ignore[union-attr]
    # The idempotency key went with its job: the same key makes a new job.
    again, created = await store.submit(NewJob(request={}, request_hash="h", idempotency_key="k"))
    assert created and again.id != done


async def test_redis_a_finished_jobs_events_idempotency_key_and_hash_expire_together(
    redis_url: str,
) -> None:
    """Every way a job ends (done, failed, abandoned, cancelled) gives its hash, its live events
    and its idempotency key the result's time to live; a running job's keys have none."""
    redis = Redis.from_url(redis_url)
    store = RedisJobStore(redis, max_attempts=1, result_ttl_s=1.0)
    done, failed, running = [await _submit(store, key=f"k{n}") for n in range(3)]
    abandoned, cancelled = await _submit(store), await _submit(store)
    for job_id in (done, failed, running):
        assert await store.start(job_id, "w1") is not None
        await store.add_events(job_id, "w1", STAGE)
    assert await store.finish(done, "w1", result={"ok": True})
    assert await store.finish(failed, "w1", error=("model_unavailable", "start it"))
    await store.start(abandoned, "w1")  # its one attempt, whose worker died
    assert await store.start(abandoned, "w2") is None  # failed as abandoned
    await store.cancel(cancelled)

    def keys(job_id: str, key: str | None) -> list[str]:
        found = [PREFIX + job_id, PREFIX + job_id + EVENTS_SUFFIX]
        return found + ([IDEMPOTENCY_PREFIX + json.dumps(["anonymous", key])] if key else [])

    ended = [*keys(done, "k0"), *keys(failed, "k1"), PREFIX + abandoned, PREFIX + cancelled]
    ttls = [await redis.pttl(key) for key in ended]
    assert all(0 < ttl <= 1000 for ttl in ttls), dict(zip(ended, ttls, strict=True))
    assert [await redis.pttl(key) for key in keys(running, "k2")] == [-1, -1, -1]
    await asyncio.sleep(1.1)
    assert not await redis.exists(*ended)
    assert [await store.get(j) for j in (done, failed, abandoned, cancelled)] == [None] * 4
    assert await store.events(done) == (0, [])
    assert await store.events(running) == (1, [(1, STAGE[0])])
    again, created = await store.submit(NewJob(request={}, request_hash="h", idempotency_key="k0"))
    assert created and again.id != done
    await redis.aclose()
