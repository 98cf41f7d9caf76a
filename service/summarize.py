"""The map step: one structured summary per article: when its event happened as it says, and up
to MAX_FACTS_PER_CHUNK short numbered facts, each one sentence. Whether the article is an
opinion piece is decided in code (service.voice), not by the model.

An article longer than the context budget is split with `chunk.split_to_budget` and its pieces'
facts are merged in order, without another model round. Short pieces are mapped several to a
call (up to `batch_tokens` of article text, one language a call), so the instructions are sent
once for several articles; each piece is answered under its own id and
cached on its own, so a repeated article is a cache hit whatever it was batched with. Calls run
in parallel (the model session bounds concurrency).
"""

import asyncio
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from html import escape
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints, create_model

from service.chunk import TOKENIZER_MARGIN, count_tokens, split_to_budget
from service.llm import JsonModel
from service.prompts import MAP_PROMPT, language_name, load_prompt, map_messages
from service.textutil import (
    content_words,
    figures,
    jaccard,
    names,
    number_values,
    short_stopwords,
    whole_sentences,
    words,
)
from service.tuning import MAX_FACTS_PER_CHUNK
from service.types import ArticleSummary, Fact, Source
from service.voice import attributed, opinion_piece

MAX_FACT_CHARS = 240  # one sentence; a grammar cut short at its limit emits junk, so generous
MAP_OUTPUT_TOKENS = 500  # per article in a call: 8 facts and the time, with room
PROMPT_OVERHEAD_TOKENS = 400  # the map prompt's own words
MAX_RECOVERED_WORDS = 40  # a verbatim sentence brought in by the figure guard is a sentence
MAX_ARTICLES_PER_CALL = 4
# Article tokens one map call carries when FUSEBRIEF_MAP_BATCH_TOKENS is unset: a hosted model's
# tokens cost money, so short articles share a call (the instructions go once); a self-hosted
# model's cost only time, and its parallel slots each writing one answer finish first.
HOSTED_MAP_BATCH_TOKENS = 2000
SAME_FACT = 0.8  # word-set Jaccard above which two facts of one article are one fact
MAX_RECOVERED_FIGURES = 4  # verbatim sentences added per article by the figure guard
MAX_RECOVERED_SPEAKERS = 2  # verbatim sentences added per article by the speaker guard


FactText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_FACT_CHARS)]


class MapOutput(BaseModel):
    """What the model returns for one article (or one piece of it)."""

    when: Annotated[str, StringConstraints(strip_whitespace=True, max_length=60)] = ""
    facts: list[FactText] = Field(default_factory=list, max_length=MAX_FACTS_PER_CHUNK)


@cache
def _call_output(size: int) -> type[BaseModel]:
    """One map call's reply: a `MapOutput` under each article's id, A1..A<size>."""
    fields: dict[str, Any] = {f"A{i}": (MapOutput, ...) for i in range(1, size + 1)}
    return create_model(f"MapCall{size}", **fields)


@dataclass(frozen=True)
class _Piece:
    """An article, or one piece of a long one, as one map call reads it."""

    source: Source
    part: str  # "2 of 3"
    text: str
    tokens: int

    def key(self, language: str) -> dict[str, Any]:
        """Everything its summary depends on besides the model and prompt version."""
        return {
            "language": language,
            "article_language": self.source.language,
            "outlet": self.source.article.source,
            "title": self.source.article.title,
            "part": self.part,
            "text": self.text,
        }


def default_map_batch_tokens(self_hosted: bool) -> int:
    """The map step's batch size when the operator did not set one (0: one article a call)."""
    return 0 if self_hosted else HOSTED_MAP_BATCH_TOKENS


def chunk_budget(context_tokens: int) -> int:
    """Tokens of article text one map call may carry."""
    usable = context_tokens - MAP_OUTPUT_TOKENS - PROMPT_OVERHEAD_TOKENS
    return max(256, int(usable * TOKENIZER_MARGIN))


def _pieces(source: Source, context_tokens: int) -> list[_Piece]:
    texts = split_to_budget(source.map_text, chunk_budget(context_tokens))
    return [
        _Piece(source, f"{i} of {len(texts)}", text, count_tokens(text))
        for i, text in enumerate(texts, start=1)
    ]


def _calls(pieces: Sequence[_Piece], batch_tokens: int, context_tokens: int) -> list[list[_Piece]]:
    """Pieces grouped into map calls in reading order: one language a call, at most
    `batch_tokens` of text (a longer piece goes alone) and room for every article's answer."""
    calls: list[list[_Piece]] = []
    open_call: dict[str, list[_Piece]] = {}
    for piece in pieces:
        if piece.tokens > batch_tokens:  # a long piece goes alone; the open call stays open
            calls.append([piece])
            continue
        call = open_call.get(piece.source.language, [])
        size = len(call) + 1
        tokens = sum(p.tokens for p in call) + piece.tokens
        needed = tokens + PROMPT_OVERHEAD_TOKENS + size * MAP_OUTPUT_TOKENS
        full = size > MAX_ARTICLES_PER_CALL or tokens > batch_tokens
        if not call or full or needed > context_tokens * TOKENIZER_MARGIN:
            call = []
            calls.append(call)
            open_call[piece.source.language] = call
        call.append(piece)
    return calls


async def summarize_all(
    sources: Sequence[Source],
    model: JsonModel,
    language: str,
    batch_tokens: int = 0,
    on_done: Callable[[Source], None] | None = None,
) -> list[ArticleSummary]:
    """Map every source that has text to read; order follows `sources`. Short articles share a
    call up to `batch_tokens` of article text (0: one article a call)."""
    mapped = [s for s in sources if s.map_text.strip()]
    pieces = [p for s in mapped for p in _pieces(s, model.context_tokens)]
    stored = await asyncio.gather(*(model.recall(p.key(language), MapOutput) for p in pieces))
    outputs = {p: o for p, o in zip(pieces, stored, strict=True) if o is not None}
    waiting = Counter(p.source.sid for p in pieces if p not in outputs)

    def report(done: Iterable[_Piece]) -> None:
        """`on_done` for each source whose last piece is among `done`."""
        for source in dict.fromkeys(p.source for p in done):
            if on_done and waiting[source.sid] == 0:
                on_done(source)

    async def run(call: list[_Piece]) -> None:
        replies = await _map_call(call, model, language)
        for piece, reply in zip(call, replies, strict=True):
            await model.remember(piece.key(language), reply)
        outputs.update(zip(call, replies, strict=True))  # no await from here: reported once
        waiting.subtract(p.source.sid for p in call)
        report(call)

    report(outputs)
    todo = [p for p in pieces if p not in outputs]
    calls = _calls(todo, batch_tokens, model.context_tokens)
    await asyncio.gather(*(run(call) for call in calls))

    sources_stating = Counter(f for s in mapped for f in figures(s.map_text, s.language))
    summaries = []
    for source in mapped:
        merged = [outputs[p] for p in pieces if p.source is source]
        summary = _summary(source, merged)
        summary = _recover_figures(summary, source, sources_stating, language)
        summaries.append(_recover_speakers(summary, source, language))
    return summaries


async def _map_call(call: list[_Piece], model: JsonModel, language: str) -> list[MapOutput]:
    """One model call for the pieces of `call` (one language), each answer under its id."""
    prompt = load_prompt(*MAP_PROMPT)
    article_language = call[0].source.language
    translation = ""
    if article_language != language:
        translation = prompt.part(
            "translate",
            article_language_name=language_name(article_language),
            language_name=language_name(language),
        )
    ids = [f"A{i}" for i in range(1, len(call) + 1)]
    articles = "\n\n".join(
        prompt.part(
            "article",
            id=aid,
            outlet=escape(piece.source.article.source),  # an attribute: quotes escaped
            part=piece.part,
            title=_as_data(piece.source.article.title),
            text=_as_data(piece.text),
        )
        for aid, piece in zip(ids, call, strict=True)
    )
    reply = await model.complete_json(
        map_messages(language, translation, articles, MAX_FACTS_PER_CHUNK),
        _call_output(len(call)),
        max_tokens=MAP_OUTPUT_TOKENS * len(call),
        cache=False,
    )
    answers = [MapOutput.model_validate(getattr(reply, aid)) for aid in ids]
    return _regroup(call, answers, language) if len(call) > 1 else answers


def _as_data(text: str) -> str:
    """Text placed inside <article> tags cannot close or open one."""
    return text.replace("<article", "‹article").replace("</article", "‹/article")


def _home(text: str, own: int, articles: list[str], values: list[set[float]], language: str) -> int:
    """Which article of the call `text` (a fact in ``language``) belongs to: its own, unless its
    numbers and names are not all in its own article and another article holds more of them."""
    numbers, proper = number_values(text, language), names(text, language)

    def found(i: int) -> int:
        return len(numbers & values[i]) + sum(1 for name in proper if name in articles[i])

    best = max(range(len(articles)), key=found)
    misfiled = found(own) < len(numbers) + len(proper) and found(best) > found(own)
    return best if misfiled else own


def _regroup(call: list[_Piece], answers: list[MapOutput], language: str) -> list[MapOutput]:
    """A fact answered under one article's id whose numbers and names another article of the
    call holds better (and its own lacks) is moved to that article: a small model mapping
    several articles at once sometimes files them under a neighbour."""
    articles = [f"{p.source.article.title}\n{p.text}" for p in call]
    values = [
        number_values(text, p.source.language) for p, text in zip(call, articles, strict=True)
    ]
    facts: list[list[str]] = [[] for _ in call]
    for own, answer in enumerate(answers):
        for fact in answer.facts:
            facts[_home(fact, own, articles, values, language)].append(fact)
    return [
        answer.model_copy(update={"facts": f}) for answer, f in zip(answers, facts, strict=True)
    ]


def _summary(source: Source, outputs: Sequence[MapOutput]) -> ArticleSummary:
    statements = _merge_statements(outputs)
    facts = tuple(
        Fact(fid=f"{source.sid}.F{i}", sid=source.sid, text=text)
        for i, text in enumerate(statements, start=1)
    )
    kind = "opinion" if opinion_piece(source.map_text, source.language) else "report"
    when = next((o.when for o in outputs if o.when), "")
    return ArticleSummary(sid=source.sid, facts=facts, kind=kind, when=when, chunks=len(outputs))


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
    carried = figures(" ".join(f.text for f in summary.facts), language)
    recovered: list[str] = []
    for sentence in whole_sentences(source.map_text):
        if len(words(sentence)) > MAX_RECOVERED_WORDS:
            continue
        found = figures(sentence, language)
        unique = {f for f in found - carried if sources_stating[f] == 1}
        if unique and len(recovered) < MAX_RECOVERED_FIGURES:
            recovered.append(sentence)
            carried |= found
    return _with_facts(summary, recovered)


def _with_facts(summary: ArticleSummary, texts: Sequence[str]) -> ArticleSummary:
    """The summary with `texts` as its next facts (S2.F9, S2.F10, …)."""
    start = len(summary.facts) + 1
    extra = tuple(
        Fact(fid=f"{summary.sid}.F{i}", sid=summary.sid, text=text)
        for i, text in enumerate(texts, start=start)
    )
    return replace(summary, facts=summary.facts + extra)


_PERSON = re.compile(r"(?<![\w'’-])(?:[A-Z][\w'’-]+\s){1,2}[A-Z][\w'’-]+")


def _speakers(sentence: str, language: str) -> list[str]:
    """The full names (two or three capitalised words, none a stop word) of a sentence that
    says who said it."""
    if not attributed(sentence, language):
        return []
    return [
        m.group(0)
        for m in _PERSON.finditer(sentence)
        if not any(w.lower() in short_stopwords(language) for w in m.group(0).split())
    ]


def _recover_speakers(summary: ArticleSummary, source: Source, language: str) -> ArticleSummary:
    """Extraction drops who said things ("The union is angry…" for "Dafydd Prosser, the union's
    regional officer, said members were angry…"): bring in, verbatim, the first attributed
    sentence naming each person the article quotes whom none of its facts names."""
    if source.language != language:
        return summary  # a verbatim sentence would be in the wrong language
    carried = " ".join(f.text for f in summary.facts)
    recovered: list[str] = []
    for sentence in whole_sentences(source.map_text):
        if len(recovered) >= MAX_RECOVERED_SPEAKERS:
            break
        if len(words(sentence)) > MAX_RECOVERED_WORDS:
            continue
        surnames = [
            n.split()[-1].removesuffix("'s").removesuffix("’s")
            for n in _speakers(sentence, language)
        ]
        new = [n for n in surnames if n not in carried]
        if new:
            recovered.append(sentence)
            carried += " " + sentence
    return _with_facts(summary, recovered)


def _merge_statements(outputs: Sequence[MapOutput]) -> list[str]:
    """Facts in reading order, one sentence each (a fact the model wrote as two is two),
    near-repeats across chunks removed."""
    merged: list[str] = []
    seen: list[set[str]] = []
    for text in (s for o in outputs for f in o.facts for s in whole_sentences(" ".join(f.split()))):
        stated = content_words(text)
        if not stated or any(jaccard(stated, other) >= SAME_FACT for other in seen):
            continue
        merged.append(text)
        seen.append(stated)
    return merged
