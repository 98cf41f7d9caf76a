"""Speed benchmark: fusebrief vs LangChain map_reduce against a stub model with scripted latency.

    python bench/speed.py                                 # stub: sizes 2 8 32 128, 1/4/16 at once
    python bench/speed.py --per-call 1 --per-token 0.02   # a slower model
    python bench/speed.py --embedded 1.5b --embedded-only # the embedded model on ../shared/seeds
    python bench/speed.py --embedded 0.5b --embedded-only --bundle fixtures/sample_bundle.json

Every brief takes the real code path (`build_brief`, litellm over HTTP) to `bench/stub_llm.py`,
whose replies cost `per_call + per_token × completion tokens` of sleep, so the figures hold on
a busy machine. The critical path (CP) of a brief is what its LLM rounds would take with
unlimited parallelism and zero overhead, from the stub's own latencies: the slowest map call
plus the reduce calls that follow it (fusebrief: one title call; map_reduce: its collapse and
combine calls, which LangChain runs one after another). Tables go to stdout, progress to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.stub_llm import Call, Latency, StubLLM
from bench.synthetic import bundle as synthetic_bundle
from service.chunk import count_tokens
from service.config import Settings
from service.summarize import HOSTED_MAP_BATCH_TOKENS

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "fixtures" / "sample_bundle.json"
SEEDS = ROOT.parent / "shared" / "seeds"
CACHE_BUNDLE_SIZE = 8
CONCURRENCY_BUNDLE_SIZE = 8
DEFAULT_PARALLEL = Settings.model_fields["llm_max_parallel"].default
TARGET_WALL = 1.2
TARGET_PROMPT = 1.3


def log(message: str) -> None:
    print(f"[speed] {message}", file=sys.stderr, flush=True)


def article_tokens(body: dict[str, Any]) -> int:
    """Tokens of the articles as the client sends them (headline and text)."""
    return sum(count_tokens(f"{a['title']}\n\n{a['text']}") for a in body["articles"])


# ---------------------------------------------------------------------------------------------
# Runs


@dataclass
class Run:
    """One measured unit of work (one brief, or several at once) and the stub's log of it."""

    system: str
    label: str
    briefs: int
    articles: int
    article_tokens: int
    wall_s: float
    calls: list[Call]
    brief_walls: list[float]
    mapped: int = 0  # articles that reached the map step (fusebrief)
    cache_hits: int = 0
    error: str = ""
    started: float = 0.0  # time.monotonic(), the stub's clock

    def phases(self) -> list[float]:
        """One brief's wall time split at the stub's clock: before the first map call,
        first map call to last map reply, last map reply to the title call, title, after."""
        maps = [c for c in self.calls if c.kind == "map"]
        title = next((c for c in self.calls if c.kind == "title"), None)
        if not maps or title is None:
            return []
        first, last = min(c.started for c in maps), max(c.ended for c in maps)
        end = self.started + self.wall_s
        return [
            first - self.started,
            last - first,
            title.started - last,
            title.ended - title.started,
            end - title.ended,
        ]

    @property
    def prompt_tokens(self) -> int:
        return sum(c.prompt_tokens for c in self.calls)

    @property
    def completion_tokens(self) -> int:
        return sum(c.completion_tokens for c in self.calls)

    @property
    def critical_path_s(self) -> float:
        """Slowest map call + the reduce calls of one brief, at the stub's scripted latency."""
        maps = [c.latency_s for c in self.calls if c.kind.endswith("map")]
        reduces = [c.latency_s for c in self.calls if not c.kind.endswith("map")]
        return max(maps, default=0.0) + sum(reduces) / max(1, self.briefs)

    @property
    def rounds(self) -> str:
        reduces = sum(1 for c in self.calls if not c.kind.endswith("map")) / max(1, self.briefs)
        maps = any(c.kind.endswith("map") for c in self.calls)
        return f"{int(maps) + reduces:g}"


def stub_settings(
    api_base: str, data_dir: Path, parallel: int, cache: str, batch: int = HOSTED_MAP_BATCH_TOKENS
) -> Settings:
    """The stub stands in for a hosted model, so fusebrief maps as it would for one (several
    short articles a call) unless `batch` says otherwise."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        llm_model="openai/stub",
        llm_api_base=api_base,
        llm_api_key="stub",  # type: ignore[arg-type]
        llm_context_tokens=8192,
        llm_max_parallel=parallel,
        llm_max_retries=0,
        llm_timeout_s=120,
        data_dir=data_dir,
        cache=cache,  # type: ignore[arg-type]
        max_articles=1000,
        map_batch_tokens=batch,
    )


async def _fusebrief_once(body: dict[str, Any], settings: Settings, llm: Any) -> tuple[Any, float]:
    from service.briefs import BriefService

    started = time.monotonic()
    service = BriefService(settings, llm)
    brief = await service.brief(service.request_from_json(body))
    return brief, time.monotonic() - started


async def _map_reduce_once(body: dict[str, Any], api_base: str) -> tuple[Any, float]:
    from bench.baseline import run_baseline

    started = time.monotonic()
    run = await run_baseline(body, "map_reduce", api_base)
    return run, time.monotonic() - started


async def _gather_timed(
    one: Callable[[], Awaitable[tuple[Any, float]]], briefs: int
) -> tuple[list[tuple[Any, float]], float]:
    started = time.monotonic()
    results = await asyncio.gather(*(one() for _ in range(briefs)))
    return list(results), time.monotonic() - started


async def run_fusebrief(
    stub: StubLLM,
    body: dict[str, Any],
    label: str,
    *,
    parallel: int,
    batch: int,
    briefs: int = 1,
    settings: Settings | None = None,
    llm: Any = None,
) -> Run:
    """`briefs` copies of the bundle at once through one LLMClient (one shared semaphore)."""
    from service.llm import LLMClient

    with tempfile.TemporaryDirectory(prefix="fusebrief-speed-") as tmp:
        settings = settings or stub_settings(stub.url, Path(tmp), parallel, "off", batch)
        llm = llm or LLMClient(settings)
        stub.take()
        started = time.monotonic()
        results, wall = await _gather_timed(lambda: _fusebrief_once(body, settings, llm), briefs)
        calls = stub.take()
    brief = results[0][0]
    return _measured(
        "fusebrief", body, label, briefs, results, wall, calls,
        mapped=len(brief.summaries),
        cache_hits=sum(b.usage.cache_hits for b, _ in results),
        started=started,
    )  # fmt: skip


def _measured(
    system: str,
    body: dict[str, Any],
    label: str,
    briefs: int,
    results: Sequence[tuple[Any, float]],
    wall: float,
    calls: list[Call],
    **extra: Any,
) -> Run:
    return Run(
        system=system,
        label=label,
        briefs=briefs,
        articles=len(body["articles"]),
        article_tokens=article_tokens(body),
        wall_s=wall,
        calls=calls,
        brief_walls=[seconds for _, seconds in results],
        **extra,
    )


async def run_map_reduce(
    stub: StubLLM, body: dict[str, Any], label: str, *, briefs: int = 1
) -> Run:
    stub.take()
    error = ""
    try:
        results, wall = await _gather_timed(lambda: _map_reduce_once(body, stub.url), briefs)
    except Exception as exc:  # a chain failure is a result (e.g. LangChain's collapse limit)
        results, wall, error = [], 0.0, f"{type(exc).__name__}: {str(exc)[:120]}"
    return _measured(
        "map_reduce", body, label, briefs, results, wall, stub.take(),
        mapped=len(body["articles"]), error=error,
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Tables


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


def _ratio(value: float, of: float) -> str:
    return f"{value / of:.2f}×" if of else "–"


def scaling_row(run: Run) -> list[str]:
    if run.error:
        return [run.system, str(run.articles), "–", str(len(run.calls)), *["–"] * 7, run.error]
    per_brief = run.wall_s
    return [
        run.system,
        str(run.articles),
        str(run.mapped),
        str(len(run.calls)),
        run.rounds,
        str(run.article_tokens),
        str(run.prompt_tokens),
        _ratio(run.prompt_tokens, run.article_tokens),
        f"{run.critical_path_s:.2f}",
        f"{per_brief:.2f}",
        _ratio(per_brief, run.critical_path_s),
        "",
    ]


SCALING_HEADER = [
    "system",
    "articles",
    "mapped",
    "LLM calls",
    "LLM rounds",
    "article tok",
    "prompt tok",
    "prompt ÷ article",
    "CP s",
    "wall s",
    "wall ÷ CP",
    "note",
]


def breakdown_rows(runs: Sequence[Run]) -> list[list[str]]:
    """Where fusebrief's prompt tokens go, as multiples of the article tokens."""
    rows = []
    for run in runs:
        parts = {
            (kind, part): sum(c.detail.get(part, 0) for c in run.calls if c.kind == kind)
            for kind in ("map", "title")
            for part in ("data", "overhead")
        }
        maps = sum(1 for c in run.calls if c.kind == "map")
        per_map = parts["map", "overhead"] / maps if maps else 0
        rows.append(
            [
                str(run.articles),
                *(
                    f"{parts[k]} ({parts[k] / run.article_tokens:.2f})"
                    for k in (
                        ("map", "data"),
                        ("map", "overhead"),
                        ("title", "data"),
                        ("title", "overhead"),
                    )
                ),
                f"{per_map:.0f}",
                _ratio(run.prompt_tokens, run.article_tokens),
            ]
        )
    return rows


BREAKDOWN_HEADER = [
    "articles",
    "map: article text",
    "map: instructions",
    "title: brief",
    "title: instructions",
    "instr. tok per map call",
    "total ÷ article",
]


def concurrency_row(run: Run) -> list[str]:
    if run.error:
        return [run.system, str(run.briefs), str(len(run.calls)), *["–"] * 5, run.error]
    mean = sum(run.brief_walls) / len(run.brief_walls)
    return [
        run.system,
        str(run.briefs),
        str(len(run.calls)),
        f"{run.critical_path_s:.2f}",
        f"{run.wall_s:.2f}",
        f"{mean:.2f}",
        _ratio(mean, run.critical_path_s),
        f"{run.briefs / run.wall_s * 60:.1f}",
        "",
    ]


def phase_row(run: Run) -> list[str]:
    phases = run.phases()
    maps = [c.latency_s for c in run.calls if c.kind == "map"]
    fuse = [c.latency_s for c in run.calls if c.kind == "title"]
    if not phases:
        return [str(run.articles), *["–"] * 6]
    return [
        str(run.articles),
        f"{phases[0]:.2f}",
        f"{phases[1]:.2f} ({max(maps):.2f})",
        f"{phases[2]:.2f}",
        f"{phases[3]:.2f} ({fuse[0]:.2f})",
        f"{phases[4]:.2f}",
        f"{run.wall_s - run.critical_path_s:.2f}",
    ]


PHASE_HEADER = [
    "articles",
    "before map s",
    "map round s (slowest call)",
    "map → title s",
    "title s (scripted)",
    "after title s",
    "wall − CP s",
]


CONCURRENCY_HEADER = [
    "system",
    "briefs at once",
    "LLM calls",
    "CP s (one brief)",
    "wall s (all)",
    "mean brief s",
    "mean ÷ CP",
    "briefs/min",
    "note",
]


# ---------------------------------------------------------------------------------------------
# Sections


async def stub_sections(args: argparse.Namespace) -> None:
    """Every stub table, in one event loop (LangChain's HTTP clients outlive a loop)."""
    latency = Latency(args.per_call, args.per_token)
    bodies = {n: synthetic_bundle(n) for n in sorted({*args.sizes, CACHE_BUNDLE_SIZE})}
    print(
        f"# fusebrief speed benchmark: stub model, {latency.per_call_s:g} s per call + "
        f"{latency.per_output_token_s:g} s per output token\n\n"
        f"Synthetic bundles (bench/synthetic.py, seed 6; ~300–650 tokens an article). "
        f"fusebrief: FUSEBRIEF_LLM_MAX_PARALLEL={args.max_parallel}, FUSEBRIEF_CACHE=off, "
        f"FUSEBRIEF_MAP_BATCH_TOKENS={args.map_batch_tokens} (a hosted model's default), "
        f"context 8192, max_sentences 10. map_reduce: bench/baseline.py "
        f"(LangChain load_summarize_chain, its map calls unbounded, token_max 3000).\n"
    )
    fusebrief_args = {"parallel": args.max_parallel, "batch": args.map_batch_tokens}
    with StubLLM(latency) as stub:
        log("warm-up: one 2-article brief each, not reported (imports, tokenizer, clients)")
        await run_fusebrief(stub, synthetic_bundle(2, seed=1), "", **fusebrief_args)
        if not args.no_baseline:
            await run_map_reduce(stub, synthetic_bundle(2, seed=1), "")
        runs: list[Run] = []
        for n in args.sizes:
            log(f"scaling: {n} articles")
            runs.append(await run_fusebrief(stub, bodies[n], f"{n}", **fusebrief_args))
            if not args.no_baseline:
                runs.append(await run_map_reduce(stub, bodies[n], f"{n}"))
        variants = []  # the 32-article bundle under other settings
        if 32 in bodies and args.max_parallel != DEFAULT_PARALLEL:
            log(f"scaling: 32 articles at FUSEBRIEF_LLM_MAX_PARALLEL={DEFAULT_PARALLEL}")
            run = await run_fusebrief(
                stub, bodies[32], "32", parallel=DEFAULT_PARALLEL, batch=args.map_batch_tokens
            )
            variants.append((run, f"FUSEBRIEF_LLM_MAX_PARALLEL={DEFAULT_PARALLEL}"))
        if 32 in bodies and args.map_batch_tokens:
            log("scaling: 32 articles, one article a map call")
            run = await run_fusebrief(stub, bodies[32], "32", parallel=args.max_parallel, batch=0)
            variants.append((run, "FUSEBRIEF_MAP_BATCH_TOKENS=0"))
        print("## Scaling with bundle size (one brief at a time)\n")
        rows = [scaling_row(r) for r in runs]
        rows += [[*scaling_row(run)[:-1], note] for run, note in variants]
        print(table(SCALING_HEADER, rows), "\n")
        fuse_runs = [r for r in runs if r.system == "fusebrief"]
        print("### Where fusebrief's wall time goes (seconds, at the stub's clock)\n")
        print(table(PHASE_HEADER, [phase_row(r) for r in fuse_runs]), "\n")
        print("### Where fusebrief's prompt tokens go (tokens, and ÷ article tokens)\n")
        print(table(BREAKDOWN_HEADER, breakdown_rows(fuse_runs)), "\n")
        print(targets(fuse_runs), "\n")

        log("cache: the same bundle twice")
        print(await cache_section(stub, bodies[CACHE_BUNDLE_SIZE], fusebrief_args), "\n")

        print(f"## Concurrent briefs ({CONCURRENCY_BUNDLE_SIZE} articles each)\n")
        body = bodies.get(CONCURRENCY_BUNDLE_SIZE) or synthetic_bundle(CONCURRENCY_BUNDLE_SIZE)
        crows = []
        for k in args.concurrency:
            log(f"concurrency: {k} briefs at once")
            mine = await run_fusebrief(stub, body, "", **fusebrief_args, briefs=k)
            crows.append(concurrency_row(mine))
            if not args.no_baseline:
                crows.append(concurrency_row(await run_map_reduce(stub, body, "", briefs=k)))
        print(table(CONCURRENCY_HEADER, crows), "\n")
    print(LEGEND)


def targets(runs: Sequence[Run]) -> str:
    """The issue's targets, checked on the 32-article row."""
    run = next((r for r in runs if r.articles == 32), None)
    if run is None:
        return "(targets are checked on the 32-article bundle: add 32 to --sizes)"
    wall = run.wall_s / run.critical_path_s
    prompt = run.prompt_tokens / run.article_tokens
    return (
        f"Targets at 32 articles: wall {wall:.2f}× CP (target ≤ {TARGET_WALL}×: "
        f"{'met' if wall <= TARGET_WALL else 'MISSED'}); prompt tokens {prompt:.2f}× article "
        f"tokens (target ≤ {TARGET_PROMPT}×: {'met' if prompt <= TARGET_PROMPT else 'MISSED'})."
    )


async def cache_section(stub: StubLLM, body: dict[str, Any], fusebrief_args: dict[str, int]) -> str:
    from service.llm import LLMClient

    rows = []
    with tempfile.TemporaryDirectory(prefix="fusebrief-speed-") as tmp:
        parallel, batch = fusebrief_args["parallel"], fusebrief_args["batch"]
        settings = stub_settings(stub.url, Path(tmp), parallel, "sqlite", batch)
        llm = LLMClient(settings)
        for label in ("first", "repeat"):
            run = await run_fusebrief(
                stub, body, label, **fusebrief_args, settings=settings, llm=llm
            )
            rows.append(
                [
                    label,
                    str(len(run.calls)),
                    str(run.cache_hits),
                    str(run.prompt_tokens),
                    f"{run.wall_s:.2f}",
                ]
            )
    header = ["run", "LLM calls", "cache hits", "prompt tok", "wall s"]
    title = (
        f"## Reply cache: the same {len(body['articles'])}-article bundle twice "
        "(FUSEBRIEF_CACHE=sqlite, fresh data dir)\n\n"
    )
    return title + table(header, rows)


LEGEND = """Columns: mapped = articles that reached fusebrief's map step (rewrites and off-topic
articles are set aside by `identify`); LLM rounds = dependent rounds of one brief (map, then
fusebrief's title call, or map_reduce's collapse and combine calls, which run one after another);
article tok = cl100k tokens of the articles as sent (headline + text); prompt tok = tokens of
every prompt sent, all messages (cl100k, counted by the stub); CP = critical path: the slowest
map call plus the reduce calls of one brief, at the stub's scripted latency, i.e. the wall time
with unlimited parallelism and no overhead; wall = measured, from the request to the brief;
mean ÷ CP = mean wall time of a brief ÷ the CP of one brief."""


# ---------------------------------------------------------------------------------------------
# The embedded model (run in a child process so its peak RSS is the model's own)
#
# The brief takes the real code path (`build_brief`, litellm) to the embedded llama.cpp server
# through bench/capture.py's proxy in raw mode, which keeps llama.cpp's own `timings` of every
# call. The floor is measured in the same process on the same server, before and after the
# brief: one slot, no grammar, no prompt cache.

FLOOR_DECODE_TOKENS = 1000  # the floor: article prefill + 1,000 unconstrained tokens
TARGET_FLOOR = 0.8  # issue 26: the brief in at most 0.8× the floor
CALIBRATION_PROMPT = (
    "Write a long, detailed news report about a dock strike in a port city: the pay dispute, "
    "the people involved, what each side said, and what happens next."
)


def _raw_base(api_base: str) -> str:
    return api_base.removesuffix("/").removesuffix("/v1")


def calibrate(api_base: str, articles: Sequence[str], decode_tokens: int) -> dict[str, Any]:
    """This machine's one-slot speeds right now: the articles' prefill (all in one prompt) and
    `decode_tokens` of free text (no grammar), both computed in full (`cache_prompt` off)."""
    import httpx

    from bench.llamacpp import CpuMeter, Timing

    base = _raw_base(api_base)
    with httpx.Client(timeout=1800) as http, CpuMeter() as cpu:
        tokens = sum(
            len(http.post(f"{base}/tokenize", json={"content": text}).json()["tokens"])
            for text in articles
        )
        common = {"model": "local", "temperature": 0, "cache_prompt": False}
        prefill = Timing.of(
            http.post(
                f"{base}/v1/chat/completions",
                json={
                    **common,
                    "messages": [{"role": "user", "content": "\n\n".join(articles)}],
                    "max_tokens": 1,
                },
            ).json()
        )
        decode = Timing.of(
            http.post(
                f"{base}/v1/chat/completions",
                json={
                    **common,
                    "messages": [{"role": "user", "content": CALIBRATION_PROMPT}],
                    "max_tokens": decode_tokens,
                    "ignore_eos": True,
                },
            ).json()
        )
    prefill_tps, decode_tps = prefill.prefill_tps, decode.decode_tps
    return {
        "article_tokens": tokens,
        "prefill_n": prefill.prefill_n,
        "prefill_tps": prefill_tps,
        "decode_n": decode.decode_n,
        "decode_tps": decode_tps,
        "floor_s": tokens / prefill_tps + FLOOR_DECODE_TOKENS / decode_tps,
        "cpu": cpu.describe(),
    }


def _kind(body: dict[str, Any]) -> str:
    fmt = body.get("response_format") or {}
    schema = (fmt.get("json_schema") or {}).get("schema") or {}
    properties = schema.get("properties") or {}
    if properties and all(name[:1] == "A" and name[1:].isdigit() for name in properties):
        return "map"
    if "title" in properties:
        return "title"
    return "other"


def _grammar(body: dict[str, Any]) -> str:
    if body.get("grammar"):
        return "grammar"
    fmt = body.get("response_format") or {}
    return str(fmt.get("type") or "off")


_ARTICLE = re.compile(r"<article\b[^>]*>\n(.*?)\n</article>", re.DOTALL)


def article_texts(body: dict[str, Any]) -> list[str]:
    """The article text a request carries: what stands between each <article …> tag and its
    </article> in its messages (a map call's headline and text; none in the title call)."""
    texts: list[str] = []
    for message in body.get("messages") or []:
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, str):
            texts.extend(_ARTICLE.findall(content))
    return texts


def exchange_record(exchange: Any, started: float, article_tokens: int = 0) -> dict[str, Any]:
    """One model call's figures (bench.capture.Exchange in raw mode), times from `started`;
    `article_tokens`: the article text it carried, in the model's tokenizer."""
    t = exchange.timings
    return {
        "kind": _kind(exchange.request),
        "article_tokens": article_tokens,
        "start": exchange.started - started,
        "end": exchange.ended - started,
        "prompt_tokens": int(exchange.usage.get("prompt_tokens") or 0),
        "cache_n": int(t.get("cache_n") or 0),
        "prompt_n": int(t.get("prompt_n") or 0),
        "prompt_ms": float(t.get("prompt_ms") or 0),
        "predicted_n": int(t.get("predicted_n") or 0),
        "predicted_ms": float(t.get("predicted_ms") or 0),
        "draft_n": int(t.get("draft_n") or 0),
        "draft_accepted": int(t.get("draft_n_accepted") or 0),
        "grammar": _grammar(exchange.request),
        "error": exchange.error,
        "reply": exchange.reply,  # in the --record file: replies compared across settings
    }


def compact_json(body: dict[str, Any]) -> dict[str, Any]:
    """A json_schema request rewritten to llama.cpp's `grammar` with no whitespace allowed
    (llguidance's x-guidance options), for --compact-json."""
    import xllamacpp

    from bench.llamacpp import compact

    fmt = body.get("response_format") or {}
    schema = (fmt.get("json_schema") or {}).get("schema")
    if fmt.get("type") != "json_schema" or not schema:
        return body
    rest = {k: v for k, v in body.items() if k != "response_format"}
    grammar: str = xllamacpp.json_schema_to_grammar(compact(schema))
    return {**rest, "grammar": grammar}


def embedded_child(
    size: str, bundle: Path, decode_tokens: int, extra: dict[str, Any], compact: bool
) -> dict[str, Any]:
    """Brief `bundle` once with the embedded model between two calibrations; the figures."""
    from bench.capture import CaptureProxy, Upstream
    from bench.llamacpp import CpuMeter, articles_of, load_bundle
    from service.llm import LLMClient
    from service.local_model import LocalModelServer

    body = load_bundle(bundle)
    texts = [f"{a.title}\n\n{a.text}" for a in articles_of(body)]
    rss_start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        local_model=size,  # type: ignore[arg-type]
        cache="off",
        max_articles=1000,
        data_dir=Settings().data_dir,  # the weights already pulled, FUSEBRIEF_DATA_DIR
    )
    server = LocalModelServer(settings)
    started = time.monotonic()
    api_base = server.start()
    load_s = time.monotonic() - started
    upstream = Upstream("openai/local", api_base, "local", raw=True)
    rewrite = compact_json if compact else None
    try:
        log("calibrating: the articles' prefill and free decoding, one slot")
        before = calibrate(api_base, texts, decode_tokens)
        with CaptureProxy(upstream, extra=extra, rewrite=rewrite) as proxy, CpuMeter() as cpu:
            server.api_base = proxy.url  # the pipeline's calls go through the proxy
            llm = LLMClient(settings, local=server)
            log(f"briefing {bundle} ({len(texts)} articles)")
            started = time.monotonic()
            brief, _ = asyncio.run(_fusebrief_once(body, settings, llm))
            seconds = time.monotonic() - started  # on the clock the calls are timed by
            calls = [
                exchange_record(e, started, _count_tokens(api_base, article_texts(e.request)))
                for e in proxy.take()
            ]
        log("calibrating again")
        after = calibrate(api_base, texts, decode_tokens)
    finally:
        server.stop()
    usage = brief.usage
    return {
        "model": server.weights.label,
        "bundle": str(bundle),
        "articles": len(texts),
        "cl100k_tokens": article_tokens(body),
        "slots": settings.local_slots,
        "threads": settings.local_threads or os.cpu_count(),
        "llama": local_settings_line(settings),
        "extra": extra,
        "compact": compact,
        "load_s": load_s,
        "seconds": seconds,
        "calls": calls,
        "llm_calls": usage.llm_calls,
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "draft_tokens": usage.draft_tokens,  # as the service counted them (llama.cpp's timings)
        "draft_accepted": usage.draft_accepted,
        "sentences": len(brief.sentences),
        "calibration": [before, after],
        "cpu": cpu.describe(),
        "rss_start_mb": rss_start / 1024,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _count_tokens(api_base: str, texts: Sequence[str]) -> int:
    """Tokens of `texts` in the served model's tokenizer."""
    import httpx

    base = _raw_base(api_base)
    with httpx.Client(timeout=60) as http:
        return sum(
            len(http.post(f"{base}/tokenize", json={"content": text}).json()["tokens"])
            for text in texts
        )


def prompt_overhead(calls: Sequence[dict[str, Any]]) -> float | None:
    """Prompt tokens spent on anything but article text (instructions, tags, the chat
    template, the title call's whole prompt) ÷ the article tokens the calls carried."""
    article = sum(int(c.get("article_tokens", 0)) for c in calls)
    if not article:
        return None
    return (sum(int(c["prompt_tokens"]) for c in calls) - article) / article


def acceptance(drafted: int, accepted: int) -> str:
    return f"{accepted}/{drafted} ({accepted / drafted:.0%})" if drafted else "–"


def local_settings_line(settings: Settings) -> str:
    """The embedded model's settings, FUSEBRIEF_LOCAL_*=value."""
    return ", ".join(
        f"{name}={getattr(settings, name)}"
        for name in Settings.model_fields
        if name.startswith("local_")
    )


def _s(ms: float) -> str:
    return f"{ms / 1000:.1f}"


def _tps(tokens: int, ms: float) -> str:
    return f"{tokens / ms * 1000:.1f}" if ms > 0 else "–"


def call_rows(calls: Sequence[dict[str, Any]]) -> list[list[str]]:
    rows = []
    for n, c in enumerate(sorted(calls, key=lambda c: c["start"]), start=1):
        overhead = prompt_overhead([c])
        rows.append(
            [
                str(n),
                c["kind"],
                f"{c['start']:.1f}",
                f"{c['end'] - c['start']:.1f}",
                str(c["prompt_tokens"]),
                str(c.get("article_tokens", 0)),
                f"{overhead:.2f}×" if overhead is not None else "–",
                str(c["cache_n"]),
                str(c["prompt_n"]),
                f"{_s(c['prompt_ms'])} ({_tps(c['prompt_n'], c['prompt_ms'])})",
                str(c["predicted_n"]),
                f"{_s(c['predicted_ms'])} ({_tps(c['predicted_n'], c['predicted_ms'])})",
                c["grammar"],
                acceptance(c["draft_n"], c["draft_accepted"]),
                c["error"][:60],
            ]
        )
    return rows


CALL_HEADER = [
    "#",
    "kind",
    "start s",
    "wall s",
    "prompt tok",
    "article tok",
    "prompt overhead",
    "reused (cache_n)",
    "prefill tok computed",
    "prefill s (tok/s)",
    "decode tok",
    "decode s (tok/s)",
    "grammar",
    "draft accepted",
    "error",
]


def phase_table(r: dict[str, Any]) -> list[list[str]]:
    """The brief's wall time cut at its model calls, with llama.cpp's work in each phase."""
    calls = r["calls"]
    maps = [c for c in calls if c["kind"] == "map"]
    later = [c for c in calls if c["kind"] != "map"]
    end = r["seconds"]
    first_map = min((c["start"] for c in maps), default=0.0)
    last_map = max((c["end"] for c in maps), default=first_map)
    first_title = min((c["start"] for c in later), default=last_map)
    last_title = max((c["end"] for c in later), default=first_title)
    phases = [
        ("before the map calls (clean, identify)", 0.0, first_map, []),
        (f"map round ({len(maps)} calls)", first_map, last_map, maps),
        ("map → title (align, events, plan, write and check)", last_map, first_title, []),
        (f"title ({len(later)} call{'s' * (len(later) != 1)})", first_title, last_title, later),
        ("after (render)", last_title, end, []),
    ]
    rows = []
    for label, start, stop, inside in [*phases, ("whole brief", 0.0, end, calls)]:
        prompt_ms = sum(c["prompt_ms"] for c in inside)
        predicted_ms = sum(c["predicted_ms"] for c in inside)
        prompt_n = sum(c["prompt_n"] for c in inside)
        predicted_n = sum(c["predicted_n"] for c in inside)
        rows.append(
            [
                label,
                f"{stop - start:.1f}",
                str(sum(c["prompt_tokens"] for c in inside)),
                str(sum(c["cache_n"] for c in inside)),
                f"{prompt_n} in {_s(prompt_ms)} s" if inside else "–",
                f"{predicted_n} in {_s(predicted_ms)} s" if inside else "–",
            ]
        )
    return rows


PHASE_EMBEDDED_HEADER = [
    "phase",
    "wall s",
    "prompt tok",
    "reused",
    "prefill computed (llama.cpp s, summed over calls)",
    "decode tok (llama.cpp s, summed)",
]


def floor_table(r: dict[str, Any]) -> tuple[str, float]:
    """The calibrations and the brief's wall ÷ floor (floor from the two calibrations' mean)."""
    rows = []
    for label, c in zip(("before the brief", "after the brief"), r["calibration"], strict=True):
        rows.append(
            [
                label,
                str(c["article_tokens"]),
                f"{c['prefill_tps']:.1f}",
                f"{c['decode_tps']:.1f} ({c['decode_n']} tok)",
                f"{c['floor_s']:.1f}",
                c["cpu"],
            ]
        )
    floor = sum(c["floor_s"] for c in r["calibration"]) / len(r["calibration"])
    header = [
        "calibration",
        "article tok (model's tokenizer)",
        "prefill tok/s",
        "free decode tok/s",
        "floor s",
        "machine",
    ]
    return table(header, rows), floor


def embedded_report(r: dict[str, Any]) -> str:
    floor_rows, floor = floor_table(r)
    ratio = r["seconds"] / floor
    verdict = "met" if ratio <= TARGET_FLOOR else "MISSED"
    calls = r["calls"]
    decode_n = sum(c["predicted_n"] for c in calls)
    overhead = prompt_overhead(calls)
    drafted = sum(c["draft_n"] for c in calls)
    accepted = sum(c["draft_accepted"] for c in calls)
    summary = table(
        [
            "model",
            "llama.cpp",
            "load s",
            "brief s",
            "floor s",
            "brief ÷ floor",
            "LLM calls",
            "prompt tok (reused)",
            "prompt overhead",
            "decode tok",
            "draft accepted",
            "peak RSS MB",
        ],
        [
            [
                r["model"],
                r["llama"],
                f"{r['load_s']:.1f}",
                f"{r['seconds']:.1f}",
                f"{floor:.1f}",
                f"{ratio:.2f}× ({verdict}: ≤ {TARGET_FLOOR}×)",
                str(len(calls)),
                f"{sum(c['prompt_tokens'] for c in calls)} ({sum(c['cache_n'] for c in calls)})",
                f"{overhead:.2f}×" if overhead is not None else "–",
                str(decode_n),
                acceptance(drafted, accepted),
                f"{r['peak_rss_mb']:.0f}",
            ]
        ],
    )
    options = []
    if r["extra"]:
        options.append(f"every request also carried {json.dumps(r['extra'])}")
    if r["compact"]:
        options.append("json_schema requests were sent as a whitespace-free `grammar`")
    return (
        f"## Embedded model: {r['bundle']} ({r['articles']} articles, {r['cl100k_tokens']} cl100k "
        f"article tokens), FUSEBRIEF_CACHE=off, {os.cpu_count()} CPU cores\n\n"
        + (f"Options under test: {'; '.join(options)}.\n\n" if options else "")
        + summary
        + "\n\nfloor = article tokens ÷ prefill tok/s + "
        f"{FLOOR_DECODE_TOKENS} ÷ free decode tok/s, measured on the same server in the same "
        "run (one slot, no grammar, prompt cache off); the table's floor is the mean of the two "
        "calibrations. Machine during the brief: "
        + str(r["cpu"])
        + ".\n\n"
        + floor_rows
        + "\n\n### Where the brief's time goes\n\n"
        + table(PHASE_EMBEDDED_HEADER, phase_table(r))
        + "\n\n### Every model call (llama.cpp's timings)\n\n"
        + table(CALL_HEADER, call_rows(calls))
        + "\n\nprompt tok = the whole prompt; reused = tokens taken from the slot's KV cache "
        "(timings.cache_n); prefill tok computed = timings.prompt_n. Calls that overlap share "
        "the CPU, so their tok/s is a share of the machine, not one stream's speed. article tok = "
        "the article text the call carried (between its <article> tags, the model's tokenizer); "
        "prompt overhead = (prompt tok − article tok) ÷ article tok (the instructions, tags and "
        "chat template; the title call carries no article); draft accepted = llama.cpp's "
        "timings.draft_n_accepted / draft_n (speculative decoding, FUSEBRIEF_LOCAL_SPECULATIVE). "
        f"The service counted {r.get('draft_accepted', 0)}/{r.get('draft_tokens', 0)} drafted "
        "tokens accepted over the brief."
    )


def embedded_section(args: argparse.Namespace) -> str:
    size, bundle = args.embedded, Path(args.bundle).resolve()
    log(f"embedded {size}: briefing {bundle} (minutes on 2 cores)")
    command = [
        sys.executable,
        __file__,
        "--embedded-child",
        size,
        "--bundle",
        str(bundle),
        "--calibrate-tokens",
        str(args.calibrate_tokens),
        "--request-extra",
        args.request_extra,
    ]
    if args.compact_json:
        command.append("--compact-json")
    result = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
    if result.returncode != 0:
        return f"## Embedded model {size}: failed (exit {result.returncode}; see stderr)"
    r = json.loads(result.stdout.strip().splitlines()[-1])
    if args.record:
        Path(args.record).write_text(json.dumps(r, indent=1), "utf-8")
    return embedded_report(r)


# ---------------------------------------------------------------------------------------------
# Command line


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python bench/speed.py",
        description=(
            "Time fusebrief against a loopback stub model with scripted latency (wall time as "
            "a multiple of the two-round critical path, LLM calls, prompt ÷ article tokens, "
            "the reply cache, bundle sizes, concurrent briefs), next to LangChain's map_reduce "
            "in the same run; optionally the embedded model on the sample bundle."
        ),
        epilog=LEGEND,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=[2, 8, 32, 128],
        metavar="N",
        help="articles per bundle (default: 2 8 32 128)",
    )
    parser.add_argument(
        "--per-call",
        type=float,
        default=0.5,
        metavar="S",
        help="stub latency per call in seconds (default 0.5)",
    )
    parser.add_argument(
        "--per-token",
        type=float,
        default=0.01,
        metavar="S",
        help="stub latency per output token in seconds (default 0.01)",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        nargs="+",
        default=[1, 4, 16],
        metavar="K",
        help="briefs at once (default: 1 4 16)",
    )
    parser.add_argument(
        "--max-parallel",
        type=int,
        default=64,
        metavar="N",
        help="FUSEBRIEF_LLM_MAX_PARALLEL for the stub runs (default 64, the setting's maximum)",
    )
    parser.add_argument(
        "--map-batch-tokens",
        type=int,
        default=HOSTED_MAP_BATCH_TOKENS,
        metavar="N",
        help=f"FUSEBRIEF_MAP_BATCH_TOKENS for the stub runs (default {HOSTED_MAP_BATCH_TOKENS}, "
        "a hosted model's default; the 32-article bundle is also run at 0)",
    )
    parser.add_argument("--no-baseline", action="store_true", help="skip LangChain map_reduce")
    parser.add_argument(
        "--embedded",
        choices=["0.5b", "1.5b"],
        help="also brief --bundle with the embedded model: every call's llama.cpp timings, the "
        "brief's phases, and its wall time ÷ this machine's floor measured in the same run "
        "(FUSEBRIEF_LOCAL_* settings apply)",
    )
    parser.add_argument(
        "--bundle",
        default=str(SEEDS),
        metavar="PATH",
        help="the embedded model's bundle: a folder of articles or a bundle JSON file "
        f"(default: ../shared/seeds from the repository; the sample: {SAMPLE.relative_to(ROOT)})",
    )
    parser.add_argument(
        "--calibrate-tokens",
        type=int,
        default=256,
        metavar="N",
        help="tokens decoded to measure free decoding speed for the floor (default 256)",
    )
    parser.add_argument(
        "--request-extra",
        default="{}",
        metavar="JSON",
        help="fields added to every request to the embedded server (llama.cpp per-request "
        "options under test, e.g. '{\"cache_prompt\": true}')",
    )
    parser.add_argument(
        "--compact-json",
        action="store_true",
        help="send each json_schema request as a llama.cpp `grammar` that allows no whitespace",
    )
    parser.add_argument(
        "--record", metavar="FILE", help="also write the embedded run's figures as JSON to FILE"
    )
    parser.add_argument(
        "--embedded-only",
        action="store_true",
        help="only the embedded-model section (needs --embedded)",
    )
    parser.add_argument("--embedded-child", choices=["0.5b", "1.5b"], help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.embedded_child:
        figures = embedded_child(
            args.embedded_child,
            Path(args.bundle),
            args.calibrate_tokens,
            json.loads(args.request_extra),
            args.compact_json,
        )
        print(json.dumps(figures))
        return 0
    if args.embedded_only and not args.embedded:
        raise SystemExit("--embedded-only needs --embedded 0.5b or --embedded 1.5b")
    if not args.embedded_only:
        asyncio.run(stub_sections(args))
    if args.embedded:
        print("\n" + embedded_section(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
