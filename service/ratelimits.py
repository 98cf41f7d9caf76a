"""Fixed-window rate limits on top of the `limits` library, counted per process or in Redis so
that every API and worker process shares them (FUSEBRIEF_QUEUE_URL). Its users: briefs per caller
a minute and failed authentications per client address a minute (service.api.ratelimit), and
model requests and tokens per minute (service.budget)."""

import time

from limits import RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import FixedWindowRateLimiter


def _storage(redis_url: str | None) -> Storage:
    if redis_url is None:
        return MemoryStorage()
    # limits names its asyncio Redis scheme "async+redis"; redis-py is already a dependency.
    return RedisStorage(f"async+{redis_url}", implementation="redispy")


class Windows:
    """Counters that reset every `window_s` seconds, one per key."""

    def __init__(self, redis_url: str | None = None, window_s: int = 60) -> None:
        self.window_s = window_s
        self._limiter = FixedWindowRateLimiter(_storage(redis_url))

    async def used_up(self, limit: int, key: str) -> float:
        """0.0 while `key` has room for one more in the current window; otherwise the seconds
        until the window resets (nothing is counted)."""
        item = RateLimitItemPerSecond(limit, self.window_s)
        if await self._limiter.test(item, key):
            return 0.0
        stats = await self._limiter.get_window_stats(item, key)
        return max(stats.reset_time - time.time(), 0.01)

    async def spend(
        self, limit: int, key: str, cost: int = 1, *, lone_may_exceed: bool = False
    ) -> float:
        """Count `cost` against `limit` for `key` in the current window if it fits and return
        0.0; otherwise count nothing and return the seconds until the window resets. With
        `lone_may_exceed`, a cost over the limit still goes when the window is unused, alone
        (one call larger than a whole window's budget must not wait forever)."""
        item = RateLimitItemPerSecond(limit, self.window_s)
        fits = await self._limiter.test(item, key, cost=cost)
        if fits and await self._limiter.hit(item, key, cost=cost):
            return 0.0
        stats = await self._limiter.get_window_stats(item, key)
        lone = lone_may_exceed and cost > limit and stats.remaining == limit
        if lone and await self._limiter.hit(item, key, cost=limit):  # it fills the window
            return 0.0
        return max(stats.reset_time - time.time(), 0.01)
