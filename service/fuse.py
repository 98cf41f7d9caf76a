"""The fuse step: one model call turns all articles' facts into a titled, cited draft brief.

Citations are by construction: the JSON schema lets each sentence list only fact IDs that exist
("S2.F3", an enum), and code maps fact IDs back to source IDs. Disputed facts are withheld from
the model, which is asked only to name each disputed quantity.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from service.chunk import count_tokens
from service.llm import JsonModel
from service.prompts import FUSE_PROMPT, language_name, load_prompt
from service.types import ArticleSummary, Conflict, Fact

MIN_SENTENCES = 7  # asked of the model (capped by max_sentences); the check may remove some
MAX_QUANTITY_WORDS = 8
OUTPUT_TOKENS_PER_SENTENCE = 120  # small models pretty-print: indentation costs tokens
PROMPT_OVERHEAD_TOKENS = 500
TOKENIZER_MARGIN = 0.8

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=600)]


class FuseSentence(BaseModel):
    text: Text
    facts: list[str] = Field(default_factory=list, max_length=8)


class Dispute(BaseModel):
    id: str
    quantity: Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)]


class FuseOutput(BaseModel):
    title: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
    sentences: list[FuseSentence]
    disputes: list[Dispute] = Field(default_factory=list)


@dataclass(frozen=True)
class Draft:
    """The model's brief before the citation check."""

    title: str
    sentences: list[FuseSentence]
    quantity_names: dict[int, str]  # conflict index → what is disputed
    facts_left_out: int  # facts trimmed to fit the context window


def _schema(fact_ids: list[str], dispute_ids: list[str], max_sentences: int) -> dict[str, Any]:
    schema = FuseOutput.model_json_schema()
    sentence = schema["$defs"]["FuseSentence"]
    sentence["properties"]["facts"]["items"] = {"type": "string", "enum": fact_ids}
    sentence["properties"]["facts"]["minItems"] = 1
    sentences = schema["properties"]["sentences"]
    sentences["minItems"] = min(MIN_SENTENCES, max_sentences)
    sentences["maxItems"] = max_sentences
    dispute = schema["$defs"]["Dispute"]
    if dispute_ids:
        dispute["properties"]["id"] = {"type": "string", "enum": dispute_ids}
    # One name per dispute: an unbounded list lets a small model loop until it runs out of tokens.
    schema["properties"]["disputes"]["maxItems"] = len(dispute_ids)
    return schema


def _fit_facts(facts_by_source: list[list[Fact]], budget: int) -> tuple[list[Fact], int]:
    """Drop the least important facts (last in each source, round robin) until they fit."""
    lists = [list(fs) for fs in facts_by_source]

    def total() -> int:
        return sum(count_tokens(f.text) + 8 for fs in lists for f in fs)

    dropped = 0
    while total() > budget and any(len(fs) > 1 for fs in lists):
        longest = max(lists, key=len)
        longest.pop()
        dropped += 1
    # Interleave sources (S1.F1, S2.F1, S3.F1, S1.F2, ...): small models follow list order,
    # and a list grouped by source makes them retell the first article.
    depth = max((len(fs) for fs in lists), default=0)
    ordered = [fs[i] for i in range(depth) for fs in lists if i < len(fs)]
    return ordered, dropped


def _names_a_quantity(text: str) -> bool:
    """A usable name for what is disputed: short, and without the disputed figures."""
    return (
        bool(text)
        and len(text.split()) <= MAX_QUANTITY_WORDS
        and not any(ch.isdigit() for ch in text)
    )


async def fuse(
    summaries: Sequence[ArticleSummary],
    conflicts: Sequence[Conflict],
    model: JsonModel,
    language: str,
    max_sentences: int,
) -> Draft:
    disputed = {f.fid for c in conflicts for f in c.facts}
    usable = [[f for f in s.facts if f.fid not in disputed] for s in summaries]
    output_tokens = 400 + max_sentences * OUTPUT_TOKENS_PER_SENTENCE
    budget = int((model.context_tokens - output_tokens - PROMPT_OVERHEAD_TOKENS) * TOKENIZER_MARGIN)
    facts, dropped = _fit_facts(usable, budget)
    dispute_ids = [f"D{i}" for i in range(1, len(conflicts) + 1)]
    disputes = "\n".join(
        f"[{did}] " + " | ".join(f"{f.sid}: {f.text}" for f in c.facts)
        for did, c in zip(dispute_ids, conflicts, strict=True)
    )
    messages = load_prompt(*FUSE_PROMPT).messages(
        language_name=language_name(language),
        min_sentences=min(MIN_SENTENCES, max_sentences),
        max_sentences=max_sentences,
        facts="\n".join(f"[{f.fid}] {f.text}" for f in facts),
        disputes=disputes or "(none)",
    )
    output = await model.complete_json(
        messages,
        FuseOutput,
        max_tokens=output_tokens,
        schema=_schema([f.fid for f in facts], dispute_ids, max_sentences),
    )
    names = {
        dispute_ids.index(d.id): d.quantity
        for d in output.disputes
        if d.id in dispute_ids and _names_a_quantity(d.quantity)
    }
    return Draft(output.title, output.sentences, names, dropped)
