"""The whole pipeline in one function: articles in, one cited, checked brief out.

`build_brief` is called by the brief service (service.briefs) only; every entry point goes through
that. Two model rounds sit on the critical path: map (all articles in parallel), fuse (and a
third, revise, only when the citation check removed most of the fused draft).
"""

import uuid
from collections.abc import Sequence

from service.citations import Evidence, check_citations, check_title
from service.clean import remove_shared_lines
from service.conflicts import describe, disputed_values, find_conflicts
from service.errors import InvalidBundle, ModelOutputInvalid
from service.fuse import fuse, needs_revision, revise
from service.identify import identify, main_language
from service.llm import JsonModel
from service.prompts import prompt_version
from service.summarize import summarize_all
from service.types import (
    Article,
    Brief,
    BriefOptions,
    ProgressEvent,
    ProgressSink,
    Source,
    no_progress,
)

MIN_MODEL_SENTENCES = 3


async def build_brief(
    articles: Sequence[Article],
    options: BriefOptions,
    model: JsonModel,
    progress: ProgressSink = no_progress,
    *,
    map_batch_tokens: int = 0,
) -> Brief:
    if not articles:
        raise InvalidBundle("the bundle has no articles; send at least one article")

    # 1. Clean: boilerplate and instructions aimed at the model out before any model call.
    cleaned = remove_shared_lines([a.text for a in articles])
    progress(ProgressEvent("clean", len(articles), len(articles)))

    # 2. Identify: S1..Sn, language, duplicates, off-topic.
    sources, excluded = identify(articles, [c.text for c in cleaned])
    detail = "; ".join(f"{e.sid} {e.reason}" for e in excluded)
    progress(ProgressEvent("identify", len(sources), len(sources), detail))
    usable = [s for s in sources if not s.set_aside]
    if not usable:
        raise InvalidBundle(
            "no article has any text left after removing boilerplate; send the article bodies"
        )
    language = (options.language or main_language(sources)).lower()

    # 3 + 4. Chunk and map: numbered facts per article, in parallel.
    progress(ProgressEvent("map", 0, len(usable)))
    done: list[Source] = []

    def summarized(source: Source) -> None:
        done.append(source)
        progress(ProgressEvent("map", len(done), len(usable), source.sid))

    summaries = await summarize_all(usable, model, language, map_batch_tokens, summarized)
    if not any(s.facts for s in summaries):
        raise ModelOutputInvalid(
            f"the model {model.name} extracted no facts from any article; try a larger model"
        )

    # 5. Fuse: disagreements found in code; the model writes the brief over the other facts.
    conflicts = find_conflicts(summaries, sources)
    progress(ProgressEvent("fuse", 0, 1))
    # Disagreement sentences count towards the brief's length.
    room = max(MIN_MODEL_SENTENCES, options.max_sentences - len(conflicts))
    draft = await fuse(summaries, conflicts, model, language, room)
    progress(ProgressEvent("fuse", 1, 1))

    # 6. Check citations deterministically; report every disagreement with its sources. A draft
    # that lost most of its sentences to the check is written once more, told what was removed
    # and why; the draft keeping more sentences stands.
    disputed = disputed_values(conflicts)
    evidence = Evidence.build(sources, summaries, language)  # what each source says, indexed once
    checked = check_citations(draft.sentences, sources, summaries, evidence, disputed)
    if needs_revision(draft, len(checked.sentences)):
        progress(ProgressEvent("revise", 0, 1))
        second = await revise(draft, checked.warnings, model)
        rechecked = check_citations(second.sentences, sources, summaries, evidence, disputed)
        progress(ProgressEvent("revise", 1, 1))
        outcome = "its second draft stands"
        if len(rechecked.sentences) > len(checked.sentences):
            draft, checked = second, rechecked
        else:
            outcome = "its second draft kept no more, so the first stands"
        checked.warnings.insert(
            0,
            f"the citation check removed most of the model's first draft, and the model was "
            f"asked once to write it again: {outcome}",
        )
    title, title_warning = check_title(
        draft.title, checked.sentences, sources, evidence, disputed, language
    )
    outlets = {s.sid: s.article.source for s in sources}
    disagreements = [describe(c, language, outlets) for c in conflicts]
    warnings = [
        f"{s.sid}: removed a passage addressed to an AI model (possible prompt injection): "
        f"“{line[:120]}”"
        for s, c in zip(sources, cleaned, strict=True)
        for line in c.injections
    ] + checked.warnings
    if title_warning:
        warnings.append(title_warning)
    if draft.facts_left_out:
        warnings.append(
            f"{draft.facts_left_out} lower-ranked fact(s) were not offered to the model for "
            "this brief (its fact budget, set by the model's context and the brief's length)"
        )
    if len(checked.sentences) < min(5, options.max_sentences):
        warnings.append(f"only {len(checked.sentences)} sentence(s) passed the citation check")
    progress(ProgressEvent("check", len(checked.sentences), len(draft.sentences)))

    return Brief(
        id=uuid.uuid4().hex,
        title=title,
        language=language,
        sentences=checked.sentences,
        disagreements=disagreements,
        sources=sources,
        summaries=summaries,
        excluded=excluded,
        model=model.name,
        prompt_version=prompt_version(),
        usage=model.usage,
        warnings=warnings,
    )
