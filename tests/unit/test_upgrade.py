"""Upgrading fusebrief over an existing data directory: its job and cache files are migrated in
place, and no job or cached reply is lost. The files are made with the exact SQL the earlier
releases ran (before schemas had versions)."""

import sqlite3
import time
from pathlib import Path

import pytest

from service.cache import SQLiteCache
from service.errors import ConfigError
from service.jobs.model import NewJob
from service.jobs.sqlite_store import SCHEMA, SQLiteJobStore
from tests.conftest import fresh_data_dir

# jobs.sqlite3 as releases before a9aa59c made it (no `kind` column) ...
JOBS_BEFORE_KIND = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY, status TEXT NOT NULL, request TEXT NOT NULL,
    request_hash TEXT NOT NULL, idempotency_key TEXT UNIQUE, callback_url TEXT,
    progress_done INTEGER NOT NULL DEFAULT 0, progress_total INTEGER NOT NULL DEFAULT 0,
    result TEXT, error_code TEXT, error_message TEXT, attempts INTEGER NOT NULL DEFAULT 0,
    lease_owner TEXT, lease_expires REAL, created_at REAL NOT NULL, started_at REAL,
    finished_at REAL
);
CREATE INDEX IF NOT EXISTS jobs_by_status ON jobs (status, created_at);
"""
# ... and as 3d965cb made it (with `kind`, still unversioned).
JOBS_WITH_KIND = JOBS_BEFORE_KIND.replace(
    "id TEXT PRIMARY KEY,", "id TEXT PRIMARY KEY, kind TEXT NOT NULL DEFAULT 'brief',"
)
# ... and as the first versioned release made it (migrations 1 and 2, user_version 2): the
# `kind` column added by ALTER TABLE, idempotency keys unique across all callers.
JOBS_VERSIONED_2 = (
    JOBS_BEFORE_KIND
    + "ALTER TABLE jobs ADD COLUMN kind TEXT NOT NULL DEFAULT 'brief';\n"
    + "PRAGMA user_version = 2;\n"
)
CACHE_BEFORE_VERSIONS = (
    "CREATE TABLE IF NOT EXISTS replies "
    "(key TEXT PRIMARY KEY, value TEXT NOT NULL, created_at REAL NOT NULL)"
)
KEEP_S = 7 * 24 * 3600.0  # a finished job's time to live (its default)
REQUEST = '{"articles": [{"title": "T", "source": "S", "text": "Body."}], "options": {}}'


def _old_data_dir(jobs_sql: str) -> Path:
    data = fresh_data_dir()
    with sqlite3.connect(data / "jobs.sqlite3") as db:
        db.executescript(jobs_sql)
        db.execute(
            "INSERT INTO jobs (id, status, request, request_hash, idempotency_key, created_at) "
            "VALUES ('job-1', 'queued', ?, 'hash-1', 'key-1', ?)",
            (REQUEST, time.time()),
        )
    with sqlite3.connect(data / "cache.sqlite3") as db:
        db.execute(CACHE_BEFORE_VERSIONS)
        db.execute("INSERT INTO replies VALUES ('k', '{\"value\": 6}', 0)")
    return data


@pytest.mark.parametrize(
    "jobs_sql",
    [JOBS_BEFORE_KIND, JOBS_WITH_KIND, JOBS_VERSIONED_2],
    ids=["v1", "v2", "v2-versioned"],
)
async def test_an_earlier_data_dir_is_upgraded_without_losing_a_job_or_a_reply(
    jobs_sql: str,
) -> None:
    data = _old_data_dir(jobs_sql)
    store = SQLiteJobStore(data / "jobs.sqlite3", max_attempts=3, result_ttl_s=KEEP_S)
    job = await store.get("job-1")
    assert job is not None and job.kind == "brief" and job.status == "queued"
    claimed = await store.claim("worker-1", lease_s=30)
    assert claimed is not None and claimed.id == "job-1"
    assert await store.finish("job-1", "worker-1", result={"title": "done"})
    with sqlite3.connect(data / "jobs.sqlite3") as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(SCHEMA.migrations)
    assert await SQLiteCache(data / "cache.sqlite3").get("k") == '{"value": 6}'
    # Opening it again changes nothing.
    again = SQLiteJobStore(data / "jobs.sqlite3", max_attempts=3, result_ttl_s=KEEP_S)
    assert await again.get("job-1") is not None


def test_a_file_from_a_newer_release_is_refused_with_what_to_do() -> None:
    data = fresh_data_dir()
    with sqlite3.connect(data / "jobs.sqlite3") as db:
        db.execute(f"PRAGMA user_version = {len(SCHEMA.migrations) + 1}")
    with pytest.raises(ConfigError, match="newer fusebrief"):
        SQLiteJobStore(data / "jobs.sqlite3", max_attempts=3, result_ttl_s=KEEP_S)


async def test_jobs_of_an_earlier_release_get_an_owner_and_keep_every_row() -> None:
    """Schema 3 (jobs have an owner; idempotency keys are unique per owner) is a table rebuild
    in SQLite: every row and column survives it."""
    data = _old_data_dir(JOBS_VERSIONED_2)
    with sqlite3.connect(data / "jobs.sqlite3") as db:
        db.execute(
            "INSERT INTO jobs (id, kind, status, request, request_hash, idempotency_key, "
            "callback_url, result, attempts, created_at, finished_at) "
            "VALUES ('job-2', 'brief', 'done', ?, 'hash-2', NULL, 'https://a.example/h', "
            '\'{"title": "T"}\', 1, 5.0, 6.0)',
            (REQUEST,),
        )
        db.execute(
            "INSERT INTO jobs (id, kind, status, request, request_hash, created_at) "
            "VALUES ('job-3', 'slack', 'queued', '{}', 'hash-3', 7.0)"
        )
        before = db.execute("SELECT COUNT(*) FROM jobs").fetchone()[0]
    store = SQLiteJobStore(data / "jobs.sqlite3", max_attempts=3, result_ttl_s=KEEP_S)
    with sqlite3.connect(data / "jobs.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM jobs").fetchone()[0] == before == 3
    first, done, slack = [await store.get(i) for i in ("job-1", "job-2", "job-3")]
    assert first is not None and first.owner == "anonymous" and first.idempotency_key == "key-1"
    assert done is not None and done.owner == "anonymous" and done.status == "done"
    assert (done.result, done.callback_url, done.attempts) == (
        {"title": "T"},
        "https://a.example/h",
        1,
    )
    assert (done.created_at, done.finished_at) == (5.0, 6.0)
    assert slack is not None and slack.owner == "slack" and slack.kind == "slack"
    # The old key still answers its owner with the old job; another owner may use it too.
    same, created = await store.submit(
        NewJob(request={}, request_hash="hash-1", idempotency_key="key-1", owner="anonymous")
    )
    assert (same.id, created) == ("job-1", False)
    other, created = await store.submit(
        NewJob(request={}, request_hash="hash-1", idempotency_key="key-1", owner="key:abc")
    )
    assert created and other.id != "job-1"
