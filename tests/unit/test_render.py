"""Every rendering of a brief shows each disagreement exactly once."""

from service.digest.compose import Digest, build_message, story_view
from service.render import to_markdown
from service.slack.blocks import brief_messages
from tests.unit.test_briefs import _brief

DISAGREEMENT = "Sources disagree: …"


def test_markdown_shows_each_disagreement_once() -> None:
    assert to_markdown(_brief()).count(DISAGREEMENT) == 1


def test_slack_shows_each_disagreement_once() -> None:
    texts = [str(block.to_dict()) for m in brief_messages(_brief()) for block in m.blocks]
    assert "".join(texts).count(DISAGREEMENT) == 1


def test_the_email_shows_each_disagreement_once_in_each_part() -> None:
    from datetime import UTC, date, datetime

    digest = Digest(
        day=date(2026, 9, 21),
        generated_at=datetime(2026, 9, 21, 7, tzinfo=UTC),
        stories=[story_view(_brief())],
        problems=[],
        model="openai/main",
        articles=2,
        outlets=2,
        left_out=0,
    )
    message = build_message(digest, "Digest {date}", "a@example.org", ["b@example.org"])
    for part in message.iter_parts():
        assert part.get_content().count(DISAGREEMENT) == 1
