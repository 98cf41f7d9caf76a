"""Slack without a server: Block Kit limits and splitting, links in messages, the verifier."""

import hashlib
import hmac
from datetime import UTC, datetime

import pytest
from slack_sdk.signature import Clock, SignatureVerifier

from service.errors import SlackRequestRefused
from service.slack.blocks import MAX_BLOCKS, SECTION_CHARS, brief_messages, notice, pack
from service.slack.payloads import links_in
from service.slack.verify import SlackVerifier
from service.types import Article, Brief, Disagreement, Exclusion, Sentence, Source, Usage


def _source(number: int) -> Source:
    article = Article(
        title=f"Report {number} <on> the weir & the mill",
        source=f"Outlet {number}",
        text="…",
        url=f"https://outlet{number}.example/story?id={number}&page=1",
        published_at=datetime(2026, 9, 21, tzinfo=UTC),
    )
    return Source(sid=f"S{number}", article=article, text="…", language="en")


def _brief(sentences: list[str], title: str = "Weir repairs") -> Brief:
    disagreement = Disagreement("Sources disagree: S1 says 3 weeks, S2 says 4 weeks.", ("S1", "S2"))
    return Brief(
        id="b1",
        title=title,
        language="en",
        sentences=[Sentence(text, ("S1",)) for text in sentences],
        disagreements=[disagreement],
        sources=[_source(1), _source(2)],
        summaries=[],
        excluded=[Exclusion("S2", "duplicate of S1")],
        model="openai/replay",
        prompt_version="map/v2+fuse/v2",
        usage=Usage(llm_calls=3, prompt_tokens=100, completion_tokens=50),
    )


def _section_texts(brief: Brief) -> list[str]:
    return [
        block["text"]["text"]
        for message in brief_messages(brief)
        for block in (b.to_dict() for b in message.blocks)
        if block["type"] == "section"
    ]


def test_a_short_brief_is_one_message_with_escaped_text_and_source_links() -> None:
    brief = _brief(["The weir <reopened> on Monday & the mill with it."])
    (message,) = brief_messages(brief)
    blocks = [block.to_dict() for block in message.blocks]
    assert [b["type"] for b in blocks] == ["header", "section", "section", "section", "context"]
    body, disputed, sources = (b["text"]["text"] for b in blocks[1:4])
    assert body == "The weir &lt;reopened&gt; on Monday &amp; the mill with it. [S1]"
    assert disputed.splitlines() == [
        "*Where the sources disagree*",
        "• Sources disagree: S1 says 3 weeks, S2 says 4 weeks. [S1, S2]",
    ]
    assert sources.splitlines()[1:] == [
        "*S1* Outlet 1: <https://outlet1.example/story?id=1&amp;page=1|"
        "Report 1 &lt;on&gt; the weir &amp; the mill>",
        "*S2* Outlet 2: <https://outlet2.example/story?id=2&amp;page=1|"
        "Report 2 &lt;on&gt; the weir &amp; the mill> — _duplicate of S1_",
    ]
    assert message.public and message.text == "Weir repairs"


def test_a_long_brief_is_split_within_slacks_limits_and_loses_nothing() -> None:
    sentences = [f"Sentence {n} about the weir. " + "word " * 120 for n in range(400)]
    sentences.append("An endless sentence " + "x" * 7000)
    brief = _brief(sentences, title="A title far longer than a Slack header allows " * 5)
    messages = brief_messages(brief)

    assert len(messages) > 1
    assert [m.text.rsplit(" (", 1)[1] for m in messages] == [
        f"{n}/{len(messages)})" for n in range(1, len(messages) + 1)
    ]
    for message in messages:
        assert len(message.blocks) <= MAX_BLOCKS
        for block in message.blocks:
            block.to_dict()  # slack-sdk's validators: section <= 3000, header <= 150, ...
    header = messages[0].blocks[0].to_dict()["text"]["text"]
    assert len(header) == 150 and header.endswith("…")
    texts = _section_texts(brief)
    assert max(map(len, texts)) <= SECTION_CHARS
    joined = " ".join(" ".join(texts).split())
    for sentence in sentences[:-1]:
        assert " ".join(sentence.split()) + " [S1]" in joined
    assert joined.count("x") >= 7000


@pytest.mark.parametrize(
    ("lines", "limit", "packed"),
    [
        (["ab", "cd", "ef"], 5, ["ab\ncd", "ef"]),
        (["one two three"], 8, ["one two", "three"]),
        (["abcdefghij"], 4, ["abcd", "efgh", "ij"]),
        ([], 10, []),
    ],
)
def test_pack_fills_texts_up_to_the_limit(lines: list[str], limit: int, packed: list[str]) -> None:
    assert pack(lines, limit) == packed


def test_a_notice_is_ephemeral_and_escaped() -> None:
    message = notice("http://a.example/<x>: refused & logged")
    assert not message.public
    assert message.text == "http://a.example/&lt;x&gt;: refused &amp; logged"


@pytest.mark.parametrize(
    ("text", "links"),
    [
        ("<https://a.example/1> <https://b.example/2|B>", ["https://a.example/1", "https://b.example/2"]),
        ("<@U0BOT> see https://a.example/1, and (https://b.example/2).", ["https://a.example/1", "https://b.example/2"]),
        ("https://a.example/1 <https://a.example/1>", ["https://a.example/1"]),
        ("<mailto:desk@a.example|desk> ftp://files.example/a", ["ftp://files.example/a"]),
        ("no links here, just <#C123|news>", []),
        ("<https://a.example/?q=1&amp;p=2|a> https://b.example/?x=1&amp;y=2",
         ["https://a.example/?q=1&p=2", "https://b.example/?x=1&y=2"]),
    ],
)  # fmt: skip
def test_links_are_found_in_slack_text_in_order_once(text: str, links: list[str]) -> None:
    assert links_in(text) == links


class FakeClock(Clock):
    def __init__(self) -> None:
        self.time = 1_790_000_000.0

    def now(self) -> float:
        return self.time


def _headers(body: str, timestamp: float) -> dict[str, str]:
    stamp = str(int(timestamp))
    signature = SignatureVerifier("secret").generate_signature(timestamp=stamp, body=body)
    return {"x-slack-request-timestamp": stamp, "x-slack-signature": signature or ""}


def test_the_record_of_seen_requests_is_bounded() -> None:
    clock = FakeClock()
    verifier = SlackVerifier("secret", clock, remember=2)
    requests = [(f"text={n}".encode(), _headers(f"text={n}", clock.time)) for n in range(3)]
    for body, headers in requests:
        verifier.check(body, headers)
    for body, headers in requests[1:]:
        with pytest.raises(SlackRequestRefused, match="replay"):
            verifier.check(body, headers)
    verifier.check(*requests[0])  # forgotten to stay within the bound


def test_a_request_is_remembered_until_its_timestamp_goes_stale() -> None:
    clock = FakeClock()
    verifier = SlackVerifier("secret", clock)
    body, headers = b"text=1", _headers("text=1", clock.time)
    verifier.check(body, headers)
    clock.time += 299
    with pytest.raises(SlackRequestRefused, match="replay"):
        verifier.check(body, headers)
    clock.time += 2
    with pytest.raises(SlackRequestRefused, match="more than 5 minutes"):
        verifier.check(body, headers)


def _sign_bytes(body: bytes, stamp: str, secret: str = "secret") -> str:
    digest = hmac.new(secret.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256)
    return "v0=" + digest.hexdigest()


NOT_UTF8 = b"text=\xff\xfe\xc3("


def test_a_forged_signature_on_a_body_that_is_not_utf8_is_refused_not_a_crash() -> None:
    clock = FakeClock()
    stamp = str(int(clock.time))
    headers = {"x-slack-request-timestamp": stamp, "x-slack-signature": "v0=" + "0" * 64}
    with pytest.raises(SlackRequestRefused, match="signature does not match"):
        SlackVerifier("secret", clock).check(NOT_UTF8, headers)


def test_the_signature_covers_the_raw_bytes_of_the_body() -> None:
    clock = FakeClock()
    stamp = str(int(clock.time))
    headers = {
        "x-slack-request-timestamp": stamp,
        "x-slack-signature": _sign_bytes(NOT_UTF8, stamp),
    }
    SlackVerifier("secret", clock).check(NOT_UTF8, headers)  # the route then answers 422


@pytest.mark.parametrize(
    ("timestamp", "signature"),
    [
        ("²", "v0=" + "0" * 64),  # a Unicode digit int() does not take
        ("9" * 5000, "v0=" + "0" * 64),  # more digits than int() takes
        ("-5", "v0=" + "0" * 64),
        ("now", "v0=" + "0" * 64),
        (None, "v0=" + "0" * 64),
        ("{now}", "v0=été"),  # compare_digest refuses non-ASCII text
        ("{now}", "v1=" + "0" * 64),
        ("{now}", "v0=" + "0" * 63),
        ("{now}", None),
    ],
)
def test_malformed_signature_headers_are_refused_before_the_body_is_looked_at(
    timestamp: str | None, signature: str | None
) -> None:
    clock = FakeClock()
    headers = {}
    if timestamp is not None:
        headers["x-slack-request-timestamp"] = timestamp.format(now=int(clock.time))
    if signature is not None:
        headers["x-slack-signature"] = signature
    verifier = SlackVerifier("secret", clock)
    with pytest.raises(SlackRequestRefused, match="missing X-Slack-Signature"):
        verifier.check_headers(headers)
    with pytest.raises(SlackRequestRefused, match="missing X-Slack-Signature"):
        verifier.check(NOT_UTF8, headers)
