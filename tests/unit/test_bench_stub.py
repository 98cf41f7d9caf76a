"""The speed benchmark's stub model answers the pipeline's real prompts with valid JSON."""

from bench.stub_llm import answer
from bench.synthetic import bundle
from service.prompts import MAP_PROMPT, TITLE_PROMPT, TRANSLATE_PROMPT, load_prompt
from service.summarize import MapOutput, _call_output
from service.write import TitleOutput


def _request(messages: list[dict[str, str]], schema: dict[str, object]) -> dict[str, object]:
    return {
        "messages": messages,
        "response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": schema}},
    }


def test_a_map_call_gets_facts_from_each_article_under_its_id() -> None:
    prompt = load_prompt(*MAP_PROMPT)
    articles = bundle(2)["articles"]
    texts = "\n\n".join(
        prompt.part("article", id=f"A{i}", outlet=a["source"], part="1 of 1", title=a["title"],
                    text=a["text"])
        for i, a in enumerate(articles, start=1)
    )  # fmt: skip
    messages = prompt.messages(language_name="English", translation="", max_facts=8, articles=texts)
    output_type = _call_output(2)
    kind, content = answer(_request(messages, output_type.model_json_schema()))
    output = output_type.model_validate_json(content)
    assert kind == "map"
    for aid, article in zip(("A1", "A2"), articles, strict=True):
        facts = MapOutput.model_validate(getattr(output, aid)).facts
        assert 1 <= len(facts) <= 8
        assert all(fact in article["text"] for fact in facts)


def test_a_title_request_gets_the_first_words_of_the_first_sentence() -> None:
    messages = load_prompt(*TITLE_PROMPT).messages(
        language_name="English",
        sentences="- The footbridge over the Calder closed on Thursday after an inspection.\n- x",
    )
    kind, content = answer(_request(messages, TitleOutput.model_json_schema()))
    assert kind == "title"
    assert TitleOutput.model_validate_json(content).title == (
        "The footbridge over the Calder closed on Thursday after an inspection"
    )


def test_free_text_map_and_combine_prompts_get_marked_sentences() -> None:
    from bench.baseline import COMBINE_TEMPLATE, MAP_TEMPLATE, article_document

    article = bundle(2)["articles"][1]
    prompt = MAP_TEMPLATE.format(text=article_document("S2", article))
    kind, summary = answer({"messages": [{"role": "user", "content": prompt}]})
    assert kind == "text-map" and summary.count("[S2]") == 4
    combine = COMBINE_TEMPLATE.format(max_sentences=3, text=summary)
    kind, brief = answer({"messages": [{"role": "user", "content": combine}]})
    assert kind == "text-reduce" and len(brief.splitlines()) == 3


def test_a_translate_request_gets_its_sentences_back_unchanged() -> None:
    from service.translate import _output

    messages = load_prompt(*TRANSLATE_PROMPT).messages(
        article_language_name="German",
        language_name="English",
        count=2,
        sentences="1. Die Straße bleibt gesperrt.\n2. Der Schaden liegt bei 8,7 Millionen Euro.",
    )
    kind, content = answer(_request(messages, _output(2).model_json_schema()))
    assert kind == "translate"
    assert _output(2).model_validate_json(content).sentences == [  # type: ignore[attr-defined]
        "Die Straße bleibt gesperrt.",
        "Der Schaden liegt bei 8,7 Millionen Euro.",
    ]
