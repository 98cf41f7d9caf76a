"""From links to a posted brief: fetch each link, brief what could be read, post the result.

`brief_to_slack` is the one entry point, run as a job (kind "slack") once Slack has its
acknowledgement; whatever happens, the person who asked gets a message saying what it was.
"""

import asyncio
import logging
from collections.abc import Sequence

from service.config import Settings
from service.errors import FusebriefError
from service.fetch import FetchLimits, fetch_article, http_client
from service.llm import LLMClient
from service.pipeline import Progress, build_brief, no_progress
from service.schemas import ArticleIn, BriefOut, BriefRequest
from service.slack.blocks import SlackMessage, brief_messages, notice, say
from service.slack.reply import ReplyTo, post

log = logging.getLogger("fusebrief.slack")

MIN_ARTICLES = 2  # a brief fuses sources; one article is not a bundle


def problem_with(links: Sequence[str], settings: Settings) -> str | None:
    """Why these links cannot make a brief before anything is fetched, or None."""
    if len(links) < MIN_ARTICLES:
        return say("usage", limit=settings.max_articles)
    if len(links) > settings.max_articles:
        return say("too_many", count=len(links), limit=settings.max_articles)
    return None


async def _fetch_all(links: Sequence[str], settings: Settings) -> tuple[list[ArticleIn], list[str]]:
    """The articles that could be read, and a reason for each link that could not."""
    limits = FetchLimits.from_settings(settings)
    async with http_client(settings, allow_private=settings.slack_allow_private_links) as client:
        results = await asyncio.gather(
            *(fetch_article(link, client, limits) for link in links), return_exceptions=True
        )
    articles, failures = [], []
    for result in results:
        if isinstance(result, FusebriefError):
            failures.append(result.message)
        elif isinstance(result, BaseException):
            raise result
        else:
            articles.append(result)
    return articles, failures


async def _messages(
    links: Sequence[str], settings: Settings, llm: LLMClient, progress: Progress
) -> list[SlackMessage]:
    if problem := problem_with(links, settings):
        return [notice(problem)]
    articles, failures = await _fetch_all(links, settings)
    if len(articles) < MIN_ARTICLES:
        counts = say("too_few", usable=len(articles), count=len(links), minimum=MIN_ARTICLES)
        return [notice("\n".join([counts, *(f"• {failure}" for failure in failures)]))]
    bundle, options = BriefRequest(articles=articles).to_bundle(settings)
    brief = await build_brief(bundle, options, llm.session(), progress)
    return brief_messages(BriefOut.from_brief(brief), failures)


async def brief_to_slack(
    links: Sequence[str],
    reply_to: ReplyTo,
    settings: Settings,
    llm: LLMClient,
    progress: Progress = no_progress,
) -> None:
    """Brief the articles behind `links` and post the brief, or why there is none, to Slack.

    Runs as a job (kind "slack"): a restart or a dead worker does not lose it."""
    try:
        messages = await _messages(links, settings, llm, progress)
    except FusebriefError as error:
        messages = [notice(error.message)]
    except Exception:
        log.exception("the Slack brief of %s failed", list(links))
        messages = [notice(say("failed"))]
    for message in messages:
        try:
            await post(reply_to, message, settings)
        except Exception:
            log.exception("could not post to Slack")
            return
