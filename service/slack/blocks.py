"""Block Kit messages: a brief (or a notice) within Slack's limits, split across messages.

Slack refuses a section over 3,000 characters, a header over 150 and a message over 50 blocks;
a long brief is packed line by line into sections and then spread over as many messages as it
needs. All text from articles, links and errors is escaped (Slack reads `<`, `>`, `&`), kept
on one line where it is one line (a title, a sentence), and only http(s) URLs become links.
"""

import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from service.escape import one_line, web_url
from service.render import markers, usage_line
from service.types import Brief, Source

SECTION_CHARS = 3000
HEADER_CHARS = 150
MAX_BLOCKS = 50
TEXTS = Path(__file__).with_name("texts.toml")


@dataclass(frozen=True)
class SlackMessage:
    """One message: `text` is the notification fallback, `public` means in_channel."""

    text: str
    blocks: tuple[Block, ...]
    public: bool = True


@cache
def _texts() -> dict[str, str]:
    return tomllib.loads(TEXTS.read_text(encoding="utf-8"))


def say(key: str, **values: object) -> str:
    """A user-facing text from texts.toml with its {placeholders} filled."""
    return _texts()[key].format(**values)


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def line(text: str) -> str:
    """One line of article text, escaped."""
    return escape(one_line(text))


def _link(url: str, label: str) -> str:
    """`<url|label>` for an http(s) URL; any other (`!channel`, `javascript:`) is text."""
    target = web_url(url)
    if target is None:
        return f"{line(label)} ({line(url)})"
    return f"<{escape(target).replace('|', '%7C')}|{line(label)}>"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _pieces(line: str, limit: int) -> Iterable[str]:
    """A line cut at spaces into pieces of at most `limit` characters."""
    while len(line) > limit:
        cut = line.rfind(" ", 0, limit + 1)
        cut = cut if cut > 0 else limit
        yield line[:cut]
        line = line[cut:].lstrip()
    yield line


def pack(lines: Iterable[str], limit: int = SECTION_CHARS) -> list[str]:
    """Lines joined into as few texts of at most `limit` characters as fit."""
    texts: list[str] = []
    current = ""
    for line in lines:
        for piece in _pieces(line, limit):
            joined = f"{current}\n{piece}" if current else piece
            if len(joined) > limit:
                texts.append(current)
                joined = piece
            current = joined
    return [*texts, current] if current else texts


def _sections(lines: Iterable[str]) -> list[Block]:
    return [SectionBlock(text=MarkdownTextObject(text=text)) for text in pack(lines)]


def notice(text: str, *, public: bool = False) -> SlackMessage:
    """A plain message (usage, progress, an error), ephemeral unless `public`."""
    safe = escape(text)
    return SlackMessage(text=safe, blocks=tuple(_sections(safe.splitlines())), public=public)


def _source_line(source: Source, reasons: dict[str, str]) -> str:
    article = source.article
    title = _link(article.url, article.title) if article.url else line(article.title)
    note = f" — _{line(reasons[source.sid])}_" if source.sid in reasons else ""
    return f"*{source.sid}* {line(article.source)}: {title}{note}"


def _bullets(heading: str, items: Sequence[str]) -> list[Block]:
    return _sections([heading, *(f"• {item}" for item in items)]) if items else []


def brief_blocks(brief: Brief, left_out: Sequence[str] = ()) -> list[Block]:
    """Title, sentences with their sources, disagreements, sources as links, notes, usage."""
    reasons = {e.sid: e.reason for e in brief.excluded}
    return [
        HeaderBlock(text=PlainTextObject(text=_clip(one_line(brief.title), HEADER_CHARS))),
        *_sections(f"{line(s.text)} {markers(s.sources)}" for s in brief.sentences),
        *_bullets(
            say("disagree"), [f"{line(d.text)} {markers(d.sources)}" for d in brief.disagreements]
        ),
        *_sections([say("sources"), *(_source_line(s, reasons) for s in brief.sources)]),
        *_bullets(say("left_out"), [line(note) for note in left_out]),
        *_bullets(say("warnings"), [line(warning) for warning in brief.warnings]),
        ContextBlock(elements=[MarkdownTextObject(text=line(usage_line(brief)))]),
    ]


def brief_messages(brief: Brief, left_out: Sequence[str] = ()) -> list[SlackMessage]:
    """The brief as one message, or several when it is over MAX_BLOCKS blocks."""
    blocks = brief_blocks(brief, left_out)
    title = line(brief.title)
    parts = [blocks[start : start + MAX_BLOCKS] for start in range(0, len(blocks), MAX_BLOCKS)]
    return [
        SlackMessage(
            text=title if len(parts) == 1 else f"{title} ({number}/{len(parts)})",
            blocks=tuple(part),
        )
        for number, part in enumerate(parts, start=1)
    ]
