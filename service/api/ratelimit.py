"""Per-caller rate limit on briefs: a fixed one-minute window per API key (or client address
without keys), in memory, or in Redis so that every API process shares the count."""

import hashlib
import time
from collections.abc import Awaitable
from typing import Protocol, cast

from redis.asyncio import Redis

from service.errors import RateLimited

WINDOW_S = 60


class Counter(Protocol):
    async def count(self, key: str, window: int) -> int:
        """Add one hit to `key` in `window` and return the hits so far."""


class MemoryCounter:
    def __init__(self) -> None:
        self._hits: dict[tuple[str, int], int] = {}

    async def count(self, key: str, window: int) -> int:
        for old in [k for k in self._hits if k[1] < window]:
            del self._hits[old]
        self._hits[(key, window)] = self._hits.get((key, window), 0) + 1
        return self._hits[(key, window)]


class RedisCounter:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def count(self, key: str, window: int) -> int:
        name = f"fusebrief:rate:{key}:{window}"
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, WINDOW_S * 2)
            hits, _ = await cast(Awaitable[list[int]], pipe.execute())
        return int(hits)


class RateLimiter:
    def __init__(self, per_minute: int, counter: Counter) -> None:
        self.per_minute = per_minute
        self.counter = counter

    async def check(self, caller: str) -> None:
        """Count one brief for `caller` (a key or address; only its hash is kept)."""
        if self.per_minute == 0:
            return
        now = time.time()
        window = int(now // WINDOW_S)
        key = hashlib.sha256(caller.encode()).hexdigest()[:16]
        if await self.counter.count(key, window) > self.per_minute:
            retry_after = max(1, int((window + 1) * WINDOW_S - now) + 1)
            raise RateLimited(
                f"more than {self.per_minute} briefs a minute from this caller "
                f"(FUSEBRIEF_RATE_LIMIT_PER_MINUTE); retry in {retry_after} s",
                retry_after,
            )
