"""Fetch pages over HTTP(S) with time and size limits, refusing private addresses (SSRF).

URLs that users supply (Slack links) must never make the server reach its own network: the
client from `http_client` (service.outbound) connects only to addresses it checked, on every
hop of a redirect chain. URLs an operator configures (digest feeds) may point anywhere
(`http_client(..., allow_private=True)`).
"""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from service.articles import parse_article
from service.config import Settings
from service.errors import FetchFailed, FusebriefError
from service.loaders import html_fields, text_fields
from service.outbound import AddressRefused, resolve
from service.outbound import http_client as http_client
from service.types import Article

MAX_REDIRECTS = 5
HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class FetchLimits:
    max_bytes: int

    @classmethod
    def from_settings(cls, settings: Settings) -> "FetchLimits":
        return cls(max_bytes=settings.fetch_max_bytes)


@dataclass(frozen=True)
class Page:
    url: str  # after redirects
    content_type: str
    text: str


def check_link(url: str) -> None:
    """Refuse anything but a well-formed http(s) URL with a host name.

    Well-formed: urllib, httpx and the resolver can each read it (a bracket left open, an
    octal-looking IPv4 address, a port out of range, an empty label in the host name: each is
    refused here with the reason, not in the middle of a request)."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # a port that is not a number from 0 to 65535 raises here
        httpx.URL(url)
    except (ValueError, httpx.InvalidURL) as error:
        raise FetchFailed(f"{url}: not a valid link ({error}); check how it is written") from error
    if parts.scheme not in ("http", "https"):
        raise FetchFailed(f"{url}: only http:// and https:// links can be fetched")
    if not parts.hostname:
        raise FetchFailed(f"{url}: the link has no host name")
    try:
        parts.hostname.encode("idna")  # as the resolver will: labels of 1 to 63 characters
    except UnicodeError as error:
        raise FetchFailed(
            f"{url}: not a valid link (the host name {parts.hostname} has an empty or "
            "over-long label); check how it is written"
        ) from error


def join_link(base: str, link: str) -> str:
    """`link` (a redirect's Location, a feed entry's href) read relative to `base`; FetchFailed
    when it cannot be read at all. `check_link` judges the result."""
    try:
        return urljoin(base, link)
    except ValueError as error:
        raise FetchFailed(f"{link}: not a valid link ({error}); check how it is written") from error


async def check_url(url: str, allow_private: bool) -> None:
    """Refuse anything but http(s), and (unless allowed) hosts with a non-public address.

    An early answer for a URL to be used later (a job's callback_url); the request itself is
    checked again, on the address it connects to, by the client from `http_client`."""
    check_link(url)
    if allow_private:
        return
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        await resolve(parts.hostname or "", port, allow_private=False)
    except (AddressRefused, httpcore.ConnectError) as error:
        raise FetchFailed(f"{url}: {error}") from error


async def fetch_page(url: str, client: httpx.AsyncClient, limits: FetchLimits) -> Page:
    """GET `url` with a client from `http_client` (following up to MAX_REDIRECTS redirects,
    each one checked), at most `max_bytes`."""
    for _ in range(MAX_REDIRECTS + 1):
        check_link(url)
        try:
            async with client.stream("GET", url) as response:
                if response.is_redirect and "location" in response.headers:
                    url = join_link(url, response.headers["location"])
                    continue
                if response.status_code >= 400:
                    raise FetchFailed(f"{url}: the server answered HTTP {response.status_code}")
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > limits.max_bytes:
                        raise FetchFailed(
                            f"{url}: the page is over {limits.max_bytes} bytes "
                            "(FUSEBRIEF_FETCH_MAX_BYTES)"
                        )
                content_type = response.headers.get("content-type", "").split(";")[0].strip()
                text = bytes(body).decode(response.encoding or "utf-8", errors="replace")
                return Page(url=str(response.url), content_type=content_type.lower(), text=text)
        except AddressRefused as error:
            raise FetchFailed(f"{url}: {error}") from error
        except httpx.TimeoutException as error:
            raise FetchFailed(f"{url}: timed out (FUSEBRIEF_FETCH_TIMEOUT_S)") from error
        except httpx.HTTPError as error:
            raise FetchFailed(f"{url}: could not be fetched ({error})") from error
    raise FetchFailed(f"{url}: more than {MAX_REDIRECTS} redirects")


async def fetch_article(url: str, client: httpx.AsyncClient, limits: FetchLimits) -> Article:
    """The article at `url`: an HTML page (boilerplate is removed later) or plain text."""
    page = await fetch_page(url, client, limits)
    name = urlsplit(page.url).hostname or page.url
    if page.content_type in HTML_TYPES:
        fields = html_fields(page.text, name, page.url)
    elif page.content_type == "text/plain":
        fields = text_fields(page.text, name) | {"url": page.url}
    else:
        raise FetchFailed(
            f"{url}: not an article page (content type {page.content_type or 'missing'})"
        )
    return parse_article(fields, url)


async def fetch_each(
    urls: Sequence[str], settings: Settings, *, allow_private: bool
) -> tuple[list[Article], list[str]]:
    """The articles behind `urls` that could be read, in order, and why each other one could
    not; `allow_private` lets the links reach private and loopback addresses."""
    limits = FetchLimits.from_settings(settings)
    async with http_client(settings, allow_private=allow_private) as client:
        results = await asyncio.gather(
            *(fetch_article(url, client, limits) for url in urls), return_exceptions=True
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


async def fetch_articles(urls: Sequence[str], settings: Settings) -> list[Article]:
    """The articles behind links a client gave (the web page, the MCP tool), in order, fetched
    with the same guard as Slack links: private and loopback addresses are refused unless
    FUSEBRIEF_FETCH_ALLOW_PRIVATE_LINKS. FetchFailed names every link that could not be read."""
    articles, failures = await fetch_each(
        urls, settings, allow_private=settings.fetch_allow_private_links
    )
    if failures:
        raise FetchFailed("; ".join(failures))
    return articles
