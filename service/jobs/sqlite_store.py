"""The embedded job store: one SQLite table (WAL) in FUSEBRIEF_DATA_DIR/jobs.sqlite3.

Workers claim jobs from it with a lease and renew the lease while they work. A job whose worker
died (even by SIGKILL) is claimed again once its lease runs out. Several processes on one machine
may share the file. Each method is one short transaction, run off the event loop.
"""

import asyncio
import functools
import json
import sqlite3
import time
import uuid
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from service.db import Migration, Schema, columns, connect, migrate
from service.jobs.model import Job, NewJob, Status, abandoned_message

P = ParamSpec("P")
R = TypeVar("R")
PRUNE_EVERY_S = 60.0  # how often claiming workers delete the jobs whose results expired


def _in_thread(method: Callable[P, R]) -> Callable[P, Coroutine[Any, Any, R]]:
    @functools.wraps(method)
    async def run(*args: P.args, **kwargs: P.kwargs) -> R:
        return await asyncio.to_thread(method, *args, **kwargs)

    return run


def _baseline(db: sqlite3.Connection) -> int:
    """A jobs file from before versioned schemas: 1 without the `kind` column, 2 with it."""
    present = columns(db, "jobs")
    if not present:
        return 0
    return 2 if "kind" in present else 1


# The jobs table from schema 3 on (the earlier migrations stay as they ran).
_JOB_COLUMNS = """id TEXT PRIMARY KEY,
                    kind TEXT NOT NULL DEFAULT 'brief',
                    owner TEXT NOT NULL,
                    status TEXT NOT NULL,
                    request TEXT NOT NULL,
                    request_hash TEXT NOT NULL,
                    idempotency_key TEXT,
                    callback_url TEXT,
                    progress_done INTEGER NOT NULL DEFAULT 0,
                    progress_total INTEGER NOT NULL DEFAULT 0,
                    result TEXT,
                    error_code TEXT,
                    error_message TEXT,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    lease_owner TEXT,
                    lease_expires REAL,
                    created_at REAL NOT NULL,
                    started_at REAL,
                    finished_at REAL"""
# Every column of schema 2, copied as it is by migration 3.
_COPIED = (
    "id, kind, status, request, request_hash, idempotency_key, callback_url, progress_done, "
    "progress_total, result, error_code, error_message, attempts, lease_owner, lease_expires, "
    "created_at, started_at, finished_at"
)

SCHEMA = Schema(
    migrations=[
        Migration(
            "create the jobs table",
            (
                """CREATE TABLE IF NOT EXISTS jobs (
                    id TEXT PRIMARY KEY,
                    status TEXT NOT NULL,
                    request TEXT NOT NULL,
                    request_hash TEXT NOT NULL,
                    idempotency_key TEXT UNIQUE,
                    callback_url TEXT,
                    progress_done INTEGER NOT NULL DEFAULT 0,
                    progress_total INTEGER NOT NULL DEFAULT 0,
                    result TEXT,
                    error_code TEXT,
                    error_message TEXT,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    lease_owner TEXT,
                    lease_expires REAL,
                    created_at REAL NOT NULL,
                    started_at REAL,
                    finished_at REAL
                )""",
                "CREATE INDEX IF NOT EXISTS jobs_by_status ON jobs (status, created_at)",
            ),
        ),
        Migration(
            "jobs have a kind (brief, slack)",
            ("ALTER TABLE jobs ADD COLUMN kind TEXT NOT NULL DEFAULT 'brief'",),
        ),
        Migration(
            # SQLite cannot change a column's UNIQUE constraint in place: the table is rebuilt
            # (create, copy every row, drop, rename) inside the migration's one transaction.
            # Jobs made before owners existed go to the anonymous caller (Slack's to Slack).
            "jobs have an owner; idempotency keys are unique per owner",
            (
                f"""CREATE TABLE jobs_owned (
                    {_JOB_COLUMNS},
                    UNIQUE (owner, idempotency_key)
                )""",
                f"""INSERT INTO jobs_owned ({_COPIED}, owner)
                    SELECT {_COPIED},
                        CASE kind WHEN 'slack' THEN 'slack' ELSE 'anonymous' END
                    FROM jobs""",
                "DROP TABLE jobs",
                "ALTER TABLE jobs_owned RENAME TO jobs",
                "CREATE INDEX jobs_by_status ON jobs (status, created_at)",
            ),
        ),
        Migration(
            "jobs keep their live events (stages, warnings) for GET /v1/jobs/{id}/events",
            (
                """CREATE TABLE IF NOT EXISTS job_events (
                    job_id TEXT NOT NULL,
                    seq INTEGER NOT NULL,
                    event TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    PRIMARY KEY (job_id, seq)
                )""",
            ),
        ),
        Migration(
            "jobs keep the W3C traceparent of the trace they were queued in",
            ("ALTER TABLE jobs ADD COLUMN traceparent TEXT",),
        ),
    ],
    baseline=_baseline,
)


class SQLiteJobStore:
    """The `JobStore` of the embedded mode, plus `claim` for the polling workers.

    A finished job is kept `result_ttl_s` after it finished, then deleted with its live events
    by the next `claim` (which looks at most every PRUNE_EVERY_S)."""

    def __init__(self, path: Path, *, max_attempts: int, result_ttl_s: float) -> None:
        self.path = path
        self.max_attempts = max_attempts
        self.result_ttl_s = result_ttl_s
        self._pruned_at = float("-inf")  # time.monotonic() of the last prune: never
        migrate(path, SCHEMA)

    # --- submitting and reading -------------------------------------------------------------

    @_in_thread
    def submit(self, new: NewJob) -> tuple[Job, bool]:
        """Insert a queued job; with an idempotency key its owner already used, return that job
        instead."""
        with connect(self.path, write=True) as db:
            if new.idempotency_key is not None:
                row = db.execute(
                    "SELECT * FROM jobs WHERE owner = ? AND idempotency_key = ?",
                    (new.owner, new.idempotency_key),
                ).fetchone()
                if row is not None:
                    return Job.from_fields(row), False
            job_id = uuid.uuid4().hex
            db.execute(
                "INSERT INTO jobs (id, kind, owner, status, request, request_hash, "
                "idempotency_key, callback_url, traceparent, created_at) "
                "VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?)",
                (
                    job_id,
                    new.kind,
                    new.owner,
                    json.dumps(new.request, ensure_ascii=False),
                    new.request_hash,
                    new.idempotency_key,
                    new.callback_url,
                    new.traceparent,
                    time.time(),
                ),
            )
            row = db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return Job.from_fields(row), True

    @_in_thread
    def get(self, job_id: str) -> Job | None:
        with connect(self.path) as db:
            row = db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return Job.from_fields(row) if row else None

    @_in_thread
    def counts(self) -> dict[str, int]:
        with connect(self.path) as db:
            rows = db.execute("SELECT status, COUNT(*) FROM jobs GROUP BY status").fetchall()
        return {str(status): int(count) for status, count in rows}

    # --- the worker's side -------------------------------------------------------------------

    def _prune(self, db: sqlite3.Connection, now: float) -> None:
        """Delete the jobs that finished over `result_ttl_s` before `now`, with their events."""
        expired = (
            "SELECT id FROM jobs WHERE status IN ('done', 'failed', 'cancelled') "
            "AND finished_at < ?"
        )
        cutoff = (now - self.result_ttl_s,)
        db.execute(f"DELETE FROM job_events WHERE job_id IN ({expired})", cutoff)
        db.execute(f"DELETE FROM jobs WHERE id IN ({expired})", cutoff)

    @_in_thread
    def claim(self, owner: str, lease_s: float) -> Job | None:
        """The oldest queued job, or a running one whose lease ran out, now leased to `owner`;
        first, at most every PRUNE_EVERY_S, the jobs whose results expired go.

        A job that has already been attempted `max_attempts` times fails instead of running
        again (a bundle that kills its worker must not kill every worker in turn).
        """
        now = time.time()
        with connect(self.path, write=True) as db:
            if time.monotonic() - self._pruned_at >= PRUNE_EVERY_S:
                self._pruned_at = time.monotonic()
                self._prune(db, now)
            while True:
                row = db.execute(
                    "SELECT * FROM jobs WHERE status = 'queued' "
                    "OR (status = 'running' AND lease_expires < ?) "
                    "ORDER BY created_at LIMIT 1",
                    (now,),
                ).fetchone()
                if row is None:
                    return None
                if row["attempts"] >= self.max_attempts:
                    db.execute(
                        "UPDATE jobs SET status = 'failed', error_code = 'job_abandoned', "
                        "error_message = ?, lease_owner = NULL, finished_at = ? WHERE id = ?",
                        (abandoned_message(row["attempts"]), now, row["id"]),
                    )
                    continue
                db.execute(
                    "UPDATE jobs SET status = 'running', lease_owner = ?, lease_expires = ?, "
                    "attempts = attempts + 1, started_at = COALESCE(started_at, ?) "
                    "WHERE id = ?",
                    (owner, now + lease_s, now, row["id"]),
                )
                claimed = db.execute("SELECT * FROM jobs WHERE id = ?", (row["id"],)).fetchone()
                return Job.from_fields(claimed)

    @_in_thread
    def renew(self, job_id: str, owner: str, lease_s: float) -> bool:
        """Extend the lease; False when the job is no longer ours (cancelled or taken over)."""
        with connect(self.path, write=True) as db:
            cursor = db.execute(
                "UPDATE jobs SET lease_expires = ? "
                "WHERE id = ? AND lease_owner = ? AND status = 'running'",
                (time.time() + lease_s, job_id, owner),
            )
        return cursor.rowcount == 1

    @_in_thread
    def progress(self, job_id: str, owner: str, done: int, total: int) -> None:
        with connect(self.path, write=True) as db:
            db.execute(
                "UPDATE jobs SET progress_done = ?, progress_total = ? "
                "WHERE id = ? AND lease_owner = ? AND status = 'running'",
                (done, total, job_id, owner),
            )

    @_in_thread
    def add_events(self, job_id: str, owner: str, events: Sequence[dict[str, Any]]) -> None:
        """Append live events (numbered 1, 2, … per job) while `owner` holds the running job."""
        if not events:
            return
        now = time.time()
        with connect(self.path, write=True) as db:
            held = db.execute(
                "SELECT 1 FROM jobs WHERE id = ? AND lease_owner = ? AND status = 'running'",
                (job_id, owner),
            ).fetchone()
            if held is None:
                return
            last = db.execute(
                "SELECT COALESCE(MAX(seq), 0) FROM job_events WHERE job_id = ?", (job_id,)
            ).fetchone()[0]
            db.executemany(
                "INSERT INTO job_events (job_id, seq, event, created_at) VALUES (?, ?, ?, ?)",
                [
                    (job_id, last + n, json.dumps(event, ensure_ascii=False), now)
                    for n, event in enumerate(events, start=1)
                ],
            )

    @_in_thread
    def events(self, job_id: str, after: int = 0) -> tuple[int, list[tuple[int, dict[str, Any]]]]:
        """How many live events the job has, and those numbered above `after`, in order."""
        with connect(self.path) as db:
            total = db.execute(
                "SELECT COALESCE(MAX(seq), 0) FROM job_events WHERE job_id = ?", (job_id,)
            ).fetchone()[0]
            rows = db.execute(
                "SELECT seq, event FROM job_events WHERE job_id = ? AND seq > ? ORDER BY seq",
                (job_id, after),
            ).fetchall()
        return int(total), [(int(seq), json.loads(event)) for seq, event in rows]

    @_in_thread
    def finish(
        self,
        job_id: str,
        owner: str,
        *,
        result: dict[str, Any] | None = None,
        error: tuple[str, str] | None = None,
    ) -> bool:
        """Record the outcome if `owner` still holds the job; False means someone else does."""
        status: Status = "failed" if error else "done"
        code, message = error or (None, None)
        with connect(self.path, write=True) as db:
            cursor = db.execute(
                "UPDATE jobs SET status = ?, result = ?, error_code = ?, error_message = ?, "
                "lease_owner = NULL, lease_expires = NULL, finished_at = ? "
                "WHERE id = ? AND lease_owner = ? AND status = 'running'",
                (
                    status,
                    json.dumps(result, ensure_ascii=False) if result is not None else None,
                    code,
                    message,
                    time.time(),
                    job_id,
                    owner,
                ),
            )
        return cursor.rowcount == 1

    @_in_thread
    def release(self, job_id: str, owner: str) -> None:
        """Put a running job back in the queue (graceful shutdown)."""
        with connect(self.path, write=True) as db:
            db.execute(
                "UPDATE jobs SET status = 'queued', lease_owner = NULL, lease_expires = NULL, "
                "attempts = MAX(attempts - 1, 0) "
                "WHERE id = ? AND lease_owner = ? AND status = 'running'",
                (job_id, owner),
            )

    @_in_thread
    def cancel(self, job_id: str) -> Job | None:
        """Cancel a queued or running job (its worker notices at its next lease renewal)."""
        with connect(self.path, write=True) as db:
            db.execute(
                "UPDATE jobs SET status = 'cancelled', lease_owner = NULL, lease_expires = NULL, "
                "finished_at = ? WHERE id = ? AND status IN ('queued', 'running')",
                (time.time(), job_id),
            )
            row = db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return Job.from_fields(row) if row else None
