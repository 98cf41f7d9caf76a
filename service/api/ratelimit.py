"""Per-caller rate limit on briefs: a fixed one-minute window per API key (or client address
without keys), counted with service.ratelimits (in Redis in scale-out mode, so that every API
process shares the count). Only a hash of the key or address is kept."""

import hashlib

from service.errors import RateLimited
from service.ratelimits import Windows

WINDOW_S = 60


class RateLimiter:
    def __init__(self, per_minute: int, redis_url: str | None = None) -> None:
        self.per_minute = per_minute
        self.windows = Windows(redis_url, WINDOW_S)

    async def check(self, caller: str) -> None:
        """Count one brief for `caller`; RateLimited (with Retry-After) once over the limit."""
        if self.per_minute == 0:
            return
        key = "rate:" + hashlib.sha256(caller.encode()).hexdigest()[:16]
        wait = await self.windows.spend(self.per_minute, key)
        if wait:
            retry_after = max(1, round(wait + 0.5))
            raise RateLimited(
                f"more than {self.per_minute} briefs a minute from this caller "
                f"(FUSEBRIEF_RATE_LIMIT_PER_MINUTE); retry in {retry_after} s",
                retry_after,
            )
