"""Requests and tokens per minute per model: calls over the budget wait for the next window;
the Redis budget is one budget for every process."""

import time

import pytest

from service.budget import MemoryBudget, RedisBudget, wait_for_budget

WINDOW_S = 0.5  # a short "minute" keeps the test fast


async def test_calls_over_the_requests_budget_wait_for_the_next_window() -> None:
    budget = MemoryBudget(rpm=2, tpm=0, window_s=WINDOW_S)
    assert await budget.spend("m", 10) == 0.0
    assert await budget.spend("m", 10) == 0.0
    wait = await budget.spend("m", 10)
    assert 0 < wait <= WINDOW_S
    assert await budget.spend("other-model", 10) == 0.0  # each model has its own budget


async def test_the_tokens_budget_counts_tokens_but_a_lone_large_call_still_goes() -> None:
    budget = MemoryBudget(rpm=0, tpm=100, window_s=WINDOW_S)
    assert await budget.spend("m", 80) == 0.0
    assert await budget.spend("m", 30) > 0  # 110 tokens would exceed 100
    assert await budget.spend("m", 20) == 0.0
    fresh = MemoryBudget(rpm=0, tpm=100, window_s=WINDOW_S)
    assert await fresh.spend("m", 500) == 0.0  # alone in its window: never stuck forever


async def test_waiting_spreads_a_burst_over_windows() -> None:
    budget = MemoryBudget(rpm=2, tpm=0, window_s=WINDOW_S)
    started = time.monotonic()
    for _ in range(5):
        await wait_for_budget(budget, "m", 1)
    elapsed = time.monotonic() - started
    # Five calls need three windows: the rest of this one, one whole one, the start of a third.
    assert WINDOW_S - 0.05 <= elapsed < WINDOW_S * 2 + 0.2


@pytest.fixture
def redis_budgets(redis_url: str) -> tuple[RedisBudget, RedisBudget]:
    return (
        RedisBudget(redis_url, rpm=3, tpm=0, window_s=2),
        RedisBudget(redis_url, rpm=3, tpm=0, window_s=2),
    )


async def test_two_processes_share_one_redis_budget(
    redis_budgets: tuple[RedisBudget, RedisBudget],
) -> None:
    first, second = redis_budgets
    while time.time() % 2 > 1.5:  # not at the very end of a window
        time.sleep(0.05)
    spent = [await first.spend("m", 1), await second.spend("m", 1), await first.spend("m", 1)]
    assert spent == [0.0, 0.0, 0.0]
    assert await second.spend("m", 1) > 0
