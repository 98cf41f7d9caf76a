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
from collections.abc import Mapping, Sequence

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
    sentences: Sequence[Sentence], model: JsonModel, language: str, room: int
) -> tuple[list[Sentence], list[str]]:
    """The first `room` sentences, in their order, that make no point of an earlier one kept,
    and a warning for each left out among them. The first sentence is always kept.

    Only pairs within the brief are asked about: those of the first `room` sentences, then,
    when some are left out, those the next ones (the writer's spares) form with the sentences
    kept before them, round by round, each round's questions asked together. Every pair of a
    round's sentences is answered in that round, so what it decides is final."""
    worth = _worth_asking(sentences, language)
    same: dict[tuple[int, int], bool] = {}
    while True:
        kept, dropped = _kept(len(sentences), room, same)
        window = len(kept) + len(dropped)  # the sentences walked: a prefix of them all
        pairs = [(i, j) for i, j in worth if j < window and (i, j) not in same and i not in dropped]
        if not pairs:
            break
        answers = await asyncio.gather(
            *(
                model.yes_probability(same_point_messages(sentences[i].text, sentences[j].text))
                for i, j in pairs
            )
        )
        same.update((pair, yes >= SAME_POINT) for pair, yes in zip(pairs, answers, strict=True))
    warnings = [
        f"left out a sentence that makes the point of an earlier one "
        f"(“{sentences[earlier].text[:80]}…”): “{sentences[j].text[:160]}”"
        for j, earlier in dropped.items()
    ]
    return [sentences[j] for j in kept], warnings


def _kept(
    count: int, room: int, same: Mapping[tuple[int, int], bool]
) -> tuple[list[int], dict[int, int]]:
    """Walking the sentences in order until `room` are kept: those kept, and each left out
    with the kept sentence whose point it makes (by the answers in `same` so far)."""
    kept: list[int] = []
    dropped: dict[int, int] = {}
    for j in range(count):
        if len(kept) >= room:
            break
        earlier = next((i for i in kept if same.get((i, j), False)), None)
        if earlier is None:
            kept.append(j)
        else:
            dropped[j] = earlier
    return kept, dropped
