"""The model-reply cache: a validated reply is stored under a hash of everything that made it.

The key covers the cache format version, the model, the prompt version and the exact request
(messages, which hold the cleaned article text and the options, and the output schema), so a
repeated article costs no model call and a prompt change never serves stale output. SQLite
under FUSEBRIEF_DATA_DIR by default; Redis in scale-out mode.
"""

import asyncio
import hashlib
import json
import time
from pathlib import Path
from typing import Any, Protocol

from service.config import Settings
from service.db import Migration, Schema, columns, connect, migrate
from service.redis_client import redis_client

CACHE_FORMAT = 1
SCHEMA = Schema(
    migrations=[
        Migration(
            "create the replies table",
            (
                "CREATE TABLE IF NOT EXISTS replies "
                "(key TEXT PRIMARY KEY, value TEXT NOT NULL, created_at REAL NOT NULL)",
            ),
        )
    ],
    baseline=lambda db: 1 if columns(db, "replies") else 0,  # a file from before versions
)


class ReplyCache(Protocol):
    async def get(self, key: str) -> str | None: ...

    async def put(self, key: str, value: str) -> None: ...


def reply_key(model: str, prompt_version: str, request: dict[str, Any]) -> str:
    payload = json.dumps(
        {"format": CACHE_FORMAT, "model": model, "prompts": prompt_version, "request": request},
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


class NoCache:
    """Caching switched off (FUSEBRIEF_CACHE=off)."""

    async def get(self, key: str) -> str | None:
        return None

    async def put(self, key: str, value: str) -> None:
        return None


class SQLiteCache:
    """One table in a WAL-mode SQLite file; safe for several processes on one machine."""

    def __init__(self, path: Path) -> None:
        self.path = path
        migrate(path, SCHEMA)

    def _get(self, key: str) -> str | None:
        with connect(self.path) as db:
            row = db.execute("SELECT value FROM replies WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    def _put(self, key: str, value: str) -> None:
        with connect(self.path, write=True) as db:
            db.execute(
                "INSERT OR REPLACE INTO replies (key, value, created_at) VALUES (?, ?, ?)",
                (key, value, time.time()),
            )

    async def get(self, key: str) -> str | None:
        return await asyncio.to_thread(self._get, key)

    async def put(self, key: str, value: str) -> None:
        await asyncio.to_thread(self._put, key, value)


class RedisCache:
    """Shared by every API and worker process of a scale-out deployment."""

    PREFIX = "fusebrief:reply:"

    def __init__(self, url: str) -> None:
        self.redis = redis_client(url)

    async def get(self, key: str) -> str | None:
        value = await self.redis.get(self.PREFIX + key)
        return value.decode() if value is not None else None

    async def put(self, key: str, value: str) -> None:
        await self.redis.set(self.PREFIX + key, value)


def open_cache(settings: Settings) -> ReplyCache:
    backend = settings.cache_backend
    if backend == "off":
        return NoCache()
    if backend == "redis":
        assert settings.queue_url is not None  # Settings refuses redis without a URL
        return RedisCache(settings.queue_url)
    return SQLiteCache(settings.data_dir / "cache.sqlite3")
