"""What the model reads: each article's text after cleaning, and why every other line went.

`fusebrief extract PATH|URL…` prints it (:func:`extract_targets`, :func:`render_text`,
:func:`render_json`). The articles are read as `fusebrief brief` reads them (files and folders
through :mod:`service.loaders`, URLs through :func:`service.fetch.fetch_article`), and cleaned as
the pipeline cleans a bundle (:func:`service.clean.remove_shared_lines`, so lines shared across
the given articles go too).

It applies the same size limits as a brief (service.limits).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from service import line_forms
from service.clean import (
    CLASSIFIER_RULE,
    LABELLED_TEASER_RULE,
    LINK_LIST_RULE,
    OWN_OUTLET_RULE,
    RULES,
    SHARED_LINE_RULE,
    STRUCTURE,
    CleanedText,
    Removal,
    looks_like_html,
    normalise_quotes,
    remove_shared_lines,
)
from service.config import Settings
from service.fetch import FetchLimits, fetch_article, http_client
from service.html_page import page_blocks
from service.identify import detect_language
from service.limits import check_raw_size, check_text_size
from service.loaders import ARTICLE_SUFFIXES, load_articles
from service.types import Article

__all__ = [
    "Extracted",
    "extract_articles",
    "extract_targets",
    "reason",
    "render_json",
    "render_text",
]


# --------------------------------------------------------------------------------------------
# Limits
# --------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------
# Extraction
# --------------------------------------------------------------------------------------------

_REASONS: dict[str, str] = {
    **{rule.name: rule.reason for rule in RULES},
    **STRUCTURE,
    **line_forms.REASONS,
    SHARED_LINE_RULE: "a short line that other articles of the bundle also have is site furniture",
    OWN_OUTLET_RULE: "a short line naming the article's own outlet is its masthead or promotion",
    LINK_LIST_RULE: "in plain text, a run of short capitalised lines without sentence punctuation,"
    " colons or table cells is a list of links to other articles",
    LABELLED_TEASER_RULE: "the lines right after a teaser label alone on its line ('You may also"
    " like'), up to a sentence, are the headlines it links to",
    CLASSIFIER_RULE: "the junk classifier scored the line as page furniture on its signals"
    " (service/junk_model.py); the signals that weighed most are listed with it",
}


def reason(rule: str) -> str:
    """Why the rule or signal named ``rule`` removes a line."""
    return _REASONS.get(rule, rule)


@dataclass(frozen=True)
class Input:
    """One article to extract, and where it came from (a file path or a URL)."""

    where: str
    is_url: bool
    article: Article


@dataclass(frozen=True)
class Extracted:
    """One article as the model sees it: its title, its cleaned text and its language."""

    where: str
    is_url: bool
    title: str
    text: str
    language: str
    removals: tuple[Removal, ...]
    published: datetime | None = None  # the article's date, or its page's date line's


def _is_url(target: str) -> bool:
    return target.lower().startswith(("http://", "https://"))


def _files(target: Path) -> list[Path]:
    if target.is_dir():
        return sorted(p for p in target.iterdir() if p.suffix.lower() in ARTICLE_SUFFIXES)
    return [target]


async def load_inputs(targets: Sequence[str], settings: Settings) -> list[Input]:
    """The articles in files, folders and at URLs, in the order given.

    URLs are fetched with the fetch settings; as on the operator's own command line, private
    and loopback addresses are allowed.
    """
    inputs: list[Input] = []
    limits = FetchLimits.from_settings(settings)
    async with http_client(settings, allow_private=True) as client:
        for target in targets:
            if _is_url(target):
                inputs.append(Input(target, True, await fetch_article(target, client, limits)))
                continue
            files = _files(Path(target))
            if not files:
                load_articles([Path(target)])  # says why: no article files in the folder
            for path in files:
                inputs += [Input(str(path), False, article) for article in load_articles([path])]
    return inputs


def _outside_article(raw: str, cleaned: CleanedText) -> tuple[Removal, ...]:
    """The page's lines that neither the text nor the removals hold: the extractor left them."""
    known = {line for line in cleaned.text.split("\n") if line}
    known |= {removal.line for removal in cleaned.removals}
    out: list[Removal] = []
    for block in page_blocks(raw, furniture=True):
        for line in normalise_quotes(block.text).split("\n"):
            if line and line not in known:
                known.add(line)
                out.append(Removal(line, "outside_article"))
    return tuple(out)


def extract_articles(
    inputs: Sequence[Input], settings: Settings, *, explain: bool = False
) -> list[Extracted]:
    """Clean the articles as one bundle, within the size limits; ``explain`` also lists the
    page text the HTML extractor left out."""
    for item in inputs:
        check_raw_size(item.article.text, settings.max_html_bytes, item.where)
    cleaned = remove_shared_lines(
        [item.article.text for item in inputs],
        [item.article.source for item in inputs],
        [item.article.language for item in inputs],
        [item.article.title for item in inputs],
    )
    results: list[Extracted] = []
    for item, result in zip(inputs, cleaned, strict=True):
        check_text_size(result.text, settings.max_article_chars, item.where)
        removals = result.removals
        if explain and looks_like_html(item.article.text):
            removals += _outside_article(item.article.text, result)
        results.append(
            Extracted(
                where=item.where,
                is_url=item.is_url,
                title=item.article.title,
                text=result.text,
                language=(item.article.language or detect_language(result.text)).lower(),
                removals=removals,
                published=item.article.published_at or result.dated,
            )
        )
    return results


async def extract_targets(
    targets: Sequence[str], settings: Settings, *, explain: bool = False
) -> list[Extracted]:
    """:func:`extract_articles` of the files, folders and URLs in ``targets``."""
    return extract_articles(await load_inputs(targets, settings), settings, explain=explain)


# --------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------


def render_json(item: Extracted, explain: bool = False) -> str:
    """One JSON line: {"path" or "url", "title", "text", "language"} (+ "removed")."""
    data: dict[str, object] = {
        "url" if item.is_url else "path": item.where,
        "title": item.title,
        "text": item.text,
        "language": item.language,
        "published_at": item.published.isoformat() if item.published else None,
    }
    if explain:
        data["removed"] = [
            {"line": r.line, "rule": r.rule, "reason": reason(r.rule), "signals": r.detail}
            for r in item.removals
        ]
    return json.dumps(data, ensure_ascii=False)


def render_text(item: Extracted, explain: bool = False) -> str:
    """The article for a person: where it came from, its title, language and text."""
    lines = [f"==> {item.where} <==", f"title: {item.title}", f"language: {item.language}"]
    if item.published is not None:
        lines.append(f"published: {item.published.isoformat()}")
    lines.append("")
    lines.append(item.text or "(no text left after cleaning)")
    if explain:
        lines += ["", f"--- removed ({len(item.removals)} lines)"]
        lines += [
            f"[{r.rule}] {r.line}" + (f"  ({r.detail})" if r.detail else "") for r in item.removals
        ]
        used = dict.fromkeys(r.rule for r in item.removals)
        if used:
            lines += ["", "--- rules"]
            lines += [f"{rule}: {reason(rule)}" for rule in used]
    return "\n".join(lines) + "\n"
