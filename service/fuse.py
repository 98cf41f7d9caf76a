"""The fuse step: one model call turns all articles' facts into a titled, cited draft brief.

Citations are constrained, then checked: where the model enforces a JSON schema, each sentence can
list only fact IDs that exist ("S2.F3", an enum; elsewhere unknown IDs are dropped by the
citation check), and code maps fact IDs back to source IDs. Facts on either side of a detected
disagreement are withheld from the model: code reports the disagreement (conflicts.describe).
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from service.chunk import TOKENIZER_MARGIN, count_tokens
from service.llm import JsonModel, Message, ModelText
from service.prompts import FUSE_PROMPT, language_name, load_prompt
from service.types import ArticleSummary, Conflict, DraftSentence, Fact

# Asked of the model, capped by max_sentences and by the facts offered (fewer facts than
# sentences required would force repeats); the check may remove some.
MIN_SENTENCES = 7
OUTPUT_TOKENS_PER_SENTENCE = 120  # small models pretty-print: indentation costs tokens
PROMPT_OVERHEAD_TOKENS = 500
# Facts offered per sentence asked for: a sentence rests on one or two facts, so this leaves the
# model a wide choice while a large bundle's long tail of minor facts stays out of the prompt.
FACT_TOKENS_PER_SENTENCE = 200


class FuseSentence(BaseModel):
    text: ModelText
    facts: list[str] = Field(default_factory=list, max_length=8)


class FuseOutput(BaseModel):
    title: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
    sentences: list[FuseSentence]


@dataclass(frozen=True)
class Draft:
    """The model's brief before the citation check, and the request that produced it."""

    title: str
    sentences: list[DraftSentence]
    facts_left_out: int  # lower-ranked facts left out to fit the fact budget
    messages: list[Message]
    schema: dict[str, Any]
    max_tokens: int


def _schema(fact_ids: list[str], min_sentences: int, max_sentences: int) -> dict[str, Any]:
    schema = FuseOutput.model_json_schema()
    sentence = schema["$defs"]["FuseSentence"]
    sentence["properties"]["facts"]["items"] = {"type": "string", "enum": fact_ids}
    sentence["properties"]["facts"]["minItems"] = 1
    sentences = schema["properties"]["sentences"]
    sentences["minItems"] = min_sentences
    sentences["maxItems"] = max_sentences
    return schema


def _output_tokens(max_sentences: int) -> int:
    return 400 + max_sentences * OUTPUT_TOKENS_PER_SENTENCE


def fact_budget(context_tokens: int, max_sentences: int) -> int:
    """Tokens of facts the fuse prompt carries: what the context leaves, at most
    FACT_TOKENS_PER_SENTENCE for each sentence asked for."""
    output_tokens = _output_tokens(max_sentences)
    room = int((context_tokens - output_tokens - PROMPT_OVERHEAD_TOKENS) * TOKENIZER_MARGIN)
    return min(room, max_sentences * FACT_TOKENS_PER_SENTENCE)


def _fit_facts(facts_by_source: list[list[Fact]], budget: int) -> tuple[list[Fact], int]:
    """Drop the least important facts (last in each source, round robin) until they fit."""
    lists = [list(fs) for fs in facts_by_source]
    cost = {f.fid: count_tokens(f.text) + 8 for fs in lists for f in fs}  # "[S1.F2] " + text
    total = sum(cost.values())
    dropped = 0
    while total > budget and any(len(fs) > 1 for fs in lists):
        total -= cost[max(lists, key=len).pop().fid]
        dropped += 1
    # Interleave sources (S1.F1, S2.F1, S3.F1, S1.F2, ...): small models follow list order,
    # and a list grouped by source makes them retell the first article.
    depth = max((len(fs) for fs in lists), default=0)
    ordered = [fs[i] for i in range(depth) for fs in lists if i < len(fs)]
    return ordered, dropped


async def fuse(
    summaries: Sequence[ArticleSummary],
    conflicts: Sequence[Conflict],
    model: JsonModel,
    language: str,
    max_sentences: int,
) -> Draft:
    disputed = {f.fid for c in conflicts for f in c.facts}
    usable = [[f for f in s.facts if f.fid not in disputed] for s in summaries]
    output_tokens = _output_tokens(max_sentences)
    facts, dropped = _fit_facts(usable, fact_budget(model.context_tokens, max_sentences))
    least = max(1, min(MIN_SENTENCES, max_sentences, len(facts)))
    messages = load_prompt(*FUSE_PROMPT).messages(
        language_name=language_name(language),
        min_sentences=least,
        max_sentences=max_sentences,
        facts="\n".join(f"[{f.fid}] {f.text}" for f in facts),
    )
    schema = _schema([f.fid for f in facts], least, max_sentences)
    output = await model.complete_json(
        messages, FuseOutput, max_tokens=output_tokens, schema=schema
    )
    return Draft(output.title, _drafted(output), dropped, messages, schema, output_tokens)


def _drafted(output: FuseOutput) -> list[DraftSentence]:
    return [DraftSentence(s.text, tuple(s.facts)) for s in output.sentences]


def needs_revision(draft: Draft, kept: int) -> bool:
    """Whether the citation check removed more than half of a first draft's sentences."""
    return len(draft.sentences) - kept > kept


async def revise(draft: Draft, problems: Sequence[str], model: JsonModel) -> Draft:
    """The fuse call once more, shown its own reply and which sentences the check removed."""
    sentences = [FuseSentence(text=s.text, facts=list(s.facts)) for s in draft.sentences]
    reply = FuseOutput(title=draft.title, sentences=sentences).model_dump_json()
    listed = "\n".join(f"- {p}" for p in dict.fromkeys(problems))  # each problem once
    note = load_prompt(*FUSE_PROMPT).part("revise", problems=listed)
    messages = [
        *draft.messages,
        {"role": "assistant", "content": reply},
        {"role": "user", "content": note},
    ]
    output = await model.complete_json(
        messages, FuseOutput, max_tokens=draft.max_tokens, schema=draft.schema
    )
    return replace(draft, title=output.title, sentences=_drafted(output), messages=messages)
