"""Fetch pages over HTTP(S) with time and size limits, refusing private addresses (SSRF).

URLs that users supply (Slack links) must never make the server reach its own network: every
hop of a redirect chain is resolved and refused unless all its addresses are public. URLs an
operator configures (digest feeds) may point anywhere (`allow_private=True`).
"""

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from service.config import Settings
from service.errors import FetchFailed
from service.loaders import html_fields, text_fields, to_article_in
from service.schemas import ArticleIn

MAX_REDIRECTS = 5
HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class FetchLimits:
    max_bytes: int
    allow_private: bool

    @classmethod
    def from_settings(cls, settings: Settings, *, allow_private: bool) -> "FetchLimits":
        return cls(max_bytes=settings.fetch_max_bytes, allow_private=allow_private)


@dataclass(frozen=True)
class Page:
    url: str  # after redirects
    content_type: str
    text: str


def http_client(settings: Settings) -> httpx.AsyncClient:
    """The client fetches share: timeouts and a user agent from settings, redirects by hand."""
    return httpx.AsyncClient(
        timeout=settings.fetch_timeout_s,
        follow_redirects=False,
        headers={"User-Agent": settings.fetch_user_agent},
    )


_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")  # deprecated (RFC 4291): refused outright
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")  # local-use NAT64 (RFC 8215): never global
_IPV4_IN_LOW_32_BITS = (
    ipaddress.IPv6Network("::ffff:0:0:0/96"),  # IPv4-translated (SIIT, RFC 2765)
    ipaddress.IPv6Network("64:ff9b::/96"),  # NAT64, well-known prefix (RFC 6052)
)
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries (SIIT, NAT64, 6to4, Teredo server and client)."""
    found = (
        [ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)]
        if any(ip in network for network in _IPV4_IN_LOW_32_BITS)
        else []
    )
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found += ip.teredo  # (server, client)
    return found


def is_public(address: str | IPAddress) -> bool:
    """Whether a connection to `address` reaches the public internet and nothing of ours.

    IPv6 addresses that carry an IPv4 address (IPv4-mapped or -translated, NAT64, 6to4,
    Teredo) are public only when every IPv4 address they carry is.
    """
    ip = address if not isinstance(address, str) else ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:  # the IPv4 address itself, on a dual-stack socket
            return is_public(ip.ipv4_mapped)
        if ip in _IPV4_COMPATIBLE or ip in _NAT64_LOCAL:
            return False
        if not all(is_public(embedded) for embedded in _embedded_ipv4(ip)):
            return False
    return ip.is_global and not ip.is_multicast


async def check_url(url: str, allow_private: bool) -> None:
    """Refuse anything but http(s), and (unless allowed) hosts with a non-public address."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchFailed(f"{url}: only http:// and https:// links can be fetched")
    if not parts.hostname:
        raise FetchFailed(f"{url}: the link has no host name")
    if allow_private:
        return
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(
            parts.hostname, port, type=socket.SOCK_STREAM
        )
    except socket.gaierror as error:
        raise FetchFailed(f"{url}: the host name does not resolve ({error.strerror})") from error
    if not all(is_public(str(info[4][0])) for info in infos):
        raise FetchFailed(f"{url}: the link points to a private or local address; refused")


async def fetch_page(url: str, client: httpx.AsyncClient, limits: FetchLimits) -> Page:
    """GET `url` (following up to MAX_REDIRECTS checked redirects), at most `max_bytes`."""
    for _ in range(MAX_REDIRECTS + 1):
        await check_url(url, limits.allow_private)
        try:
            async with client.stream("GET", url) as response:
                if response.is_redirect and "location" in response.headers:
                    url = urljoin(url, response.headers["location"])
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
        except httpx.TimeoutException as error:
            raise FetchFailed(f"{url}: timed out (FUSEBRIEF_FETCH_TIMEOUT_S)") from error
        except httpx.HTTPError as error:
            raise FetchFailed(f"{url}: could not be fetched ({error})") from error
    raise FetchFailed(f"{url}: more than {MAX_REDIRECTS} redirects")


async def fetch_article(url: str, client: httpx.AsyncClient, limits: FetchLimits) -> ArticleIn:
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
    return to_article_in(fields, url)
