"""Every renderer (Markdown, Slack Block Kit, the digest email) prints article text as text:
escaped, one line where one line is meant, and links only to http(s) URLs.

The text comes from articles, that is from whoever wrote the page a link points to."""

import re
from datetime import UTC, date, datetime
from email.message import EmailMessage
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

from service.digest.compose import Digest, build_message, story_view
from service.render import to_markdown
from service.slack.blocks import brief_messages
from service.types import Article, Brief, Disagreement, Exclusion, Sentence, Source, Usage

HOSTILE_URLS = [
    "javascript:alert(document.cookie)",
    " JavaScript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "!channel",  # Slack's <!channel> mention
    "https://ok.example/a b",  # whitespace breaks out of a Markdown link
    "//evil.example/no-scheme",
]
SAFE_URL = "https://safe.example/story?id=1&page=2"


def _source(number: int, url: str | None, title: str = "Plain title") -> Source:
    article = Article(title=title, source=f"Outlet {number}", text="…", url=url)
    return Source(sid=f"S{number}", article=article, text="…", language="en")


def hostile_brief() -> Brief:
    disagreement = Disagreement("S1 says <b>3</b>\n## Injected under disagreements", ("S1", "S2"))
    sources = [
        _source(1, SAFE_URL, title="Safe <img src=x onerror=alert(1)> [x](javascript:alert(2))"),
        _source(2, None, title="No link\n# Heading from a title"),
    ]
    sources += [_source(3 + n, url) for n, url in enumerate(HOSTILE_URLS)]
    return Brief(
        id="b1",
        title="Ferry cut\n# Injected heading <script>alert(1)</script>",
        language="en",
        sentences=[
            Sentence("The ferry <img src=x onerror=alert(1)> sails less.", ("S1",)),
            Sentence("1. Not a list; *not bold*; [click](javascript:alert(3)) | a | b |", ("S1",)),
            Sentence("Two lines\n> quoted\n---\n<!channel> &amp; <@U123>", ("S2",)),
            Sentence("# A heading at the start", ("S2",)),
        ],
        disagreements=[disagreement],
        sources=sources,
        summaries=[],
        excluded=[Exclusion("S2", "duplicate\n# of S1 <i>")],
        model="m",
        prompt_version="v",
        usage=Usage(),
        warnings=["warning\n# with a heading <b>"],
    )


class _Html(HTMLParser):
    """The tags, link targets and text lines of an HTML document."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.hrefs: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.hrefs += [value or "" for name, value in attrs if name in ("href", "src")]


def test_markdown_escapes_article_text_and_links_only_http_urls() -> None:
    markdown = to_markdown(hostile_brief())
    html = _Html(MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(markdown))
    assert html.hrefs == [SAFE_URL]  # the one http(s) source; nothing else is a link
    assert not {"img", "script", "b", "i", "ol", "blockquote", "hr", "table", "del"} & set(
        html.tags
    )
    assert "\\*not bold\\*" in markdown  # the only emphasis is our own (notes, usage)
    assert html.tags.count("h1") == 1
    assert [line for line in markdown.splitlines() if line.startswith("#")][1:] == [
        "## Where the sources disagree",
        "## Sources",
        "## Warnings",
    ]
    assert "javascript:alert(document.cookie)" in markdown  # printed, as text


def test_slack_blocks_escape_article_text_and_link_only_http_urls() -> None:
    brief = hostile_brief()
    blocks = [block.to_dict() for message in brief_messages(brief) for block in message.blocks]
    header = blocks[0]["text"]["text"]
    assert "\n" not in header and header.startswith("Ferry cut # Injected heading")
    texts = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    texts += [e["text"] for b in blocks if b["type"] == "context" for e in b["elements"]]
    links = [m for text in texts for m in re.findall(r"<([^>]*)>", text)]
    assert links == [
        SAFE_URL.replace("&", "&amp;") + "|Safe &lt;img src=x onerror=alert(1)&gt; "
        "[x](javascript:alert(2))"
    ]
    lines = [line for text in texts for line in text.splitlines()]
    assert not any(line.startswith(("&gt;", ">", "---")) for line in lines)
    assert any("javascript:alert(document.cookie)" in line for line in lines)  # as text


def test_the_digest_email_escapes_article_text_and_links_only_http_urls() -> None:
    digest = Digest(
        day=date(2026, 11, 20),
        generated_at=datetime(2026, 11, 20, 7, tzinfo=UTC),
        stories=[story_view(hostile_brief())],
        problems=[],
        model="m",
        articles=9,
        outlets=9,
        left_out=0,
    )
    message = build_message(digest, "Digest {date}", "d@example.org", ["desk@example.org"])
    assert isinstance(message, EmailMessage)
    text_part = message.get_body(("plain",))
    html_part = message.get_body(("html",))
    assert text_part is not None and html_part is not None
    html = _Html(html_part.get_content())
    assert set(html.hrefs) == {SAFE_URL}
    assert not {"img", "script", "b", "i"} & set(html.tags)
    plain = text_part.get_content()
    injected = ("# Injected", "## Injected", "# Heading", "# of", "> quoted", "---")
    assert not any(line.startswith(injected) for line in plain.splitlines())
    assert "javascript:alert(document.cookie)" in html_part.get_content()  # as text


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_a_source_with_a_url_that_is_not_http_keeps_its_title(url: str) -> None:
    brief = hostile_brief()
    markdown = to_markdown(brief)
    number = 3 + HOSTILE_URLS.index(url)
    [line] = [line for line in markdown.splitlines() if line.startswith(f"- **S{number}**")]
    assert "Plain title" in line and "](" not in line


def test_an_http_url_with_markdown_in_it_stays_one_link_to_its_host() -> None:
    brief = hostile_brief()
    tricky = _source(1, "https://ok.example/x)](javascript:alert(1)", title="Tricky")
    brief.sources[:] = [tricky]
    markdown = to_markdown(brief)
    html = _Html(MarkdownIt("commonmark").render(markdown))
    [href] = html.hrefs
    assert href.startswith("https://ok.example/x") and "(" not in href and ")" not in href
