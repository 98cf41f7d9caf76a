"""The digest's TOML file: the example loads, and each kind of mistake is named."""

from pathlib import Path

import pytest

from service.digest.config import BundleInput, FeedInput, FolderInput, load_config
from service.errors import DigestConfigInvalid
from tests.conftest import FIXTURES
from tests.support.links import MALFORMED_LINKS

MINIMAL = 'recipients = ["desk@example.org"]\n[[inputs]]\nfeed = "https://news.example/rss"\n'


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "morning.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_example_config_loads_with_paths_beside_it() -> None:
    config = load_config(FIXTURES / "digest" / "digest.toml")
    assert config.name == "digest"
    assert config.recipients == ["newsdesk@carrowmere.example"]
    assert (config.max_stories, config.min_sources, config.empty_day) == (3, 2, "note")
    assert str(config.zone) == "Europe/London"
    feeds = [i for i in config.inputs if isinstance(i, FeedInput)]
    assert [Path(f.feed).name for f in feeds] == [
        "carrowmere-courier.xml",
        "tollan-valley-wire.atom",
        "harbour-gazette.xml",
    ]
    assert all(Path(f.feed).is_file() for f in feeds)
    folders = [i for i in config.inputs if isinstance(i, FolderInput)]
    assert folders == [FolderInput(folder=FIXTURES / "digest" / "desk")]


def test_defaults_and_the_name_from_the_file(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, MINIMAL + '[[inputs]]\nbundle = "day.json"\n'))
    assert config.name == "morning"
    assert (config.timezone, config.max_stories, config.min_sources) == ("UTC", 5, 2)
    assert config.empty_day == "skip"
    assert config.inputs[0] == FeedInput(feed="https://news.example/rss")  # URLs stay URLs
    assert config.inputs[1] == BundleInput(bundle=tmp_path / "day.json")


@pytest.mark.parametrize(
    ("text", "named"),
    [
        (MINIMAL + 'subject = "News for {day}"', "subject"),
        (MINIMAL + 'timezone = "Europe/Nowhere"', "timezone"),
        (MINIMAL + "max_stories = 0", "max_stories"),
        (MINIMAL + 'empty_day = "maybe"', "empty_day"),
        (MINIMAL + "colour = 3", "colour"),
        ('[[inputs]]\nfeed = "https://news.example/rss"\n', "recipients"),
        ('recipients = ["not an address"]\n[[inputs]]\nfolder = "x"\n', "recipients.0"),
        ('recipients = ["desk@example.org"]\n', "inputs"),
        (MINIMAL + "[[inputs]]\npodcast = 'x'\n", "inputs.1: each input needs feed"),
        ("recipients = [", "not valid TOML"),
    ],
)
def test_mistakes_are_named(tmp_path: Path, text: str, named: str) -> None:
    with pytest.raises(DigestConfigInvalid) as caught:
        load_config(write(tmp_path, text))
    assert named in caught.value.message
    assert "\n" not in caught.value.message


@pytest.mark.parametrize("link", MALFORMED_LINKS)
def test_a_malformed_feed_address_is_named(tmp_path: Path, link: str) -> None:
    text = MINIMAL.replace("https://news.example/rss", link)
    with pytest.raises(DigestConfigInvalid) as caught:
        load_config(write(tmp_path, text))
    assert f"inputs.0.feed.feed: Value error, {link}: not a valid link (" in caught.value.message


def test_a_missing_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(DigestConfigInvalid, match="cannot read the digest config"):
        load_config(tmp_path / "nope.toml")
