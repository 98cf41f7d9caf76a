"""SQLite for local state (the reply cache, jobs): WAL-mode connections that are always closed,
and named, numbered schema migrations recorded in `PRAGMA user_version`.

A store lists its migrations in order; opening it applies the ones a file has not had yet, in
one transaction, so upgrading fusebrief over an existing data directory upgrades its files in
place. A file written before schemas were versioned (user_version 0 with tables in it) is first
placed at the version its tables match (`Schema.baseline`).
"""

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from service.errors import ConfigError

BUSY_TIMEOUT_S = 30


@contextmanager
def connect(path: Path, *, write: bool = False) -> Iterator[sqlite3.Connection]:
    """One transaction that commits on success, rolls back on error, and is closed either way.

    `write=True` takes the write lock at the start (BEGIN IMMEDIATE), so a read-then-write
    transaction never fails half-way on another process's lock.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    db.row_factory = sqlite3.Row
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        yield db
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    finally:
        db.close()


@dataclass(frozen=True)
class Migration:
    """One step of a schema: a name that says what it does, and its SQL statements."""

    name: str
    statements: tuple[str, ...]


@dataclass(frozen=True)
class Schema:
    """A file's migrations in order (version n = the first n applied), and for a file made before
    versions existed, the version its tables match."""

    migrations: Sequence[Migration]
    baseline: Callable[[sqlite3.Connection], int]


def columns(db: sqlite3.Connection, table: str) -> set[str]:
    return {str(row[1]) for row in db.execute(f"PRAGMA table_info({table})")}


def migrate(path: Path, schema: Schema) -> int:
    """Bring the file at `path` to the latest version of `schema`; return that version."""
    latest = len(schema.migrations)
    with connect(path, write=True) as db:
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        if version == 0:
            version = schema.baseline(db)
        if version > latest:
            raise ConfigError(
                f"{path} was written by a newer fusebrief (schema version {version}, this one "
                f"knows {latest}); upgrade fusebrief or point FUSEBRIEF_DATA_DIR elsewhere"
            )
        for migration in schema.migrations[version:]:
            for statement in migration.statements:
                db.execute(statement)
        db.execute(f"PRAGMA user_version = {latest}")
    return latest
