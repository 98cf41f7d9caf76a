"""Read articles from files (.txt, .md, .html, .json, or folders of them) and page text."""

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from service.articles import parse_article
from service.errors import InvalidBundle
from service.html_page import page_metadata
from service.types import Article

ARTICLE_SUFFIXES = (".txt", ".md", ".html", ".htm", ".json")
HEADLINE_MAX_WORDS = 25


def html_fields(raw: str, name: str, url: str | None = None) -> dict[str, Any]:
    """An HTML page's article fields from its metadata; `name` stands in for title and outlet.

    The metadata is trafilatura's (:func:`service.html_page.page_metadata`): the title from
    og:title, the headline or <title>, the outlet from og:site_name and the like, the canonical
    URL, and the published date (with its time of day when the page gives one).
    """
    meta = page_metadata(raw, url)
    return {
        "title": meta.title or name,
        "source": meta.site_name or name,
        "url": meta.url or url,
        "published_at": meta.published or None,
        "text": raw,
    }


def _looks_like_headline(line: str) -> bool:
    """Headlines are short and rarely end in a full stop; a first paragraph is neither."""
    words = line.split()
    return 0 < len(words) <= HEADLINE_MAX_WORDS and not line.rstrip().endswith(".")


def text_fields(raw: str, name: str) -> dict[str, Any]:
    """First line = headline; a text that starts with a paragraph keeps it as text."""
    lines = raw.strip().splitlines()
    first = re.sub(r"^#+\s*", "", lines[0]).strip() if lines else ""
    if _looks_like_headline(first):
        return {"title": first, "source": name, "text": "\n".join(lines[1:])}
    words = first.split()
    title = " ".join(words[:12]) + ("…" if len(words) > 12 else "")
    return {"title": title or name, "source": name, "text": raw.strip()}


_SHAPES = 'an article object, a list of them, or {"articles": [...]}'


def _from_json(path: Path, raw: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as error:
        raise InvalidBundle(f"{path} is not valid JSON: {error}") from error
    except RecursionError as error:
        raise InvalidBundle(f"{path}: the JSON is nested too deeply; expected {_SHAPES}") from error
    if isinstance(data, dict) and "articles" in data:
        data = data["articles"]
        if not isinstance(data, list):
            raise InvalidBundle(f'{path}: "articles" must be a list of article objects')
    items = data if isinstance(data, list) else [data]
    if not items:
        raise InvalidBundle(f"{path} holds no articles; expected {_SHAPES}")
    if not all(isinstance(item, dict) for item in items):
        raise InvalidBundle(f"{path}: expected {_SHAPES}")
    return items


def _files(paths: Iterable[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.iterdir() if p.suffix.lower() in ARTICLE_SUFFIXES)
        elif path.is_file():
            found.append(path)
        else:
            raise InvalidBundle(f"{path} does not exist")
    if not found:
        raise InvalidBundle(f"no article files ({', '.join(ARTICLE_SUFFIXES)}) found")
    return found


def load_articles(paths: Iterable[Path]) -> list[Article]:
    """Every article in the given files and folders, validated, in path order."""
    articles: list[Article] = []
    for path in _files(paths):
        try:
            raw = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as error:
            raise InvalidBundle(f"{path} is not UTF-8 text; re-save it as UTF-8") from error
        except OSError as error:
            raise InvalidBundle(f"{path} cannot be read ({error.strerror or error})") from error
        suffix = path.suffix.lower()
        if suffix == ".json":
            items = _from_json(path, raw)
        elif suffix in (".html", ".htm"):
            items = [html_fields(raw, path.name)]
        else:
            items = [text_fields(raw, path.name)]
        articles += [parse_article(item, str(path)) for item in items]
    return articles
