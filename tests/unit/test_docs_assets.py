"""/docs and /redoc render offline: every asset they load is served by the app itself."""

import re
from html.parser import HTMLParser

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.api.docs_assets import install_offline_docs
from service.config import Settings
from service.llm import LLMClient


class _Assets(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value or "" for name, value in attrs if name in ("src", "href")]


@pytest.fixture
def client() -> TestClient:
    app = FastAPI(title="tiny", docs_url=None, redoc_url=None)

    @app.get("/hello")
    def hello() -> dict[str, str]:
        return {"hello": "world"}

    install_offline_docs(app)
    return TestClient(app)


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ("/docs", {"swagger-ui-bundle.js", "swagger-ui.css", "favicon.png"}),
        ("/redoc", {"redoc.standalone.js", "favicon.png"}),
    ],
)
def test_the_docs_pages_load_only_assets_the_app_serves(
    client: TestClient, page: str, expected: set[str]
) -> None:
    response = client.get(page)
    assert response.status_code == 200
    html = response.text
    urls = _Assets(html).urls
    assert {url.rsplit("/", 1)[1] for url in urls} == expected
    assert not re.search(r"https?://", html), "the page names an outside host"
    for url in urls:
        assert url.startswith("/docs-assets/")
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 1000
    assert client.get("/openapi.json").json()["paths"].keys() == {"/hello"}


def test_swagger_ui_does_not_send_the_schema_to_the_online_validator(client: TestClient) -> None:
    assert '"validatorUrl": null' in client.get("/docs").text


def test_the_app_must_leave_its_cdn_pages_out() -> None:
    with pytest.raises(ValueError, match="docs_url=None"):
        install_offline_docs(FastAPI())


def test_the_pages_follow_a_root_path() -> None:
    app = FastAPI(docs_url=None, redoc_url=None)
    install_offline_docs(app)
    html = TestClient(app, root_path="/fusebrief").get("/docs").text
    assert "/fusebrief/docs-assets/swagger-ui-bundle.js" in html
    assert "'/fusebrief/openapi.json'" in html or '"/fusebrief/openapi.json"' in html


def test_the_services_own_docs_pages_work_offline(settings: Settings) -> None:
    with TestClient(create_app(settings, LLMClient(settings))) as service:
        for page in ("/docs", "/redoc"):
            html = service.get(page).text
            assert not re.search(r"https?://", html)
            assert all(service.get(url).status_code == 200 for url in _Assets(html).urls)
