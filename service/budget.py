"""Limits on model traffic, so a burst of briefs stays under a provider's limits instead of
tripping its 429s: requests and tokens per minute for each model (FUSEBRIEF_LLM_RPM / _TPM), and
calls in flight (FUSEBRIEF_LLM_MAX_PARALLEL). Counted per process, or in Redis so that every API
and worker process shares them (FUSEBRIEF_QUEUE_URL)."""

import asyncio
import random
import uuid
from collections.abc import AsyncIterator, Awaitable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol, cast

from service.config import Settings
from service.ratelimits import Windows
from service.redis_client import redis_client

WINDOW_S = 60


class Budget:
    """FUSEBRIEF_LLM_RPM requests and FUSEBRIEF_LLM_TPM tokens a minute for each model."""

    def __init__(self, windows: Windows, rpm: int, tpm: int) -> None:
        self.windows, self.rpm, self.tpm = windows, rpm, tpm

    async def spend(self, model: str, tokens: int) -> float:
        """Record one call of `tokens` if both budgets have room: 0.0; else the seconds until
        the window resets. (The two counts are checked one after the other, so processes racing
        at a window's edge may pass a budget by a call.)"""
        if self.tpm:
            wait = await self.windows.spend(
                self.tpm, f"tpm:{model}", max(tokens, 1), lone_may_exceed=True
            )
            if wait:
                return wait
        if self.rpm:
            return await self.windows.spend(self.rpm, f"rpm:{model}")
        return 0.0


def open_budget(settings: Settings) -> Budget | None:
    """FUSEBRIEF_LLM_RPM / _TPM, shared through Redis in scale-out mode; None when both are 0."""
    if not (settings.llm_rpm or settings.llm_tpm):
        return None
    return Budget(Windows(settings.queue_url, WINDOW_S), settings.llm_rpm, settings.llm_tpm)


async def wait_for_budget(budget: Budget, model: str, tokens: int) -> None:
    """Wait until the model's budget has room for this call (a call alone over the token budget
    still goes, alone in its window)."""
    while (wait := await budget.spend(model, tokens)) > 0:
        await asyncio.sleep(wait)


class Slots(Protocol):
    def hold(self) -> AbstractAsyncContextManager[None]:
        """Wait for one of the FUSEBRIEF_LLM_MAX_PARALLEL call slots, and hold it."""


class MemorySlots:
    def __init__(self, limit: int) -> None:
        self._semaphore = asyncio.Semaphore(limit)

    @asynccontextmanager
    async def hold(self) -> AsyncIterator[None]:
        async with self._semaphore:
            yield


# KEYS[1] the holders (a sorted set scored by lease expiry, in Redis's own clock, ms);
# ARGV: limit, lease ms, holder. 1 = held, 0 = all slots taken. Expired leases (a process that
# died holding a slot) are reclaimed first.
_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return 1
"""
_SLOTS_KEY = "fusebrief:llm:slots"
_POLL_S = (0.02, 0.2)  # a waiting caller looks again after a random pause in this range


class RedisSlots:
    """One pool of slots for every process. A slot is a lease: a process killed while holding one
    gives it back when the lease (the call's timeout plus a margin) runs out."""

    def __init__(self, url: str, limit: int, lease_s: float) -> None:
        self.redis = redis_client(url)
        self.limit, self.lease_ms = limit, int(lease_s * 1000)
        self._take = self.redis.register_script(_TAKE)

    @asynccontextmanager
    async def hold(self) -> AsyncIterator[None]:
        holder = uuid.uuid4().hex
        args: list[int | str] = [self.limit, self.lease_ms, holder]
        while not await cast(Awaitable[int], self._take(keys=[_SLOTS_KEY], args=args)):
            await asyncio.sleep(random.uniform(*_POLL_S))
        try:
            yield
        finally:
            await self.redis.zrem(_SLOTS_KEY, holder)


def open_slots(settings: Settings) -> Slots:
    """FUSEBRIEF_LLM_MAX_PARALLEL slots: per process, or shared through Redis in scale-out mode."""
    if settings.queue_url:
        lease_s = settings.llm_timeout_s + 60.0
        return RedisSlots(settings.queue_url, settings.llm_max_parallel, lease_s)
    return MemorySlots(settings.llm_max_parallel)
