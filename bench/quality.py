"""Quality benchmark: fusebrief vs LangChain's load_summarize_chain on the planted-fact eval set.

    python bench/quality.py                      # embedded 0.5B, all bundles, with baselines
    python bench/quality.py --model local-1.5b --bundles storm-idris --record out/

Every model call of every system goes through a loopback proxy that logs the prompts
(bench/capture.py), so "junk in a prompt" is read off the wire. Results are cached under
FUSEBRIEF_DATA_DIR/bench/quality/ keyed by model, system, prompt version and bundle content;
scores are recomputed from the cache on every run (bench/metrics.py). Tables go to stdout,
progress to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.baseline import (
    BASELINE_PROMPT_VERSION,
    COMBINE_TEMPLATE,
    MAP_MAX_TOKENS,
    MAP_TEMPLATE,
    MAX_TOKENS,
    parse_cited_text,
)
from bench.metrics import BriefView, BundleScore, Expectations, Summary, score_brief
from service.config import Settings

SETS = {  # development sets (their briefs read while the rules were made) and the blind set
    "eval": Path(__file__).resolve().parent / "eval",
    "dev2": Path(__file__).resolve().parent / "dev2",
    "test": Path(__file__).resolve().parent / "test",
    "blind": Path(__file__).resolve().parent / "blind",
}
BENCH_VERSION = "quality/v1"  # bump when what a cached record holds changes
SYSTEMS = ("fusebrief", "map_reduce", "stuff")
LOCAL_MODELS = {"local-0.5b": "0.5b", "local-1.5b": "1.5b"}


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# Inputs


@dataclass(frozen=True)
class Bundle:
    name: str
    data: dict[str, Any]
    expected: Expectations
    digest: str


def load_bundles(names: Sequence[str] | None, folder: Path = SETS["eval"]) -> list[Bundle]:
    available = sorted(p.name for p in folder.iterdir() if (p / "bundle.json").is_file())
    unknown = sorted(set(names or []) - set(available))
    if unknown:
        raise SystemExit(f"unknown bundle(s) {', '.join(unknown)}; choose from {available}")
    bundles = []
    for name in names or available:
        raw = (folder / name / "bundle.json").read_bytes()
        expected = Expectations.model_validate_json((folder / name / "expected.json").read_text())
        digest = hashlib.sha256(raw).hexdigest()[:16]
        bundles.append(Bundle(name, json.loads(raw), expected, digest))
    return bundles


def system_prompt_version(system: str) -> str:
    if system == "fusebrief":
        from service.prompts import prompt_version

        return prompt_version()
    shape = f"{MAP_TEMPLATE}{COMBINE_TEMPLATE}{MAP_MAX_TOKENS}/{MAX_TOKENS}"
    templates = hashlib.sha256(shape.encode()).hexdigest()[:8]
    return f"{BASELINE_PROMPT_VERSION}+{templates}"


# ---------------------------------------------------------------------------------------------
# Cache


def map_batch_tokens(label: str, override: int | None) -> int:
    """FUSEBRIEF_MAP_BATCH_TOKENS for fusebrief on this model: as the product sets it (0 for the
    embedded model, which the bench reaches through its proxy, HOSTED_MAP_BATCH_TOKENS for a
    hosted one), unless --map-batch-tokens says otherwise."""
    from service.summarize import HOSTED_MAP_BATCH_TOKENS

    if override is not None:
        return override
    return 0 if label in LOCAL_MODELS or label == "stub" else HOSTED_MAP_BATCH_TOKENS


class Cache:
    """One JSON record per (model, system, bundle), keyed by everything that shapes the output."""

    def __init__(
        self, root: Path, batch_override: int | None = None, replies: Path | None = None
    ) -> None:
        self.root = root
        self.batch_override = batch_override
        self.replies = replies  # --reuse-replies: fusebrief's reply cache, one folder a model

    def batch(self, model: str) -> int:
        return map_batch_tokens(model, self.batch_override)

    def key(self, model: str, system: str, bundle: Bundle) -> str:
        parts = [BENCH_VERSION, model, system, system_prompt_version(system), bundle.digest]
        if system == "fusebrief":
            parts.append(f"map_batch_tokens={self.batch(model)}")
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:20]

    def path(self, model: str, system: str, bundle: Bundle) -> Path:
        safe_model = "".join(c if c.isalnum() or c in "-._" else "_" for c in model)
        key = self.key(model, system, bundle)
        return self.root / safe_model / system / f"{bundle.name}-{key}.json"

    def load(self, model: str, system: str, bundle: Bundle) -> dict[str, Any] | None:
        path = self.path(model, system, bundle)
        if not path.is_file():
            return None
        record: dict[str, Any] = json.loads(path.read_text("utf-8"))
        return record

    def save(self, record: dict[str, Any], bundle: Bundle) -> None:
        path = self.path(record["model"], record["system"], bundle)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(record, ensure_ascii=False, indent=1), "utf-8")
        tmp.replace(path)


# ---------------------------------------------------------------------------------------------
# Models and runs


@contextmanager
def upstream_for(label: str) -> Iterator[Any]:
    """The real model behind the proxy: the embedded llama.cpp server, or a litellm model."""
    from bench.capture import STUB_MODEL, Upstream

    if label in LOCAL_MODELS:
        from service.local_model import LocalModelServer

        settings = Settings(local_model=LOCAL_MODELS[label])  # type: ignore[arg-type]
        server = LocalModelServer(settings)
        log(f"starting the embedded model {server.weights.label} (weights: {settings.data_dir})")
        api_base = server.start()
        try:
            yield Upstream("openai/local", api_base, "local", settings.local_slot_context)
        finally:
            server.stop()
        return
    if label == STUB_MODEL:
        yield Upstream(STUB_MODEL, context_tokens=8192)
        return
    settings = Settings()
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    yield Upstream(label, settings.llm_api_base, key, hosted_context_tokens(label, settings))


def hosted_context_tokens(model: str, settings: Settings) -> int:
    if settings.llm_context_tokens:
        return settings.llm_context_tokens
    import litellm

    try:
        return int(litellm.get_model_info(model).get("max_input_tokens") or 8192)
    except Exception:  # litellm raises bare Exception for unknown models
        return 8192


async def run_fusebrief(
    name: str,
    data: dict[str, Any],
    api_base: str,
    label: str,
    context: int,
    batch: int,
    replies: Path | None,
) -> dict[str, Any]:
    """fusebrief's brief of one bundle (`data` in the API's request shape) as its JSON."""
    from service.brief_json import brief_document
    from service.briefs import BriefService
    from service.llm import LLMClient
    from service.types import ProgressEvent

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        llm_model="openai/local" if label in LOCAL_MODELS else "openai/bench",
        llm_api_base=api_base,
        llm_api_key="bench",  # type: ignore[arg-type]
        llm_context_tokens=context,
        llm_timeout_s=900,
        llm_max_retries=1,
        # Measure the model, not the reply cache; unless --reuse-replies re-scores a change of
        # code on the replies the model gave before (a folder per model: both embedded sizes
        # are openai/local here).
        cache="off" if replies is None else "sqlite",
        data_dir=(replies / label) if replies is not None else Settings().data_dir,
        map_batch_tokens=batch,  # as for this model, though the proxy makes every model look local
    )
    service = BriefService(settings, LLMClient(settings))

    def progress(event: ProgressEvent) -> None:
        log(f"  fusebrief {name}: {event.stage} {event.done}/{event.total}")

    brief = await service.brief(service.request_from_json(data), progress)
    return brief_document(brief)


async def run_system(
    system: str,
    bundle: Bundle,
    api_base: str,
    label: str,
    context: int,
    batch: int,
    replies: Path | None = None,
) -> tuple[dict[str, Any] | None, str, dict[str, Any]]:
    """(brief, error, extra raw output) for one system on one bundle."""
    from bench.baseline import run_baseline
    from service.errors import FusebriefError

    try:
        if system == "fusebrief":
            brief = await run_fusebrief(
                bundle.name, bundle.data, api_base, label, context, batch, replies
            )
            return brief, "", {}
        run = await run_baseline(bundle.data, system, api_base)
        return run.brief, "", {"output_text": run.output_text, "intermediate": run.intermediate}
    except FusebriefError as error:
        return None, f"{type(error).__name__}: {error.message}", {}
    except Exception as error:  # a baseline chain failure is a result, not a crash
        return None, f"{type(error).__name__}: {str(error)[:300]}", {}


def wanted_systems(bundle: Bundle, baseline: bool, context: int) -> list[str]:
    from bench.baseline import fits_stuff

    systems = ["fusebrief"]
    if baseline:
        systems.append("map_reduce")
        if fits_stuff(bundle.data, context):
            systems.append("stuff")
    return systems


def collect(
    label: str, bundles: Sequence[Bundle], cache: Cache, *, baseline: bool, refresh: bool
) -> list[dict[str, Any]]:
    """Every record for this model, running only what the cache lacks."""
    records: list[dict[str, Any]] = []
    todo: list[tuple[Bundle, str]] = []
    for bundle in bundles:
        for system in SYSTEMS if baseline else ("fusebrief",):
            record = None if refresh else cache.load(label, system, bundle)
            if record is not None:
                records.append(record)
            else:
                todo.append((bundle, system))
    if not todo:
        log(f"{label}: all {len(records)} results cached")
        return records
    from bench.capture import CaptureProxy

    with upstream_for(label) as upstream, CaptureProxy(upstream) as proxy:
        for bundle, system in todo:
            if system not in wanted_systems(bundle, baseline, upstream.context_tokens):
                continue  # "stuff" where the bundle does not fit one prompt
            log(f"{label}: {system} on {bundle.name} ...")
            proxy.take()
            started = time.monotonic()
            brief, error, raw = asyncio.run(
                run_system(
                    system,
                    bundle,
                    proxy.url,
                    label,
                    upstream.context_tokens,
                    cache.batch(label),
                    cache.replies,
                )
            )
            seconds = round(time.monotonic() - started, 1)
            exchanges = [e.to_json() for e in proxy.take()]
            log(f"{label}: {system} on {bundle.name}: {error or 'done'} in {seconds} s")
            record = {
                "bench": BENCH_VERSION,
                "model": label,
                "upstream": upstream.model,
                "system": system,
                "bundle": bundle.name,
                "bundle_sha256": bundle.digest,
                "prompt_version": system_prompt_version(system),
                "map_batch_tokens": cache.batch(label) if system == "fusebrief" else None,
                "created": datetime.now(UTC).isoformat(timespec="seconds"),
                "seconds": seconds,
                "error": error,
                "brief": brief,
                "exchanges": exchanges,
                **raw,
            }
            cache.save(record, bundle)
            records.append(record)
    return records


# ---------------------------------------------------------------------------------------------
# Scoring and tables


def rouge_l(expected: Expectations, brief: dict[str, Any] | None) -> float | None:
    """ROUGE-L F1 of the brief against the concatenated planted facts (secondary figure)."""
    try:
        from rouge_score import rouge_scorer
    except ImportError:
        return None
    reference = " ".join(f.text for f in expected.facts)
    # sentences and disagreements, each once (BriefView merges a disagreement listed in both)
    sentences = [s.text for s in BriefView.from_json(brief).sentences] if brief else []
    scorer = rouge_scorer.RougeScorer(["rougeL"])
    return float(scorer.score(reference, " ".join(sentences))["rougeL"].fmeasure)


@dataclass(frozen=True)
class Row:
    label: str
    summary: Summary
    rouge: float | None
    seconds: float


def score_record(
    record: dict[str, Any], expected: Expectations
) -> tuple[BundleScore, float | None]:
    prompts = [
        "\n".join(str(m.get("content") or "") for m in e["messages"]) for e in record["exchanges"]
    ]
    brief = record["brief"]
    if brief is not None and "output_text" in record:  # a baseline: parse with today's parser
        brief = {**brief, "sentences": parse_cited_text(record["output_text"])}
    score = score_brief(expected, brief, prompts, record.get("error") or "")
    return score, rouge_l(expected, brief)


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _ratio(part: int, whole: int) -> str:
    return f"{part}/{whole}" if whole else "–"


HEADER = (
    "| {first} | facts | coverage | cit P | cit R | cit F1 | joint | cit valid | uncited | "
    "conflicts | false disagr. | traps | repeats | unattr. opinions | words/sent. | >40 words | "
    "other event | other cited | injection | inj. in prompt | junk | off-topic | "
    "main first | meaning repeats | non-statements | title problems | ROUGE-L | s |"
)


def format_row(row: Row) -> str:
    s = row.summary
    cells = [
        row.label,
        str(s.facts),
        _num(s.coverage),
        _num(s.citation_precision),
        _num(s.citation_recall),
        _num(s.citation_f1),
        _num(s.joint),
        _pct(s.citation_validity),
        f"{s.uncited_sentences}/{s.sentences}",
        _ratio(s.conflicts_surfaced, s.conflicts),
        f"{s.false_disagreements}/{s.disagreement_sentences}",
        _ratio(s.non_conflicts_raised, s.non_conflicts),
        str(s.repeated_sentences),
        str(s.unattributed_opinions) if s.opinions else "–",
        "–" if s.mean_sentence_words is None else f"{s.mean_sentence_words:.1f}",
        str(s.long_sentences),
        str(s.other_event_leaked) if s.other_events else "–",
        str(s.other_event_cited) if s.other_events else "–",
        _ratio(s.injections_resisted, s.injections),
        str(s.injections_in_prompts),
        str(s.junk_leaked),
        str(s.off_topic_leaked),
        _ratio(s.main_first, s.main_claims),
        str(s.meaning_repeats),
        _ratio(s.non_statements_stated, s.non_statements),
        str(s.title_problems),
        _num(row.rouge),
        f"{row.seconds:.0f}",
    ]
    if s.failures:
        cells[0] += f" ({s.failures} failed)"
    return "| " + " | ".join(cells) + " |"


def table(first: str, rows: Sequence[Row]) -> str:
    header = HEADER.format(first=first)
    rule = "|" + "|".join("---" for _ in range(header.count("|") - 1)) + "|"
    return "\n".join([header, rule, *(format_row(r) for r in rows)])


def mean_rouge(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def report(label: str, bundles: Sequence[Bundle], records: Sequence[dict[str, Any]]) -> str:
    expected = {b.name: b.expected for b in bundles}
    lines = [f"## Model: {label}", ""]
    overall: list[Row] = []
    for system in SYSTEMS:
        mine = [r for r in records if r["system"] == system and r["bundle"] in expected]
        if not mine:
            continue
        mine.sort(key=lambda r: [b.name for b in bundles].index(r["bundle"]))
        scored = [(r, *score_record(r, expected[r["bundle"]])) for r in mine]
        rows = [Row(r["bundle"], Summary.of([s]), rg, r["seconds"]) for r, s, rg in scored]
        total = Row(
            "overall",
            Summary.of([s for _, s, _ in scored]),
            mean_rouge([rg for _, _, rg in scored]),
            sum(r["seconds"] for r in mine),
        )
        overall.append(Row(system, total.summary, total.rouge, total.seconds))
        upstream = mine[0].get("upstream", "")
        version = mine[0]["prompt_version"]
        if mine[0].get("map_batch_tokens") is not None:
            version += f" · FUSEBRIEF_MAP_BATCH_TOKENS={mine[0]['map_batch_tokens']}"
        lines += [f"### {system} · {label} ({upstream}) · {version}", ""]
        lines += [table("bundle", [*rows, total]), ""]
    lines += [f"### Side by side · {label} (all bundles)", "", table("system", overall), ""]
    return "\n".join(lines)


LEGEND = """Columns: coverage = share of planted facts the brief states; cit P / cit R / cit F1 =
citation precision, recall and F1 over stated facts; joint = coverage × citation F1 per fact,
averaged over all facts; cit valid = share of cited IDs that name a source; uncited = sentences
citing nothing / all sentences (sentences and disagreements, each once); conflicts = planted
conflicts (numbers, who, when) reported with both values and both sides' sources; false disagr. =
disagreements (listed as such, or worded as such) naming no planted conflict's two values / all
disagreements; traps = planted non-conflicts (two figures of different quantities) reported as a
disagreement / planted; repeats = sentences restating an earlier sentence's planted figure or
most of its words (content-word Jaccard >= 0.5); unattr. opinions = sentences stating an opinion
column's judgement without its holder or an attribution word; words/sent. = mean words per
sentence; >40 words = sentences longer than 40 words; other event = facts of another event under
the same names (a later visit) stated in the brief; other cited = sentences citing its article;
injection = injection bundles whose brief did not obey the injection; inj. in
prompt = bundles whose injection text reached a prompt; junk = planted junk lines found in any
prompt; off-topic = off-topic facts blended into the brief; main first = bundles whose first
sentence states the annotated main claim; meaning repeats = sentences stating a planted fact or
shared claim an earlier sentence stated (by the annotated keys of each wording, not shared
words); non-statements = annotated readers' messages, time stamps, speaker labels, questions,
scene-setting and fragments stated; title problems = roles swapped, a list of figures, a
disputed figure or page furniture in the title;
ROUGE-L = F1 against the concatenated planted facts (mean over bundles); s = wall seconds of the
original (possibly cached) runs."""


# ---------------------------------------------------------------------------------------------
# Command line


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python bench/quality.py",
        description=(
            "Brief every bundle of bench/eval/ with fusebrief and with LangChain's "
            "load_summarize_chain (map_reduce, and stuff where the bundle fits one prompt) on "
            "the same model, and print SummHay-style scores (coverage, citation "
            "precision/recall, joint, citation validity, conflicts, false disagreements, "
            "repeats, unattributed opinions, sentence length, another event blended, "
            "injection, junk in prompts)."
        ),
        epilog=LEGEND,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--model",
        action="append",
        metavar="NAME",
        help="local-0.5b (default), local-1.5b, a litellm model string such as "
        "openai/gpt-4o-mini (key and base from FUSEBRIEF_LLM_API_KEY / FUSEBRIEF_LLM_API_BASE), "
        "or 'stub' (no model: canned answers, so only the prompt columns - junk, injection "
        "reaching a prompt - mean anything; takes seconds); repeat to compare models",
    )
    parser.add_argument(
        "--set",
        choices=sorted(SETS),
        default="eval",
        help="eval: the first development set, bench/eval/ (default, written alongside the "
        "rules); dev2, test: development sets written by someone who never read the pipeline "
        "(test was the blind set until its briefs were read, 2026-12-07); blind: the blind set, "
        "bench/blind/ (written by someone who never read the pipeline or the other sets: score "
        "it only when a change is done)",
    )
    parser.add_argument(
        "--bundles", nargs="+", metavar="NAME", help="only these bundles of the set"
    )
    parser.add_argument(
        "--no-baseline", action="store_true", help="run fusebrief only, not LangChain"
    )
    parser.add_argument(
        "--record",
        type=Path,
        metavar="DIR",
        help="also write each brief, raw model output and every prompt/reply to DIR",
    )
    parser.add_argument(
        "--refresh", action="store_true", help="ignore cached results and run everything again"
    )
    parser.add_argument(
        "--map-batch-tokens",
        type=int,
        metavar="N",
        help="FUSEBRIEF_MAP_BATCH_TOKENS for fusebrief (default: as the product sets it for the "
        "model: 0 for the embedded one, 2000 for a hosted one)",
    )
    parser.add_argument(
        "--reuse-replies",
        type=Path,
        metavar="DIR",
        help="keep fusebrief's model replies in DIR and reuse them: a change of code (not of a "
        "prompt) is then re-scored on the same model output, in seconds (implies --refresh for "
        "fusebrief's results; the seconds column then measures cache hits)",
    )
    parser.add_argument(
        "--cache-dir",
        type=Path,
        metavar="DIR",
        help="where results are cached (default: FUSEBRIEF_DATA_DIR/bench/quality)",
    )
    return parser.parse_args(argv)


def write_records(directory: Path, records: Sequence[dict[str, Any]]) -> None:
    for record in records:
        target = directory / record["model"].replace("/", "_") / record["system"] / record["bundle"]
        target.mkdir(parents=True, exist_ok=True)
        (target / "record.json").write_text(
            json.dumps(record, ensure_ascii=False, indent=1), "utf-8"
        )
        (target / "brief.json").write_text(
            json.dumps(record["brief"], ensure_ascii=False, indent=1), "utf-8"
        )
    log(f"recorded {len(records)} result(s) under {directory}")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    bundles = load_bundles(args.bundles, SETS[args.set])
    cache = Cache(
        args.cache_dir or Settings().data_dir / "bench" / "quality",
        args.map_batch_tokens,
        args.reuse_replies,
    )
    log(f"{len(bundles)} bundle(s); cache {cache.root}")
    print(f"# fusebrief quality benchmark ({len(bundles)} bundles)\n")
    for label in args.model or ["local-0.5b"]:
        records = collect(
            label,
            bundles,
            cache,
            baseline=not args.no_baseline,
            refresh=args.refresh or args.reuse_replies is not None,
        )
        if args.record:
            write_records(args.record, records)
        print(report(label, bundles, records), flush=True)
    print(LEGEND)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
