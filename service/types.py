"""Plain data types that flow between the entry points, the brief service and the pipeline's
stages (no I/O, no framework)."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

# The outlet of an article read from a file without metadata is the file's name (service.loaders).
_FILE_NAME = re.compile(r"\.(?:txt|md|html?|json)$", re.IGNORECASE)


@dataclass(frozen=True)
class Article:
    """One article as the client sent it (already validated at the edge)."""

    title: str
    source: str
    text: str
    url: str | None = None
    published_at: datetime | None = None
    language: str | None = None
    client_id: str | None = None


@dataclass(frozen=True)
class Source:
    """An article after cleaning and identification, known by its source ID (S1..Sn)."""

    sid: str
    article: Article
    text: str  # cleaned text
    language: str  # ISO 639-1 code, declared or detected
    duplicate_of: str | None = None  # sid of the article this one repeats
    novel_text: str = ""  # for a duplicate: only the paragraphs the original lacks
    set_aside: bool = False  # off-topic or empty: listed in `excluded`, never mapped

    @property
    def outlet(self) -> str | None:
        """The outlet, or None when the article named none (read from a file without metadata,
        its "outlet" is the file's name)."""
        outlet = self.article.source
        return None if _FILE_NAME.search(outlet) else outlet

    @property
    def label(self) -> str:
        """How the brief names the source: "S2 (The Ledger)", or "S2" when it named no outlet."""
        return f"{self.sid} ({self.outlet})" if self.outlet else self.sid

    @property
    def document(self) -> str:
        """What the map step reads of the article, whole: its headline, a blank line, its
        cleaned text. Evidence offsets refer to this."""
        return f"{self.article.title}\n\n{self.text}"

    @property
    def map_text(self) -> str:
        """The text the map step reads: all of it, or only what a duplicate adds."""
        return self.novel_text if self.duplicate_of else self.text


@dataclass(frozen=True)
class Exclusion:
    """An article that does not feed the brief as a full source, and why."""

    sid: str
    reason: str


@dataclass(frozen=True)
class Passage:
    """The words of a source's cleaned text (`Source.text[start:end]`) that state something."""

    sid: str
    start: int
    end: int
    quote: str


@dataclass(frozen=True)
class Fact:
    """One atomic statement extracted from one article; fid is e.g. "S2.F3". `passages` are where
    the article states it (the passage, then the first mention of any name it lacks), once the
    fact has been aligned (service.align)."""

    fid: str
    sid: str
    text: str
    passages: tuple[Passage, ...] = ()


@dataclass(frozen=True)
class ArticleSummary:
    """The map step's structured summary of one article."""

    sid: str
    facts: tuple[Fact, ...]
    kind: str = "report"  # "opinion": a column or editorial, every fact someone's view
    when: str = ""  # when its event happened, as the article says ("Tuesday", "14 March")
    chunks: int = 1


@dataclass(frozen=True)
class Conflict:
    """Two or more facts from different sources giving different values for one thing: a
    quantity (`unit` "day", "million pound", …), a day or month ("when") or a person ("who").
    `values` holds each fact's value as it words it."""

    unit: str
    facts: tuple[Fact, ...]
    values: tuple[str, ...]


@dataclass(frozen=True)
class DraftSentence:
    """A sentence the model wrote, with the fact IDs it says it rests on (not yet checked)."""

    text: str
    facts: tuple[str, ...]


@dataclass(frozen=True)
class Sentence:
    """One sentence of the brief, the source IDs it rests on, the passages of those sources
    that state it, and the day it happened where a source dates it (service.timeline)."""

    text: str
    sources: tuple[str, ...]
    evidence: tuple[Passage, ...] = ()
    day: date | None = None


@dataclass(frozen=True)
class Disagreement:
    """Where the sources disagree, in words, with the sources on each side and the passages
    that state each side."""

    text: str
    sources: tuple[str, ...]
    evidence: tuple[Passage, ...] = ()


@dataclass
class Usage:
    """LLM usage summed over one brief."""

    llm_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cache_hits: int = 0  # model replies served from the cache instead of a call
    # Speculative decoding, where the server reports it (llama.cpp's timings): tokens drafted,
    # and of those the ones the model accepted; one (drafted, accepted) pair per such call.
    draft_tokens: int = 0
    draft_accepted: int = 0
    drafts: list[tuple[int, int]] = field(default_factory=list)

    def add(
        self, prompt_tokens: int, completion_tokens: int, draft: tuple[int, int] | None = None
    ) -> None:
        self.llm_calls += 1
        self.prompt_tokens += prompt_tokens
        self.completion_tokens += completion_tokens
        if draft is not None:
            self.drafts.append(draft)
            self.draft_tokens += draft[0]
            self.draft_accepted += draft[1]

    @property
    def acceptance(self) -> float | None:
        """Accepted ÷ drafted tokens over the brief's calls, None when nothing was drafted."""
        return self.draft_accepted / self.draft_tokens if self.draft_tokens else None


@dataclass(frozen=True)
class BriefOptions:
    """What the client asked for beyond the articles (defaults filled in by the brief service)."""

    max_sentences: int
    max_words: int | None = None  # the brief's sentences and disagreements, in words
    language: str | None = None
    model: str | None = None
    source_text: bool = False  # the brief's JSON carries each source's text (evidence offsets)


@dataclass
class Brief:
    """The finished, citation-checked brief. Each thing is held once: the written sentences in
    `sentences`, the disagreements (with both sides) in `disagreements`."""

    id: str
    title: str
    language: str
    sentences: list[Sentence]
    disagreements: list[Disagreement]
    sources: list[Source]
    summaries: list[ArticleSummary]
    excluded: list[Exclusion]
    model: str
    prompt_version: str
    usage: Usage
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ProgressEvent:
    """One step of a brief: `stage` ("clean", "identify", "map", "fuse", "revise", "check"),
    `done` of `total` units of it, and an optional line saying what happened."""

    stage: str
    done: int
    total: int
    detail: str = ""


ProgressSink = Callable[[ProgressEvent], None]


def no_progress(event: ProgressEvent) -> None:
    """The progress sink that ignores every event."""
