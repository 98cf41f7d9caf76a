"""Article extraction benchmark: fusebrief's extraction side by side with other extractors.

    python bench/extraction.py                         # ../shared/benchmarks/article-extraction
    python bench/extraction.py --data DIR              # another copy of the benchmark
    python bench/extraction.py --only fusebrief trafilatura
    python bench/extraction.py --dump /tmp/preds       # predictions, one JSON file per extractor

The data is the article-extraction benchmark (181 real pages under ``html/*.html.gz`` with
``ground-truth.json``; MIT). Scoring is the benchmark's own: its ``evaluate.py`` is imported
from ``--data`` and every page is scored with its ``string_shingle_matching`` (4-gram shingles
of ``\\w+`` tokens, per-page counts normalised) and averaged with ``metrics_from_tp_fp_fns``
(per-page precision over pages that predicted something, recall over pages with a body).

Every extractor gets the page's raw HTML (and its URL); the ones that are not installed are
listed as skipped. fusebrief's row is :func:`service.clean.clean_text`'s text: the body the model
reads (the headline is a separate field and is not part of the benchmark's body). The
table (markdown) goes to stdout, progress to stderr.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "benchmarks" / "article-extraction"

Extractor = Callable[[str, str], str]  # (html, url) -> article body


def log(message: str) -> None:
    print(f"[extraction] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# Extractors: each returns the article body as plain text, "" when it finds none


def _fusebrief(html: str, url: str) -> str:
    from service.clean import clean_text

    return clean_text(html).text  # as the pipeline calls it: the article text alone


def _fusebrief_fallback(html: str, url: str) -> str:
    from service.clean import clean_extraction
    from service.html_page import Extraction, page_blocks, page_metadata

    blocks = tuple(page_blocks(html))
    return clean_extraction(Extraction(page_metadata(html), blocks, "page blocks")).text


def _trafilatura(**options: Any) -> Extractor:
    def run(html: str, url: str) -> str:
        import trafilatura

        return trafilatura.extract(html, url=url, **options) or ""

    return run


def _readability(html: str, url: str) -> str:
    import lxml.html
    from readability import Document

    summary = Document(html, url=url).summary(html_partial=True)
    return str(lxml.html.fromstring(summary).text_content()) if summary.strip() else ""


def _justext(html: str, url: str) -> str:
    import justext

    paragraphs = justext.justext(html.encode("utf-8"), justext.get_stoplist("English"))
    return "\n\n".join(p.text for p in paragraphs if not p.is_boilerplate)


def _goose3(html: str, url: str) -> str:
    from goose3 import Goose

    with Goose() as goose:
        return str(goose.extract(raw_html=html).cleaned_text or "")


def _resiliparse(html: str, url: str) -> str:
    from resiliparse.extract.html2text import extract_plain_text

    return str(extract_plain_text(html, main_content=True))


def _boilerpy3(html: str, url: str) -> str:
    from boilerpy3 import extractors

    return str(extractors.ArticleExtractor(raise_on_failure=False).get_content(html))


def _html_text(html: str, url: str) -> str:
    import html_text

    return str(html_text.extract_text(html))


EXTRACTORS: dict[str, Extractor] = {
    "fusebrief": _fusebrief,
    "fusebrief fallback alone (no trafilatura)": _fusebrief_fallback,
    "trafilatura (defaults)": _trafilatura(),
    "trafilatura favor_precision, no tables (old)": _trafilatura(
        favor_precision=True, include_tables=False, include_comments=False
    ),
    "trafilatura favor_recall": _trafilatura(favor_recall=True),
    "trafilatura no comments": _trafilatura(include_comments=False),
    "readability-lxml": _readability,
    "jusText": _justext,
    "goose3": _goose3,
    "resiliparse main_content": _resiliparse,
    "boilerpy3 ArticleExtractor": _boilerpy3,
    "html-text (whole page)": _html_text,
}
#: The rows a run without --only prints (the slow or weak extractors only on request).
DEFAULT_ROWS = (
    "fusebrief",
    "fusebrief fallback alone (no trafilatura)",
    "trafilatura (defaults)",
    "trafilatura favor_precision, no tables (old)",
    "trafilatura favor_recall",
    "readability-lxml",
    "jusText",
    "resiliparse main_content",
)


# ---------------------------------------------------------------------------------------------
# Data and scoring


def load_metric(data: Path) -> ModuleType:
    """The benchmark's own evaluate.py, imported from the data folder."""
    path = data / "evaluate.py"
    spec = importlib.util.spec_from_file_location("article_extraction_evaluate", path)
    if spec is None or spec.loader is None or not path.exists():
        raise SystemExit(f"{path}: the benchmark's evaluate.py is missing")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class Page:
    key: str
    url: str
    html: str
    truth: str


def load_pages(data: Path) -> list[Page]:
    truth: dict[str, dict[str, str]] = json.loads(
        (data / "ground-truth.json").read_text(encoding="utf-8")
    )
    pages = []
    for key, item in sorted(truth.items()):
        raw = gzip.decompress((data / "html" / f"{key}.html.gz").read_bytes())
        pages.append(
            Page(key, item.get("url", ""), raw.decode("utf-8", "replace"), item["articleBody"])
        )
    return pages


@dataclass(frozen=True)
class Row:
    name: str
    precision: float
    recall: float
    f1: float
    seconds: float
    failures: int


def run_extractor(
    name: str, extractor: Extractor, pages: list[Page], metric: ModuleType
) -> tuple[Row, dict[str, str]]:
    predictions: dict[str, str] = {}
    failures = 0
    start = time.perf_counter()
    for page in pages:
        try:
            predictions[page.key] = extractor(page.html, page.url)
        except ImportError:
            raise
        except Exception as error:  # a failing page scores as an empty prediction
            failures += 1
            log(f"{name}: {page.key[:12]}: {type(error).__name__}: {error}")
            predictions[page.key] = ""
    seconds = time.perf_counter() - start
    scores = [
        metric.string_shingle_matching(true=page.truth, pred=predictions[page.key])
        for page in pages
    ]
    result = metric.metrics_from_tp_fp_fns(scores)
    row = Row(name, result["precision"], result["recall"], result["f1"], seconds, failures)
    return row, predictions


def table(rows: list[Row], pages: int) -> str:
    lines = [
        f"| extractor ({pages} pages) | precision | recall | F1 | seconds |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        failed = f" ({row.failures} failed)" if row.failures else ""
        lines.append(
            f"| {row.name}{failed} | {row.precision:.3f} | {row.recall:.3f} | {row.f1:.3f} "
            f"| {row.seconds:.1f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the benchmark folder")
    parser.add_argument(
        "--only", nargs="+", metavar="NAME", help=f"extractors to run: {', '.join(EXTRACTORS)}"
    )
    parser.add_argument("--all", action="store_true", help="run every extractor")
    parser.add_argument("--dump", type=Path, help="write each extractor's predictions here")
    args = parser.parse_args(argv)

    names = list(EXTRACTORS) if args.all else (args.only or list(DEFAULT_ROWS))
    unknown = [name for name in names if name not in EXTRACTORS]
    if unknown:
        parser.error(f"unknown extractor(s) {unknown}; choose from {list(EXTRACTORS)}")
    metric = load_metric(args.data)
    pages = load_pages(args.data)
    log(f"{len(pages)} pages from {args.data}")
    rows: list[Row] = []
    for name in names:
        log(f"running {name}")
        try:
            row, predictions = run_extractor(name, EXTRACTORS[name], pages, metric)
        except ImportError as error:
            log(f"{name}: skipped, not installed ({error.name})")
            continue
        rows.append(row)
        log(f"{name}: P {row.precision:.3f} R {row.recall:.3f} F1 {row.f1:.3f}")
        if args.dump:
            args.dump.mkdir(parents=True, exist_ok=True)
            out = {key: {"articleBody": text} for key, text in predictions.items()}
            slug = "".join(c if c.isalnum() else "_" for c in name).strip("_")
            (args.dump / f"{slug}.json").write_text(json.dumps(out, ensure_ascii=False, indent=1))
    print(table(rows, len(pages)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
