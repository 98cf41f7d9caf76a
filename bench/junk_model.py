"""Junk line classifier: fit it on the article-extraction benchmark, report held-out folds, ship it.

    python bench/junk_model.py                    # 5-fold table, then fit on every page and write
                                                  # service/data/junk_model.json
    python bench/junk_model.py --no-write         # the table only
    python bench/junk_model.py --baseline-tree DIR  # also the cleaner of another checkout of
                                                    # the repository (the old phrase rules)

Data: ``../shared/benchmarks/article-extraction`` (181 real pages, their true article bodies and
the benchmark's own ``evaluate.py``). Each page gives two kinds of lines, as the cleaner meets them
(:mod:`service.clean`): ``html``, the lines of the page's article blocks after the structural
signals (the HTML path, with link density and block kinds), and ``plain``, the whole page's text
from :data:`CROP` lines before its first content line to :data:`CROP` after its last (what a
scraper that copies the article with the furniture around it hands over). A line is content when
at least half of its words fall in runs of three or more words that align with the true body
(difflib over the page's and the body's word sequences), junk otherwise.

The model (:mod:`service.junk_model`): per kind, a logistic regression over the standardised
signals of :mod:`service.junk_signals`, then a context stage fitted on the first stage's
out-of-fold logits of each line and its neighbours. Folds are by page (5, seeded): every figure in
the table is from pages the fold's model never saw. Per fold and kind: content lines kept
(precision and recall of the kept lines), junk lines removed, and the benchmark's F1/P/R
(its ``evaluate.py``) of the full cleaner, ``clean_text``, with the fold's model: on the raw HTML
(``html``) and on the page's plain lines (``plain``), beside the same figure for the cleaner of
``--baseline-tree`` (a checkout of an older commit: ``git archive <commit> service | tar -x -C
DIR``), run in its own process.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path
from types import ModuleType
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.extraction import DEFAULT_DATA, Page, load_metric, load_pages, log
from service.clean import PageText, clean_text, html_page_text, plain_page_text
from service.html_page import article_blocks, page_blocks
from service.identify import detect_language
from service.junk_model import JunkModel, Stage, context_means, load_model
from service.junk_signals import LineSignals, page_signals

MODEL_FILE = Path(__file__).resolve().parent.parent / "service" / "data" / "junk_model.json"
FOLDS = 5
SEED = 24
#: Aligned runs shorter than this many words are chance matches ("the", "of the").
MIN_RUN = 3
#: A line is content when at least this share of its words is in aligned runs.
CONTENT_SHARE = 0.5
#: The features each kind of input reads (plain text has no links and no block kinds).
SHARED_FEATURES = (
    "log_words",
    "log_chars",
    "stopword_density",
    "no_stopwords",
    "sentence_end",
    "lower_share",
    "capital_share",
    "digit_share",
    "symbol_share",
    "clause",
    "ends_colon",
    "page_repeats",
    "topic_share",
    "off_topic",
    "edge",
    "before_body",
    "after_body",
    "outer_fragment",
)
FEATURES = {
    "html": (*SHARED_FEATURES, "link_share", "heading", "list_item", "table_row"),
    "plain": SHARED_FEATURES,
}
#: The context stage's wide window: lines up to this far away.
WIDE = 3
#: Regularisation of both stages (scikit-learn's C).
C = 1.0
#: A line is removed from this probability of being junk on: in plain text, where a lost line
#: has no structure to vouch for it, only when the model is surer.
THRESHOLDS = {"html": 0.5, "plain": 0.7}
#: The plain lines of a page run from this many lines before its first content line to this many
#: after its last (a scraper's copy of the article with the furniture around it, not the
#: whole site's navigation and footer).
CROP = 15
_TOKEN = re.compile(r"\w+")


@dataclass(frozen=True)
class Lines:
    """One page's lines of one kind: their signals, labels (1: junk) and the cleaner's input."""

    key: str
    signals: list[LineSignals]
    junk: list[int]
    raw: str  # what clean_text gets: the page's HTML, or the plain lines as text


def labels(page: PageText, truth: str) -> list[int]:
    """1 for each line that is not part of the true body, 0 for each line that is."""
    owner: list[int] = []
    tokens: list[str] = []
    for i, line in enumerate(page.lines):
        found = _TOKEN.findall(line.text.casefold())
        tokens += found
        owner += [i] * len(found)
    matcher = SequenceMatcher(None, tokens, _TOKEN.findall(truth.casefold()), autojunk=False)
    aligned = [0] * len(page.lines)
    for block in matcher.get_matching_blocks():
        if block.size >= MIN_RUN:
            for t in range(block.a, block.a + block.size):
                aligned[owner[t]] += 1
    total = [0] * len(page.lines)
    for i in owner:
        total[i] += 1
    return [int(not total[i] or aligned[i] < CONTENT_SHARE * total[i]) for i in range(len(total))]


def whole_text(page: Page) -> str:
    """The text of every block of the page, its furniture too."""
    return "\n\n".join(block.text for block in page_blocks(page.html, furniture=True))


def plain_input(text: PageText) -> str:
    """Plain lines as one text: a blank line between blocks."""
    out: list[str] = []
    for i, line in enumerate(text.lines):
        if i and text.blocks[i] != text.blocks[i - 1]:
            out.append("")
        out.append(line.text)
    return "\n".join(out)


def _crop(text: PageText, junk: list[int]) -> tuple[PageText, list[int]]:
    content = [i for i, y in enumerate(junk) if not y]
    if not content:
        return text, junk
    start, end = max(0, content[0] - CROP), content[-1] + CROP + 1
    return PageText(text.lines[start:end], text.blocks[start:end], text.kind), junk[start:end]


def measure(page: Page) -> dict[str, Lines]:
    """The page's lines of both kinds, with their signals and labels."""
    html, _ = html_page_text(article_blocks(page.html, page.url))
    whole = plain_page_text(whole_text(page))
    plain, plain_junk = _crop(whole, labels(whole, page.truth))
    kinds = (
        ("html", html, labels(html, page.truth), page.html),
        ("plain", plain, plain_junk, plain_input(plain)),
    )
    out: dict[str, Lines] = {}
    for kind, text, junk, raw in kinds:
        language = detect_language("\n".join(line.text for line in text.lines))
        out[kind] = Lines(page.key, page_signals(text.lines, language), junk, raw)
    return out


# ---------------------------------------------------------------------------------------------
# Fitting


def _standardise(rows: Sequence[Sequence[float]]) -> tuple[list[float], list[float]]:
    import numpy as np

    matrix = np.asarray(rows, dtype=float)
    mean = matrix.mean(axis=0)
    scale = matrix.std(axis=0)
    scale[scale == 0] = 1.0
    return [float(x) for x in mean], [float(x) for x in scale]


def _logistic(rows: Any, junk: Any) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, max_iter=2000).fit(rows, junk)


def _first_stage(kind: str, pages: Sequence[Lines]) -> Stage:
    import numpy as np

    rows = [s.vector(FEATURES[kind]) for lines in pages for s in lines.signals]
    mean, scale = _standardise(rows)
    standard = (np.asarray(rows) - np.asarray(mean)) / np.asarray(scale)
    junk = [y for lines in pages for y in lines.junk]
    fit = _logistic(standard, junk)
    return Stage(
        features=FEATURES[kind],
        mean=tuple(mean),
        scale=tuple(scale),
        weights=tuple(float(w) for w in fit.coef_[0]),
        bias=float(fit.intercept_[0]),
        context=(1.0, 0.0, 0.0),
        context_bias=0.0,
        wide=WIDE,
        threshold=THRESHOLDS[kind],
    )


def _context_rows(stage: Stage, lines: Lines) -> list[list[float]]:
    logits = stage.logits(lines.signals)
    return [
        [z, near, far] for z, (near, far) in zip(logits, context_means(logits, WIDE), strict=True)
    ]


def fit(kind: str, pages: Sequence[Lines]) -> Stage:
    """Both stages on ``pages``; the context stage learns from out-of-fold first-stage logits."""
    inner = folds([lines.key for lines in pages])
    context: list[list[float]] = []
    junk: list[int] = []
    for held in inner:
        stage = _first_stage(kind, [lines for lines in pages if lines.key not in held])
        for lines in pages:
            if lines.key in held:
                context += _context_rows(stage, lines)
                junk += lines.junk
    top = _logistic(context, junk)
    first = _first_stage(kind, pages)
    a, b, c = (float(w) for w in top.coef_[0])
    return Stage(
        first.features,
        first.mean,
        first.scale,
        first.weights,
        first.bias,
        (a, b, c),
        float(top.intercept_[0]),
        WIDE,
        THRESHOLDS[kind],
    )


def folds(keys: Sequence[str], count: int = FOLDS) -> list[set[str]]:
    """``keys`` (pages) in ``count`` seeded folds."""
    order = sorted(keys)
    random.Random(SEED).shuffle(order)
    return [set(order[i::count]) for i in range(count)]


def model_data(stages: dict[str, Stage]) -> dict[str, Any]:
    """The JSON the product loads (:func:`service.junk_model.load_model`)."""
    return {
        "about": "fitted by bench/junk_model.py on the article-extraction benchmark; do not edit",
        "stages": {
            kind: {
                "features": list(stage.features),
                "mean": [round(x, 6) for x in stage.mean],
                "scale": [round(x, 6) for x in stage.scale],
                "weights": [round(x, 6) for x in stage.weights],
                "bias": round(stage.bias, 6),
                "context": [round(x, 6) for x in stage.context],
                "context_bias": round(stage.context_bias, 6),
                "wide": stage.wide,
                "threshold": stage.threshold,
            }
            for kind, stage in stages.items()
        },
    }


# ---------------------------------------------------------------------------------------------
# Held-out figures


@dataclass(frozen=True)
class LineScore:
    precision: float  # of the lines kept, the share that is content
    recall: float  # of the content lines, the share kept
    junk_removed: float  # of the junk lines, the share removed


def line_score(model: JunkModel, kind: str, pages: Sequence[Lines]) -> LineScore:
    kept_content = kept = content = junk = junk_removed = 0
    for lines in pages:
        for scored, y in zip(model.score(lines.signals, kind), lines.junk, strict=True):
            removed = scored.removed
            content += 1 - y
            junk += y
            kept += not removed
            kept_content += (not removed) and not y
            junk_removed += removed and y
    return LineScore(
        kept_content / kept if kept else 0.0,
        kept_content / content if content else 0.0,
        junk_removed / junk if junk else 0.0,
    )


def _figures(scores: tuple[float, float, float]) -> str:
    return " / ".join(f"{x:.3f}" for x in scores)


def benchmark(
    metric: ModuleType, pages: Sequence[Page], predictions: dict[str, str]
) -> tuple[float, float, float]:
    scores = [
        metric.string_shingle_matching(true=page.truth, pred=predictions.get(page.key, ""))
        for page in pages
    ]
    result = metric.metrics_from_tp_fp_fns(scores)
    return result["f1"], result["precision"], result["recall"]


_BASELINE = """
import json, sys
sys.path.insert(0, ".")
from service.clean import clean_text
pages = json.load(open(sys.argv[1], encoding="utf-8"))
out = {k: {kind: clean_text(raw).text for kind, raw in v.items()} for k, v in pages.items()}
json.dump(out, open(sys.argv[2], "w", encoding="utf-8"))
"""


def baseline(tree: Path, measured: dict[str, dict[str, Lines]]) -> dict[str, dict[str, str]]:
    """The cleaner of the checkout ``tree`` run on every page's inputs, in its own process."""
    with tempfile.TemporaryDirectory() as folder:
        given, taken = Path(folder) / "in.json", Path(folder) / "out.json"
        inputs = {
            key: {kind: lines.raw for kind, lines in kinds.items()}
            for key, kinds in measured.items()
        }
        given.write_text(json.dumps(inputs), encoding="utf-8")
        subprocess.run(
            [sys.executable, "-c", _BASELINE, str(given), str(taken)], cwd=tree, check=True
        )
        result: dict[str, dict[str, str]] = json.loads(taken.read_text("utf-8"))
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the benchmark folder")
    parser.add_argument(
        "--baseline-tree", type=Path, help="a checkout whose cleaner to score beside the classifier"
    )
    parser.add_argument("--no-write", action="store_true", help="do not write the model file")
    args = parser.parse_args(argv)
    metric = load_metric(args.data)
    pages = load_pages(args.data)
    log(f"{len(pages)} pages: measuring lines")
    measured = {page.key: measure(page) for page in pages}
    old = baseline(args.baseline_tree, measured) if args.baseline_tree else {}
    header = (
        "| fold | pages | kind | lines | content kept: P | R | junk removed"
        " | benchmark F1 / P / R: classifier | old rules |"
    )
    table = [header, "|---|---|---|---|---|---|---|---|---|"]
    for n, held in enumerate(folds([page.key for page in pages]), start=1):
        train = [key for key in measured if key not in held]
        stages = {kind: fit(kind, [measured[k][kind] for k in train]) for kind in FEATURES}
        model = load_model(model_data(stages))
        fold_pages = [page for page in pages if page.key in held]
        for kind in FEATURES:
            held_lines = [measured[k][kind] for k in sorted(held)]
            score = line_score(model, kind, held_lines)
            new = {
                page.key: clean_text(measured[page.key][kind].raw, model=model).text
                for page in fold_pages
            }
            ours = benchmark(metric, fold_pages, new)
            theirs = (
                _figures(benchmark(metric, fold_pages, {k: v[kind] for k, v in old.items()}))
                if old
                else "–"
            )
            table.append(
                f"| {n} | {len(held)} | {kind} | {sum(len(x.junk) for x in held_lines)} "
                f"| {score.precision:.3f} | {score.recall:.3f} | {score.junk_removed:.3f} "
                f"| {_figures(ours)} | {theirs} |"
            )
            log(f"fold {n} {kind}: {_figures(ours)}")
    print("\n".join(table))
    if not args.no_write:
        stages = {kind: fit(kind, [measured[k][kind] for k in measured]) for kind in FEATURES}
        MODEL_FILE.parent.mkdir(parents=True, exist_ok=True)
        MODEL_FILE.write_text(json.dumps(model_data(stages), indent=1) + "\n", encoding="utf-8")
        log(f"wrote {MODEL_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
