"""Sentences of the brief that make again the point of an earlier one, found by asking the
model.

The writer's own checks (service.write) leave out a wording that copies or nearly copies an
earlier sentence. Two wordings of one point that share few words — one outlet's "the union
will not budge on night shifts", another's "no sign that the workers' side would give ground
on overnight working" — need a reader, and sentence embeddings cannot tell them from two
different points about the same people. So each pair of sentences at least
SAME_POINT_MEANING alike in meaning is put to the model as one short yes-or-no question
(prompts/same); the later sentence is left out, with a warning, when the model's "yes" reaches
SAME_POINT. A pair is not asked about when both state figures and the later one a figure of its
own: that is an update or one side of a disagreement, never a restatement. A figure added to
a sentence without any ("the research ship, which spent five weeks surveying") is a detail,
and the model judges the point.
"""

import asyncio
from collections.abc import Sequence

from service.llm import JsonModel
from service.meaning import similarities
from service.prompts import same_point_messages
from service.textutil import features
from service.tuning import SAME_POINT, SAME_POINT_MEANING
from service.types import Sentence


def _worth_asking(sentences: Sequence[Sentence], language: str) -> list[tuple[int, int]]:
    """The pairs (earlier, later) close enough in meaning to be one point, unless both state
    figures and the later one a figure of its own (a rival or updated figure)."""
    texts = [s.text for s in sentences]
    meaning = similarities(texts, texts)
    numbers = [features(t, language).numbers for t in texts]
    return [
        (i, j)
        for j in range(1, len(texts))
        for i in range(j)
        if meaning[i, j] >= SAME_POINT_MEANING and not (numbers[i] and numbers[j] - numbers[i])
    ]


async def without_restatements(
    sentences: Sequence[Sentence], model: JsonModel, language: str
) -> tuple[list[Sentence], list[str]]:
    """The sentences in their order less each that makes the point of an earlier one kept,
    and a warning for each left out. The first sentence is always kept."""
    pairs = _worth_asking(sentences, language)
    answers = await asyncio.gather(
        *(
            model.yes_probability(same_point_messages(sentences[i].text, sentences[j].text))
            for i, j in pairs
        )
    )
    same = {pair for pair, yes in zip(pairs, answers, strict=True) if yes >= SAME_POINT}
    kept: list[int] = []
    warnings: list[str] = []
    for j, sentence in enumerate(sentences):
        earlier = next((i for i in kept if (i, j) in same), None)
        if earlier is None:
            kept.append(j)
            continue
        warnings.append(
            f"left out a sentence that makes the point of an earlier one "
            f"(“{sentences[earlier].text[:80]}…”): “{sentence.text[:160]}”"
        )
    return [sentences[j] for j in kept], warnings
