"""`fusebrief extract` and service.extract: the text the model reads, from files, folders, URLs."""

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.cli import app
from service.config import Settings, get_settings
from service.errors import BundleTooLarge
from service.extract import extract_targets, reason
from service.limits import check_raw_size, check_text_size
from tests.conftest import FIXTURES
from tests.support.pages import Page, PageServer

ARTICLES = FIXTURES / "articles"
OUTLET_PAGE = ARTICLES / "outlet_page.html"
OUTLET_TITLE = "Dockers back at work in Halvermouth after late-night pay deal"
runner = CliRunner()

STORY = (
    "The island ferry will sail four times a day from March, the operator said on Tuesday, "
    "after a winter in which storms cancelled one crossing in five."
)
PAGE = f"""<!DOCTYPE html><html lang="en"><head><title>Ferry timetable cut | Coast Courier</title>
<meta property="og:title" content="Ferry timetable cut for winter">
<meta property="og:site_name" content="Coast Courier">
</head><body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Ferry timetable cut for winter</h1><p>{STORY}</p>
<p>Islanders said the new timetable would make the morning school run harder, and the council
has asked the operator to keep an early sailing on weekdays.</p></article>
<footer>© 2026 Coast Courier</footer></body></html>"""


def settings(**overrides: object) -> Settings:
    return Settings(_env_file=None, **overrides)  # type: ignore[arg-type]


def extract(*targets: str, **overrides: object) -> list:  # type: ignore[type-arg]
    return asyncio.run(extract_targets(list(targets), settings(**overrides), explain=True))


@pytest.fixture
def site() -> Iterator[PageServer]:
    pages = {
        "/ferry": Page(PAGE),
        "/note": Page("Ferry cut\nThe ferry sails less often.", content_type="text/plain"),
    }
    with PageServer(pages) as server:
        yield server


@pytest.fixture
def clean_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("FUSEBRIEF_MAX_HTML_BYTES", "FUSEBRIEF_MAX_ARTICLE_CHARS"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


# --------------------------------------------------------------------------------------------
# Files, folders, URLs
# --------------------------------------------------------------------------------------------


def test_an_html_file_gives_its_title_and_body_but_not_its_furniture() -> None:
    [item] = extract(str(OUTLET_PAGE))
    assert item.where == str(OUTLET_PAGE) and not item.is_url
    assert item.title == OUTLET_TITLE
    assert item.language == "en"
    assert item.text.startswith("Cargo handling resumed at the Port of Halvermouth")
    assert OUTLET_TITLE not in item.text  # the title is its own field
    for junk in ("cookies", "Share on", "Related articles", "Comments", "©"):
        assert junk not in item.text
    rules = {removal.rule for removal in item.removals}
    assert {"page_title", "outside_article"} <= rules


def test_a_folder_gives_every_article_with_its_path() -> None:
    items = extract(str(ARTICLES))
    assert len(items) == 5
    assert [Path(item.where).parent for item in items] == [ARTICLES] * 5
    assert all(item.title and item.text for item in items)


def test_a_url_is_fetched_and_cleaned(site: PageServer) -> None:
    [page, note] = extract(site.url + "/ferry", site.url + "/note")
    assert page.is_url and page.where == site.url + "/ferry"
    assert page.title == "Ferry timetable cut for winter"
    assert page.text.split("\n\n")[0] == STORY
    assert "Home" not in page.text and "Coast Courier" not in page.text
    assert note.title == "Ferry cut" and note.text == "The ferry sails less often."


AFTER = "Islanders said the new timetable would make the morning school run much harder."


def test_lines_shared_across_the_given_articles_go(tmp_path: Path) -> None:
    stories = [STORY, STORY.replace("four", "five")]
    for name, story in zip(("a.txt", "b.txt"), stories, strict=True):
        text = f"Ferry news\n{story}\nAround the Coast\n{AFTER}\n"
        (tmp_path / name).write_text(text, encoding="utf-8")
    items = extract(str(tmp_path))
    assert [item.text for item in items] == [f"{story}\n\n{AFTER}" for story in stories]
    [removal] = items[0].removals
    assert (removal.rule, removal.detail) == ("shared_line", "short (3 words), repeated on 2 pages")


# --------------------------------------------------------------------------------------------
# Limits: raw HTML in bytes, the cleaned text in characters
# --------------------------------------------------------------------------------------------

BIG_PAGE = PAGE.replace("</head>", "<script>" + "var x = 1;\n" * 50_000 + "</script></head>")


def test_a_large_page_with_a_short_article_is_accepted() -> None:
    limits = settings(max_article_chars=1000, max_html_bytes=1_000_000)
    assert len(BIG_PAGE) > 500_000
    check_raw_size(BIG_PAGE, limits.max_html_bytes, "page")
    [item] = asyncio.run(_extract_raw(BIG_PAGE, limits))
    assert item.text.startswith(STORY)


async def _extract_raw(raw: str, limits: Settings) -> list:  # type: ignore[type-arg]
    from service.extract import Input, extract_articles
    from service.types import Article

    article = Article(title="Ferry", source="Coast Courier", text=raw)
    return extract_articles([Input("page", False, article)], limits)


def test_raw_html_over_the_byte_limit_is_refused_before_parsing() -> None:
    with pytest.raises(BundleTooLarge, match="FUSEBRIEF_MAX_HTML_BYTES"):
        check_raw_size(BIG_PAGE, 100_000, "page.html")
    check_raw_size("plain text " * 50_000, 100_000, "note.txt")


def test_cleaned_text_over_the_character_limit_is_refused() -> None:
    check_text_size("x" * 200, 200, "a")
    with pytest.raises(BundleTooLarge, match="FUSEBRIEF_MAX_ARTICLE_CHARS"):
        check_text_size("x" * 201, 200, "a")
    with pytest.raises(BundleTooLarge, match="after cleaning"):
        asyncio.run(_extract_raw(PAGE, settings(max_article_chars=100)))


def test_every_rule_has_a_reason() -> None:
    assert reason("page_title").startswith("the page's own title")
    assert "junk classifier" in reason("junk_signals")
    assert "bundle" in reason("shared_line")
    assert "teaser label" in reason("labelled_teaser")


# --------------------------------------------------------------------------------------------
# The command
# --------------------------------------------------------------------------------------------


def test_cli_prints_the_text_the_model_reads(clean_settings: None) -> None:
    result = runner.invoke(app, ["extract", str(OUTLET_PAGE)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"==> {OUTLET_PAGE} <==\ntitle: {OUTLET_TITLE}\n")
    assert "Cargo handling resumed" in result.stdout
    assert "removed" not in result.stdout


def test_cli_json_lines_with_explanations(clean_settings: None, site: PageServer) -> None:
    result = runner.invoke(
        app,
        ["extract", "--json", "--explain", str(ARTICLES / "plain_note.txt"), site.url + "/ferry"],
    )
    assert result.exit_code == 0, result.output
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert set(first) == {"path", "title", "text", "language", "published_at", "removed"}
    assert first["path"] == str(ARTICLES / "plain_note.txt")
    assert second["url"] == site.url + "/ferry"
    assert second["title"] == "Ferry timetable cut for winter"
    removed = {item["rule"]: item for item in second["removed"]}
    assert removed["page_title"]["line"] == "Ferry timetable cut for winter"
    assert removed["outside_article"]["reason"]


def test_a_pages_date_line_goes_and_dates_the_article(clean_settings: None, tmp_path: Path) -> None:
    page = tmp_path / "dated.txt"
    page.write_text(
        "Le pont de Millbrook rouvre aux piétons\n\n"
        "Par Claire Vidalenc\n\n"
        "Modifié le 05/11/2025 à 18:02\n\n"
        "La passerelle au-dessus de la Wend a rouvert jeudi aux piétons, quatre mois après que "
        "des débris de crue ont fissuré deux de ses travées en bois.\n\n"
        "Les entrepreneurs ont remplacé les travées endommagées par des poutres en chêne et ont "
        "ajouté une main courante en acier, a indiqué le conseil du district.\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["extract", "--explain", str(page)])
    assert result.exit_code == 0, result.output
    assert "published: 2025-11-05T18:02:00\n" in result.stdout  # 5 November: day first in French
    assert "[date_line] Modifié le 05/11/2025 à 18:02" in result.stdout
    assert "[byline] Par Claire Vidalenc" in result.stdout


def test_cli_explain_lists_removed_lines_and_rules(clean_settings: None, tmp_path: Path) -> None:
    note = tmp_path / "note.txt"
    note.write_text(f"Ferry news\n{STORY}\n- Advertisement -\nSign me up\n", encoding="utf-8")
    result = runner.invoke(app, ["extract", "--explain", str(note)])
    assert result.exit_code == 0, result.output
    assert "[ad_marker] - Advertisement -" in result.stdout
    assert (
        "[junk_signals] Sign me up  (at the page's edge, short (10 characters), content words in"
        " the page's prose 0%)" in result.stdout
    )
    assert "ad_marker: advertisement slot markers" in result.stdout


def test_cli_errors_exit_2(clean_settings: None, tmp_path: Path, site: PageServer) -> None:
    missing = runner.invoke(app, ["extract", str(tmp_path / "nope.txt")])
    assert missing.exit_code == 2 and "does not exist" in " ".join(missing.output.split())
    gone = runner.invoke(app, ["extract", site.url + "/missing"])
    assert gone.exit_code == 2 and "404" in gone.output


def test_cli_applies_the_html_byte_limit(
    clean_settings: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = tmp_path / "big.html"
    page.write_text(BIG_PAGE, encoding="utf-8")
    monkeypatch.setenv("FUSEBRIEF_MAX_HTML_BYTES", "100000")
    get_settings.cache_clear()
    result = runner.invoke(app, ["extract", str(page)])
    assert result.exit_code == 2 and "FUSEBRIEF_MAX_HTML_BYTES" in result.output.replace("\n", "")
