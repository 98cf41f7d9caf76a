"""Limits on model traffic, so a burst of briefs stays under a provider's limits instead of
tripping its 429s: requests and tokens per minute for each model (FUSEBRIEF_LLM_RPM / _TPM), and
calls in flight (FUSEBRIEF_LLM_MAX_PARALLEL). Counted per process, or in Redis so that every API
and worker process shares them (FUSEBRIEF_QUEUE_URL)."""

import asyncio
import random
import time
import uuid
from collections.abc import AsyncIterator, Awaitable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol, cast

from redis.asyncio import Redis

from service.config import Settings

WINDOW_S = 60.0


class Budget(Protocol):
    async def spend(self, model: str, tokens: int) -> float:
        """Record one call of `tokens` in the current window if it fits: 0.0; else the seconds
        until the next window (nothing recorded)."""


class MemoryBudget:
    def __init__(self, rpm: int, tpm: int, window_s: float = WINDOW_S) -> None:
        self.rpm, self.tpm, self.window_s = rpm, tpm, window_s
        self._used: dict[tuple[str, int], tuple[int, int]] = {}
        self._lock = asyncio.Lock()

    async def spend(self, model: str, tokens: int) -> float:
        now = time.time()
        window = int(now // self.window_s)
        async with self._lock:
            for old in [key for key in self._used if key[1] < window]:
                del self._used[old]
            calls, used = self._used.get((model, window), (0, 0))
            if _over(self.rpm, calls + 1) or (calls and _over(self.tpm, used + tokens)):
                return (window + 1) * self.window_s - now
            self._used[(model, window)] = (calls + 1, used + tokens)
        return 0.0


# KEYS[1] calls, KEYS[2] tokens; ARGV: rpm, tpm, tokens, ttl. 1 = spent, 0 = over the budget.
_SPEND = """
local calls = tonumber(redis.call('GET', KEYS[1]) or '0')
local used = tonumber(redis.call('GET', KEYS[2]) or '0')
local rpm, tpm, tokens = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
if rpm > 0 and calls + 1 > rpm then return 0 end
if tpm > 0 and calls > 0 and used + tokens > tpm then return 0 end
redis.call('INCR', KEYS[1])
redis.call('INCRBY', KEYS[2], tokens)
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[4])
return 1
"""


class RedisBudget:
    def __init__(self, url: str, rpm: int, tpm: int, window_s: float = WINDOW_S) -> None:
        self.redis = Redis.from_url(url)
        self.rpm, self.tpm, self.window_s = rpm, tpm, window_s
        self._spend = self.redis.register_script(_SPEND)

    async def spend(self, model: str, tokens: int) -> float:
        now = time.time()
        window = int(now // self.window_s)
        prefix = f"fusebrief:budget:{model}:{window}"
        args = [self.rpm, self.tpm, tokens, int(self.window_s * 2) + 1]
        spent = await cast(
            Awaitable[int], self._spend(keys=[prefix + ":calls", prefix + ":tokens"], args=args)
        )
        return 0.0 if spent else (window + 1) * self.window_s - now


def _over(limit: int, value: int) -> bool:
    return limit > 0 and value > limit


def open_budget(settings: Settings) -> Budget | None:
    """FUSEBRIEF_LLM_RPM / _TPM, shared through Redis in scale-out mode; None when both are 0."""
    if not (settings.llm_rpm or settings.llm_tpm):
        return None
    if settings.queue_url:
        return RedisBudget(settings.queue_url, settings.llm_rpm, settings.llm_tpm)
    return MemoryBudget(settings.llm_rpm, settings.llm_tpm)


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
        self.redis = Redis.from_url(url)
        self.limit, self.lease_ms = limit, int(lease_s * 1000)
        self._take = self.redis.register_script(_TAKE)

    @asynccontextmanager
    async def hold(self) -> AsyncIterator[None]:
        holder = uuid.uuid4().hex
        args = [self.limit, self.lease_ms, holder]
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
