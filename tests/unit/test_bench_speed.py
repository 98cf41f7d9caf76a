"""bench/speed.py's bookkeeping of the embedded run: article text in a call, prompt overhead,
acceptance (no model needed)."""

import pytest

from bench.speed import acceptance, article_texts, prompt_overhead


def test_article_texts_are_what_stands_between_the_tags() -> None:
    body = {
        "messages": [
            {"role": "system", "content": "You extract facts."},
            {
                "role": "user",
                "content": 'For each article …\n\n<article id="A1" outlet="x" part="1 of 1">\n'
                "Pay deal\n\nDockers won a rise.\n</article>\n"
                '<article id="A2" outlet="y" part="1 of 1">\nStrike ends\n\nIt ended.\n</article>',
            },
        ]
    }
    assert article_texts(body) == ["Pay deal\n\nDockers won a rise.", "Strike ends\n\nIt ended."]
    assert article_texts({"messages": [{"role": "user", "content": "A headline, please."}]}) == []


def test_prompt_overhead_is_non_article_tokens_over_article_tokens() -> None:
    maps = [
        {"prompt_tokens": 1000, "article_tokens": 750},
        {"prompt_tokens": 500, "article_tokens": 250},
    ]
    title = {"prompt_tokens": 260, "article_tokens": 0}
    assert prompt_overhead(maps[:1]) == pytest.approx(250 / 750)
    assert prompt_overhead([*maps, title]) == pytest.approx((1760 - 1000) / 1000)
    assert prompt_overhead([title]) is None


def test_acceptance_reads_accepted_over_drafted() -> None:
    assert acceptance(216, 166) == "166/216 (77%)"
    assert acceptance(0, 0) == "–"
