"""Gathering a day's articles from feeds served on loopback, files and folders."""

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from service.digest.config import DigestConfig, DigestInput, FeedInput, FolderInput
from service.digest.gather import Day, Gathered, gather
from service.fetch import FetchLimits
from tests.support.digest import DIGEST, fixture_pages
from tests.support.links import MALFORMED_LINKS
from tests.support.pages import Page, PageServer

LONDON = Day(date(2026, 11, 20), ZoneInfo("Europe/London"))
BAD_LINKS_FEED = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Bad Links Wire</title><id>urn:bad</id>
<updated>2026-11-20T11:40:00Z</updated>{}</feed>""".format(
    "".join(
        f'<entry><title>Story {n}</title><link href="{link}"/><id>urn:bad:{n}</id>'
        "<published>2026-11-20T08:45:00Z</published><summary>Short.</summary></entry>"
        for n, link in enumerate(MALFORMED_LINKS)
    )
)


@pytest.fixture
def site() -> Iterator[PageServer]:
    pages = fixture_pages() | {
        "/feeds/down.xml": Page("upstream timed out", status=503, content_type="text/plain"),
        "/feeds/one-dead-link.atom": Page(
            (DIGEST / "feeds" / "tollan-valley-wire.atom")
            .read_text(encoding="utf-8")
            .replace("../pages/marra-dawn-ferry.html", "/pages/gone.html"),
            content_type="application/atom+xml",
        ),
    }
    with PageServer(pages) as server:
        yield server


async def read(inputs: list[DigestInput], day: Day = LONDON) -> Gathered:
    config = DigestConfig(recipients=["desk@example.org"], inputs=inputs)
    async with httpx.AsyncClient() as client:
        return await gather(config, day, client, FetchLimits(1_000_000))


async def test_full_text_entries_are_used_without_fetching_their_pages(site: PageServer) -> None:
    got = await read([FeedInput(feed=site.url + "/feeds/carrowmere-courier.xml")])
    assert [a.title for a in got.articles] == [
        "Tollan footbridge shut after inspectors find corroded cables",
        "Brenholt ferry back in service with new hybrid vessel",
        "Carrowmere bakery wins regional sourdough prize",
    ]  # the 18 November entry is another day's
    assert {a.source for a in got.articles} == {"Carrowmere Courier"}
    assert "2.4 million pounds" in got.articles[0].text
    assert got.articles[0].url == (
        "https://carrowmerecourier.example/news/2026/11/20/tollan-footbridge-shut"
    )
    assert site.requests == ["/feeds/carrowmere-courier.xml"]
    assert got.problems == []


async def test_summary_only_entries_fetch_their_pages_by_relative_link(site: PageServer) -> None:
    got = await read([FeedInput(feed=site.url + "/feeds/tollan-valley-wire.atom", name="TVW")])
    assert site.requests[0] == "/feeds/tollan-valley-wire.atom"
    assert sorted(site.requests[1:]) == [
        "/pages/marra-dawn-ferry.html",
        "/pages/tollan-footbridge-corrosion.html",
    ]
    first = got.articles[0]
    assert first.title == "Corrosion closes Tollan footbridge as repair bill is put at £3.1m"
    assert first.source == "TVW"  # the configured name wins over the feed's title
    assert first.url == site.url + "/pages/tollan-footbridge-corrosion.html"
    assert "3.1 million pounds" in first.text
    assert first.published_at is not None and first.published_at.hour == 8


async def test_a_local_feed_reads_its_pages_from_files() -> None:
    got = await read([FeedInput(feed=str(DIGEST / "feeds" / "tollan-valley-wire.atom"))])
    assert [a.source for a in got.articles] == ["Tollan Valley Wire"] * 2
    assert got.articles[1].url == "https://tollanvalleywire.example/2026/11/20/marra-dawn-ferry"
    assert "40-minute drive" in got.articles[1].text


async def test_the_day_runs_midnight_to_midnight_in_the_configured_zone(site: PageServer) -> None:
    auckland = Day(date(2026, 11, 20), ZoneInfo("Pacific/Auckland"))  # 19 Nov 11:00-20 Nov 11:00Z
    got = await read([FeedInput(feed=site.url + "/feeds/tollan-valley-wire.atom")], auckland)
    assert [a.published_at.hour for a in got.articles if a.published_at] == [8]  # not 11:40Z


async def test_broken_inputs_are_noted_and_the_rest_still_read(site: PageServer) -> None:
    got = await read(
        [
            FeedInput(feed=site.url + "/feeds/down.xml"),
            FeedInput(feed=site.url + "/feeds/harbour-gazette.xml", name="Harbour Gazette"),
            FeedInput(feed=site.url + "/feeds/one-dead-link.atom"),
            FolderInput(folder=Path("/nonexistent/desk")),
            FolderInput(folder=DIGEST / "desk"),
        ]
    )
    reasons = {p.where: p.reason for p in got.problems}
    assert "HTTP 503" in reasons[site.url + "/feeds/down.xml"]
    assert "not an RSS or Atom feed" in reasons["Harbour Gazette"]
    dead = "Tollan Valley Wire: “Hybrid ferry Marra Dawn takes over the Brenholt crossing”"
    assert "HTTP 404" in reasons[dead]
    assert "does not exist" in reasons["/nonexistent/desk"]
    assert [a.source for a in got.articles] == ["Tollan Valley Wire", "Marsh Road Radio"]


async def test_entries_with_malformed_links_are_noted_as_such(tmp_path: Path) -> None:
    """Served over HTTP, an entry's href is read against the feed's address; in a feed file it
    is taken as it is: either way each malformed link is a problem noted, not a crash."""
    (tmp_path / "bad.atom").write_text(BAD_LINKS_FEED, encoding="utf-8")
    pages = {"/bad.atom": Page(BAD_LINKS_FEED, content_type="application/atom+xml")}
    with PageServer(pages) as server:
        for feed in (server.url + "/bad.atom", str(tmp_path / "bad.atom")):
            got = await read([FeedInput(feed=feed)])
            assert got.articles == []
            reasons = {p.where: p.reason for p in got.problems}
            assert list(reasons) == [f"Bad Links Wire: “Story {n}”" for n in range(3)]
            for link, reason in zip(MALFORMED_LINKS, reasons.values(), strict=True):
                assert reason.startswith(f"{link}: not a valid link (")


async def test_the_same_link_from_two_inputs_is_kept_once(site: PageServer) -> None:
    feed = FeedInput(feed=site.url + "/feeds/carrowmere-courier.xml")
    got = await read([feed, feed])
    assert len(got.articles) == 3


async def test_a_feed_entry_over_a_field_maximum_is_noted_not_briefed(tmp_path: Path) -> None:
    """A feed entry gets the same per-field maximums as a REST article."""
    feed = (DIGEST / "feeds" / "carrowmere-courier.xml").read_text(encoding="utf-8")
    title = "Tollan footbridge shut after inspectors find corroded cables"
    (tmp_path / "feed.xml").write_text(feed.replace(title, "Footbridge " * 120), "utf-8")
    got = await read([FeedInput(feed=str(tmp_path / "feed.xml"))])
    assert title not in [a.title for a in got.articles]
    assert len(got.articles) == 2
    assert any("title: String should have at most 1000" in p.reason for p in got.problems)
