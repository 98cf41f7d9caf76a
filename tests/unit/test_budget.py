"""Requests and tokens per minute per model: calls over the budget wait for the next window;
the Redis budget is one budget for every process. Calls in flight: at most the limit, in one
process or (Redis) across all of them, and a dead holder's slot comes back."""

import asyncio
import time

from service.budget import Budget, MemorySlots, RedisSlots, Slots, wait_for_budget
from service.ratelimits import Windows

WINDOW_S = 1  # a short "minute" keeps the test fast


def _budget(rpm: int, tpm: int, redis_url: str | None = None, window_s: int = WINDOW_S) -> Budget:
    return Budget(Windows(redis_url, window_s), rpm, tpm)


async def test_calls_over_the_requests_budget_wait_for_the_next_window() -> None:
    budget = _budget(rpm=2, tpm=0)
    assert await budget.spend("m", 10) == 0.0
    assert await budget.spend("m", 10) == 0.0
    wait = await budget.spend("m", 10)
    assert 0 < wait <= WINDOW_S
    assert await budget.spend("other-model", 10) == 0.0  # each model has its own budget


async def test_the_tokens_budget_counts_tokens_but_a_lone_large_call_still_goes() -> None:
    budget = _budget(rpm=0, tpm=100)
    assert await budget.spend("m", 80) == 0.0
    assert await budget.spend("m", 30) > 0  # 110 tokens would exceed 100
    assert await budget.spend("m", 20) == 0.0
    fresh = _budget(rpm=0, tpm=100)
    assert await fresh.spend("m", 500) == 0.0  # alone in its window: never stuck forever


async def test_waiting_spreads_a_burst_over_windows() -> None:
    budget = _budget(rpm=2, tpm=0)
    started = time.monotonic()
    for _ in range(5):
        await wait_for_budget(budget, "m", 1)
    elapsed = time.monotonic() - started
    # Five calls need three windows: this one, one whole one, the start of a third.
    assert WINDOW_S * 2 - 0.05 <= elapsed < WINDOW_S * 2 + 0.5


async def test_two_processes_share_one_redis_budget(redis_url: str) -> None:
    # Two budgets with their own connections stand for two processes sharing the queue URL.
    first, second = _budget(3, 0, redis_url, window_s=5), _budget(3, 0, redis_url, window_s=5)
    spent = [await first.spend("m", 1), await second.spend("m", 1), await first.spend("m", 1)]
    assert spent == [0.0, 0.0, 0.0]
    assert await second.spend("m", 1) > 0


async def _most_in_flight(pools: list[Slots], calls: int) -> int:
    """Run `calls` short calls spread over `pools`; the most that were ever in flight at once."""
    in_flight = most = 0

    async def call(pool: Slots) -> None:
        nonlocal in_flight, most
        async with pool.hold():
            in_flight += 1
            most = max(most, in_flight)
            await asyncio.sleep(0.02)
            in_flight -= 1

    await asyncio.gather(*(call(pools[i % len(pools)]) for i in range(calls)))
    return most


async def test_memory_slots_cap_calls_in_flight() -> None:
    assert await _most_in_flight([MemorySlots(3)], 12) == 3


async def test_redis_slots_are_one_limit_for_every_process(redis_url: str) -> None:
    # Two pools with their own connections stand for two processes sharing FUSEBRIEF_QUEUE_URL.
    pools: list[Slots] = [
        RedisSlots(redis_url, 3, lease_s=30),
        RedisSlots(redis_url, 3, lease_s=30),
    ]
    assert await _most_in_flight(pools, 12) == 3


async def test_a_slot_held_by_a_dead_process_comes_back_when_its_lease_ends(redis_url: str) -> None:
    dead = RedisSlots(redis_url, 1, lease_s=0.3)
    holding = dead.hold()
    await holding.__aenter__()  # taken and never released: the process "died"
    alive = RedisSlots(redis_url, 1, lease_s=30)
    started = time.monotonic()
    async with alive.hold():
        waited = time.monotonic() - started
    assert 0.2 <= waited < 3
