"""The map step: one structured summary (numbered atomic facts) per article, chunk by chunk.

Articles are mapped in parallel (the model session bounds concurrency). An article longer than
the context budget is split with `chunk.split_to_budget`, each piece is mapped, and the facts are
merged in order, without another model round.
"""

import asyncio
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace

from pydantic import BaseModel, Field

from service.chunk import TOKENIZER_MARGIN, split_to_budget
from service.llm import JsonModel, ModelText
from service.prompts import MAP_PROMPT, language_name, load_prompt
from service.textutil import (
    STOPWORDS,
    content_words,
    figures,
    jaccard,
    split_sentences,
)
from service.types import ArticleSummary, Fact, Source

MAX_FACTS_PER_CHUNK = 12
MAP_OUTPUT_TOKENS = 900
PROMPT_OVERHEAD_TOKENS = 450  # the map prompt's own words
SAME_FACT = 0.8  # word-set Jaccard above which two facts of one article are one fact
MAX_RECOVERED_FIGURES = 4  # verbatim sentences added per article by the figure guard


class Quote(BaseModel):
    speaker: ModelText
    statement: ModelText


class MapOutput(BaseModel):
    """What the model returns for one article (or one piece of it)."""

    facts: list[ModelText] = Field(default_factory=list, max_length=MAX_FACTS_PER_CHUNK)
    quotes: list[Quote] = Field(default_factory=list, max_length=4)
    angle: ModelText = ""


def chunk_budget(context_tokens: int) -> int:
    """Tokens of article text one map call may carry."""
    usable = context_tokens - MAP_OUTPUT_TOKENS - PROMPT_OVERHEAD_TOKENS
    return max(256, int(usable * TOKENIZER_MARGIN))


async def summarize_all(
    sources: Sequence[Source],
    model: JsonModel,
    language: str,
    on_done: Callable[[Source], None] | None = None,
) -> list[ArticleSummary]:
    """Map every source that has text to read, in parallel; order follows `sources`."""

    async def one(source: Source) -> ArticleSummary:
        summary = await summarize_article(source, model, language)
        if on_done:
            on_done(source)
        return summary

    mapped = [s for s in sources if s.map_text.strip()]
    summaries = await asyncio.gather(*(one(s) for s in mapped))
    sources_stating = Counter(f for s in mapped for f in figures(s.map_text))
    return [
        _recover_figures(summary, source, sources_stating, language)
        for summary, source in zip(summaries, mapped, strict=True)
    ]


def _recover_figures(
    summary: ArticleSummary,
    source: Source,
    sources_stating: Counter[tuple[float, str]],
    language: str,
) -> ArticleSummary:
    """Extraction misses figures: bring in, verbatim, each sentence holding a figure (a number
    with a unit) that only this article states and none of its facts carries."""
    if source.language != language:
        return summary  # a verbatim sentence would be in the wrong language
    carried = figures(" ".join(f.text for f in summary.facts))
    recovered: list[str] = []
    for sentence in split_sentences(source.map_text):
        found = figures(sentence)
        unique = {f for f in found - carried if sources_stating[f] == 1}
        if unique and len(recovered) < MAX_RECOVERED_FIGURES:
            recovered.append(sentence)
            carried |= found
    start = len(summary.facts) + 1
    extra = tuple(
        Fact(fid=f"{source.sid}.F{i}", sid=source.sid, text=text)
        for i, text in enumerate(recovered, start=start)
    )
    return replace(summary, facts=summary.facts + extra)


async def summarize_article(source: Source, model: JsonModel, language: str) -> ArticleSummary:
    pieces = split_to_budget(source.map_text, chunk_budget(model.context_tokens))
    prompt = load_prompt(*MAP_PROMPT)
    translation = ""
    if source.language != language:
        translation = prompt.part(
            "translate",
            article_language_name=language_name(source.language),
            language_name=language_name(language),
        )
    outputs = await asyncio.gather(
        *(
            model.complete_json(
                prompt.messages(
                    language_name=language_name(language),
                    translation=translation,
                    max_facts=MAX_FACTS_PER_CHUNK,
                    outlet=source.article.source,
                    part=f"{i} of {len(pieces)}",
                    title=source.article.title,
                    text=piece,
                ),
                MapOutput,
                max_tokens=MAP_OUTPUT_TOKENS,
            )
            for i, piece in enumerate(pieces, start=1)
        )
    )
    statements = _merge_statements(outputs)
    facts = tuple(
        Fact(fid=f"{source.sid}.F{i}", sid=source.sid, text=text)
        for i, text in enumerate(statements, start=1)
    )
    angle = next((o.angle for o in outputs if o.angle), "")
    return ArticleSummary(sid=source.sid, facts=facts, angle=angle, chunks=len(pieces))


def _merge_statements(outputs: Sequence[MapOutput]) -> list[str]:
    """Facts then attributed quotes, in reading order, near-repeats across chunks removed."""
    merged: list[str] = []
    seen: list[set[str]] = []
    candidates = [f for o in outputs for f in o.facts] + [
        f"According to {q.speaker}, {_lower_first(q.statement)}" for o in outputs for q in o.quotes
    ]
    for text in candidates:
        text = " ".join(text.split())
        words = content_words(text)
        if not words or any(jaccard(words, other) >= SAME_FACT for other in seen):
            continue
        merged.append(text)
        seen.append(words)
    return merged


def _lower_first(text: str) -> str:
    """'The deal…' → 'the deal…', but keep names and acronyms ('Renata…', 'EU…')."""
    words = text.split(maxsplit=1)
    if not words or not words[0][:1].isupper() or words[0].lower() not in STOPWORDS:
        return text
    return text[0].lower() + text[1:]
