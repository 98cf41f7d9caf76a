"""Translate the facts the map step copied in their article's language.

Asked to write an article's facts in the brief's language, a small model often copies the
article's sentences instead (a German sentence in an English brief). Such a fact is aligned to
its passage like any fact of its article's language (service.align), then translated here: one
call per article holding copies, sentence for sentence, the fact keeping its passages. A
translation is used only when it is no copy itself and states no number its passages lack;
otherwise the fact keeps its wording and the writer refuses it (service.write says why).
"""

import asyncio
from collections.abc import Sequence
from dataclasses import replace
from functools import cache
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, create_model

from service.errors import ModelOutputInvalid
from service.language import profile
from service.llm import JsonModel
from service.prompts import TRANSLATE_PROMPT, language_name, load_prompt
from service.summarize import MAX_FACT_CHARS
from service.textutil import copies, features, holds_name
from service.tuning import UNTRANSLATED_SHARE
from service.types import ArticleSummary, Fact, Source

TOKENS_PER_SENTENCE = 60  # a fact is one sentence of ~25 words; room for a longer translation

Translation = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_FACT_CHARS)]


@cache
def _output(count: int) -> type[BaseModel]:
    """The reply: exactly `count` sentences (the schema says so, and a grammar enforces it)."""
    return create_model(
        f"Translation{count}",
        sentences=(list[Translation], Field(min_length=count, max_length=count)),
    )


def untranslated(fact: Fact, source: Source, language: str) -> bool:
    """Whether the fact, of an article in another language than the brief's, copies its
    article's words instead of translating them."""
    return source.language != language and copies(
        fact.text, source.document, UNTRANSLATED_SHARE, source.language
    )


def _faithful(translation: str, fact: Fact, source: Source, language: str) -> bool:
    """A translation that is no copy and adds nothing its fact does not say: only numbers its
    passages hold, only days and months its fact or passages name ("seit Mittwoch" is not
    "since Monday"), only names its article holds."""
    passages = " ".join(p.quote for p in fact.passages)
    said = profile(source.language).calendar(f"{fact.text} {passages}")
    calendar = profile(language).calendar
    document = source.document.lower()
    names = {n for n in features(translation, language).names if not calendar(n)}
    return (
        not copies(translation, source.document, UNTRANSLATED_SHARE, language)
        and features(translation, language).numbers <= features(passages, source.language).numbers
        and calendar(translation) <= said
        and all(holds_name(document, name) for name in names)
    )


async def _translate(
    summary: ArticleSummary, source: Source, model: JsonModel, language: str
) -> tuple[ArticleSummary, str | None]:
    copied = [f for f in summary.facts if untranslated(f, source, language)]
    if not copied:
        return summary, None
    messages = load_prompt(*TRANSLATE_PROMPT).messages(
        article_language_name=language_name(source.language),
        language_name=language_name(language),
        count=len(copied),
        sentences="\n".join(f"{i}. {f.text}" for i, f in enumerate(copied, start=1)),
    )
    output = _output(len(copied))
    try:
        reply = await model.complete_json(
            messages, output, max_tokens=TOKENS_PER_SENTENCE * len(copied)
        )
    except ModelOutputInvalid as error:
        return summary, f"{source.sid}: its facts stay untranslated ({error})"
    translations: list[str] = getattr(reply, "sentences")  # noqa: B009 (a created model)
    done = {
        f.fid: replace(f, text=text)
        for f, text in zip(copied, translations, strict=True)
        if _faithful(text, f, source, language)
    }
    return replace(summary, facts=tuple(done.get(f.fid, f) for f in summary.facts)), None


async def translate_copies(
    summaries: Sequence[ArticleSummary],
    sources: Sequence[Source],
    model: JsonModel,
    language: str,
) -> tuple[list[ArticleSummary], list[str]]:
    """The summaries with their copied facts translated (one call per article holding any, in
    parallel), and a warning for each article whose translation call failed."""
    by_sid = {s.sid: s for s in sources}
    results = await asyncio.gather(
        *(_translate(s, by_sid[s.sid], model, language) for s in summaries)
    )
    return [summary for summary, _ in results], [w for _, w in results if w]
