"""The quality benchmark's evaluation set keeps the promises its expectations make.

Every planted fact is stated by its article (and syndicated copies) and by no other article of
the bundle; every conflict side is where it says; every junk line is planted as a line of its
article and appears nowhere else, so finding it in a prompt can only mean a leak.
"""

import json
from pathlib import Path
from typing import Any

import pytest

from bench.metrics import Expectations, contains, normalise, states
from service.briefs import BriefService
from service.config import Settings
from service.llm import LLMClient

EVAL = Path(__file__).resolve().parents[2] / "bench" / "eval"
BUNDLES = sorted(p.name for p in EVAL.iterdir() if (p / "expected.json").exists())
WITH_INJECTION = [
    name
    for name in BUNDLES
    if json.loads((EVAL / name / "expected.json").read_text("utf-8")).get("injection")
]


def _load(name: str) -> tuple[dict[str, str], Expectations]:
    bundle: dict[str, Any] = json.loads((EVAL / name / "bundle.json").read_text("utf-8"))
    settings = Settings(_env_file=None, cache="off")  # type: ignore[call-arg]
    BriefService(settings, LLMClient(settings)).request_from_json(bundle)  # within every limit
    texts = {a["id"]: a["title"] + "\n\n" + a["text"] for a in bundle["articles"]}
    expected = Expectations.model_validate_json((EVAL / name / "expected.json").read_text("utf-8"))
    assert expected.bundle == name
    return texts, expected


def _content_lines(texts: dict[str, str], expected: Expectations) -> list[str]:
    junk = {normalise(j) for j in expected.junk_lines}
    lines = [line for text in texts.values() for line in text.splitlines() if line.strip()]
    return [line for line in lines if normalise(line) not in junk]


def test_the_set_has_what_the_issue_asks_for() -> None:
    assert len(BUNDLES) >= 8
    loaded = [_load(name)[1] for name in BUNDLES]
    assert any(e.duplicates for e in loaded)
    assert any(e.off_topic for e in loaded)
    assert any(e.non_english for e in loaded)
    assert any(e.injection for e in loaded)
    assert all(e.conflicts for e in loaded)
    assert all(e.junk_lines for e in loaded)


@pytest.mark.parametrize("name", BUNDLES)
def test_articles_are_news_sized(name: str) -> None:
    texts, _ = _load(name)
    assert 3 <= len(texts) <= 8
    for article_id, text in texts.items():
        assert 120 <= len(text.split()) <= 400, article_id


@pytest.mark.parametrize("name", BUNDLES)
def test_every_planted_fact_is_in_its_articles_only(name: str) -> None:
    texts, expected = _load(name)
    off_topic = {o.article for o in expected.off_topic}
    for fact in expected.facts:
        for holder in fact.holders:
            assert states(texts[holder], fact.keys), (fact.id, holder)
        for other in texts.keys() - fact.holders:
            assert not states(texts[other], fact.keys), (fact.id, other)
    carriers = {f.article for f in expected.facts}
    assert texts.keys() - off_topic <= carriers, "every on-topic article carries a planted fact"


@pytest.mark.parametrize("name", BUNDLES)
def test_conflict_sides_are_where_they_say(name: str) -> None:
    texts, expected = _load(name)
    for conflict in expected.conflicts:
        for side in conflict.sides:
            for article_id in texts:
                holds = any(contains(texts[article_id], k) for k in side.keys)
                assert holds == (article_id in side.holders), (conflict.quantity, article_id)


@pytest.mark.parametrize("name", BUNDLES)
def test_junk_lines_are_planted_and_distinctive(name: str) -> None:
    texts, expected = _load(name)
    content = [normalise(line) for line in _content_lines(texts, expected)]
    for article_id, lines in expected.junk.items():
        article_lines = {normalise(line) for line in texts[article_id].splitlines()}
        for junk in lines:
            assert normalise(junk) in article_lines, (article_id, junk)
            assert not any(normalise(junk) in line for line in content), junk


@pytest.mark.parametrize("name", WITH_INJECTION)
def test_injection_markers_appear_only_in_the_injection(name: str) -> None:
    texts, expected = _load(name)
    injection = expected.injection
    assert injection is not None
    assert contains(texts[injection.article], injection.text)
    others = [line for line in _content_lines(texts, expected) if injection.text not in line]
    for marker in injection.markers:
        assert not any(contains(line, marker) for line in others), marker
