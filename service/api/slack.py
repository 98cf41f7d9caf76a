"""Slack's routes: /slack/commands (/brief), /slack/events (@mentions), /slack/interactions.

Every request must carry Slack's signature; it is checked before the body is even parsed.
The answer goes back within Slack's 3 seconds; the brief is a durable job (kind "slack").
"""

import logging
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from service.api.deps import JobsDep, SettingsDep
from service.api.schemas import ErrorOut
from service.errors import SlackNotConfigured
from service.slack.blocks import notice, say
from service.slack.deliver import problem_with, queue_brief
from service.slack.payloads import EventEnvelope, MessageShortcut, SlashCommand, links_in
from service.slack.reply import ResponseUrl, Thread
from service.slack.verify import SlackVerifier

log = logging.getLogger("fusebrief.slack")
T = TypeVar("T")

router = APIRouter(
    prefix="/slack",
    tags=["slack"],
    responses={
        401: {"model": ErrorOut, "description": "Not signed by Slack, stale, or a replay."},
        503: {"model": ErrorOut, "description": "FUSEBRIEF_SLACK_SIGNING_SECRET is not set."},
    },
)


async def signed_body(request: Request) -> bytes:
    """The raw body, once Slack's signature on it has been checked.

    The signature headers are checked before the body is even read: a request without them
    (or with malformed or stale ones) costs no read, no decoding and no parsing."""
    verifier: SlackVerifier | None = request.app.state.slack_verifier
    if verifier is None:
        raise SlackNotConfigured(
            "Slack is not set up on this server: set FUSEBRIEF_SLACK_SIGNING_SECRET to the "
            "Slack app's Signing Secret and restart"
        )
    verifier.check_headers(request.headers)
    body = await request.body()
    verifier.check(body, request.headers)
    return body


SignedBody = Annotated[bytes, Depends(signed_body)]


def _parsed(parse: Callable[[bytes], T], body: bytes) -> T:
    """Slack's payload as its pydantic model; a malformed one is a 422 like any other body."""
    try:
        return parse(body)
    except ValidationError as error:
        # Without each error's "type", bad JSON is not answered as a bad /v1/briefs bundle.
        problems = [{"loc": e["loc"], "msg": e["msg"]} for e in error.errors()]
        raise RequestValidationError(problems) from error
    except UnicodeDecodeError as error:
        raise RequestValidationError([{"loc": ("body",), "msg": str(error)}]) from error


def _ephemeral(text: str) -> dict[str, Any]:
    message = notice(text)
    return {
        "response_type": "ephemeral",
        "text": message.text,
        "blocks": [block.to_dict() for block in message.blocks],
    }


@router.post("/commands", summary="The /brief slash command")
async def slash_command(body: SignedBody, settings: SettingsDep, jobs: JobsDep) -> dict[str, Any]:
    command = _parsed(SlashCommand.from_form, body)
    links = links_in(command.text)
    if problem := problem_with(links, settings):
        return _ephemeral(problem)
    await queue_brief(jobs, links, ResponseUrl(command.response_url))
    return _ephemeral(say("working", count=len(links)))


@router.post("/events", summary="Events API: url_verification and app_mention")
async def events(
    body: SignedBody,
    settings: SettingsDep,
    jobs: JobsDep,
    retry_num: Annotated[str | None, Header(alias="X-Slack-Retry-Num")] = None,
) -> Response:
    envelope = _parsed(EventEnvelope.model_validate_json, body)
    if envelope.type == "url_verification":
        return JSONResponse({"challenge": envelope.challenge})
    event = envelope.event
    if retry_num is not None or event is None or event.type != "app_mention":
        return Response(status_code=200)  # a retry of an event already acknowledged, or noise
    if settings.slack_bot_token is None:
        log.warning("an @mention was ignored: set FUSEBRIEF_SLACK_BOT_TOKEN to answer mentions")
        return Response(status_code=200)
    thread = Thread(event.channel, event.thread_ts or event.ts)
    await queue_brief(jobs, links_in(event.text), thread, event_id=envelope.event_id)
    return Response(status_code=200)


@router.post("/interactions", summary="The message shortcut: brief the links in a message")
async def interactions(body: SignedBody, jobs: JobsDep) -> Response:
    shortcut = _parsed(MessageShortcut.from_form, body)
    if shortcut.type == "message_action" and shortcut.response_url:
        reply_to = ResponseUrl(shortcut.response_url)
        await queue_brief(jobs, links_in(shortcut.message.text), reply_to)
    return Response(status_code=200)
