"""Junk benchmark: how much page junk the cleaner removes and how much article text it keeps, on
sets written by people who never read the cleaner (bench/junk/<set>.json, see its README).

    python bench/junk.py --set dev          # junk removed and content lost, per language and kind
    python bench/junk.py --set dev --show   # also every junk line kept and every content line lost
    python bench/junk.py                    # the blind set: score it only on finished changes

Each bundle of the set is cleaned as the pipeline cleans a bundle (`remove_shared_lines`, with each
page's outlet and title); a listed line counts as removed when no line of the cleaned text is that
line (whitespace-normalised). ``dev`` is the development set (read its lines while making a change);
``blind`` is the test: score it only when a change to the cleaner is finished, and read its totals.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SET = Path(__file__).resolve().parent / "junk"


@dataclass(frozen=True)
class Verdict:
    """One listed line of one page, and whether the cleaner kept it."""

    page: str
    language: str
    kind: str  # the set's kind of the line ("teaser", "table", …)
    line: str
    junk: bool
    kept: bool


def _norm(line: str) -> str:
    """A line as the cleaner writes it: cells marked, quotes curled, spaces collapsed."""
    from service.clean import as_written

    return " ".join(as_written(line).split())


def score(pages: Sequence[dict[str, Any]], kinds: dict[str, Any]) -> list[Verdict]:
    """Every listed line of every page with the cleaner's decision."""
    from service.clean import remove_shared_lines

    bundles: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for page in pages:
        bundles[page["bundle"]].append(page)
    verdicts: list[Verdict] = []
    for members in bundles.values():
        outlets = [kinds.get(p["id"], {}).get("outlet", "") for p in members]
        cleaned = remove_shared_lines(
            [p["text"] for p in members], outlets, titles=[p["title"] for p in members]
        )
        for page, result in zip(members, cleaned, strict=True):
            kept = {_norm(line) for line in result.text.splitlines()}
            labels = kinds.get(page["id"], {})
            for junk, listed in ((True, page["junk"]), (False, page["content"])):
                for line in listed:
                    kind = labels.get("junk" if junk else "content", {}).get(line, "?")
                    verdict = Verdict(
                        page["id"], page["language"], kind, line, junk, _norm(line) in kept
                    )
                    verdicts.append(verdict)
    return verdicts


def _row(label: str, verdicts: Sequence[Verdict]) -> str:
    junk = [v for v in verdicts if v.junk]
    content = [v for v in verdicts if not v.junk]
    removed = sum(1 for v in junk if not v.kept)
    lost = sum(1 for v in content if not v.kept)
    junk_share = f"{removed / len(junk):.1%} ({removed}/{len(junk)})" if junk else "–"
    lost_share = f"{lost / len(content):.1%} ({lost}/{len(content)})" if content else "–"
    return f"| {label} | {junk_share} | {lost_share} |"


def report(verdicts: Sequence[Verdict]) -> str:
    lines = ["| lines | junk removed | content lost |", "|---|---|---|"]
    lines.append(_row("all", verdicts))
    for language in sorted({v.language for v in verdicts}):
        lines.append(_row(language, [v for v in verdicts if v.language == language]))
    for kind in sorted({v.kind for v in verdicts}):
        lines.append(_row(f"kind: {kind}", [v for v in verdicts if v.kind == kind]))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    summary = (__doc__ or "").split("\n")[0]
    parser = argparse.ArgumentParser(prog="python bench/junk.py", description=summary)
    parser.add_argument("--data", type=Path, default=SET, help="the set's folder (bench/junk)")
    parser.add_argument(
        "--set", choices=("blind", "dev"), default="blind", help="which set (default: blind)"
    )
    parser.add_argument(
        "--show", action="store_true", help="list every junk line kept and content line lost"
    )
    args = parser.parse_args(argv)
    pages = json.loads((args.data / f"{args.set}.json").read_text("utf-8"))
    kinds_file = args.data / f"{args.set}_kinds.json"
    kinds = json.loads(kinds_file.read_text("utf-8")) if kinds_file.is_file() else {}
    verdicts = score(pages, kinds)
    print(report(verdicts))
    if args.show:
        for v in verdicts:
            if v.junk == v.kept:  # junk kept, or content lost
                which = "junk kept   " if v.junk else "content lost"
                print(f"{which} [{v.page}, {v.kind}] {v.line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
