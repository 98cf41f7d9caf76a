"""A real browser for the web page's tests: Debian's chromium (apt-get install chromium) driven
headless by Playwright's Python package; Playwright's own browser download is never used.

Without chromium (or the playwright package) the tests are skipped, unless
FUSEBRIEF_REQUIRE_BROWSER=1 (set by .ci/run), where they fail. FUSEBRIEF_CHROMIUM names another
executable.
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _missing(message: str) -> None:
    if os.environ.get("FUSEBRIEF_REQUIRE_BROWSER") == "1":
        pytest.fail(message)
    pytest.skip(message)


def chromium_path() -> Path | None:
    given = os.environ.get("FUSEBRIEF_CHROMIUM")
    found = given or shutil.which("chromium") or shutil.which("chromium-browser")
    return Path(found) if found and Path(found).exists() else None


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One headless chromium per test module (each test opens its own context)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package is missing: pip install -e '.[dev]'")
    executable = chromium_path()
    if executable is None:
        _missing("chromium is not installed: apt-get install chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS)
        yield launched
        launched.close()
