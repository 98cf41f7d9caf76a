"""One digest run: lock, day check, gather, group, brief each story, compose, send, remember."""

import logging
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path

from service.briefs import BriefService
from service.config import Settings
from service.digest.compose import Digest, build_message, story_view
from service.digest.config import DigestConfig
from service.digest.gather import Day, Problem, gather
from service.digest.send import send_smtp, write_files
from service.digest.state import Sent, SentDays, digest_dir, run_lock
from service.digest.stories import Story, group_stories, top_stories
from service.errors import FusebriefError, InvalidBundle, ModelError, ModelOutputInvalid
from service.fetch import FetchLimits, http_client
from service.types import Brief

log = logging.getLogger("fusebrief.digest")
# The brief service with its model started (the embedded one only when a story needs it).
ServiceFactory = Callable[[Settings], AbstractContextManager[BriefService]]


class Outcome(StrEnum):
    SENT = "sent"
    WRITTEN = "written"  # dry run
    ALREADY_SENT = "already sent"
    NOTHING = "nothing to send"


@dataclass(frozen=True)
class RunResult:
    outcome: Outcome
    detail: str  # one line for the operator


async def _brief(story: Story, config: DigestConfig, service: BriefService) -> Brief:
    """The one place the digest makes a brief: the brief service, like every other brief."""
    request = service.request(
        story.articles, language=config.language, max_sentences=config.max_sentences
    )
    return await service.brief(request)


async def _brief_all(
    stories: Sequence[Story],
    config: DigestConfig,
    service: BriefService,
    problems: list[Problem],
) -> list[Brief]:
    """Briefs of the stories in order; a story the pipeline cannot brief is noted and skipped.

    When no story could be briefed there is no digest to send: the run fails, and if the model
    failed on any story it fails as the model's failure (exit 1, the operator's to fix), not as
    whichever story's input happened to come last."""
    briefs: list[Brief] = []
    errors: list[FusebriefError] = []
    for number, story in enumerate(stories, start=1):
        log.info("story %d/%d: %d article(s)", number, len(stories), len(story.articles))
        try:
            briefs.append(await _brief(story, config, service))
        except (InvalidBundle, ModelOutputInvalid) as error:
            where = f"story “{story.articles[0].title}”"
            log.warning("%s: %s", where, error.message)
            problems.append(Problem(where, error.message))
            errors.append(error)
    if errors and not briefs:
        raise next((e for e in errors if isinstance(e, ModelError)), errors[-1])
    return briefs


async def run_digest(
    config: DigestConfig,
    settings: Settings,
    day: date,
    service_factory: ServiceFactory,
    *,
    dry_run: Path | None = None,
    force: bool = False,
) -> RunResult:
    """Send (or, dry run, write) the digest of `day`, at most once per day unless `force`."""
    folder = digest_dir(settings.data_dir)
    with run_lock(folder / f"{config.name}.lock"):
        sent_days = SentDays(folder / f"{config.name}.sent.json")
        sent = sent_days.get(day) if dry_run is None and not force else None
        if sent is not None:
            return RunResult(
                Outcome.ALREADY_SENT,
                f"the digest for {day} went out at {sent.sent_at}; --force sends it again",
            )
        async with http_client(settings, allow_private=True) as client:  # the operator's feeds
            limits = FetchLimits.from_settings(settings)
            gathered = await gather(config, Day(day, config.zone), client, limits)
        stories = group_stories(gathered.articles)
        chosen = top_stories(stories, config.max_stories, config.min_sources)
        log.info(
            "%s: %d article(s), %d stor(y/ies), %d chosen",
            day,
            len(gathered.articles),
            len(stories),
            len(chosen),
        )
        if not chosen and config.empty_day == "skip":
            return RunResult(Outcome.NOTHING, f"no stories on {day}")
        problems = list(gathered.problems)
        briefs: list[Brief] = []
        if chosen:
            with service_factory(settings) as service:
                briefs = await _brief_all(chosen, config, service, problems)
        written = datetime.now(config.zone)  # the footer's and the Date: header's time
        digest = Digest(
            day=day,
            generated_at=written,
            stories=[story_view(b) for b in briefs],
            problems=problems,
            model=briefs[0].model if briefs else None,
            articles=len(gathered.articles),
            outlets=len({a.source.casefold() for a in gathered.articles}),
            left_out=len(stories) - len(briefs),
        )
        message = build_message(digest, config.subject, settings.smtp_from, config.recipients)
        if dry_run is not None:
            files = write_files(message, dry_run, day, config.name)
            return RunResult(Outcome.WRITTEN, ", ".join(map(str, files)))
        await send_smtp(message, settings)
        sent_days.record(
            day, Sent(written.isoformat(), message["Message-ID"], len(briefs), config.recipients)
        )
        return RunResult(
            Outcome.SENT,
            f"{len(briefs)} stories for {day} to {len(config.recipients)} recipient(s)",
        )
