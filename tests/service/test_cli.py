"""The `fusebrief` command line, against the replay server."""

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from service.cli import app
from service.config import get_settings
from service.loaders import load_articles
from tests.conftest import FIXTURES, fresh_data_dir
from tests.support.llm_server import ReplayServer

runner = CliRunner()


@pytest.fixture
def replay_env(llm_server: ReplayServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("FUSEBRIEF_LLM_MODEL", "openai/replay")
    monkeypatch.setenv("FUSEBRIEF_LLM_API_BASE", llm_server.url + "/v1")
    monkeypatch.setenv("FUSEBRIEF_LLM_CONTEXT_TOKENS", "8192")
    monkeypatch.setenv("FUSEBRIEF_DATA_DIR", str(fresh_data_dir()))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_brief_prints_markdown_with_source_markers(replay_env: None) -> None:
    result = runner.invoke(app, ["brief", str(FIXTURES / "bundles" / "small.json")])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# ")
    assert "[S1" in result.stdout and "## Sources" in result.stdout


def test_brief_json_matches_the_api_contract(replay_env: None) -> None:
    result = runner.invoke(app, ["brief", "--json", str(FIXTURES / "bundles" / "small.json")])
    assert result.exit_code == 0, result.output
    brief = json.loads(result.stdout)
    assert [s["sid"] for s in brief["sources"]] == ["S1", "S2"]
    assert all(s["sources"] for s in brief["sentences"])


def test_bad_input_exits_2_with_a_message(replay_env: None, tmp_path: Path) -> None:
    missing = runner.invoke(app, ["brief", str(tmp_path / "nope.txt")])
    assert missing.exit_code == 2 and "does not exist" in missing.output
    empty = runner.invoke(app, ["brief", str(tmp_path)])
    assert empty.exit_code == 2 and "no article files" in empty.output
    (tmp_path / "bad.json").write_text('{"articles": [{"title": "x"}]}')
    invalid = runner.invoke(app, ["brief", str(tmp_path / "bad.json")])
    assert invalid.exit_code == 2 and "source" in invalid.output


def test_help_lists_the_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("serve", "brief", "model"):
        assert command in result.stdout


def test_model_info_reports_missing_weights(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("FUSEBRIEF_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    result = runner.invoke(app, ["model", "info"])
    get_settings.cache_clear()
    assert result.exit_code == 0
    assert "1.5b [selected]" in result.stdout and "missing" in result.stdout


def test_loader_reads_every_kind_of_article_file() -> None:
    articles = load_articles([FIXTURES / "articles"])
    assert len(articles) == 5
    by_title = {a.title: a for a in articles}
    html = [a for a in articles if a.text.lstrip().startswith("<")]
    assert len(html) == 2 and all(a.source and a.published_at for a in html)
    assert all(a.title and a.text for a in by_title.values())


def test_a_file_without_a_headline_keeps_its_first_paragraph(tmp_path: Path) -> None:
    first = "The council met on Tuesday and voted to close the old bridge for repairs. " * 2
    (tmp_path / "story.txt").write_text(first.strip() + "\n\nWork starts in May.\n")
    (article,) = load_articles([tmp_path / "story.txt"])
    assert article.title == "The council met on Tuesday and voted to close the old bridge…"
    assert article.text.startswith("The council met on Tuesday")
    assert article.source == "story.txt"


def test_verbose_brief_prints_each_stage_with_its_elapsed_time(replay_env: None) -> None:
    result = runner.invoke(app, ["brief", "-v", str(FIXTURES / "bundles" / "small.json")])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# ")  # stdout holds only the brief
    lines = [
        line.strip() for line in result.stderr.splitlines() if re.match(r"^\s*\d+\.\d\d s  ", line)
    ]
    seconds = [float(line.split(" s  ")[0]) for line in lines]
    assert seconds == sorted(seconds)
    shown = [line.split(" s  ", 1)[1] for line in lines]
    assert shown[0] == "cleaning the articles 2/2"
    assert shown[1].startswith("identifying sources 2/2")
    assert "extracting facts 0/2" in shown
    assert {"extracting facts 2/2 · S1", "extracting facts 2/2 · S2"} & set(shown)
    assert any(line.startswith("writing and checking the brief") for line in shown)
    assert any(line.startswith("writing the title") for line in shown)
    summary = result.stderr.strip().splitlines()[-1]
    assert re.fullmatch(
        r"time by stage: clean \d+\.\d\d s, identify .*; total \d+\.\d\d s", summary
    )


def test_an_article_file_over_a_field_maximum_exits_2(replay_env: None, tmp_path: Path) -> None:
    article = {"title": "t" * 1001, "source": "Outlet", "text": "Some text."}
    (tmp_path / "long.json").write_text(json.dumps(article), encoding="utf-8")
    result = runner.invoke(app, ["brief", str(tmp_path / "long.json")])
    assert result.exit_code == 2
    assert "title: String should have at most 1000 characters" in result.stderr


def _one_line_exit_2(result: Result, hint: str) -> None:
    """An input mistake: exit 2, and one line on stderr that says what to fix."""
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and hint in lines[0], lines[0]


@pytest.mark.parametrize(
    ("content", "hint"),
    [
        ("[]", "holds no articles"),
        ('{"articles": []}', "holds no articles"),
        ('{"articles": {}}', '"articles" must be a list'),
        ('"just a string"', "expected an article object"),
        ("[1, 2]", "expected an article object"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"title": "T", "source": "S", "text": "x", "language": "klingon"}', "language"),
    ],
    ids=["empty-list", "empty-articles", "articles-object", "string", "numbers", "deep", "lang"],
)
def test_every_bad_article_file_exits_2_with_one_line(
    replay_env: None, tmp_path: Path, content: str, hint: str
) -> None:
    path = tmp_path / "bundle.json"
    path.write_text(content, encoding="utf-8")
    _one_line_exit_2(runner.invoke(app, ["brief", str(path)]), hint)


@pytest.mark.parametrize(
    ("options", "hint"),
    [
        (["--language", "klingon"], "'klingon' is not a known language code"),
        (["--language", "xx"], "'xx' is not a known language code"),
        (["--max-sentences", "99"], "--max-sentences"),
        (["--max-sentences", "many"], "--max-sentences"),
        (["--max-words", "20"], "--max-words"),
        (["--max-words", "5000"], "--max-words"),
        (["--model", "gpt-9-" + "x" * 80], "is not offered here"),
        (["--bogus"], "--bogus"),
    ],
    ids=[
        "language-word",
        "language-xx",
        "sentences-range",
        "sentences-type",
        "words-short",
        "words-long",
        "model",
        "option",
    ],
)
def test_every_bad_option_exits_2_with_one_line(
    replay_env: None, llm_server: ReplayServer, options: list[str], hint: str
) -> None:
    bundle = str(FIXTURES / "bundles" / "small.json")
    _one_line_exit_2(runner.invoke(app, ["brief", *options, bundle]), hint)
    assert not llm_server.requests  # refused before any model call


def test_help_still_prints_help() -> None:
    assert "Usage" in runner.invoke(app, ["brief", "--help"]).stdout
    assert runner.invoke(app, ["brief", "--help"]).exit_code == 0
