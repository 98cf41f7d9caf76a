"""The whole pipeline in one function: articles in, one cited, checked brief out.

`build_brief` is called by the brief service (service.briefs) only; every entry point goes through
that. The model is asked twice on the critical path: the map step (every article's facts, in
parallel) and the title (and, for an article in another language whose facts came back
untranslated, once to translate them). Everything between — which facts state the same claim,
where sources disagree, which articles report another event, what the brief says and in what
order, whether each sentence stands on the passages it cites — is decided in code.
"""

import uuid
from collections.abc import Sequence
from dataclasses import replace

from service.align import align_summaries
from service.claims import plan_brief
from service.clean import dated_by_their_pages, remove_shared_lines
from service.conflicts import describe, disputed_values
from service.errors import InvalidBundle, ModelOutputInvalid
from service.events import different_events
from service.identify import identify, main_language
from service.length import within_words
from service.limits import check_text_size
from service.llm import JsonModel
from service.prompts import prompt_version
from service.restatements import without_restatements
from service.summarize import summarize_all
from service.timeline import in_time
from service.translate import translate_copies
from service.tuning import SPARE_SENTENCES
from service.types import (
    Article,
    Brief,
    BriefOptions,
    Exclusion,
    ProgressEvent,
    ProgressSink,
    Source,
    no_progress,
)
from service.write import in_reading_order, state_claims, write_title


async def build_brief(
    articles: Sequence[Article],
    options: BriefOptions,
    model: JsonModel,
    progress: ProgressSink = no_progress,
    *,
    map_batch_tokens: int = 0,
    max_article_chars: int | None = None,
) -> Brief:
    if not articles:
        raise InvalidBundle("the bundle has no articles; send at least one article")

    # 1. Clean: boilerplate and instructions aimed at the model out before any model call.
    cleaned = remove_shared_lines(
        [a.text for a in articles],
        [a.source for a in articles],
        [a.language for a in articles],
        [a.title for a in articles],
    )
    if max_article_chars is not None:
        for number, article in enumerate(cleaned, start=1):
            check_text_size(article.text, max_article_chars, f"article {number}")
    articles = dated_by_their_pages(articles, cleaned)
    progress(ProgressEvent("clean", len(articles), len(articles)))

    # 2. Identify: S1..Sn, language, duplicates, off-topic.
    sources, excluded = identify(articles, [c.text for c in cleaned])
    progress(ProgressEvent("identify", len(sources), len(sources), _listed(excluded)))
    usable = [s for s in sources if not s.set_aside]
    if not usable:
        raise InvalidBundle(
            "no article has any text left after removing boilerplate; send the article bodies"
        )
    language = (options.language or main_language(sources)).lower()

    # 3 + 4. Chunk and map: each article's kind, when its event happened, its facts.
    progress(ProgressEvent("map", 0, len(usable)))
    done: list[Source] = []

    def mapped(source: Source) -> None:
        done.append(source)
        progress(ProgressEvent("map", len(done), len(usable), source.sid))

    summaries = await summarize_all(usable, model, language, map_batch_tokens, mapped)
    if not any(s.facts for s in summaries):
        raise ModelOutputInvalid(
            f"the model {model.name} extracted no facts from any article; try a larger model"
        )

    # 5. Evidence: every fact aligned to the passage of its article that states it; a fact no
    # passage supports is the model's invention and is left out.
    summaries, unsupported = align_summaries(summaries, sources, language)

    # 5b. Translate: facts the model copied in their article's language instead of the brief's,
    # one call per article holding any (none when every article is in the brief's language).
    foreign = sum(1 for s in usable if s.language != language)
    if foreign:
        progress(ProgressEvent("translate", 0, foreign))
    summaries, untranslated = await translate_copies(summaries, sources, model, language)
    if foreign:
        progress(ProgressEvent("translate", foreign, foreign))

    # 6. Events: an article about another event under the same names is set aside.
    other_events = different_events(sources)
    if other_events:
        sources = [replace(s, set_aside=True) if s.sid in other_events else s for s in sources]
        summaries = [s for s in summaries if s.sid not in other_events]
        excluded = _in_order(
            excluded + [Exclusion(*item) for item in other_events.items()], sources
        )
        progress(ProgressEvent("identify", len(sources), len(sources), _listed(excluded)))

    # 7. Plan: claims (facts that state the same thing, whoever states it), disagreements, rank.
    plan = plan_brief(summaries, sources, options.max_sentences, language)
    labels = {s.sid: s.label for s in sources}
    disagreements = [describe(c, language, labels) for c in plan.conflicts]

    # 8. Write and check: each claim's sentence cites every source that states it and the
    # passages that do; then the title, the last model call.
    progress(ProgressEvent("check", 0, plan.room))
    disputed = disputed_values(plan.conflicts, language)
    sentences, left_out = state_claims(
        plan.ranked, plan.room + SPARE_SENTENCES, sources, summaries, language, disputed, plan.lead
    )
    # 8b. A sentence that makes again the point of an earlier one, in other words, is left out
    # (the model asked about each close pair); the spare sentences fill its place.
    sentences, restated = await without_restatements(sentences, model, language, plan.room)
    left_out += restated
    progress(ProgressEvent("check", len(sentences), plan.room))
    passed = len(sentences)
    if options.max_words is not None:  # what is kept follows the planner's order of importance
        sentences, disagreements, cut = within_words(sentences, disagreements, options.max_words)
        left_out += cut
    sentences = in_reading_order(sentences, language)
    progress(ProgressEvent("title", 0, 1))
    opinions = {s.sid for s in summaries if s.kind == "opinion"}
    title, title_warning = await write_title(
        sentences, sources, model, language, disputed, opinions
    )
    progress(ProgressEvent("title", 1, 1))

    # 9. Time: each sentence dated where a source dates it; a story spanning days told in order.
    sentences = in_time(sentences, sources, summaries)

    warnings = [
        f"{s.sid}: removed a passage addressed to an AI model (possible prompt injection): "
        f"“{line[:120]}”"
        for s, c in zip(sources, cleaned, strict=True)
        for line in c.injections
    ]
    warnings += unsupported + untranslated + left_out
    if title_warning:
        warnings.append(title_warning)
    if passed < min(5, options.max_sentences):
        warnings.append(f"only {passed} sentence(s) passed the citation check")

    return Brief(
        id=uuid.uuid4().hex,
        title=title,
        language=language,
        sentences=sentences,
        disagreements=disagreements,
        sources=sources,
        summaries=summaries,
        excluded=excluded,
        model=model.name,
        prompt_version=prompt_version(),
        usage=model.usage,
        warnings=warnings,
    )


def _listed(excluded: Sequence[Exclusion]) -> str:
    return "; ".join(f"{e.sid} {e.reason}" for e in excluded)


def _in_order(excluded: Sequence[Exclusion], sources: Sequence[Source]) -> list[Exclusion]:
    order = {s.sid: i for i, s in enumerate(sources)}
    return sorted(excluded, key=lambda e: order[e.sid])
