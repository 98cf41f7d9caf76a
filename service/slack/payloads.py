"""What Slack sends: slash commands, message shortcuts, Events API envelopes, and their links."""

import re
from urllib.parse import parse_qsl

from pydantic import BaseModel, ConfigDict, Field

# Slack writes links as <https://x>, <https://x|label> or leaves them bare; any scheme is
# taken here so that the fetcher can say why a non-web link is refused.
_SLACK_LINK = re.compile(r"<([a-z][a-z0-9+.-]*://[^|>\s]+)(?:\|[^>]*)?>", re.IGNORECASE)
_BARE_LINK = re.compile(r"(?<![<|\w])([a-z][a-z0-9+.-]*://[^\s<>]+)", re.IGNORECASE)


def links_in(text: str) -> list[str]:
    """The links in a message, in order, each once; mentions and other words are ignored."""
    found = [(m.start(), m.group(1)) for m in _SLACK_LINK.finditer(text)]
    bare = _SLACK_LINK.sub(lambda m: " " * len(m.group(0)), text)
    found += [(m.start(), m.group(1).rstrip(".,;:!?)'\"")) for m in _BARE_LINK.finditer(bare)]
    return list(dict.fromkeys(_unescape(link) for _, link in sorted(found)))


def _unescape(text: str) -> str:
    """Slack writes &, < and > in message text (links included) as entities."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


class SlashCommand(BaseModel):
    """The form Slack posts for `/brief <links>`."""

    model_config = ConfigDict(extra="ignore")

    command: str
    text: str = ""
    response_url: str
    user_id: str = ""
    channel_id: str = ""

    @classmethod
    def from_form(cls, body: bytes) -> "SlashCommand":
        return cls.model_validate(_form(body))


def _form(body: bytes) -> dict[str, str]:
    return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))


class Message(BaseModel):
    """The message a shortcut was run on."""

    model_config = ConfigDict(extra="ignore")

    text: str = ""


class MessageShortcut(BaseModel):
    """What Slack posts to the interactivity URL when someone runs the message shortcut."""

    model_config = ConfigDict(extra="ignore")

    type: str
    response_url: str = ""
    message: Message = Field(default_factory=Message)

    @classmethod
    def from_form(cls, body: bytes) -> "MessageShortcut":
        return cls.model_validate_json(_form(body).get("payload", ""))


class Event(BaseModel):
    """The inner event of an Events API callback; only app_mention is acted on."""

    model_config = ConfigDict(extra="ignore")

    type: str
    text: str = ""
    channel: str = ""
    ts: str = ""
    thread_ts: str | None = None


class EventEnvelope(BaseModel):
    """What Slack posts to the events URL: a url_verification or an event_callback."""

    model_config = ConfigDict(extra="ignore")

    type: str
    challenge: str | None = None
    event_id: str | None = Field(default=None, max_length=200)  # the same on a redelivery
    event: Event | None = None
