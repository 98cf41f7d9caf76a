"""Fetching linked pages: limits, redirects, content types, and refusing private addresses."""

import asyncio
import ipaddress
import ssl
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import trustme
from hypothesis import given, settings

from service.config import Settings
from service.errors import FetchFailed, InvalidBundle
from service.fetch import (
    FetchLimits,
    check_link,
    check_url,
    fetch_article,
    fetch_articles,
    fetch_each,
    fetch_page,
    http_client,
)
from tests.support.dns import PUBLIC_ADDRESS, FakeDNS, fake_network, internal_and_public
from tests.support.links import malformed_links, private_links
from tests.support.pages import Page, PageServer

ARTICLE = """<html><head><title>Ferry timetable cut | Coast Courier</title>
<meta property="og:title" content="Ferry timetable cut for winter">
<meta property="og:site_name" content="Coast Courier">
<meta property="article:published_time" content="2026-02-03T07:00:00Z">
</head><body><article><p>The island ferry will sail four times a day from March.</p>
</article></body></html>"""

LIMITS = FetchLimits(max_bytes=10_000)
SETTINGS = Settings(_env_file=None, fetch_timeout_s=0.3)  # type: ignore[call-arg]


@pytest.fixture
def site() -> PageServer:
    pages = {
        "/article": Page(ARTICLE),
        "/plain": Page("Ferry cut\nThe ferry sails less often.", content_type="text/plain"),
        "/moved": Page(status=302, headers={"Location": "/article"}),
        "/to-file": Page(status=301, headers={"Location": "file:///etc/passwd"}),
        "/to-open-bracket": Page(status=302, headers={"Location": "http://[::1/"}),
        "/to-octal": Page(status=302, headers={"Location": "http://0177.0.0.1:9/"}),
        "/loop": Page(status=302, headers={"Location": "/loop"}),
        "/big": Page("x" * 20_000),
        "/pdf": Page(b"%PDF-1.7", content_type="application/pdf"),
        "/slow": Page(ARTICLE, delay_s=1.0),
    }
    with PageServer(pages) as server:
        yield server  # type: ignore[misc]


@pytest.fixture
async def local() -> AsyncIterator[httpx.AsyncClient]:
    """A client for URLs an operator configured: private addresses allowed."""
    async with http_client(SETTINGS, allow_private=True) as client:
        yield client


@pytest.fixture
async def public_only() -> AsyncIterator[httpx.AsyncClient]:
    """A client for URLs users sent: public addresses only."""
    async with http_client(SETTINGS, allow_private=False) as client:
        yield client


async def test_an_html_page_becomes_an_article_named_by_its_head(
    site: PageServer, local: httpx.AsyncClient
) -> None:
    article = await fetch_article(site.url + "/article", local, LIMITS)
    assert article.title == "Ferry timetable cut for winter"
    assert article.source == "Coast Courier"
    assert article.url == site.url + "/article"
    assert article.published_at is not None and article.published_at.day == 3
    assert "four times a day" in article.text


async def test_a_plain_text_page_takes_its_first_line_as_headline(
    site: PageServer, local: httpx.AsyncClient
) -> None:
    article = await fetch_article(site.url + "/plain", local, LIMITS)
    assert (article.title, article.source) == ("Ferry cut", "127.0.0.1")
    assert article.text == "The ferry sails less often."


async def test_redirects_are_followed_and_the_final_url_kept(
    site: PageServer, local: httpx.AsyncClient
) -> None:
    page = await fetch_page(site.url + "/moved", local, LIMITS)
    assert page.url == site.url + "/article"
    assert site.requests == ["/moved", "/article"]


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/to-file", "only http:// and https://"),
        ("/to-open-bracket", "could not be fetched (Invalid URL in location header"),
        ("/to-octal", "could not be fetched (Invalid URL in location header"),
        ("/loop", "more than 5 redirects"),
        ("/big", "over 10000 bytes (FUSEBRIEF_FETCH_MAX_BYTES)"),
        ("/pdf", "not an article page (content type application/pdf)"),
        ("/missing", "answered HTTP 404"),
        ("/slow", "timed out"),
    ],
)
async def test_unusable_pages_fail_with_a_reason(
    site: PageServer, local: httpx.AsyncClient, path: str, message: str
) -> None:
    with pytest.raises(FetchFailed, match=message.replace("(", r"\(").replace(")", r"\)")):
        await fetch_article(site.url + path, local, LIMITS)


async def test_several_links_give_the_articles_in_order_and_a_reason_for_each_failure(
    site: PageServer,
) -> None:
    links = [site.url + "/plain", site.url + "/pdf", site.url + "/article", site.url + "/gone"]
    articles, failures = await fetch_each(links, SETTINGS, allow_private=True)
    assert [a.title for a in articles] == ["Ferry cut", "Ferry timetable cut for winter"]
    assert len(failures) == 2
    assert "/pdf: not an article page" in failures[0] and "/gone" in failures[1]
    refused, failures = await fetch_each(links[:1], SETTINGS, allow_private=False)
    assert refused == [] and "private or local address" in failures[0]


async def test_a_clients_links_fail_together_naming_every_link_that_failed(
    site: PageServer,
) -> None:
    """The web page's and the MCP tool's links: one error naming each failure."""
    settings = SETTINGS.model_copy(update={"fetch_allow_private_links": True})
    [article] = await fetch_articles([site.url + "/article"], settings)
    assert article.source == "Coast Courier"
    with pytest.raises(FetchFailed) as failed:
        await fetch_articles(
            [site.url + "/article", site.url + "/pdf", site.url + "/gone"], settings
        )
    assert "/pdf: not an article page" in failed.value.message and "/gone" in failed.value.message


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/article",
        "http://localhost:{port}/article",
        "http://[::1]:{port}/article",
        "http://[::ffff:127.0.0.1]:{port}/article",
        "http://10.1.2.3/",
        "http://192.168.0.10/",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/",
        "http://0.0.0.0:{port}/article",
    ],
)
async def test_user_links_to_private_addresses_are_refused_before_any_request(
    site: PageServer, public_only: httpx.AsyncClient, url: str
) -> None:
    with pytest.raises(FetchFailed, match="private or local address; refused"):
        await fetch_page(url.format(port=site.url.rsplit(":", 1)[1]), public_only, LIMITS)
    assert site.requests == []


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/a", "gopher://x/"])
async def test_only_http_and_https_are_fetched(public_only: httpx.AsyncClient, url: str) -> None:
    with pytest.raises(FetchFailed, match="only http:// and https://"):
        await fetch_page(url, public_only, LIMITS)


@settings(max_examples=100, derandomize=True, database=None, deadline=None)
@given(url=malformed_links())
def test_the_fuzzers_malformed_links_are_refused_as_such(url: str) -> None:
    with pytest.raises(FetchFailed, match="not a valid link"):
        check_link(url)


@settings(max_examples=100, derandomize=True, database=None, deadline=None)
@given(url=private_links())
def test_the_fuzzers_private_links_are_refused_without_a_name_to_look_up(url: str) -> None:
    ipaddress.ip_address(urlsplit(url).hostname or "")  # an address: no DNS is ever asked
    with pytest.raises(FetchFailed, match="private or local address; refused"):
        asyncio.run(check_url(url, allow_private=False))


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("::127.0.0.1", False),  # IPv4-compatible (deprecated; the whole ::/96 is refused)
        ("::8.8.8.8", False),
        ("::ffff:127.0.0.1", False),  # IPv4-mapped
        ("::ffff:0:127.0.0.1", False),  # IPv4-translated (SIIT)
        ("::ffff:0:10.0.0.1", False),
        ("64:ff9b::127.0.0.1", False),  # NAT64, well-known prefix
        ("64:ff9b::169.254.169.254", False),
        ("64:ff9b:1::7f00:1", False),  # NAT64, local-use prefix: never global
        ("2002:7f00:1::", False),  # 6to4 of 127.0.0.1
        ("2002:a00:1::1", False),  # 6to4 of 10.0.0.1
        ("2001:0:7f00:1::80ff:fffe", False),  # Teredo, server 127.0.0.1
        ("2001:0:4136:e378:8000:63bf:f5ff:fffe", False),  # Teredo, client 10.0.0.1
        ("::ffff:8.8.8.8", True),
        ("64:ff9b::8.8.8.8", True),  # NAT64 of a public address
        ("2002:808:808::1", True),  # 6to4 of a public address
        ("2001:4860:4860::8888", True),
        ("93.184.215.14", True),
    ],
)
async def test_ipv6_forms_that_embed_an_ipv4_address_are_judged_by_it(
    address: str, public: bool
) -> None:
    host = f"[{address}]" if ":" in address else address
    url = f"http://{host}/article"
    if public:
        await check_url(url, allow_private=False)
    else:
        with pytest.raises(FetchFailed, match="private or local address; refused"):
            await check_url(url, allow_private=False)


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeDNS]:
    with fake_network(monkeypatch) as fake:
        yield fake


@pytest.fixture
def web() -> Iterator[tuple[PageServer, PageServer]]:
    internal_pages = {"/article": Page(ARTICLE.replace("four times", "INTERNAL"))}
    public_pages = {"/article": Page(ARTICLE), "/go": Page(status=302)}
    with internal_and_public(internal_pages, public_pages) as (internal, public):
        public_pages["/go"].headers["Location"] = f"http://hop.test:{internal.port}/article"
        yield internal, public


async def test_a_host_that_rebinds_to_loopback_after_the_check_is_never_reached(
    dns: FakeDNS, web: tuple[PageServer, PageServer], public_only: httpx.AsyncClient
) -> None:
    internal, public = web
    dns.answer("rebind.test", PUBLIC_ADDRESS, "127.0.0.1")
    article = await fetch_article(
        f"http://rebind.test:{internal.port}/article", public_only, LIMITS
    )
    assert "four times a day" in article.text
    assert internal.requests == []
    assert public.received[0].headers["host"] == f"rebind.test:{internal.port}"
    assert dns.lookups["rebind.test"] == 1  # resolved once; the checked address is the one used


async def test_every_redirect_hop_connects_to_the_address_it_checked(
    dns: FakeDNS, web: tuple[PageServer, PageServer], public_only: httpx.AsyncClient
) -> None:
    internal, public = web
    dns.answer("start.test", PUBLIC_ADDRESS)
    dns.answer("hop.test", PUBLIC_ADDRESS, "127.0.0.1")
    page = await fetch_page(f"http://start.test:{internal.port}/go", public_only, LIMITS)
    assert page.url == f"http://hop.test:{internal.port}/article"
    assert "four times a day" in page.text
    assert public.requests == ["/go", "/article"]
    assert internal.requests == []
    assert dns.lookups == {"start.test": 1, "hop.test": 1}


async def test_a_host_with_any_private_address_is_refused_before_connecting(
    dns: FakeDNS, web: tuple[PageServer, PageServer], public_only: httpx.AsyncClient
) -> None:
    internal, public = web
    dns.answer("local.test", "127.0.0.1")
    with pytest.raises(FetchFailed, match="private or local address; refused"):
        await fetch_page(f"http://local.test:{internal.port}/article", public_only, LIMITS)
    assert internal.requests == public.requests == []


@pytest.fixture
def https_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[PageServer, list[str]]]:
    """An HTTPS server on 127.0.0.1 with a certificate for news.test from a CA the client
    trusts (SSL_CERT_FILE), and the server names (SNI) its clients asked for."""
    ca = trustme.CA()
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("news.test").configure_cert(context)
    names: list[str] = []

    def server_name(_socket: ssl.SSLObject, name: str | None, _context: ssl.SSLContext) -> None:
        names.append(str(name))

    context.sni_callback = server_name  # type: ignore[assignment]
    with PageServer({"/article": Page(ARTICLE)}, tls=context) as server:
        yield server, names


async def test_https_to_a_pinned_address_still_checks_the_host_names_certificate(
    dns: FakeDNS, https_site: tuple[PageServer, list[str]]
) -> None:
    site, names = https_site
    dns.answer("news.test", "127.0.0.1")
    dns.answer("impostor.test", "127.0.0.1")
    async with http_client(SETTINGS, allow_private=True) as client:
        page = await fetch_page(f"https://news.test:{site.port}/article", client, LIMITS)
        assert "four times a day" in page.text
        with pytest.raises(FetchFailed, match="CERTIFICATE_VERIFY_FAILED"):
            await fetch_page(f"https://impostor.test:{site.port}/article", client, LIMITS)
    assert names == ["news.test", "impostor.test"]  # SNI is the host name, not the address
    assert site.received[0].headers["host"] == f"news.test:{site.port}"
    assert len(site.received) == 1
    assert dns.lookups == {"news.test": 1, "impostor.test": 1}


async def test_a_page_whose_metadata_is_over_a_field_maximum_is_refused(
    local: httpx.AsyncClient,
) -> None:
    """A linked page (Slack) gets the same per-field maximums as a REST article."""
    long_title = ARTICLE.replace("Ferry timetable cut for winter", "Ferry " * 200)
    long_outlet = ARTICLE.replace('content="Coast Courier"', f'content="{"Coast " * 50}"')
    with PageServer({"/title": Page(long_title), "/outlet": Page(long_outlet)}) as site:
        with pytest.raises(InvalidBundle, match="title: String should have at most 1000"):
            await fetch_article(site.url + "/title", local, LIMITS)
        with pytest.raises(InvalidBundle, match="source: String should have at most 200"):
            await fetch_article(site.url + "/outlet", local, LIMITS)
