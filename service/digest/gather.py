"""Gather the day's articles from the digest's inputs; an input that fails is noted, not fatal."""

import asyncio
import calendar
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import feedparser
import httpx

from service.articles import parse_article
from service.digest.config import DigestConfig, DigestInput, FeedInput, FolderInput
from service.errors import FetchFailed, InvalidBundle
from service.fetch import FetchLimits, fetch_article, fetch_page, join_link
from service.loaders import html_fields, load_articles
from service.textutil import words
from service.types import Article

log = logging.getLogger("fusebrief.digest")

# A feed entry's summary this long is taken as the article; a shorter one sends us to its page.
FULL_TEXT_WORDS = 50


@dataclass(frozen=True)
class Day:
    """One calendar day in the digest's time zone, as a half-open UTC-aware interval."""

    day: date
    zone: ZoneInfo

    @property
    def start(self) -> datetime:
        return datetime(self.day.year, self.day.month, self.day.day, tzinfo=self.zone)

    @property
    def end(self) -> datetime:
        return self.start + timedelta(days=1)

    def holds(self, stamp: datetime | None) -> bool:
        """Published that day; an undated article (a file on the desk) counts as today's."""
        if stamp is None:
            return True
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=self.zone)
        return self.start <= stamp < self.end


@dataclass(frozen=True)
class Problem:
    """An input (or one of its entries) that could not be read, and why."""

    where: str
    reason: str


@dataclass
class Gathered:
    articles: list[Article] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def note(self, where: str, reason: str) -> None:
        log.warning("%s: %s", where, reason)
        self.problems.append(Problem(where, reason))


def _label(item: DigestInput) -> str:
    if isinstance(item, FeedInput):
        return item.name or item.feed
    return str(item.folder if isinstance(item, FolderInput) else item.bundle)


def _is_url(location: str) -> bool:
    """An http(s) link, however badly written (`check_link` says what is wrong with it)."""
    scheme, colon, _ = location.partition(":")
    return bool(colon) and scheme.lower() in ("http", "https")


async def _read(location: str, client: httpx.AsyncClient, limits: FetchLimits) -> str:
    if _is_url(location):
        return (await fetch_page(location, client, limits)).text
    try:
        return Path(location).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise FetchFailed(f"cannot read {location} ({error})") from error


def _parse_feed(raw: str) -> Any:
    parsed = feedparser.parse(raw)
    if not parsed.version or (parsed.bozo and not parsed.entries):
        reason = parsed.get("bozo_exception") or "no <rss> or <feed> element"
        raise FetchFailed(f"not an RSS or Atom feed ({reason}); check the feed's address")
    return parsed


def _published(entry: Any) -> datetime | None:
    stamp: time.struct_time | None = entry.get("published_parsed") or entry.get("updated_parsed")
    return datetime.fromtimestamp(calendar.timegm(stamp), UTC) if stamp else None


def _entry_text(entry: Any) -> str | None:
    """The entry's full text when the feed carries it (content:encoded, or a long summary)."""
    contents: list[str] = [c.get("value", "") for c in entry.get("content", [])]
    if any(contents):
        return max(contents, key=len)
    summary: str = entry.get("summary", "")
    return summary if len(words(summary)) >= FULL_TEXT_WORDS else None


async def _entry_page(link: str, client: httpx.AsyncClient, limits: FetchLimits) -> Article:
    """The entry's article page: fetched over HTTP(S), or a file beside a local feed."""
    if _is_url(link):
        return await fetch_article(link, client, limits)
    path = Path(link)
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise FetchFailed(f"cannot read the entry's page {path} ({error})") from error
    return parse_article(html_fields(raw, path.name), str(path))


async def _entry_article(
    entry: Any, outlet: str, feed: str, client: httpx.AsyncClient, limits: FetchLimits
) -> Article:
    href = entry.get("link", "")
    link = join_link(feed, href) if _is_url(feed) else href
    if href and not _is_url(link):  # a relative link in a feed file: a file beside it
        link = str((Path(feed).parent / href).resolve())
    web_link = link if _is_url(link) else None
    text = _entry_text(entry)
    if text is not None:
        fields: dict[str, Any] = {"title": entry.get("title"), "text": text, "url": web_link}
    elif link:
        page = await _entry_page(link, client, limits)
        fields = {
            "title": entry.get("title") or page.title,
            "text": page.text,
            "url": web_link or page.url,
            "published_at": page.published_at,
            "language": page.language,
        }
    else:
        raise FetchFailed("the entry has neither text nor a link")
    fields |= {"source": outlet, "published_at": _published(entry) or fields.get("published_at")}
    return parse_article(fields, link or feed)


async def _gather_feed(
    item: FeedInput, day: Day, client: httpx.AsyncClient, limits: FetchLimits, out: Gathered
) -> None:
    try:
        parsed = _parse_feed(await _read(item.feed, client, limits))
    except FetchFailed as error:
        out.note(_label(item), error.message)
        return
    outlet = item.name or parsed.feed.get("title") or urlsplit(item.feed).hostname or item.feed
    entries = [e for e in parsed.entries if day.holds(_published(e))]
    # The entries' pages are fetched side by side; results keep the feed's order.
    results = await asyncio.gather(
        *(_entry_article(e, outlet, item.feed, client, limits) for e in entries),
        return_exceptions=True,
    )
    for entry, result in zip(entries, results, strict=True):
        if isinstance(result, FetchFailed | InvalidBundle):
            out.note(f"{outlet}: “{entry.get('title', 'untitled entry')}”", result.message)
        elif isinstance(result, BaseException):
            raise result
        else:
            out.articles.append(result)


async def gather(
    config: DigestConfig, day: Day, client: httpx.AsyncClient, limits: FetchLimits
) -> Gathered:
    """Every article of `day` from every input, first copy of each URL only, in input order."""
    out = Gathered()
    for item in config.inputs:
        if isinstance(item, FeedInput):
            await _gather_feed(item, day, client, limits, out)
            continue
        path = item.folder if isinstance(item, FolderInput) else item.bundle
        try:
            out.articles += [a for a in load_articles([path]) if day.holds(a.published_at)]
        except InvalidBundle as error:
            out.note(_label(item), error.message)
    seen: set[str] = set()
    unique = []
    for article in out.articles:
        if article.url not in seen:
            unique.append(article)
        if article.url:
            seen.add(article.url)
    out.articles = unique
    return out
