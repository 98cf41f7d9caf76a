"""The quality benchmark's bundle sets keep the promises their expectations make.

Four sets, one format. Development: `bench/eval/` (written alongside the rules), `bench/dev2/`
and `bench/test/` (written by someone who never read the pipeline's code; `test` was the blind
set until its briefs were read). Blind: `bench/blind/` (written by someone who never read the
pipeline's code or the other sets).

Every planted fact is stated by its article (and syndicated copies) and by no other article of
the bundle; every conflict side is where it says; every junk line is planted as a line of its
article and appears nowhere else, so finding it in a prompt can only mean a leak; an opinion
or another event's fact can only reach a brief from the article it is annotated in.
"""

import json
import re
import statistics
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bench.metrics import Expectations, contains, normalise, score_brief, states
from service.briefs import BriefService
from service.config import Settings
from service.llm import LLMClient

BENCH = Path(__file__).resolve().parents[2] / "bench"
EVAL = BENCH / "eval"


def _bundles(folder: Path) -> list[str]:
    """The set's bundles as `set/name`."""
    if not folder.is_dir():
        return []
    found = (p for p in sorted(folder.iterdir()) if (p / "expected.json").exists())
    return [f"{folder.name}/{p.name}" for p in found]


DEVELOPMENT = _bundles(EVAL) + _bundles(BENCH / "dev2") + _bundles(BENCH / "test")
BLIND = _bundles(BENCH / "blind")
BUNDLES = DEVELOPMENT + BLIND
WITH_INJECTION = [
    name
    for name in BUNDLES
    if json.loads((BENCH / name / "expected.json").read_text("utf-8")).get("injection")
]


def _load(name: str) -> tuple[dict[str, str], Expectations]:
    bundle: dict[str, Any] = json.loads((BENCH / name / "bundle.json").read_text("utf-8"))
    settings = Settings(_env_file=None, cache="off")  # type: ignore[call-arg]
    BriefService(settings, LLMClient(settings)).request_from_json(bundle)  # within every limit
    texts = {a["id"]: a["title"] + "\n\n" + a["text"] for a in bundle["articles"]}
    expected = Expectations.model_validate_json((BENCH / name / "expected.json").read_text("utf-8"))
    assert expected.bundle == name.split("/")[1]
    return texts, expected


def _content_lines(texts: dict[str, str], expected: Expectations) -> list[str]:
    junk = {normalise(j) for j in expected.junk_lines}
    lines = [line for text in texts.values() for line in text.splitlines() if line.strip()]
    return [line for line in lines if normalise(line) not in junk]


def test_the_set_has_what_the_issue_asks_for() -> None:
    assert len(_bundles(EVAL)) >= 12
    loaded = [_load(name) for name in _bundles(EVAL)]
    expectations = [e for _, e in loaded]
    assert any(e.duplicates for e in expectations)
    assert any(e.off_topic for e in expectations)
    assert any(e.non_english for e in expectations)
    assert any(e.injection for e in expectations)
    assert all(e.conflicts for e in expectations)
    assert all(e.junk_lines for e in expectations)
    # issue 14: another event under the same names, an opinion column, disagreements that are
    # not about a number, pairs of figures that must not be called a disagreement, and a bundle
    # of 10+ articles that is mostly one wire story
    assert any(e.other_events for e in expectations)
    assert any(e.opinions for e in expectations)
    assert {"who", "when"} <= {c.kind for e in expectations for c in e.conflicts}
    assert sum(len(e.non_conflicts) for e in expectations) >= 2
    assert any(
        len(texts) >= 10
        and len(e.duplicates) > len(texts) / 2
        and len({d.original for d in e.duplicates}) == 1
        for texts, e in loaded
    )


@pytest.mark.parametrize("name", BUNDLES)
def test_articles_are_news_sized(name: str) -> None:
    texts, _ = _load(name)
    assert 3 <= len(texts) <= 12
    for article_id, text in texts.items():
        assert 120 <= len(text.split()) <= 400, article_id


@pytest.mark.parametrize("name", BUNDLES)
def test_every_planted_fact_is_in_its_articles_only(name: str) -> None:
    texts, expected = _load(name)
    off_topic = {o.article for o in [*expected.off_topic, *expected.other_events]}
    for fact in expected.facts:
        for holder in fact.holders:
            assert states(texts[holder], fact.keys), (fact.id, holder)
        for other in texts.keys() - fact.holders:
            assert not states(texts[other], fact.keys), (fact.id, other)
    carriers = {f.article for f in expected.facts}
    copies = {d.article for d in expected.duplicates}  # a syndicated copy may add nothing
    assert texts.keys() - off_topic - copies <= carriers, "every article carries a planted fact"
    assert not off_topic & (carriers | {h for f in expected.facts for h in f.holders})


@pytest.mark.parametrize("name", BUNDLES)
def test_conflict_sides_are_where_they_say(name: str) -> None:
    """A figure is given by its side's articles only. A name or a day may occur anywhere (the
    mayor is named in every report): there the side's claims, phrases that assert it, are
    found in its articles only, and each of its articles names a value."""
    texts, expected = _load(name)
    for conflict in [*expected.conflicts, *expected.non_conflicts]:
        assert all(side.claims for side in conflict.sides) or conflict.kind == "number"
        holders = [side.holders for side in conflict.sides]
        assert not set.intersection(*holders), conflict.quantity
        for side in conflict.sides:
            for article_id in texts:
                where = (conflict.quantity, article_id)
                holds = any(contains(texts[article_id], k) for k in side.keys)
                if side.claims:
                    claimed = any(contains(texts[article_id], c) for c in side.claims)
                    assert claimed == (article_id in side.holders), where
                    assert holds or article_id not in side.holders, where
                else:
                    assert holds == (article_id in side.holders), where


@pytest.mark.parametrize("name", BUNDLES)
def test_opinions_are_the_columns_own(name: str) -> None:
    texts, expected = _load(name)
    for opinion in expected.opinions:
        assert any(contains(texts[opinion.article], h) for h in opinion.holder), opinion.id
        for article_id, text in texts.items():
            assert states(text, opinion.keys) == (article_id == opinion.article), opinion.id
        for fact in expected.facts:  # a fact is not an opinion, and the reverse
            assert not states(opinion.text, fact.keys), (opinion.id, fact.id)


# A capitalised word run inside a sentence (after a lower-case word or a comma): a name.
_NAME = re.compile(r"(?<=[a-z,] )[A-Z][a-z]+(?: [A-Z][a-z]+)*")


@pytest.mark.parametrize("name", [n for n in BUNDLES if _load(n)[1].other_events])
def test_the_other_event_shares_names_and_time_but_not_facts(name: str) -> None:
    """The other event's article names the same people and places and is dated within a week
    of the rest (neither a date nor a word-overlap rule can tell it apart); its own facts, the
    ones a blended brief would show, are in no other article."""
    texts, expected = _load(name)
    bundle = json.loads((BENCH / name / "bundle.json").read_text("utf-8"))
    dates = {a["id"]: datetime.fromisoformat(a["published_at"]) for a in bundle["articles"]}
    median = statistics.median(d.timestamp() for d in dates.values())
    for other in expected.other_events:
        assert abs(dates[other.article].timestamp() - median) < 7 * 86400
        rest = "\n".join(t for a, t in texts.items() if a != other.article)
        shared = set(_NAME.findall(texts[other.article])) & set(_NAME.findall(rest))
        assert len(shared) >= 3, shared
        for group in other.keys:
            for article_id, text in texts.items():
                assert states(text, [group]) == (article_id == other.article), group


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


@pytest.mark.parametrize("name", BUNDLES)
def test_the_main_claim_shared_claims_and_non_statements_are_where_they_say(name: str) -> None:
    """The main claim is carried by at least two articles; a shared claim by each article it
    lists (in its own words: some variant of every key group); a non-statement is a line of its
    article whose keys no other article holds."""
    texts, expected = _load(name)
    if expected.main is not None:
        assert sum(1 for t in texts.values() if states(t, expected.main.keys)) >= 2
        for names in (expected.main.agent, expected.main.patient):
            assert not names or any(any(contains(t, n) for n in names) for t in texts.values())
    for claim in expected.shared:
        for article_id in claim.articles:
            assert states(texts[article_id], claim.keys), (claim.id, article_id)
    for item in expected.non_statements:
        lines = {normalise(line) for line in texts[item.article].splitlines()}
        assert any(normalise(item.text) in line for line in lines), (item.article, item.text)
        assert states(item.text, item.keys), item.text
        for article_id, text in texts.items():
            if article_id != item.article:
                assert not states(text, item.keys), (item.text, article_id)


def test_the_blind_set_has_what_issue_23_asks_for() -> None:
    """Ten or more bundles of the kinds the issue names, each with its main claim."""
    assert len(BLIND) >= 10
    expectations = [_load(name)[1] for name in BLIND]
    assert all(e.main is not None for e in expectations)
    kinds = {n.kind for e in expectations for n in e.non_statements}
    assert {"reader-message", "timestamp", "speaker-label", "question"} <= kinds
    assert any(e.other_events for e in expectations)
    assert any(e.duplicates for e in expectations)
    assert any(e.opinions for e in expectations)
    assert any(e.injection for e in expectations)
    assert any(e.shared for e in expectations)
    assert {"de", "fr", "es", "it"} <= {n.language for e in expectations for n in e.non_english}
    assert sum(len(e.conflicts) for e in expectations) >= 7
    assert sum(len(e.junk_lines) for e in expectations) >= 30


def _brief(name: str, *sentences: tuple[str, list[str]]) -> dict[str, Any]:
    bundle = json.loads((EVAL / name / "bundle.json").read_text("utf-8"))
    ids = [a["id"] for a in bundle["articles"]]
    return {
        "title": "",
        "sentences": [{"text": t, "sources": s} for t, s in sentences],
        "disagreements": [],
        "sources": [{"sid": f"S{i}", "id": a} for i, a in enumerate(ids, start=1)],
    }


def test_the_issue_14_bundles_catch_what_they_plant() -> None:
    """Hand-written briefs of the four bundles, scored: each plant is caught by its metric."""
    _, visit = _load("eval/ostbridge-minister-visit")
    blended = score_brief(
        visit,
        _brief(
            "ostbridge-minister-visit",
            ("Halvik met acting chief executive Colm Devane during his visit.", ["S1", "S5"]),
            ("Sources differ: 1,720 homes (S1) or 1,450 properties (S3) flooded.", ["S1", "S3"]),
        ),
        prompts=[],
    )
    assert blended.other_event_leaked == ("Devane",) and blended.other_event_cited == 1
    assert (blended.conflicts_surfaced, blended.false_disagreements) == (1, 0)

    _, charge = _load("eval/carnbury-clean-air-charge")
    opinionated = score_brief(
        charge,
        _brief(
            "carnbury-clean-air-charge",
            ("The case for the charge was never in doubt.", ["S4"]),
            ("Columnist Gideon Farrant called the charge far too timid.", ["S4"]),
            ("Sources disagree: cars pay £9 a day (S1), lorries £50 (S2).", ["S1", "S2"]),
        ),
        prompts=[],
    )
    assert opinionated.unattributed_opinions == 1
    assert (opinionated.non_conflicts_raised, opinionated.false_disagreements) == (1, 1)

    _, hall = _load("eval/pellworth-market-hall")
    reported = score_brief(
        hall,
        _brief(
            "pellworth-market-hall",
            (
                "S1 says Mayor Sunniva Kerr signed the order; S2 says deputy Tomasz Hebden did.",
                ["S1", "S2"],
            ),
            ("The order was signed on Tuesday (S1) or on Wednesday (S3).", ["S1", "S3"]),
        ),
        prompts=[],
    )
    assert reported.conflicts_surfaced == 2

    _, railway = _load("eval/sallow-valley-railway")
    repeated = score_brief(
        railway,
        _brief(
            "sallow-valley-railway",
            ("The first train left Harlby at 07:42.", ["S1"]),
            ("At 07:42 the first service departed from Harlby.", ["S3"]),
            ("Reports differ: 187 passengers (S1) against 2,600 a day (S11).", ["S1", "S11"]),
        ),
        prompts=[],
    )
    assert repeated.repeated_sentences == 1
    assert (repeated.non_conflicts_raised, repeated.false_disagreements) == (1, 1)
