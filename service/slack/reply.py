"""Post messages back to Slack: to a slash command's response_url, or into a mention's thread.

Slack's 429 answers are retried after their Retry-After (slack-sdk's handler, a few times at
most). Nobody waits on the other end, so a post that still fails is logged, not raised.
"""

import logging
from dataclasses import asdict, dataclass

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from service.config import Settings
from service.slack.blocks import SlackMessage

log = logging.getLogger("fusebrief.slack")

POST_TIMEOUT_S = 30
RATE_LIMIT_RETRIES = 3


@dataclass(frozen=True)
class ResponseUrl:
    """Answer a slash command through the response_url Slack gave with it."""

    url: str


@dataclass(frozen=True)
class Thread:
    """Answer a mention in its thread with chat.postMessage (needs FUSEBRIEF_SLACK_BOT_TOKEN)."""

    channel: str
    ts: str


ReplyTo = ResponseUrl | Thread


def stored(reply_to: ReplyTo) -> dict[str, str]:
    """`reply_to` as JSON fields, for a job that posts the brief later."""
    return asdict(reply_to)


def restored(fields: dict[str, str]) -> ReplyTo:
    return ResponseUrl(**fields) if "url" in fields else Thread(**fields)


def _retry_handlers() -> list[AsyncRetryHandler]:
    return [
        AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        AsyncConnectionErrorRetryHandler(),
    ]


async def post(reply_to: ReplyTo, message: SlackMessage, settings: Settings) -> None:
    """Post one message where the request came from; failures are logged."""
    blocks = [block.to_dict() for block in message.blocks]  # to_dict checks Slack's limits
    if isinstance(reply_to, ResponseUrl):
        webhook = AsyncWebhookClient(
            reply_to.url, timeout=POST_TIMEOUT_S, retry_handlers=_retry_handlers()
        )
        response = await webhook.send(
            text=message.text,
            blocks=blocks,
            response_type="in_channel" if message.public else "ephemeral",
            replace_original=False,
        )
        if response.status_code != 200:
            log.warning("response_url answered HTTP %s: %s", response.status_code, response.body)
        return
    token = settings.slack_bot_token
    client = AsyncWebClient(
        token=token.get_secret_value() if token else None,
        base_url=settings.slack_api_url.rstrip("/") + "/",
        timeout=POST_TIMEOUT_S,
        retry_handlers=_retry_handlers(),
    )
    try:
        await client.chat_postMessage(
            channel=reply_to.channel, thread_ts=reply_to.ts, text=message.text, blocks=blocks
        )
    except SlackApiError as error:
        log.warning("chat.postMessage failed: %s", error.response.get("error", error))
