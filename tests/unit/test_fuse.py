"""Fitting the facts to the fuse prompt's budget."""

from service.fuse import (
    FACT_TOKENS_PER_SENTENCE,
    PROMPT_OVERHEAD_TOKENS,
    _fit_facts,
    _output_tokens,
    fact_budget,
)
from service.types import Fact


def _facts(sid: str, n: int) -> list[Fact]:
    return [Fact(f"{sid}.F{i}", sid, "word " * 20) for i in range(1, n + 1)]


def test_the_last_facts_of_the_longest_source_go_first_and_sources_interleave() -> None:
    kept, dropped = _fit_facts([_facts("S1", 6), _facts("S2", 2)], budget=4 * 30)
    assert dropped == 4
    assert [f.fid for f in kept] == ["S1.F1", "S2.F1", "S1.F2", "S2.F2"]


def test_every_source_keeps_its_first_fact() -> None:
    kept, _ = _fit_facts([_facts("S1", 3), _facts("S2", 3)], budget=1)
    assert [f.fid for f in kept] == ["S1.F1", "S2.F1"]


def test_the_fact_budget_grows_with_the_brief_and_stays_inside_the_context() -> None:
    assert fact_budget(128_000, 10) == 10 * FACT_TOKENS_PER_SENTENCE
    assert fact_budget(128_000, 20) == 2 * fact_budget(128_000, 10)
    small = fact_budget(4096, 10)  # a small context binds before the per-sentence cap
    assert 0 < small < 10 * FACT_TOKENS_PER_SENTENCE
    assert small + _output_tokens(10) + PROMPT_OVERHEAD_TOKENS <= 4096
