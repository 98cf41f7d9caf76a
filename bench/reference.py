"""Real news judged against people: fusebrief's brief of each topic, scored with ROUGE against
the topic's human summaries the way the TAC 2011 MultiLing pilot scored its systems, side by
side with the systems' published scores.

    python bench/reference.py                          # ../shared/benchmarks/multiling-2011, 0.5B
    python bench/reference.py --model local-1.5b --reuse-replies /tmp/replies
    python bench/reference.py path/to/topics --max-words 200 --record /tmp/briefs

A topic is one JSON file of the folder: a fusebrief bundle (`articles`) with the human summaries
in `reference.summaries` (the format of shared/benchmarks/multiling-2011, README there).

Scoring, as the task did it (ROUGE-1.5.5 `-l 250`, no stemming, stop words kept, recall averaged
over the references): the brief's text (its sentences, then its disagreements, without citation
markers or title) cut to its first ROUGE_WORDS words, against each reference with the
`rouge-score` package (`rouge1`, `rouge2`, `use_stemmer=False`); the recalls are averaged over the
references. Citation validity is the share of cited IDs that name a source of the brief; articles
kept counts the sources not listed in `excluded`. Tables go to stdout, progress to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.metrics import BriefView
from bench.quality import LOCAL_MODELS, log, map_batch_tokens, run_fusebrief, upstream_for

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TOPICS = ROOT.parent / "shared" / "benchmarks" / "multiling-2011"
ROUGE_WORDS = 250  # the task's summary length: every summary was cut to this many words

# Published ROUGE recall of the TAC 2011 MultiLing systems on these topics, from the
# dataset's own evaluation files (shared/benchmarks/multiling-2011/README.md).
PUBLISHED: dict[str, dict[str, tuple[float, float]]] = {
    "M005": {
        "CLASSY1 (best overall)": (0.420, 0.112),
        "JRC1": (0.406, 0.111),
        "LIF1": (0.316, 0.054),
        "centroid baseline": (0.419, 0.135),
        "upper bound (human summaries)": (0.555, 0.266),
    },
    "M009": {
        "CLASSY1 (best overall)": (0.477, 0.181),
        "JRC1": (0.384, 0.130),
        "LIF1": (0.503, 0.187),
        "centroid baseline": (0.377, 0.108),
        "upper bound (human summaries)": (0.505, 0.216),
    },
}


@dataclass(frozen=True)
class Topic:
    name: str  # the topic's cluster ("M005"), else its file's name
    data: dict[str, Any]
    references: tuple[str, ...]


@dataclass(frozen=True)
class Score:
    rouge1: float
    rouge2: float
    cited: int
    valid: int
    kept: int
    articles: int
    words: int
    seconds: float

    @property
    def validity(self) -> float | None:
        return self.valid / self.cited if self.cited else None


def load_topics(folder: Path) -> list[Topic]:
    topics = []
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text("utf-8"))
        summaries = (data.get("reference") or {}).get("summaries") or []
        if not data.get("articles") or not summaries:
            continue
        name = str((data.get("origin") or {}).get("cluster") or path.stem)
        topics.append(Topic(name, data, tuple(summaries)))
    if not topics:
        raise SystemExit(f"no topic in {folder}: no *.json with articles and reference.summaries")
    return topics


def brief_text(brief: dict[str, Any]) -> str:
    """The summary the references are compared with: the brief's sentences, then its
    disagreements, one a line (the title, a headline over them, is left out: the task's
    summaries had none, and `max_words` counts the same text)."""
    return "\n".join(s.text for s in BriefView.from_json(brief).sentences)


def first_words(text: str, count: int = ROUGE_WORDS) -> str:
    """The text's first `count` whitespace-separated words, one line kept per line."""
    lines, left = [], count
    for line in text.splitlines():
        taken = line.split()[:left]
        if taken:
            lines.append(" ".join(taken))
        left -= len(taken)
        if left <= 0:
            break
    return "\n".join(lines)


def rouge_recall(summary: str, references: Sequence[str]) -> tuple[float, float]:
    """ROUGE-1 and ROUGE-2 recall of `summary` cut to ROUGE_WORDS words, averaged over the
    references (no stemming, stop words kept)."""
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2"], use_stemmer=False)
    cut = first_words(summary)
    scores = [scorer.score(reference, cut) for reference in references]
    return (
        sum(s["rouge1"].recall for s in scores) / len(scores),
        sum(s["rouge2"].recall for s in scores) / len(scores),
    )


def score(topic: Topic, brief: dict[str, Any], seconds: float) -> Score:
    view = BriefView.from_json(brief)
    cited = [a for s in view.sentences for a in view.cited_articles(s)]
    text = brief_text(brief)
    rouge1, rouge2 = rouge_recall(text, topic.references)
    excluded = {e["sid"] for e in brief.get("excluded", [])}
    return Score(
        rouge1=rouge1,
        rouge2=rouge2,
        cited=len(cited),
        valid=sum(1 for a in cited if a is not None),
        kept=sum(1 for s in brief["sources"] if s["sid"] not in excluded),
        articles=len(topic.data["articles"]),
        words=len(text.split()),
        seconds=seconds,
    )


@dataclass(frozen=True)
class Run:
    """One topic briefed: the brief's JSON, or the error that stopped it."""

    topic: Topic
    brief: dict[str, Any] | None
    error: str
    seconds: float


def brief_topics(
    label: str, topics: Sequence[Topic], max_words: int, replies: Path | None, record: Path | None
) -> list[Run]:
    """Each topic briefed by fusebrief on the model (written to `record` as soon as it is)."""
    from bench.capture import CaptureProxy
    from service.errors import FusebriefError

    runs = []
    with upstream_for(label) as upstream, CaptureProxy(upstream) as proxy:
        for topic in topics:
            log(f"{label}: fusebrief on {topic.name} ...")
            started = time.monotonic()
            request = {"articles": topic.data["articles"], "options": {"max_words": max_words}}
            brief, error = None, ""
            try:
                brief = asyncio.run(
                    run_fusebrief(
                        topic.name,
                        request,
                        proxy.url,
                        label,
                        upstream.context_tokens,
                        map_batch_tokens(label, None),
                        replies,
                    )
                )
            except FusebriefError as failure:  # a failed topic is a result, not a crash
                error = f"{type(failure).__name__}: {failure.message}"
            seconds = round(time.monotonic() - started, 1)
            proxy.take()
            log(f"{label}: {topic.name}: {error or 'done'} in {seconds} s")
            if record is not None and brief is not None:
                record.mkdir(parents=True, exist_ok=True)
                path = record / f"{topic.name}.json"
                path.write_text(json.dumps(brief, ensure_ascii=False, indent=1), "utf-8")
            runs.append(Run(topic, brief, error, seconds))
    return runs


def table(label: str, runs: Sequence[Run]) -> str:
    lines = [
        f"## fusebrief ({label}) against the TAC 2011 MultiLing systems",
        "",
        "| topic | system | R-1 recall | R-2 recall | cit valid | articles kept | words | s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        name = run.topic.name
        if run.brief is None:
            lines.append(f"| {name} | **fusebrief {label}** | failed: {run.error} |||||| ")
        else:
            s = score(run.topic, run.brief, run.seconds)
            valid = "–" if s.validity is None else f"{s.validity:.0%} ({s.valid}/{s.cited})"
            lines.append(
                f"| {name} | **fusebrief {label}** | {s.rouge1:.3f} | {s.rouge2:.3f} | "
                f"{valid} | {s.kept}/{s.articles} | {s.words} | {s.seconds:.0f} |"
            )
        for system, (r1, r2) in PUBLISHED.get(name, {}).items():
            lines.append(f"| {name} | {system} | {r1:.3f} | {r2:.3f} | – | – | – | – |")
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python bench/reference.py",
        description="Brief each topic of FOLDER with fusebrief and score ROUGE-1/2 recall "
        "against its human summaries (TAC 2011 MultiLing style), beside the published systems.",
    )
    parser.add_argument(
        "folder",
        nargs="?",
        type=Path,
        default=DEFAULT_TOPICS,
        help=f"a folder of topic files (default: {DEFAULT_TOPICS})",
    )
    parser.add_argument(
        "--model",
        default="local-0.5b",
        metavar="NAME",
        help=f"{' or '.join(LOCAL_MODELS)} (default local-0.5b), or a litellm model string "
        "(key and base from FUSEBRIEF_LLM_API_KEY / FUSEBRIEF_LLM_API_BASE)",
    )
    parser.add_argument(
        "--max-words",
        type=int,
        default=ROUGE_WORDS,
        metavar="N",
        help=f"the brief's max_words option (default {ROUGE_WORDS}, the task's length); the "
        f"score cuts the brief to {ROUGE_WORDS} words whatever this is",
    )
    parser.add_argument(
        "--reuse-replies",
        type=Path,
        metavar="DIR",
        help="keep fusebrief's model replies in DIR and reuse them (a change of code, not of a "
        "prompt, is re-scored on the same model output)",
    )
    parser.add_argument(
        "--record", type=Path, metavar="DIR", help="also write each topic's brief JSON to DIR"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    topics = load_topics(args.folder)
    log(f"{len(topics)} topic(s) from {args.folder}")
    runs = brief_topics(args.model, topics, args.max_words, args.reuse_replies, args.record)
    print(table(args.model, runs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
