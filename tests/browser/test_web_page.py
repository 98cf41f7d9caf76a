"""The web page at `/` in headless chromium, against the service on loopback with the replay
model answering from canned replies (tests.support.canned): paste articles, write the brief,
watch the stages arrive, open a citation and read its passage, copy the brief as Markdown; a
job's page; hostile article text; an API key; a phone's width.

`test_screenshots` writes the README's pictures of the page, at desktop and phone width, to
docs/screenshots/ on every run: they show the page as it is (commit them when they change).
"""

import json
import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from service.api.app import create_app
from service.brief_json import brief_from_document
from service.config import Settings
from service.llm import LLMClient
from service.render import to_markdown
from tests.conftest import FIXTURES, ROOT, make_settings
from tests.support import canned
from tests.support.live import live_server
from tests.support.llm_server import ReplayServer
from tests.support.pages import Page as SitePage
from tests.support.pages import PageServer

SCREENSHOTS = ROOT / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
# Screenshots with CSS animations run to their end (a stage row's highlight fades over 0.6 s), so
# that the same page gives the same picture.
STILL: dict[str, Any] = {"animations": "disabled"}
STAGES = ["clean", "identify", "map", "check", "title"]
expect.set_options(timeout=30_000)  # the first brief of a run waits for litellm to warm up


@pytest.fixture
def settings(llm_server: ReplayServer) -> Settings:
    return make_settings(llm_server, **canned.SETTINGS)


@pytest.fixture
def service(settings: Settings) -> Iterator[str]:
    with live_server(create_app(settings, LLMClient(settings))) as url:
        yield url


def _context(browser: Browser, url: str, **options: Any) -> BrowserContext:
    context = browser.new_context(**options)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
    context.set_default_timeout(20_000)
    return context


def _paste(page: Page, number: int, article: dict[str, str]) -> None:
    card = page.get_by_role("group", name=f"Article {number}")
    card.get_by_label("Headline").fill(article["title"])
    card.get_by_label("Outlet").fill(article["source"])
    card.get_by_label("Link (optional)").fill(article["url"])
    card.get_by_label("Published (optional)").fill(article["published_at"])
    card.get_by_label("Text (plain or HTML)").fill(article["text"])


def _watch(page: Page) -> None:
    """Log, in the page, each stage row as it appears and the moment the brief is shown."""
    page.evaluate(
        """() => {
        window.seen = [];
        new MutationObserver((changes) => {
          for (const change of changes)
            for (const node of change.addedNodes)
              if (node.dataset && node.dataset.stage) window.seen.push(node.dataset.stage);
        }).observe(document.getElementById("stages"), {childList: true});
        new MutationObserver(() => {
          if (!document.getElementById("result").hidden) window.seen.push("brief");
        }).observe(document.getElementById("result"), {attributes: true});
    }"""
    )


def _write_brief(page: Page, url: str, llm_server: ReplayServer) -> dict[str, Any]:
    """Paste the canned bundle, write the brief; the brief's JSON as the page received it."""
    page.goto(url + "/")
    _paste(page, 1, canned.COURIER)
    _paste(page, 2, canned.GAZETTE)
    page.get_by_role("button", name="Add an article").click()
    _paste(page, 3, canned.HARBOUR)
    _watch(page)
    llm_server.inject(*canned.replies())
    page.get_by_role("button", name="Write the brief").click()
    expect(page.locator("#result")).to_be_visible()
    brief: dict[str, Any] = page.evaluate("window.fusebrief.brief()")
    return brief


def test_paste_write_watch_the_stages_and_open_a_citation(
    browser: Browser, service: str, llm_server: ReplayServer
) -> None:
    started = time.monotonic()
    context = _context(browser, service, viewport=DESKTOP)
    page = context.new_page()
    brief = _write_brief(page, service, llm_server)

    # The stages arrived, in order, before the brief was shown.
    seen = page.evaluate("window.seen")
    assert seen[-1] == "brief" and [s for s in seen if s != "brief"] == STAGES
    rows = page.locator("#stages li")
    expect(rows.first).to_contain_text("cleaning the articles 3/3")
    expect(page.locator('[data-stage="identify"]')).to_contain_text("S3 off-topic")
    expect(page.locator('[data-stage="map"]')).to_contain_text("extracting facts 2/2")
    expect(page.get_by_role("status").first).to_contain_text("The brief is written: 4 sentence(s)")

    # The brief, its disagreement, its sources (http(s) links), what was left out and why.
    expect(page.locator("#brief-title")).to_have_text(canned.TITLE_REPLY["title"])
    expect(page.locator("#sentences p")).to_have_count(4)
    expect(page.locator("#disagreements li")).to_contain_text("S1 (Quillmoor Courier) reports")
    sources = page.locator("#sources li")
    expect(sources).to_have_count(3)
    link = sources.nth(1).get_by_role("link", name=canned.GAZETTE["title"])
    expect(link).to_have_attribute("href", canned.GAZETTE["url"])
    expect(page.locator("#excluded")).to_contain_text("S3 Harbour Gazette")
    expect(page.locator("#excluded")).to_contain_text("off-topic: it is about")
    expect(page.locator("#excluded")).to_contain_text("it shares too little with the other")
    expect(page.locator("#warnings")).to_contain_text("only 4 sentence(s) passed")

    # A citation: the cited source, and the passage that states the sentence where the brief
    # records one (its `evidence`), else the source as a whole.
    marker = page.locator("#sentences p").nth(1).get_by_role("button", name="Source S2")
    marker.click()
    panel = page.get_by_role("dialog")
    expect(panel).to_be_visible()
    expect(marker).to_have_attribute("aria-expanded", "true")
    expect(panel.get_by_role("heading")).to_have_text("S2 · Tarrow Valley Gazette")
    expect(panel.get_by_role("link")).to_have_attribute("href", canned.GAZETTE["url"])
    quotes = [e["quote"] for e in brief["sentences"][1].get("evidence", []) if e["sid"] == "S2"]
    if quotes:  # the pipeline records evidence (the brief's JSON extension)
        expect(panel.locator("mark")).to_have_text(quotes[0])
    else:
        expect(panel).to_contain_text("No passage was recorded for this sentence")

    # Keyboard: Escape closes it and gives the marker its focus back; Enter opens another.
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(marker).to_be_focused()
    other = page.locator("#sentences p").nth(0).get_by_role("button", name="Source S1")
    other.focus()
    page.keyboard.press("Enter")
    expect(panel.get_by_role("heading")).to_have_text("S1 · Quillmoor Courier")
    expect(panel.get_by_role("heading")).to_be_focused()
    page.keyboard.press("Escape")

    # Copy as Markdown: the Markdown the API itself renders for this brief.
    page.get_by_role("button", name="Copy as Markdown").click()
    expect(page.locator("#copy-status")).to_have_text("Copied the brief as Markdown.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == to_markdown(brief_from_document(brief))
    context.close()
    print(f"browser test: {time.monotonic() - started:.1f} s")


def _finished_job(url: str, llm_server: ReplayServer, settings: Settings) -> str:
    """A job run by the service on the canned bundle; its id."""
    llm_server.inject(*canned.replies())
    body = {"articles": canned.ARTICLES, "async": True}
    location = httpx.post(url + "/v1/briefs", json=body).headers["location"]
    deadline = time.monotonic() + 30
    while (job := httpx.get(url + location).json())["status"] in ("queued", "running"):
        assert time.monotonic() < deadline, job
        time.sleep(0.1)
    assert job["status"] == "done", job
    return str(job["id"])


def _store_result(settings: Settings, job_id: str, result: dict[str, Any]) -> None:
    """Replace a finished job's stored brief (what a later pipeline would have written)."""
    with closing(sqlite3.connect(settings.data_dir / "jobs.sqlite3")) as db, db:
        db.execute("UPDATE jobs SET result = ? WHERE id = ?", (json.dumps(result), job_id))


def _fixed_stage_times(settings: Settings, job_id: str) -> None:
    """The job's stored stages at fixed times (half a second apart, as a real model's would
    differ from run to run), so that a picture of its page changes only when the page does."""
    with closing(sqlite3.connect(settings.data_dir / "jobs.sqlite3")) as db, db:
        rows = db.execute("SELECT seq, event FROM job_events WHERE job_id = ?", (job_id,))
        for seq, raw in rows.fetchall():
            event = json.loads(raw)
            if event["type"] == "stage":
                event["data"]["elapsed_s"] = seq / 2
            db.execute(
                "UPDATE job_events SET event = ? WHERE job_id = ? AND seq = ?",
                (json.dumps(event), job_id, seq),
            )


def test_a_jobs_page_shows_the_passage_behind_a_citation_in_its_source(
    browser: Browser, service: str, llm_server: ReplayServer, settings: Settings
) -> None:
    job_id = _finished_job(service, llm_server, settings)
    stored = httpx.get(f"{service}/v1/jobs/{job_id}").json()["brief"]
    extended = canned.with_evidence(stored)
    _store_result(settings, job_id, extended)

    context = _context(browser, service, viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{service}/#job={job_id}")
    expect(page.locator("#result")).to_be_visible()
    expect(page.locator('[data-stage="check"]')).to_be_visible()  # the job's stored stages

    page.locator("#sentences p").nth(0).get_by_role("button", name="Source S1").click()
    panel = page.get_by_role("dialog")
    evidence = extended["sentences"][0]["evidence"][0]
    expect(panel.locator("mark")).to_have_text(evidence["quote"])
    # The passage in context: the source's text around it, the headline included.
    expect(panel.locator("blockquote")).to_contain_text("closed for seven months")
    context.close()


def test_article_text_is_shown_as_text_never_run_as_markup(
    browser: Browser, service: str, llm_server: ReplayServer, settings: Settings
) -> None:
    job_id = _finished_job(service, llm_server, settings)
    brief = canned.with_evidence(httpx.get(f"{service}/v1/jobs/{job_id}").json()["brief"])
    brief["title"] = '<img src=x onerror="window.pwned = 1">Bridge'
    brief["sentences"][0]["text"] = "<script>window.pwned = 2</script><b>bold</b> claim."
    brief["sources"][0]["source"] = '<a href="javascript:window.pwned=3">Courier</a>'
    brief["sources"][0]["url"] = "javascript:window.pwned = 4"
    prefix = "<svg onload='window.pwned=5'>"  # just before the passage the first sentence cites
    at = next(p["start"] for p in brief["sentences"][0]["evidence"] if p["sid"] == "S1")
    text = brief["sources"][0]["text"]
    brief["sources"][0]["text"] = text[:at] + prefix + text[at:]
    for item in brief["sentences"] + brief["disagreements"]:
        for passage in item["evidence"]:
            if passage["sid"] == "S1" and passage["start"] >= at:
                passage["start"] += len(prefix)
                passage["end"] += len(prefix)
    brief["warnings"] = ['<iframe src="javascript:window.pwned=6"></iframe>']
    _store_result(settings, job_id, brief)

    context = _context(browser, service, viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{service}/#job={job_id}")
    expect(page.locator("#brief-title")).to_have_text(brief["title"])
    page.locator("#sentences p").nth(0).get_by_role("button", name="Source S1").click()
    expect(page.get_by_role("dialog")).to_contain_text("<svg onload=")
    result = page.locator("#result, #citation")
    assert result.locator("img, script, b, svg, iframe").count() == 0
    assert page.locator("#sources a[href^='javascript']").count() == 0
    expect(page.locator("#sources li").first).to_contain_text(brief["sources"][0]["source"])
    assert page.evaluate("window.pwned") is None
    context.close()


def test_with_api_keys_the_page_asks_for_one_and_keeps_it_in_the_tab_only(
    browser: Browser, llm_server: ReplayServer
) -> None:
    settings = make_settings(llm_server, api_keys=["page-key"], **canned.SETTINGS)
    with live_server(create_app(settings, LLMClient(settings))) as url:
        context = _context(browser, url, viewport=DESKTOP)
        page = context.new_page()
        page.goto(url + "/")
        key = page.get_by_label("API key")
        expect(key).to_be_visible()
        key.fill("wrong-key")
        _paste(page, 1, canned.COURIER)
        page.get_by_role("button", name="Write the brief").click()
        expect(page.locator("#form-problem")).to_contain_text("missing or wrong API key")
        expect(key).to_be_focused()
        key.fill("page-key")
        _paste(page, 2, canned.GAZETTE)
        page.get_by_role("button", name="Add an article").click()
        _paste(page, 3, canned.HARBOUR)
        llm_server.inject(*canned.replies())
        page.get_by_role("button", name="Write the brief").click()
        expect(page.locator("#result")).to_be_visible()
        assert page.evaluate("sessionStorage.getItem('fusebrief.apiKey')") == "page-key"
        assert page.evaluate("localStorage.length") == 0
        assert "page-key" not in page.content()
        context.close()


def test_every_control_has_a_label_and_the_page_is_locked_down(
    browser: Browser, service: str
) -> None:
    context = _context(browser, service, viewport=DESKTOP)
    page = context.new_page()
    response = page.goto(service + "/")
    assert response is not None
    assert "script-src 'self'" in response.headers["content-security-policy"]
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll("input, textarea, select, button")]
            .filter((c) => c.type !== "file" || c.labels.length === 0)
            .filter((c) => !(c.labels && c.labels.length) && !c.getAttribute("aria-label")
                           && !(c.textContent || "").trim())
            .map((c) => c.outerHTML)"""
    )
    assert unlabelled == []
    assert page.locator("[aria-live]").count() >= 2
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.reload()
    assert requests and all(r.startswith(service) for r in requests)  # nothing off the server
    context.close()


def test_a_phone_shows_the_source_as_a_sheet_along_the_bottom(
    browser: Browser, service: str, llm_server: ReplayServer
) -> None:
    context = _context(browser, service, viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    _write_brief(page, service, llm_server)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the page scrolls sideways on a phone"
    page.locator("#sentences p").nth(0).get_by_role("button", name="Source S1").tap()
    panel = page.get_by_role("dialog")
    expect(panel).to_be_visible()
    box = panel.bounding_box()
    assert box is not None
    assert box["x"] == 0 and abs(box["x"] + box["width"] - PHONE["width"]) < 1
    assert abs(box["y"] + box["height"] - PHONE["height"]) < 2  # along the bottom
    context.close()


def test_screenshots(
    browser: Browser, service: str, llm_server: ReplayServer, settings: Settings
) -> None:
    """The page at desktop and phone width, a citation open: the README's pictures, written to
    docs/screenshots/ by every run, each one shown in the README."""
    out = SCREENSHOTS
    out.mkdir(parents=True, exist_ok=True)
    job_id = _finished_job(service, llm_server, settings)
    brief = httpx.get(f"{service}/v1/jobs/{job_id}").json()["brief"]
    _store_result(settings, job_id, canned.with_evidence(brief))
    _fixed_stage_times(settings, job_id)
    for name, viewport, extra in (
        ("desktop", DESKTOP, {}),
        ("phone", PHONE, {"is_mobile": True, "has_touch": True, "device_scale_factor": 2}),
    ):
        context = _context(browser, service, viewport=viewport, **extra)
        page = context.new_page()
        page.goto(service + "/")
        _paste(page, 1, canned.COURIER)
        _paste(page, 2, canned.GAZETTE)
        page.screenshot(path=str(out / f"{name}-compose.png"), full_page=True, **STILL)
        page.goto(f"{service}/#job={job_id}")
        page.reload()  # the hash alone does not reload the page
        expect(page.locator("#result")).to_be_visible()
        page.locator("#sentences p").nth(1).get_by_role("button", name="Source S1").click()
        expect(page.get_by_role("dialog").locator("mark")).to_be_visible()
        page.screenshot(path=str(out / f"{name}-brief.png"), full_page=name == "desktop", **STILL)
        if name == "phone":  # and the brief itself, without the source's sheet
            page.keyboard.press("Escape")
            page.locator("#result").scroll_into_view_if_needed()
            page.screenshot(path=str(out / "phone-brief-sources.png"), full_page=True, **STILL)
        context.close()
    written = {
        "desktop-brief.png",
        "desktop-compose.png",
        "phone-brief.png",
        "phone-brief-sources.png",
        "phone-compose.png",
    }
    assert {p.name for p in out.glob("*.png")} == written  # no picture of an older page is left
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert [name for name in sorted(written) if f"(docs/screenshots/{name})" not in readme] == []


def test_links_are_fetched_by_the_server_and_files_read_into_articles(
    browser: Browser, llm_server: ReplayServer
) -> None:
    page_html = (FIXTURES / "slack" / "footbridge_courier.html").read_bytes()
    settings = make_settings(llm_server, fetch_allow_private_links=True, **canned.SETTINGS)
    with (
        PageServer({"/courier": SitePage(page_html)}) as site,
        live_server(create_app(settings, LLMClient(settings))) as url,
    ):
        context = _context(browser, url, viewport=DESKTOP)
        page = context.new_page()
        page.goto(url + "/")
        page.get_by_label("Links to articles, one per line").fill(
            f"{site.url}/courier\n{site.url}/gone"
        )
        page.get_by_role("button", name="Fetch the links").click()
        first = page.get_by_role("group", name="Article 1")
        expect(first.get_by_label("Headline")).to_have_value(
            "Walkers return as Millrace bridge opens again"
        )
        expect(first.get_by_label("Outlet")).to_have_value("Quillmoor Courier")
        expect(first.get_by_label("Text (plain or HTML)")).to_have_value(
            re.compile("concrete piles driven eight metres")
        )
        expect(page.locator("#link-problems")).to_contain_text("HTTP 404")
        expect(page.get_by_label("Links to articles, one per line")).to_have_value(
            f"{site.url}/gone"
        )

        bundle = json.dumps({"articles": [canned.HARBOUR]}).encode()
        story = b"# Lights for the Millrace footbridge\n\nSolar lights will be added this winter.\n"
        page.locator("#files").set_input_files(
            [
                {"name": "bundle.json", "mimeType": "application/json", "buffer": bundle},
                {"name": "desk-note.md", "mimeType": "text/markdown", "buffer": story},
            ]
        )
        second = page.get_by_role("group", name="Article 2")
        expect(second.get_by_label("Headline")).to_have_value(canned.HARBOUR["title"])
        third = page.get_by_role("group", name="Article 3")
        expect(third.get_by_label("Headline")).to_have_value("Lights for the Millrace footbridge")
        expect(third.get_by_label("Outlet")).to_have_value("desk-note")
        context.close()
