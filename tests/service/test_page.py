"""The web page's files as the service serves them (the page itself runs in tests/browser)."""

from fastapi.testclient import TestClient

from service.api.app import create_app
from service.api.page import STATIC
from service.llm import LLMClient
from tests.conftest import make_settings
from tests.support.llm_server import ReplayServer


def test_the_page_is_served_locked_down_with_its_files(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert (
        "default-src 'none'" in csp and "script-src 'self'" in csp and "connect-src 'self'" in csp
    )
    assert page.headers["x-content-type-options"] == "nosniff"
    assert '<meta name="fusebrief-auth" content="none">' in page.text
    assert client.head("/").status_code == 200
    script = client.get("/static/app.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert client.get("/static/style.css").headers["content-type"].startswith("text/css")
    assert client.get("/static/../config.py").status_code == 404
    assert "/" not in client.get("/openapi.json").json()["paths"]


def test_with_api_keys_the_page_asks_for_a_key_but_is_served_without_one(
    llm_server: ReplayServer,
) -> None:
    settings = make_settings(llm_server, api_keys=["secret-page-key"])
    with TestClient(create_app(settings, LLMClient(settings))) as client:
        page = client.get("/")
    assert page.status_code == 200
    assert '<meta name="fusebrief-auth" content="bearer">' in page.text
    assert "secret-page-key" not in page.text


def test_the_page_uses_no_inner_html_and_nothing_from_other_hosts() -> None:
    script = (STATIC / "app.js").read_text(encoding="utf-8")
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script
    assert "eval(" not in script and "document.write" not in script
    for name in ("index.html", "app.js", "style.css"):
        text = (STATIC / name).read_text(encoding="utf-8")
        assert "//cdn" not in text and "googleapis" not in text and "http://" not in text, name
