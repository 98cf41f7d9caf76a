"""Which llama.cpp settings make the embedded model's prefill and decoding cheaper (issue 15).

    python experiments/llamacpp_lab.py grammar      # json_schema-constrained vs free decoding
    python experiments/llamacpp_lab.py sampling     # the default sampler chain vs greedy top_k 1
    python experiments/llamacpp_lab.py whitespace   # whitespace in replies; a grammar without it
    python experiments/llamacpp_lab.py slots        # 1, 2, 4 slots: a brief's map calls
    python experiments/llamacpp_lab.py prefix       # prompt-prefix reuse across map calls
    python experiments/llamacpp_lab.py speculative  # draft model and n-gram speculative decoding
    python experiments/llamacpp_lab.py threads      # 1 vs 2 threads, prefill and decoding
    python experiments/llamacpp_lab.py batch        # n_batch / n_ubatch for prefill
    python experiments/llamacpp_lab.py kv           # flash attention, KV cache type

Every experiment sends the real map prompt (prompts/map/<current version>.md) filled with the
articles of --bundle (default ../shared/seeds), one article a call as fusebrief sends them to a
self-hosted model, and reads prefill and decode speed from llama.cpp's own `timings`. The
variants of an experiment run interleaved (A, B, A, B, …; --repeat rounds), each on its own
server loaded side by side when the settings are server-wide, so a neighbour's burst of work
shows up in every variant rather than in one; the machine's load during each request is in
the tables (the machine is shared). Tables go to stdout (markdown), progress to stderr.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.llamacpp import CpuMeter, Timing, articles_of, compact, load_bundle
from experiments.lab_server import (
    COMPACT_SCHEMA,
    SEEDS,
    LabServer,
    ServerConfig,
    current_map_schema,
    json_schema_format,
    machine,
    map_messages,
    total,
)
from service.types import Article

MAP_MAX_TOKENS = 900  # service.summarize.MAP_OUTPUT_TOKENS, one article a call
GRAMMAR_TOKENS = 256  # tokens compared in the grammar-cost experiment (free text never stops)


def log(message: str) -> None:
    print(f"[lab] {message}", file=sys.stderr, flush=True)


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


def grammar_of(schema: dict[str, Any]) -> str:
    """llama.cpp's grammar for `schema` (this build: llguidance, `%json {schema}`)."""
    import xllamacpp

    grammar: str = xllamacpp.json_schema_to_grammar(schema)
    return grammar


# ---------------------------------------------------------------------------------------------
# Measurements


@dataclass
class Sample:
    """One request's timings and the machine's state while it ran."""

    variant: str
    article: int
    timing: Timing
    others: float  # cores busy with other processes meanwhile
    load: float


@dataclass
class Samples:
    items: list[Sample] = field(default_factory=list)

    def of(self, variant: str) -> list[Sample]:
        return [s for s in self.items if s.variant == variant]

    def variants(self) -> list[str]:
        return list(dict.fromkeys(s.variant for s in self.items))


def measure(server: LabServer, body: dict[str, Any], variant: str, article: int) -> Sample:
    with CpuMeter() as cpu:
        timing = server.chat(body)
    log(
        f"{variant} A{article}: prefill {timing.prefill_n} tok {timing.prefill_tps:.1f}/s, "
        f"decode {timing.decode_n} tok {timing.decode_tps:.1f}/s, others {cpu.others:.2f} cores"
    )
    sample = Sample(variant, article, timing, cpu.others, cpu.load)
    RECORDED.append(sample)
    return sample


RECORDED: list[Sample] = []  # every request of the run, for --record


def med(values: Sequence[float]) -> float:
    return statistics.median(values) if values else 0.0


def spread(values: Sequence[float]) -> str:
    """median (min–max)"""
    if not values:
        return "–"
    if len(values) == 1:
        return f"{values[0]:.1f}"
    return f"{med(values):.1f} ({min(values):.1f}–{max(values):.1f})"


def load_note(samples: Sequence[Sample]) -> str:
    others = [s.others for s in samples]
    return f"{med(others):.2f} ({min(others):.2f}–{max(others):.2f})" if others else "–"


def decode_rows(samples: Samples) -> list[list[str]]:
    rows = []
    for variant in samples.variants():
        mine = samples.of(variant)
        t = total([s.timing for s in mine])
        rows.append(
            [
                variant,
                str(len(mine)),
                spread([s.timing.decode_tps for s in mine]),
                f"{t.decode_tps:.1f}",
                f"{t.decode_n / len(mine):.0f}",
                spread([s.timing.prefill_tps for s in mine if s.timing.prefill_n > 50]),
                load_note(mine),
            ]
        )
    return rows


DECODE_HEADER = [
    "variant",
    "requests",
    "decode tok/s per request: median (min–max)",
    "decode tok/s, all tokens",
    "decode tok per request",
    "prefill tok/s (prompts computed in full)",
    "others' CPU, cores: median (min–max)",
]


# ---------------------------------------------------------------------------------------------
# Experiments


@dataclass
class Lab:
    articles: list[Article]
    model: str
    repeat: int
    base: ServerConfig

    def bodies(
        self, extra: dict[str, Any], max_tokens: int = MAP_MAX_TOKENS
    ) -> list[dict[str, Any]]:
        return [
            {"messages": map_messages(a), "temperature": 0, "max_tokens": max_tokens, **extra}
            for a in self.articles
        ]


def interleaved(
    lab: Lab,
    variants: dict[str, tuple[LabServer, dict[str, Any]]],
    *,
    max_tokens: int = MAP_MAX_TOKENS,
) -> Samples:
    """Every article under every variant, variants alternating, `lab.repeat` rounds."""
    samples = Samples()
    for _ in range(lab.repeat):
        for number, article in enumerate(lab.articles, start=1):
            for variant, (server, extra) in variants.items():
                body = {
                    "messages": map_messages(article),
                    "temperature": 0,
                    "max_tokens": max_tokens,
                    **extra,
                }
                samples.items.append(measure(server, body, variant, number))
    return samples


def servers(stack: ExitStack, configs: dict[str, ServerConfig]) -> dict[str, LabServer]:
    started = {}
    for name, config in configs.items():
        log(f"loading {name}: {config.label()}")
        started[name] = LabServer(config)
        stack.callback(started[name].close)
    return started


def exp_grammar(lab: Lab) -> str:
    """a. Grammar cost: the same prompts decoded free, under the compact schema, under today's."""
    with ExitStack() as stack:
        server = servers(stack, {"main": lab.base})["main"]
        variants = {
            "free (no grammar)": (server, {}),
            "json_schema: compact facts-only": (
                server,
                {"response_format": json_schema_format(COMPACT_SCHEMA)},
            ),
            "json_schema: today's map schema": (
                server,
                {"response_format": json_schema_format(current_map_schema())},
            ),
        }
        samples = interleaved(lab, variants, max_tokens=GRAMMAR_TOKENS)
    return (
        f"## a. Grammar cost (same prompts, one slot, the first {GRAMMAR_TOKENS} tokens of each "
        "reply; the prompt is computed once and reused)\n\n"
        + table(DECODE_HEADER, decode_rows(samples))
    )


def exp_sampling(lab: Lab) -> str:
    """a. The sampler chain's share: llama.cpp's default chain (top_k 40, top_p, min_p, …, over
    a 151k-token vocabulary) against greedy top_k 1, free and under the compact schema."""
    schema: dict[str, Any] = {"response_format": json_schema_format(COMPACT_SCHEMA)}
    greedy: dict[str, Any] = {"top_k": 1, "samplers": ["top_k"]}
    with ExitStack() as stack:
        server = servers(stack, {"main": lab.base})["main"]
        variants: dict[str, tuple[LabServer, dict[str, Any]]] = {
            "free, default samplers": (server, {}),
            "free, top_k 1 only": (server, greedy),
            "json_schema, default samplers": (server, schema),
            "json_schema, top_k 1 only": (server, {**schema, **greedy}),
        }
        samples = interleaved(lab, variants, max_tokens=GRAMMAR_TOKENS)
    return (
        f"## a. Sampler cost (same prompts, one slot, up to {GRAMMAR_TOKENS} tokens)\n\n"
        + table(DECODE_HEADER, decode_rows(samples))
    )


def _whitespace_tokens(server: LabServer, text: str) -> tuple[int, int, int]:
    """(tokens, whitespace-only tokens, tokens of the same JSON with no whitespace)."""
    pieces = server.tokens(text)
    blank = sum(1 for p in pieces if not p.strip())
    try:
        value = json.loads(text)
    except ValueError:
        return len(pieces), blank, len(pieces)
    tight = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return len(pieces), blank, len(server.tokens(tight))


def exp_whitespace(lab: Lab) -> str:
    """b. Whitespace: what llama.cpp's json_schema lets the model write, and a grammar without."""
    rows = []
    with ExitStack() as stack:
        server = servers(stack, {"main": lab.base})["main"]
        schemas = {"compact facts-only": COMPACT_SCHEMA, "today's map schema": current_map_schema()}
        variants: dict[str, tuple[LabServer, dict[str, Any]]] = {}
        for name, schema in schemas.items():
            variants[f"{name}: json_schema"] = (
                server,
                {"response_format": json_schema_format(schema)},
            )
            variants[f"{name}: grammar, no whitespace"] = (
                server,
                {"grammar": grammar_of(compact(schema))},
            )
            variants[f"{name}: grammar, one space after , and :"] = (
                server,
                {"grammar": grammar_of(compact(schema, item_separator=", ", key_separator=": "))},
            )
        samples = interleaved(lab, variants)
        for variant in samples.variants():
            mine = samples.of(variant)
            counted = [_whitespace_tokens(server, s.timing.content) for s in mine]
            n = len(mine)
            rows.append(
                [
                    variant,
                    str(n),
                    f"{sum(c[0] for c in counted) / n:.0f}",
                    f"{sum(c[1] for c in counted) / n:.0f}",
                    f"{sum(c[0] - c[2] for c in counted) / n:.0f}",
                    f"{sum(len(s.timing.content) for s in mine) / n:.0f}",
                    f"{sum(s.timing.decode_ms for s in mine) / n / 1000:.1f}",
                    f"{total([s.timing for s in mine]).decode_tps:.1f}",
                    load_note(mine),
                ]
            )
    header = [
        "variant",
        "replies",
        "reply tok (mean)",
        "whitespace-only tok",
        "tok saved if re-serialised without whitespace",
        "reply chars",
        "decode s (mean)",
        "decode tok/s",
        "others' CPU, cores",
    ]
    example = samples.of(samples.variants()[1])[0].timing.content[:300]
    return (
        "## b. Whitespace in replies (same prompts, one slot)\n\n"
        + table(header, rows)
        + f"\n\nA reply under the no-whitespace grammar begins: `{example}`"
    )


def _brief_round(
    server: LabServer, bodies: list[dict[str, Any]], parallel: int, label: str
) -> list[str]:
    server.erase_slots()
    with CpuMeter() as cpu:
        timings, wall = server.chat_all(bodies, parallel)
    t = total(timings)
    log(f"{label}: {wall:.1f} s, decode {t.decode_n} tok, others {cpu.others:.2f} cores")
    return [
        label,
        f"{wall:.1f}",
        str(t.prefill_n),
        str(t.cached),
        str(t.decode_n),
        f"{t.decode_n / wall:.1f}",
        f"{(t.prefill_n + t.decode_n) / wall:.1f}",
        f"{max(x.wall_s for x in timings):.1f}",
        f"{cpu.others:.2f}",
    ]


def exp_slots(lab: Lab) -> str:
    """c. Slots: a brief's map calls (one article each) on 1, 2 and 4 slots."""
    rows = []
    extra = {"response_format": json_schema_format(COMPACT_SCHEMA)}
    bodies = lab.bodies(extra)
    with ExitStack() as stack:
        started = servers(stack, {f"{n} slots": lab.base.with_(slots=n) for n in (1, 2, 4)})
        for _ in range(lab.repeat):
            for name, server in started.items():
                slots = server.config.slots
                if slots == 1:
                    rows.append(_brief_round(server, bodies, 1, "1 slot, one call at a time"))
                else:
                    rows.append(_brief_round(server, bodies, slots, f"{name}, {slots} at once"))
    header = [
        "setting",
        "wall s (all map calls)",
        "prefill tok",
        "reused tok",
        "decode tok",
        "decode tok/s overall",
        "(prefill+decode) tok/s",
        "slowest call s",
        "others' CPU, cores",
    ]
    return (
        f"## c. Slots: the {len(bodies)} map calls of a brief (compact facts-only schema, "
        "slots emptied before each round)\n\n" + table(header, rows)
    )


def exp_prefix(lab: Lab) -> str:
    """c. Prompt-prefix reuse: the map prompt's shared instructions, computed once."""
    rows = []
    extra = {"response_format": json_schema_format(COMPACT_SCHEMA)}
    short = lab.bodies(extra, max_tokens=8)  # prefill is what this measures
    with ExitStack() as stack:
        started = servers(
            stack,
            {
                "1 slot": lab.base,
                "4 slots": lab.base.with_(slots=4),
                "4 slots, unified KV": lab.base.with_(slots=4, kv_unified=True),
            },
        )
        for _ in range(lab.repeat):
            one = started["1 slot"]
            for cache in (False, True):
                one.erase_slots()
                bodies = [{**b, "cache_prompt": cache} for b in short]
                with CpuMeter() as cpu:
                    timings, wall = one.chat_all(bodies, 1)
                rows.append(
                    _prefix_row(f"1 slot, in turn, cache_prompt={cache}", timings, wall, cpu)
                )
            for name in ("4 slots", "4 slots, unified KV"):
                server = started[name]
                server.erase_slots()
                with CpuMeter() as cpu:
                    timings, wall = server.chat_all(short, 4)
                rows.append(_prefix_row(f"{name}, 4 at once", timings, wall, cpu))
                server.erase_slots()
                warm = {**short[0], "max_tokens": 1}
                server.chat(warm)  # one call first: its prefix is then in a slot (and RAM cache)
                with CpuMeter() as cpu:
                    timings, wall = server.chat_all(short[1:], 4)
                rows.append(
                    _prefix_row(
                        f"{name}, first call alone, then the rest at once", timings, wall, cpu
                    )
                )
    header = [
        "setting",
        "calls",
        "prompt tok",
        "reused tok (cache_n)",
        "prefill tok computed",
        "prefill s (llama.cpp, summed)",
        "wall s",
        "others' CPU, cores",
    ]
    return (
        "## c. Prompt-prefix reuse (map prompts, 8 tokens decoded: prefill is what counts)\n\n"
        + table(header, rows)
    )


def _prefix_row(label: str, timings: list[Timing], wall: float, cpu: CpuMeter) -> list[str]:
    t = total(timings)
    log(f"{label}: reused {t.cached}, computed {t.prefill_n}, {wall:.1f} s")
    return [
        label,
        str(len(timings)),
        str(t.prompt_tokens),
        str(t.cached),
        str(t.prefill_n),
        f"{t.prefill_ms / 1000:.1f}",
        f"{wall:.1f}",
        f"{cpu.others:.2f}",
    ]


def exp_speculative(lab: Lab) -> str:
    """d. Speculative decoding at llama.cpp's default sizes: a draft model, n-gram lookups."""
    configs = {
        "none": lab.base,
        "draft 0.5B (n_max 16, p_min 0.75)": lab.base.with_(speculative="draft_simple"),
        "ngram_simple (prompt lookup, n 12, m 48)": lab.base.with_(speculative="ngram_simple"),
        "ngram_map_k (n 12, m 48)": lab.base.with_(speculative="ngram_map_k"),
        "ngram_mod": lab.base.with_(speculative="ngram_mod"),
    }
    return _speculative(lab, configs, "llama.cpp's default draft sizes")


def exp_speculative_small(lab: Lab) -> str:
    """d. Speculative decoding with short drafts (verifying a draft is not free on a CPU)."""
    configs = {
        "none": lab.base,
        "draft 0.5B (n_max 4, p_min 0.75)": lab.base.with_(speculative="draft_simple", draft_max=4),
        "draft 0.5B (n_max 8, p_min 0.9)": lab.base.with_(
            speculative="draft_simple", draft_max=8, draft_p_min=0.9
        ),
        "ngram_simple (n 4, m 8)": lab.base.with_(speculative="ngram_simple", ngram_n=4, ngram_m=8),
        "ngram_simple (n 3, m 4)": lab.base.with_(speculative="ngram_simple", ngram_n=3, ngram_m=4),
        "ngram_map_k (n 4, m 8)": lab.base.with_(speculative="ngram_map_k", ngram_n=4, ngram_m=8),
    }
    return _speculative(lab, configs, "short drafts")


def _speculative(lab: Lab, configs: dict[str, ServerConfig], title: str) -> str:
    extra = {"response_format": json_schema_format(COMPACT_SCHEMA)}
    rows = []
    with ExitStack() as stack:
        started = servers(stack, configs)
        samples = interleaved(lab, {name: (s, extra) for name, s in started.items()})
    for variant in samples.variants():
        mine = samples.of(variant)
        t = total([s.timing for s in mine])
        accepted = f"{t.draft_accepted}/{t.draft_n} ({t.acceptance:.0%})" if t.acceptance else "–"
        rows.append(
            [
                variant,
                str(len(mine)),
                accepted,
                f"{t.decode_n / len(mine):.0f}",
                spread([s.timing.decode_tps for s in mine]),
                f"{t.decode_tps:.1f}",
                load_note(mine),
            ]
        )
    header = [
        "speculative",
        "requests",
        "draft tokens accepted",
        "decode tok per request",
        "effective decode tok/s per request",
        "effective decode tok/s, all tokens",
        "others' CPU, cores",
    ]
    return "## d. Speculative decoding (compact facts-only schema, one slot)\n\n" + table(
        header, rows
    )


def _prefill_variants(
    lab: Lab, configs: dict[str, ServerConfig], title: str, decode_tokens: int = 32
) -> str:
    """Prefill (prompt cache off) and a short decode, each config on its own server."""
    extra = {"cache_prompt": False, "response_format": json_schema_format(COMPACT_SCHEMA)}
    with ExitStack() as stack:
        started = servers(stack, configs)
        samples = interleaved(
            lab, {name: (s, extra) for name, s in started.items()}, max_tokens=decode_tokens
        )
    rows = []
    for variant in samples.variants():
        mine = samples.of(variant)
        t = total([s.timing for s in mine])
        rows.append(
            [
                variant,
                str(len(mine)),
                spread([s.timing.prefill_tps for s in mine]),
                f"{t.prefill_tps:.1f}",
                spread([s.timing.decode_tps for s in mine]),
                load_note(mine),
            ]
        )
    header = [
        "setting",
        "requests",
        "prefill tok/s per request: median (min–max)",
        "prefill tok/s, all tokens",
        f"decode tok/s ({decode_tokens} tok)",
        "others' CPU, cores",
    ]
    return f"## {title}\n\n" + table(header, rows)


def exp_threads(lab: Lab) -> str:
    """e. Threads: 1 vs 2 for prefill and decoding."""
    configs = {
        "1 thread": lab.base.with_(threads=1),
        "2 threads": lab.base.with_(threads=2),
        "1 thread decode, 2 prefill": lab.base.with_(threads=1, threads_batch=2),
    }
    return _prefill_variants(lab, configs, "e. Threads (map prompts computed in full)", 64)


def exp_batch(lab: Lab) -> str:
    """e. n_batch / n_ubatch for prefill."""
    configs = {
        f"n_batch {b}, n_ubatch {u}": lab.base.with_(n_batch=b, n_ubatch=u)
        for b, u in ((2048, 512), (2048, 256), (2048, 128), (2048, 1024), (2048, 2048))
    }
    return _prefill_variants(lab, configs, "e. Batch sizes for prefill (map prompts in full)")


def exp_kv(lab: Lab) -> str:
    """f. Flash attention and the KV cache's type."""
    configs = {
        "flash attention auto, KV f16": lab.base,
        "flash attention off, KV f16": lab.base.with_(flash_attn="off"),
        "flash attention on, KV f16": lab.base.with_(flash_attn="on"),
        "flash attention on, KV q8_0": lab.base.with_(flash_attn="on", cache_type="q8_0"),
    }
    return _prefill_variants(lab, configs, "f. Flash attention, KV cache type", 64)


EXPERIMENTS: dict[str, Callable[[Lab], str]] = {
    "grammar": exp_grammar,
    "sampling": exp_sampling,
    "whitespace": exp_whitespace,
    "slots": exp_slots,
    "prefix": exp_prefix,
    "speculative": exp_speculative,
    "speculative-small": exp_speculative_small,
    "threads": exp_threads,
    "batch": exp_batch,
    "kv": exp_kv,
}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python experiments/llamacpp_lab.py",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("experiments", nargs="+", choices=sorted(EXPERIMENTS), metavar="EXP")
    parser.add_argument("--model", choices=["1.5b", "0.5b"], default="1.5b")
    parser.add_argument("--bundle", default=str(SEEDS), metavar="PATH")
    parser.add_argument(
        "--articles", type=int, default=0, metavar="N", help="the bundle's first N (default all)"
    )
    parser.add_argument("--repeat", type=int, default=1, metavar="R", help="rounds (default 1)")
    parser.add_argument("--threads", type=int, default=2, help="threads (default 2)")
    parser.add_argument(
        "--record", metavar="FILE", help="write every request's timings and reply to FILE (JSON)"
    )
    parser.add_argument(
        "--config",
        default="{}",
        metavar="JSON",
        help='ServerConfig fields for every server, e.g. \'{"flash_attn": "on"}\'',
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    articles = articles_of(load_bundle(Path(args.bundle)))
    if args.articles:
        articles = articles[: args.articles]
    base = ServerConfig(model=args.model, threads=args.threads, **json.loads(args.config))
    lab = Lab(articles, args.model, args.repeat, base)
    print(
        f"# llama.cpp settings lab: {args.model}, {len(articles)} articles of {args.bundle}, "
        f"{args.repeat} round(s); base: {base.label()}; machine at start: {machine()}\n"
    )
    for name in args.experiments:
        log(f"experiment {name}")
        print(EXPERIMENTS[name](lab), f"\n\nmachine after: {machine()}\n", flush=True)
        if args.record:
            records = [
                {"variant": s.variant, "article": s.article, "others": s.others, **asdict(s.timing)}
                for s in RECORDED
            ]
            Path(args.record).write_text(json.dumps(records, indent=1, ensure_ascii=False), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
