"""A sentence that makes again the point of an earlier one is left out when the model says so:
which pairs are asked, what the question carries, and how the answer is read."""

from service.llm import LLMClient
from service.restatements import without_restatements
from service.types import Sentence
from tests.conftest import make_settings
from tests.support.llm_server import Fault, ReplayServer

FIRST = "Workers at the factory are angry that production will move to Kelmsford."
AGAIN = "Staff at the plant are furious that manufacturing is being shifted to Kelmsford."
OTHER = "Heavy snow closed the airport at Lenholm for the whole of Sunday."
COUNT = "Workers at the factory are angry that 200 jobs will move to Kelmsford."
FIGURE = "Workers at the factory are angry that 240 jobs will move to Kelmsford."
ONCE_MORE = "Employees at the works are angry that their jobs are going to Kelmsford."
ROOM = 12


def _sentences(*texts: str) -> list[Sentence]:
    return [Sentence(text, (f"S{i}",)) for i, text in enumerate(texts, 1)]


async def test_the_same_point_in_other_words_is_left_out_when_the_model_says_yes(
    llm_server: ReplayServer,
) -> None:
    llm_server.inject(Fault("content", content="Yes", first_token={"Yes": 0.7, "No": 0.2}))
    model = LLMClient(make_settings(llm_server, cache="off")).session()
    kept, warnings = await without_restatements(_sentences(FIRST, OTHER, AGAIN), model, "en", ROOM)
    assert [s.text for s in kept] == [FIRST, OTHER]
    assert len(warnings) == 1 and AGAIN in warnings[0] and "point of an earlier one" in warnings[0]
    # One question, about the only close pair, earlier sentence first; one token, its odds.
    [asked] = llm_server.requests
    question = asked.body["messages"][-1]["content"]
    assert question.index(FIRST) < question.index(AGAIN) and OTHER not in question
    assert asked.body["max_tokens"] == 1 and asked.body["logprobs"] is True
    assert model.usage.llm_calls == 1


async def test_a_doubtful_yes_keeps_the_sentence(llm_server: ReplayServer) -> None:
    """The answer is read as the share of "yes" among "yes" and "no" (any case or spacing):
    0.45 here, under SAME_POINT, though "yes" is the likeliest single token."""
    odds = {"yes": 0.3, " Yes": 0.15, "no": 0.25, "No": 0.3}
    llm_server.inject(Fault("content", content="yes", first_token=odds))
    model = LLMClient(make_settings(llm_server, cache="off")).session()
    kept, warnings = await without_restatements(_sentences(FIRST, AGAIN), model, "en", ROOM)
    assert [s.text for s in kept] == [FIRST, AGAIN] and warnings == []


async def test_a_model_without_token_odds_is_read_by_its_answer(llm_server: ReplayServer) -> None:
    llm_server.inject(Fault("content", content="yes"))
    model = LLMClient(make_settings(llm_server, cache="off")).session()
    kept, _ = await without_restatements(_sentences(FIRST, AGAIN), model, "en", ROOM)
    assert [s.text for s in kept] == [FIRST]
    llm_server.inject(Fault("content", content="No."))
    kept, _ = await without_restatements(_sentences(FIRST, AGAIN), model, "en", ROOM)
    assert [s.text for s in kept] == [FIRST, AGAIN]


async def test_a_rival_figure_or_a_sentence_far_in_meaning_is_not_asked(
    llm_server: ReplayServer,
) -> None:
    """A figure of its own beside the earlier sentence's figures is an update or one side of a
    disagreement; a sentence about something else is not a restatement: no call is made for
    either."""
    model = LLMClient(make_settings(llm_server, cache="off")).session()
    kept, warnings = await without_restatements(_sentences(COUNT, FIGURE, OTHER), model, "en", ROOM)
    assert [s.text for s in kept] == [COUNT, FIGURE, OTHER] and warnings == []
    assert llm_server.requests == []


async def test_a_figure_added_to_a_sentence_without_any_is_asked_about(
    llm_server: ReplayServer,
) -> None:
    """A detail with a number ("240 jobs") added to a point made without one: the model
    judges whether the point is new."""
    llm_server.inject(Fault("content", content="no", first_token={"no": 0.8, "yes": 0.2}))
    model = LLMClient(make_settings(llm_server, cache="off")).session()
    kept, _ = await without_restatements(_sentences(FIRST, FIGURE), model, "en", ROOM)
    assert [s.text for s in kept] == [FIRST, FIGURE] and len(llm_server.requests) == 1


async def test_the_answer_is_kept_in_the_reply_cache(llm_server: ReplayServer) -> None:
    llm_server.inject(Fault("content", content="yes", first_token={"yes": 0.9, "no": 0.1}))
    model = LLMClient(make_settings(llm_server)).session()
    for _ in range(2):
        kept, _ = await without_restatements(_sentences(FIRST, AGAIN), model, "en", ROOM)
        assert [s.text for s in kept] == [FIRST]
    assert len(llm_server.requests) == 1 and model.usage.cache_hits == 1


async def test_only_pairs_the_brief_can_hold_are_asked_about(llm_server: ReplayServer) -> None:
    """Room for two: the restatement third in line is never stated, so nothing is asked."""
    model = LLMClient(make_settings(llm_server, cache="off")).session()
    kept, warnings = await without_restatements(_sentences(FIRST, OTHER, AGAIN), model, "en", 2)
    assert [s.text for s in kept] == [FIRST, OTHER] and warnings == []
    assert llm_server.requests == []


async def test_a_spare_sentence_is_asked_about_when_one_before_it_is_left_out(
    llm_server: ReplayServer,
) -> None:
    """Room for two: the first round asks about the first two sentences; AGAIN is left out, so
    ONCE_MORE comes into the brief and the second round asks about it beside FIRST only (not
    beside AGAIN, already left out); it is left out too, and OTHER fills the room unasked."""
    llm_server.inject(Fault("content", content="Yes", first_token={"Yes": 0.9, "No": 0.1}))
    llm_server.inject(Fault("content", content="Yes", first_token={"Yes": 0.9, "No": 0.1}))
    model = LLMClient(make_settings(llm_server, cache="off")).session()
    texts = (FIRST, AGAIN, ONCE_MORE, OTHER)
    kept, warnings = await without_restatements(_sentences(*texts), model, "en", 2)
    assert [s.text for s in kept] == [FIRST, OTHER]
    assert len(warnings) == 2 and AGAIN in warnings[0] and ONCE_MORE in warnings[1]
    asked = [r.body["messages"][-1]["content"] for r in llm_server.requests]
    assert len(asked) == 2
    assert AGAIN in asked[0] and ONCE_MORE in asked[1] and AGAIN not in asked[1]
