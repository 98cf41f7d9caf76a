"""`fusebrief digest` end to end: feeds on a loopback site, the model on the replay server, and a
real SMTP server (aiosmtpd) on loopback that receives the mail, which the tests then parse."""

import re
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from typer.testing import CliRunner, Result

from service.cli import app
from service.config import get_settings
from service.digest.state import run_lock
from tests.conftest import RECORDING
from tests.support.digest import DIGEST, fixture_pages
from tests.support.llm_server import Fault, ReplayServer
from tests.support.pages import Page, PageServer

# The loopback SMTP server takes a login over plain text; that is the point of the test.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
runner = CliRunner()
DAY = "2026-11-20"
SUBJECT = "Tollan valley digest, Friday 20 November 2026: 2 stories"
COURIER = "https://carrowmerecourier.example/news/2026/11/20/"
MARSH = "https://marshroadradio.example/news/tollan-footbridge-detour"
LOGIN = ("digest-bot", "s3cret")


@dataclass
class Mailbox:
    """What the SMTP server on loopback received."""

    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        LOGIN[0].encode(),
        LOGIN[1].encode(),
    )
    return AuthResult(success=ok, handled=False)  # not handled: the server answers 535


@contextmanager
def smtp_server(**options: Any) -> Iterator[Mailbox]:
    """An SMTP server on 127.0.0.1 that wants the test login."""
    box = Mailbox(port=_free_port())
    controller = Controller(
        box,
        hostname="127.0.0.1",
        port=box.port,
        authenticator=_authenticate,
        auth_required=True,
        **options,
    )
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    """The plain-text SMTP server most tests use (a login over plain text is fine on loopback)."""
    with smtp_server(auth_require_tls=False) as box:
        yield box


@pytest.fixture
def tls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ssl.SSLContext:
    """A server certificate for 127.0.0.1 from a test CA that this process trusts."""
    ca = trustme.CA()
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    return context


@pytest.fixture
def site() -> Iterator[PageServer]:
    """The fixture feeds and pages, plus one feed that is down."""
    pages = fixture_pages() | {"/feeds/down.xml": Page("try later", status=503)}
    with PageServer(pages) as server:
        yield server


@pytest.fixture
def env(
    llm_server: ReplayServer, mailbox: Mailbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """FUSEBRIEF_* for the CLI: the replay model, the loopback SMTP server, a fresh data dir."""
    settings = {
        "LLM_MODEL": "openai/replay",
        "LLM_API_BASE": llm_server.url + "/v1",
        "LLM_CONTEXT_TOKENS": "8192",
        "LLM_TIMEOUT_S": "900" if RECORDING else "30",
        "DATA_DIR": str(tmp_path / "data"),
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(mailbox.port),
        "SMTP_SECURITY": "none",
        "SMTP_TIMEOUT_S": "5",
        "SMTP_USERNAME": LOGIN[0],
        "SMTP_PASSWORD": LOGIN[1],
        "SMTP_FROM": "Tollan digest <digest@carrowmere.example>",
    }
    for name, value in settings.items():
        monkeypatch.setenv("FUSEBRIEF_" + name, value)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def write_config(folder: Path, site: PageServer, **overrides: str) -> Path:
    """The example digest, its feeds fetched from the loopback site."""
    values = {"subject": '"Tollan valley digest, {date}: {stories} stories"', "empty_day": '"skip"'}
    values |= overrides
    lines = [f"{key} = {value}" for key, value in values.items()]
    lines += [
        'recipients = ["newsdesk@carrowmere.example", "editor@carrowmere.example"]',
        'timezone = "Europe/London"',
        "max_stories = 3",
        "min_sources = 2",
        "max_sentences = 6",
    ]
    for feed in ("carrowmere-courier.xml", "tollan-valley-wire.atom", "harbour-gazette.xml"):
        lines += ["[[inputs]]", f'feed = "{site.url}/feeds/{feed}"']
    lines += ["[[inputs]]", f'feed = "{site.url}/feeds/down.xml"', 'name = "Fenmouth Post"']
    lines += ["[[inputs]]", f'folder = "{DIGEST / "desk"}"']
    path = folder / "tollan.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def digest(config: Path, *args: str) -> Result:
    return runner.invoke(app, ["digest", "--config", str(config), "--date", DAY, *args])


def parts(message: EmailMessage) -> tuple[str, str]:
    assert message.get_content_type() == "multipart/alternative"
    kinds = [p.get_content_type() for p in message.iter_parts()]
    assert kinds == ["text/plain", "text/html"]
    text, html = (p.get_content().replace("\r\n", "\n") for p in message.iter_parts())
    return text, html


def html_stories(html: str) -> list[tuple[str, dict[int, str], list[tuple[str, int]]]]:
    """Per story card: its title, its numbered source links, and its citation links."""
    out = []
    for card in html.split("<h2")[1:]:
        title = re.search(r">\d+\. (.*?)</h2>", card)
        assert title is not None
        listed = re.findall(r'\[(\d+)\] <a href="([^"]+)"', card)
        cited = re.findall(r'<a href="([^"]+)"[^>]*>(\d+)</a>', card)
        sources = {int(n): url for n, url in listed}
        citations = [(url, int(n)) for url, n in cited]
        out.append((title.group(1), sources, citations))
    return out


def test_the_digest_arrives_with_cited_stories_and_a_footer(
    env: Path, site: PageServer, mailbox: Mailbox, llm_server: ReplayServer
) -> None:
    result = digest(write_config(env, site))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("fusebrief digest: sent: ")
    assert not llm_server.misses

    assert mailbox.envelopes == [
        ("digest@carrowmere.example", ["newsdesk@carrowmere.example", "editor@carrowmere.example"])
    ]
    [message] = mailbox.messages
    assert message["Subject"] == SUBJECT
    assert message["From"] == "Tollan digest <digest@carrowmere.example>"
    assert message["To"] == "newsdesk@carrowmere.example, editor@carrowmere.example"
    assert message["Message-ID"].endswith("@carrowmere.example>")
    text, html = parts(message)

    # HTML: each story's citations link to that story's numbered sources, in outlet order.
    wire = site.url + "/pages/"
    expected = [
        [COURIER + "tollan-footbridge-shut", wire + "tollan-footbridge-corrosion.html", MARSH],
        [COURIER + "brenholt-ferry-back", wire + "marra-dawn-ferry.html"],
    ]
    stories = html_stories(html)
    assert len(stories) == 2
    for (title, sources, citations), urls in zip(stories, expected, strict=True):
        assert title
        assert sources == dict(enumerate(urls, start=1))
        assert citations, f"story {title!r} cites nothing"
        for url, number in citations:
            assert sources[number] == url

    # Text: every sentence of a story ends in [n, …] citations of that story's sources.
    body, footer = text.split("\n--\n")
    for block, urls in zip(re.split(r"\n\d\. ", body)[1:], expected, strict=True):
        sentences, listing = block.split("\nSources:\n")
        lines = [line for line in sentences.splitlines()[1:] if line.strip()]
        assert lines
        for line in lines:
            cited = re.search(r" \[(\d+(?:, \d+)*)\]$", line)
            assert cited, line
            assert all(1 <= int(n) <= len(urls) for n in cited.group(1).split(", "))
        for number, url in enumerate(urls, start=1):
            assert re.search(rf"^\[{number}\] .+\n    {re.escape(url)}$", listing, re.MULTILINE)

    # The outlets disagree on the repair bill: said once, both sides cited, no S-numbers.
    footbridge = html.split("<h2")[1]
    assert "Sources disagree" in footbridge
    assert "2.4 million" in footbridge and "3.1 million" in footbridge
    assert not re.search(r"\bS\d\b", text)

    # The footer: the model, the time, the counts and every input that could not be read.
    for part in (footer, html):
        assert "openai/replay" in part
        assert re.search(r"on \d{1,2} \w+ 20\d\d, \d\d:\d\d (GMT|BST)\.", part)  # London time
        assert "6 article(s) from 3 outlet(s)" in part
        assert "1 more left out" in part
        assert "harbour-gazette.xml: not an RSS or Atom feed" in part
        assert "Fenmouth Post: " in part and "HTTP 503" in part


def test_a_second_run_the_same_day_sends_nothing_unless_forced(
    env: Path, site: PageServer, mailbox: Mailbox, llm_server: ReplayServer
) -> None:
    config = write_config(env, site)
    assert digest(config).exit_code == 0
    llm_server.reset()
    site.received.clear()
    again = digest(config)
    assert again.exit_code == 0, again.output
    assert "already sent" in again.stdout and "--force" in again.stdout
    assert len(mailbox.messages) == 1
    assert llm_server.requests == [] and site.requests == []  # nothing fetched or briefed
    forced = digest(config, "--force")
    assert forced.exit_code == 0, forced.output
    assert [m["Subject"] for m in mailbox.messages] == [SUBJECT, SUBJECT]


def test_a_run_that_finds_the_lock_taken_exits_3_with_one_line(
    env: Path, site: PageServer, mailbox: Mailbox
) -> None:
    with run_lock(env / "data" / "digest" / "tollan.lock"):
        result = digest(write_config(env, site))
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("fusebrief digest: error: another digest run holds")
    assert mailbox.messages == [] and site.requests == []


@pytest.mark.parametrize(("empty_day", "mails"), [("skip", 0), ("note", 1)])
def test_an_empty_day_sends_nothing_or_a_note(
    env: Path,
    site: PageServer,
    mailbox: Mailbox,
    llm_server: ReplayServer,
    empty_day: str,
    mails: int,
) -> None:
    config = write_config(env, site, empty_day=f'"{empty_day}"')
    result = runner.invoke(app, ["digest", "--config", str(config), "--date", "2026-11-22"])
    assert result.exit_code == 0, result.output
    assert len(mailbox.messages) == mails
    assert llm_server.requests == []
    if mails:
        message = mailbox.messages[0]
        assert message["Subject"] == "Tollan valley digest, Sunday 22 November 2026: 0 stories"
        text, html = parts(message)
        assert "No stories today" in text and "No stories today" in html
        assert "Fenmouth Post: " in text  # the feed that is down is still reported
    else:
        assert result.stdout == "fusebrief digest: nothing to send: no stories on 2026-11-22\n"


def test_a_refused_login_exits_4_and_a_later_run_still_sends(
    env: Path, site: PageServer, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write_config(env, site)
    monkeypatch.setenv("FUSEBRIEF_SMTP_PASSWORD", "wrong")
    get_settings.cache_clear()
    refused = digest(config)
    assert refused.exit_code == 4, refused.output
    assert refused.stderr.count("\n") == 1 and "FUSEBRIEF_SMTP_HOST" in refused.stderr
    assert "535" in refused.stderr  # the server's own answer is passed on
    assert mailbox.messages == []
    monkeypatch.setenv("FUSEBRIEF_SMTP_PASSWORD", LOGIN[1])
    get_settings.cache_clear()
    assert digest(config).exit_code == 0  # the failed day was not recorded as sent
    assert len(mailbox.messages) == 1


def test_a_model_that_is_down_exits_1_and_the_day_stays_unsent(
    env: Path,
    site: PageServer,
    mailbox: Mailbox,
    llm_server: ReplayServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FUSEBRIEF_LLM_MAX_RETRIES", "0")
    get_settings.cache_clear()
    llm_server.inject(*[Fault("status", status=503)] * 8)
    config = write_config(env, site)
    down = digest(config)
    assert down.exit_code == 1
    assert down.stderr.count("\n") == 1 and "unavailable" in down.stderr
    assert mailbox.messages == []
    llm_server.reset()
    assert digest(config).exit_code == 0 and len(mailbox.messages) == 1


def test_dry_run_writes_the_email_and_leaves_the_day_unsent(
    env: Path, site: PageServer, mailbox: Mailbox
) -> None:
    config = write_config(env, site)
    result = digest(config, "--dry-run", str(env / "out"))
    assert result.exit_code == 0, result.output
    eml, html = env / "out" / f"tollan-{DAY}.eml", env / "out" / f"tollan-{DAY}.html"
    message = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage) and message["Subject"] == SUBJECT
    assert parts(message)[1] == html.read_text(encoding="utf-8")
    assert mailbox.messages == []
    assert digest(config).exit_code == 0 and len(mailbox.messages) == 1


def test_a_bad_config_exits_2_with_one_line(env: Path) -> None:
    config = env / "bad.toml"
    config.write_text('recipients = []\n[[inputs]]\nfolder = "x"\n', encoding="utf-8")
    result = runner.invoke(app, ["digest", "--config", str(config)])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "recipients" in result.stderr


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_the_email_goes_over_tls_with_a_login_as_configured(
    env: Path,
    site: PageServer,
    tls: ssl.SSLContext,
    monkeypatch: pytest.MonkeyPatch,
    security: str,
) -> None:
    if security == "starttls":
        options: dict[str, Any] = {"tls_context": tls, "require_starttls": True}
    else:
        # TLS from the first byte; aiosmtpd only counts STARTTLS as TLS for offering AUTH.
        options = {"ssl_context": tls, "auth_require_tls": False}
    with smtp_server(**options) as box:
        monkeypatch.setenv("FUSEBRIEF_SMTP_PORT", str(box.port))
        monkeypatch.setenv("FUSEBRIEF_SMTP_SECURITY", security)
        get_settings.cache_clear()
        config = write_config(env, site, empty_day='"note"')  # a short note: no model needed
        result = runner.invoke(app, ["digest", "--config", str(config), "--date", "2026-11-22"])
    assert result.exit_code == 0, result.output
    assert [m["Subject"] for m in box.messages] == [
        "Tollan valley digest, Sunday 22 November 2026: 0 stories"
    ]


def _desk(folder: Path) -> Path:
    """A folder of undated files (they count for any day, so for today): a story told by three
    outlets, briefed first, and one told by two (a file's name stands in for its outlet) whose
    articles have no text left once the junk is cleaned out."""
    folder.mkdir()
    bridge = (
        "Weir footbridge at Hollin closes for cable repairs\n"
        "The Hollin weir footbridge closed on Monday so that engineers can replace two "
        "corroded cables, the county council said; the work will cost {} pounds."
    )
    (folder / "hollin-gazette.txt").write_text(bridge.format("310,000"), encoding="utf-8")
    (folder / "hollin-radio.txt").write_text(bridge.format("290,000"), encoding="utf-8")
    (folder / "hollin-echo.txt").write_text(bridge.format("300,000"), encoding="utf-8")
    junk = "Quayside bakery sourdough prize announced\n- Advertisement -\nLeave a Reply\n"
    (folder / "bakery-post.txt").write_text(junk, encoding="utf-8")
    (folder / "bakery-times.txt").write_text(junk, encoding="utf-8")
    return folder


def test_when_no_story_could_be_briefed_because_the_model_failed_it_exits_1(
    env: Path, llm_server: ReplayServer
) -> None:
    """Today (no --date): one story fails on the model, the other on its input; no story
    could be briefed and the model is to blame, so no email and exit 1, whatever the order."""
    desk = _desk(env / "desk")
    config = env / "desk.toml"
    config.write_text(
        'recipients = ["desk@example.org"]\ntimezone = "Europe/London"\nmin_sources = 2\n'
        f'empty_day = "note"\n[[inputs]]\nfolder = "{desk}"\n',
        encoding="utf-8",
    )
    llm_server.inject(*[Fault("content", content="I cannot do that.")] * 12)
    result = runner.invoke(
        app, ["digest", "--config", str(config), "--dry-run", str(env / "out"), "--verbose"]
    )
    assert result.exit_code == 1, result.output
    assert "story 2/2" in result.stderr  # both stories were tried
    lines = [line for line in result.stderr.splitlines() if "fusebrief digest:" in line]
    assert len(lines) == 1 and "fusebrief digest: error: " in lines[0], result.stderr
    assert "the model" in lines[0] and "\n" not in lines[0]
    assert not (env / "out").exists() or not list((env / "out").iterdir())
