"""The digest fixtures (fixtures/digest/) served the way a newsroom's site would serve them."""

from tests.conftest import FIXTURES
from tests.support.pages import Page

DIGEST = FIXTURES / "digest"
TYPES = {".xml": "application/rss+xml", ".atom": "application/atom+xml", ".html": "text/html"}


def fixture_pages() -> dict[str, Page]:
    """Every fixture feed and page, at its path below fixtures/digest/ (/feeds/…, /pages/…)."""
    files = [p for p in sorted(DIGEST.glob("*/*")) if p.suffix in TYPES]
    return {
        f"/{path.relative_to(DIGEST)}": Page(path.read_bytes(), content_type=TYPES[path.suffix])
        for path in files
    }
