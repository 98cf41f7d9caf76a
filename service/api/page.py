"""The web page at `/`: plain HTML, CSS and JavaScript shipped inside the package
(service/api/static), no CDN and no build step. It posts the brief with
`Accept: text/event-stream`, shows the stages as they arrive, and renders the brief with
clickable citations (README, "The web page").

Article text is hostile input: the page puts it on screen as text only, and its Content Security
Policy allows no script, style or connection but the service's own.
"""

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"
STATIC_URL = "/static"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}
AUTH_META = '<meta name="fusebrief-auth" content="none">'


def install_page(app: FastAPI) -> None:
    """Serve the page at `/` and its files under STATIC_URL."""
    template = (STATIC / "index.html").read_text(encoding="utf-8")
    if AUTH_META not in template:
        raise RuntimeError(f"{STATIC / 'index.html'} lost its {AUTH_META} line")
    app.mount(STATIC_URL, StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    @app.head("/", include_in_schema=False)
    async def page(request: Request) -> HTMLResponse:
        # With API keys set, the page asks for one before the first brief (kept in the tab's
        # sessionStorage only); the keys themselves never reach the page.
        auth = "bearer" if request.app.state.settings.api_keys else "none"
        html = template.replace(AUTH_META, AUTH_META.replace('"none"', f'"{auth}"'))
        return HTMLResponse(html, headers=PAGE_HEADERS)
