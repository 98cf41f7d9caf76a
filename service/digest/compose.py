"""Compose the digest email: each story's brief as numbered, linked citations, text + HTML parts.

The wording lives in templates/digest.txt.j2 and templates/digest.html.j2; this module only
builds the values they show and the MIME message around them. The article texts are put on one
line each here (service.escape), the HTML template escapes them (autoescape), and only an http(s)
URL becomes a link (`SourceLink.link`); another is shown as text.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from service.digest.gather import Problem
from service.escape import one_line, web_url
from service.types import Brief

TEMPLATES = Path(__file__).parent / "templates"
_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html.j2"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
_env.filters["one_line"] = one_line


@dataclass(frozen=True)
class Cited:
    """A sentence and the numbers of the sources it rests on (S3 → 3)."""

    text: str
    numbers: tuple[int, ...]


@dataclass(frozen=True)
class SourceLink:
    number: int
    outlet: str
    title: str
    url: str | None
    note: str | None  # why it fed the brief only in part (duplicate, off-topic)

    @property
    def link(self) -> str | None:
        """The URL when a link may point to it (http or https), else None."""
        return web_url(self.url)


@dataclass(frozen=True)
class StoryView:
    title: str
    sentences: list[Cited]
    disagreements: list[Cited]
    sources: list[SourceLink]

    @property
    def urls(self) -> dict[int, str | None]:
        """Each source's number and the link to it (None when its URL is not http(s))."""
        return {s.number: s.link for s in self.sources}


@dataclass(frozen=True)
class Digest:
    """Everything one email shows."""

    day: date
    generated_at: datetime  # in the digest's time zone
    stories: list[StoryView]
    problems: list[Problem]
    model: str | None  # None when no story was briefed
    articles: int
    outlets: int
    left_out: int  # stories below min_sources or over the cap

    @property
    def day_label(self) -> str:
        return f"{self.day:%A} {self.day.day} {self.day:%B %Y}"

    @property
    def time_label(self) -> str:
        return f"{self.generated_at.day} {self.generated_at:%B %Y, %H:%M %Z}"


_SID = re.compile(r"\bS(\d+)\b")


def _number(sid: str) -> int:
    return int(sid.removeprefix("S"))


def _cited(text: str, sids: tuple[str, ...]) -> Cited:
    return Cited(one_line(text), tuple(sorted(_number(s) for s in sids)))


def story_view(brief: Brief) -> StoryView:
    """A brief as the email shows it: S-numbers become [n] links to the numbered sources."""
    reasons = {e.sid: _SID.sub(r"[\1]", one_line(e.reason)) for e in brief.excluded}  # "of [2]"
    disagreements = []
    for d in brief.disagreements:
        text = d.text
        for source in brief.sources:  # "S1 (Outlet) reports …" reads "Outlet reports …"
            text = text.replace(f"{source.sid} ({source.article.source})", source.article.source)
        disagreements.append(_cited(text, d.sources))
    return StoryView(
        title=one_line(brief.title),
        sentences=[_cited(s.text, s.sources) for s in brief.sentences],
        disagreements=disagreements,
        sources=[
            SourceLink(
                _number(s.sid),
                one_line(s.article.source),
                one_line(s.article.title),
                s.article.url,
                reasons.get(s.sid),
            )
            for s in brief.sources
        ],
    )


def subject(template: str, digest: Digest) -> str:
    return template.format(date=digest.day_label, stories=len(digest.stories))


def build_message(
    digest: Digest, subject_template: str, sender: str, recipients: list[str]
) -> EmailMessage:
    """One multipart/alternative message: the plain-text part, then the HTML part."""
    title = subject(subject_template, digest)
    message = EmailMessage()
    message["Subject"] = title
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = format_datetime(digest.generated_at)
    domain = parseaddr(sender)[1].rpartition("@")[2] or None
    message["Message-ID"] = make_msgid("digest", domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    values = {"digest": digest, "title": title}
    message.set_content(_env.get_template("digest.txt.j2").render(values))
    message.add_alternative(_env.get_template("digest.html.j2").render(values), subtype="html")
    return message
