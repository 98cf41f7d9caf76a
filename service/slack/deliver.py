"""From links to a posted brief: fetch each link, brief what could be read, post the result.

Runs as a job of kind "slack" (`slack_job`), queued by `queue_brief` once Slack has its
acknowledgement, so a restart or a dead worker does not lose it; whatever happens, the person who
asked gets a message saying what it was.
"""

import logging
from collections.abc import Sequence
from typing import Any

from service.briefs import BriefService
from service.config import Settings
from service.errors import FusebriefError, IdempotencyConflict
from service.fetch import fetch_each
from service.jobs.model import SLACK, Handler, NewJob
from service.jobs.queue import JobQueue
from service.slack.blocks import SlackMessage, brief_messages, notice, say
from service.slack.reply import ReplyTo, post, restored, stored
from service.types import ProgressSink, no_progress

log = logging.getLogger("fusebrief.slack")

MIN_ARTICLES = 2  # a brief fuses sources; one article is not a bundle
SLACK_JOB = "slack"  # the job kind whose handler is `slack_job`


def problem_with(links: Sequence[str], settings: Settings) -> str | None:
    """Why these links cannot make a brief before anything is fetched, or None."""
    if len(links) < MIN_ARTICLES:
        return say("usage", limit=settings.max_articles)
    if len(links) > settings.max_articles:
        return say("too_many", count=len(links), limit=settings.max_articles)
    return None


async def queue_brief(
    jobs: JobQueue, links: Sequence[str], reply_to: ReplyTo, *, event_id: str | None = None
) -> None:
    """The one place a Slack brief is started: a durable job, so a restart does not lose it.

    An Events API event is briefed once: its `event_id` is the job's idempotency key, so the
    same event delivered again (Slack retries, with or without X-Slack-Retry-Num) finds the
    first job instead of starting a second brief."""
    request = {"links": list(links), "reply_to": stored(reply_to)}
    key = f"slack-event:{event_id}" if event_id else None
    try:
        await jobs.submit(NewJob.of(SLACK_JOB, request, owner=SLACK, idempotency_key=key))
    except IdempotencyConflict:
        log.info("Slack event %s was delivered again; it is briefed once", event_id)


async def _messages(
    links: Sequence[str], service: BriefService, progress: ProgressSink
) -> list[SlackMessage]:
    settings = service.settings
    if problem := problem_with(links, settings):
        return [notice(problem)]
    articles, failures = await fetch_each(
        links, settings, allow_private=settings.slack_allow_private_links
    )
    if len(articles) < MIN_ARTICLES:
        counts = say("too_few", usable=len(articles), count=len(links), minimum=MIN_ARTICLES)
        return [notice("\n".join([counts, *(f"• {failure}" for failure in failures)]))]
    brief = await service.brief(service.request(articles), progress)
    return brief_messages(brief, failures)


async def brief_to_slack(
    links: Sequence[str],
    reply_to: ReplyTo,
    service: BriefService,
    progress: ProgressSink = no_progress,
) -> None:
    """Brief the articles behind `links` and post the brief, or why there is none, to Slack."""
    try:
        messages = await _messages(links, service, progress)
    except FusebriefError as error:
        messages = [notice(error.message)]
    except Exception:
        log.exception("the Slack brief of %s failed", list(links))
        messages = [notice(say("failed"))]
    for message in messages:
        try:
            await post(reply_to, message, service.settings)
        except Exception:
            log.exception("could not post to Slack")
            return


def slack_job(service: BriefService) -> Handler:
    """The handler of a "slack" job: it posts the brief itself and keeps no result."""

    async def run(request: dict[str, Any], progress: ProgressSink) -> None:
        links, reply_to = request["links"], restored(request["reply_to"])
        await brief_to_slack(links, reply_to, service, progress)

    return run
