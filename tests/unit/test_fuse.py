"""Fitting the facts to the fuse prompt's budget, and rewriting a draft the check gutted."""

import json
from typing import Any

from service.fuse import (
    FACT_TOKENS_PER_SENTENCE,
    MIN_SENTENCES,
    PROMPT_OVERHEAD_TOKENS,
    _fit_facts,
    _output_tokens,
    fact_budget,
)
from service.llm import LLMClient
from service.pipeline import build_brief
from service.types import Article, Brief, BriefOptions, Fact
from tests.conftest import load_bundle, make_settings
from tests.support.llm_server import Fault, ReplayServer


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


# A draft that loses most of its sentences to the citation check is written once more.
# The model is the replay server on loopback, answering from scripted replies.

MAP_REPLIES = [
    {"A1": {"facts": ["Brackenford's library reopened on Monday after eight months of repairs."]}},
    {"A1": {"facts": ["Ines Palmer said the library would stay open until 8 pm on Thursdays."]}},
]
KEPT = {"text": "Ines Palmer said it will open until 8 pm on Thursdays.", "facts": ["S2.F1"]}
INVENTED: dict[str, Any] = {  # the 2021s are in no source
    "title": "Library reopens",
    "sentences": [
        {"text": "Brackenford's library reopened on Monday in 2021.", "facts": ["S1.F1"]},
        {"text": "Repairs had kept it shut for eight months in 2021.", "facts": ["S1.F1"]},
        KEPT,
    ],
}
REWRITTEN: dict[str, Any] = {
    "title": "Library reopens",
    "sentences": [
        {"text": "Brackenford's library reopened on Monday after repairs.", "facts": ["S1.F1"]},
        {"text": "The repairs took eight months.", "facts": ["S1.F1"]},
        KEPT,
    ],
}


async def _brief_with_fuse_replies(server: ReplayServer, *fuse_replies: object) -> Brief:
    # Map calls run in parallel and both map replies carry only their own article's fact, so
    # each article gets its own reply whichever call comes first.
    replies = [*MAP_REPLIES, *fuse_replies]
    server.inject(*(Fault("content", content=json.dumps(r)) for r in replies))
    bundle = load_bundle("small.json")
    articles = [Article(a["title"], a["source"], a["text"]) for a in bundle["articles"]]
    session = LLMClient(make_settings(server)).session()
    return await build_brief(articles, BriefOptions(max_sentences=10), session)


async def test_a_draft_that_lost_most_sentences_is_written_again_told_why(
    llm_server: ReplayServer,
) -> None:
    brief = await _brief_with_fuse_replies(llm_server, INVENTED, REWRITTEN)
    assert [s.text for s in brief.sentences] == [s["text"] for s in REWRITTEN["sentences"]]
    assert brief.warnings[0].endswith("asked once to write it again: its second draft stands")
    assert not any("2021" in w for w in brief.warnings)
    revise_request = llm_server.requests[-1].body["messages"]
    assert [m["role"] for m in revise_request[-2:]] == ["assistant", "user"]
    assert json.loads(revise_request[-2]["content"])["sentences"][0] == INVENTED["sentences"][0]
    assert "the number 2021 appears in no source" in revise_request[-1]["content"]
    assert "Repairs had kept it shut for eight months in 2021." in revise_request[-1]["content"]
    assert len(llm_server.requests) == 4  # two map calls, the fuse call, one rewrite


async def test_the_first_draft_stands_when_the_rewrite_keeps_no_more(
    llm_server: ReplayServer,
) -> None:
    brief = await _brief_with_fuse_replies(llm_server, INVENTED, INVENTED)
    assert [s.text for s in brief.sentences] == [KEPT["text"]]
    assert brief.warnings[0].endswith("its second draft kept no more, so the first stands")
    assert sum("the number 2021 appears in no source" in w for w in brief.warnings) == 2
    assert len(llm_server.requests) == 4  # asked once again, not more


async def test_a_draft_that_lost_half_its_sentences_or_fewer_is_not_rewritten(
    llm_server: ReplayServer,
) -> None:
    half = {**INVENTED, "sentences": INVENTED["sentences"][1:]}
    brief = await _brief_with_fuse_replies(llm_server, half)
    assert [s.text for s in brief.sentences] == [KEPT["text"]]
    assert len(llm_server.requests) == 3


async def test_no_more_sentences_are_required_than_there_are_facts(
    llm_server: ReplayServer,
) -> None:
    # Fewer facts than the seven sentences usually required: requiring seven would force the
    # model to repeat itself.
    await _brief_with_fuse_replies(llm_server, REWRITTEN)
    fuse_request = llm_server.requests[-1].body
    prompt = fuse_request["messages"][1]["content"]
    offered = prompt.count("\n[S")
    assert 2 <= offered < MIN_SENTENCES
    sentences = fuse_request["response_format"]["json_schema"]["schema"]["properties"]["sentences"]
    assert (sentences["minItems"], sentences["maxItems"]) == (offered, 10)
    assert f"between {offered} and 10 sentences" in prompt
