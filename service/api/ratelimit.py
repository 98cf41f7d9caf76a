"""Per-caller rate limit on briefs, and the throttle on failed authentication: fixed one-minute
windows counted with service.ratelimits (in Redis in scale-out mode, so that every API process
shares the counts). Only a hash of the key or address is kept.

Briefs count per API key (per client address without keys), and only requests that passed
validation count. Failed authentications count per client address; an address over the limit
gets 429 for the rest of the minute, whatever key it sends, so keys cannot be guessed faster."""

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


class AuthFailures:
    """Failed authentications per client address a minute (FUSEBRIEF_AUTH_FAILURES_PER_MINUTE)."""

    def __init__(self, per_minute: int, redis_url: str | None = None) -> None:
        self.per_minute = per_minute
        self.windows = Windows(redis_url, WINDOW_S)

    @staticmethod
    def _key(address: str) -> str:
        return "authfail:" + hashlib.sha256(address.encode()).hexdigest()[:16]

    async def check(self, address: str) -> None:
        """RateLimited (with Retry-After) while `address` is over the limit this minute."""
        wait = await self.windows.used_up(self.per_minute, self._key(address))
        if wait:
            retry_after = max(1, round(wait + 0.5))
            raise RateLimited(
                f"more than {self.per_minute} failed authentications a minute from this "
                f"address (FUSEBRIEF_AUTH_FAILURES_PER_MINUTE); retry in {retry_after} s "
                "with a valid key",
                retry_after,
            )

    async def failed(self, address: str) -> None:
        """Count one failed authentication from `address`."""
        await self.windows.spend(self.per_minute, self._key(address))
