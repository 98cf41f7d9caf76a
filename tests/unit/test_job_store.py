"""The job store's guarantees: leases, take-over, exactly-once completion, poison jobs."""

import time
from pathlib import Path

import pytest

from service.jobs.store import JobStore, NewJob


@pytest.fixture
def store(tmp_path: Path) -> JobStore:
    return JobStore(tmp_path / "jobs.sqlite3", max_attempts=2)


def _submit(store: JobStore, key: str | None = None) -> str:
    job, created = store.submit(
        NewJob(request={"articles": []}, request_hash="h", idempotency_key=key)
    )
    assert created
    return job.id


def test_jobs_are_claimed_oldest_first_and_once(store: JobStore) -> None:
    first, second = _submit(store), _submit(store)
    claimed = [store.claim("w1", 60), store.claim("w2", 60), store.claim("w3", 60)]
    assert [j.id if j else None for j in claimed] == [first, second, None]
    assert [j.lease_owner for j in claimed if j] == ["w1", "w2"]


def test_only_the_current_lease_holder_can_complete_a_job(store: JobStore) -> None:
    job_id = _submit(store)
    assert store.claim("dead-worker", 0.01) is not None
    time.sleep(0.05)  # the lease runs out
    taken = store.claim("w2", 60)
    assert taken is not None and taken.id == job_id and taken.attempts == 2
    assert not store.renew(job_id, "dead-worker", 60)
    assert not store.finish(job_id, "dead-worker", result={"late": True})
    assert store.finish(job_id, "w2", result={"ok": True})
    assert not store.finish(job_id, "w2", result={"twice": True})
    done = store.get(job_id)
    assert done is not None and done.status == "done" and done.result == {"ok": True}


def test_a_job_that_keeps_losing_its_worker_is_failed_not_retried_forever(
    store: JobStore,
) -> None:
    job_id = _submit(store)
    for owner in ("w1", "w2"):
        assert store.claim(owner, 0.01) is not None
        time.sleep(0.05)
    assert store.claim("w3", 60) is None
    job = store.get(job_id)
    assert job is not None and job.status == "failed" and job.error_code == "job_abandoned"
    assert "started 2 times" in (job.error_message or "")


def test_released_jobs_go_back_to_the_queue_without_using_an_attempt(store: JobStore) -> None:
    job_id = _submit(store)
    store.claim("w1", 60)
    store.release(job_id, "w1")
    again = store.claim("w2", 60)
    assert again is not None and again.id == job_id and again.attempts == 1


def test_an_idempotency_key_returns_the_first_job(store: JobStore) -> None:
    job_id = _submit(store, key="k")
    same, created = store.submit(NewJob(request={}, request_hash="other", idempotency_key="k"))
    assert (same.id, created) == (job_id, False)
    assert store.counts() == {"queued": 1}
