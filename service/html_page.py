"""One HTML page: what it says about itself, and its article as blocks with their structure.

Everything fusebrief reads from HTML comes from here. :func:`page_metadata` is the one metadata
path (trafilatura's: title, outlet, canonical URL, published date, description, language);
:func:`article_blocks` gives the article's paragraphs, headings, list items, table rows and
quotes in reading order, each with how much of its text is link text, for
:mod:`service.clean` to judge.

The article is trafilatura's extraction (tables and lists kept, comments left out). Where
trafilatura stops early (an article split by an advertisement slot, a "continue reading"
container), readability's extraction of the same page supplies the missing paragraphs: only when
readability found the same article (it contains most of trafilatura's prose), only prose
paragraphs (long, low link share, ending a sentence), and only after a paragraph trafilatura
kept, never before the article's first one (that slot holds teasers and picture captions). When
trafilatura finds nothing, the page's own blocks outside navigation, header, footer, sidebars and
forms stand in.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

import lxml.html
import trafilatura
from lxml import etree

__all__ = [
    "Block",
    "Extraction",
    "PageMeta",
    "article_blocks",
    "page_blocks",
    "page_metadata",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PageMeta:
    """What a page says about itself; "" where it says nothing."""

    title: str = ""
    site_name: str = ""
    url: str = ""
    published: str = ""  # ISO 8601: a date, or a date and time when the page gives one
    description: str = ""
    language: str = ""


@dataclass(frozen=True)
class Block:
    """One block of an article: a paragraph, heading, list item, table row or quote."""

    kind: str  # "p", "head", "item", "row", "quote", "code"
    text: str  # the block's lines ("\n" only where the page has a <br>)
    link_chars: int = 0  # non-space characters inside links
    longest_link_words: int = 0  # words of the longest single link
    lead_link_words: int = 0  # words of the link the block opens with (0: it opens with text)
    rescued: bool = False  # supplied by readability where trafilatura stopped early

    @property
    def words(self) -> int:
        return len(self.text.split())

    @property
    def link_share(self) -> float:
        """Share of the block's non-space characters that are link text."""
        chars = len("".join(self.text.split()))
        return min(1.0, self.link_chars / chars) if chars else 0.0


@dataclass(frozen=True)
class Extraction:
    """A page's metadata and article blocks; ``method`` says which extractor found them."""

    meta: PageMeta
    blocks: tuple[Block, ...]
    method: str  # "trafilatura", "trafilatura+readability", "page blocks" or "none"


# --------------------------------------------------------------------------------------------
# Metadata
# --------------------------------------------------------------------------------------------

# htmldate keeps the time of day when the page gives one ("%z" is empty for a bare date).
_DATE_PARAMS = {
    "outputformat": "%Y-%m-%dT%H:%M:%S%z",
    "original_date": True,
    "extensive_search": False,  # no guessing from a copyright year or a date in the text
}
_MIDNIGHT = re.compile(r"T00:00:00$")


def _clean(value: Any) -> str:
    return " ".join(str(value).split()) if value else ""


def _meta(document: Any, url: str | None) -> PageMeta:
    published = _MIDNIGHT.sub("", _clean(getattr(document, "date", "")))  # a date alone
    if re.search(r"[+-]\d{4}$", published):
        published = f"{published[:-2]}:{published[-2:]}"  # +0000 -> +00:00 (ISO 8601)
    return PageMeta(
        title=_clean(getattr(document, "title", "")),
        site_name=_clean(getattr(document, "sitename", "")),
        url=_clean(getattr(document, "url", "")) or (url or ""),
        published=published,
        description=_clean(getattr(document, "description", "")),
        language=_clean(getattr(document, "language", "")),
    )


def page_metadata(raw: str, url: str | None = None) -> PageMeta:
    """Title, outlet, canonical URL, published date, description and language of a page."""
    try:
        document = trafilatura.extract_metadata(raw, default_url=url, date_config=_DATE_PARAMS)
    except (ValueError, TypeError, etree.LxmlError) as error:
        log.debug("no metadata: %s", error)
        return PageMeta(url=url or "")
    return _meta(document, url)


# --------------------------------------------------------------------------------------------
# Blocks from a tree (trafilatura's XML body, or HTML)
# --------------------------------------------------------------------------------------------

_TAG = {
    "a": "ref",
    "br": "lb",
    "li": "item",
    "dt": "item",
    "dd": "item",
    "ul": "list",
    "ol": "list",
    "dl": "list",
    "tr": "row",
    "td": "cell",
    "th": "cell",
    "blockquote": "quote",
    "pre": "code",
    **dict.fromkeys(("h1", "h2", "h3", "h4", "h5", "h6"), "head"),
    **dict.fromkeys(("tbody", "thead", "tfoot", "section", "article", "main", "figure"), "div"),
    **dict.fromkeys(("center", "details", "summary", "hgroup", "address"), "div"),
    **dict.fromkeys(("figcaption", "caption"), "p"),
}
_CONTAINERS = frozenset({"list", "table", "div", "body", "quote", "cell"})
_BLOCK_TAGS = _CONTAINERS | {"p", "head", "item", "row", "code"}
_NESTED_BLOCKS = frozenset({"list", "table"})  # walked on their own when inside a block
_SKIP_TAGS = frozenset(
    {"graphic", "img", "script", "style", "noscript", "template", "svg", "iframe", "object"}
    | {"title", "meta", "link", "button", "select", "option", "textarea", "input"}
)
_SPACES = re.compile(r"\s+")


def _tag(element: Any) -> str:
    tag = element.tag if isinstance(element.tag, str) else ""
    tag = tag.rsplit("}", 1)[-1].lower()
    return _TAG.get(tag, tag)  # "head" is trafilatura's heading (blocks start at <body>)


def _tag_name(element: Any) -> str:
    return element.tag.lower() if isinstance(element.tag, str) else ""


def _has_blocks(element: Any) -> bool:
    return any(_tag(child) in _BLOCK_TAGS for child in element.iterdescendants())


class _Inline:
    """Collects an inline run's text, noting which characters are link text."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.link_chars = 0
        self.longest_link_words = 0
        self.lead_link_words = 0
        self._started = False  # has any text been seen

    def add(self, text: str | None, in_link: bool) -> None:
        if not text:
            return
        self._started = self._started or bool(text.strip())
        self.parts.append(_SPACES.sub(" ", text))  # source line breaks are spaces
        if in_link:
            self.link_chars += len("".join(text.split()))

    def walk(self, element: Any, in_link: bool = False) -> None:
        tag = _tag(element)
        if tag in _SKIP_TAGS:
            self.add(element.tail, in_link)
            return
        if tag == "lb":
            self.parts.append("\n")
        elif tag == "ref" and not in_link:
            words = len(" ".join(element.itertext()).split())
            self.longest_link_words = max(self.longest_link_words, words)
            if not self._started:
                self.lead_link_words = words
        linked = in_link or tag == "ref"
        self.add(element.text, linked)
        for child in element:
            if _tag(child) not in _NESTED_BLOCKS:
                self.walk(child, linked)
        self.add(element.tail, in_link)

    def has_text(self) -> bool:
        return bool("".join(self.parts).strip())

    def block(self, kind: str) -> Block | None:
        lines = (line.strip() for line in "".join(self.parts).split("\n"))
        text = "\n".join(line for line in lines if line)
        if not text:
            return None
        return Block(kind, text, self.link_chars, self.longest_link_words, self.lead_link_words)


def _inline_block(kind: str, element: Any) -> Block | None:
    inline = _Inline()
    linked = _tag(element) == "ref"
    inline.add(element.text, linked)
    for child in element:
        if _tag(child) not in _NESTED_BLOCKS:
            inline.walk(child, linked)
    return inline.block(kind)


def _row_block(row: Any) -> Block | None:
    """A table row as one line, its cells joined by " | "."""
    cells: list[str] = []
    link_chars = longest = lead = 0
    for cell in row:
        parts = _blocks(cell) if _has_blocks(cell) else [_inline_block("p", cell)]
        found = [part for part in parts if part is not None]
        text = " ".join(part.text.replace("\n", " ") for part in found)
        if text:
            if not cells and found:
                lead = found[0].lead_link_words
            cells.append(text)
            link_chars += sum(part.link_chars for part in found)
            longest = max([longest, *(part.longest_link_words for part in found)])
    if not cells:
        return None
    return Block("row", " | ".join(cells), link_chars, longest, lead)


def _blocks(element: Any) -> list[Block]:
    """The blocks under ``element`` in reading order."""
    tag = _tag(element)
    if tag in _SKIP_TAGS:
        return []
    if tag == "row":
        row = _row_block(element)
        return [row] if row else []
    out: list[Block] = []
    if tag not in ("p", "head", "item", "code") and _has_blocks(element):
        loose = _Inline()  # text between block children: a paragraph of its own
        loose.add(element.text, tag == "ref")
        for child in element:
            if _tag(child) in _BLOCK_TAGS:
                if loose.has_text() and (block := loose.block("p")):
                    out.append(block)
                loose = _Inline()
                out += _blocks(child)
                loose.add(child.tail, False)
            else:
                loose.walk(child)
        if loose.has_text() and (block := loose.block("p")):
            out.append(block)
        return out
    kind = tag if tag in ("p", "head", "item", "quote", "code") else "p"
    if (block := _inline_block(kind, element)) is not None:
        out.append(block)
    for child in element.iter():  # a list nested in a list item, a table in a paragraph
        if child is not element and _tag(child) in _NESTED_BLOCKS:
            parent = child.getparent()
            while (
                parent is not None
                and parent is not element
                and _tag(parent) not in (_NESTED_BLOCKS)
            ):
                parent = parent.getparent()
            if parent is element:
                out += _blocks(child)
    return out


_FRAGMENT_END = re.compile(r"[.!?…:;\"”’»)\]]$")
_CONTINUES = re.compile(r"^[a-z,.;:)\]]")


def _join_fragments(blocks: list[Block]) -> list[Block]:
    """Re-join a paragraph that an inline link split (its rest starts lower-case or with ',')."""
    out: list[Block] = []
    for block in blocks:
        last = out[-1] if out else None
        if (
            last is not None
            and last.kind == block.kind == "p"
            and not _FRAGMENT_END.search(last.text)
            and _CONTINUES.search(block.text)
        ):
            sep = "" if block.text[0] in ",.;:)]" else " "
            out[-1] = Block(
                "p",
                f"{last.text}{sep}{block.text}",
                last.link_chars + block.link_chars,
                max(last.longest_link_words, block.longest_link_words),
                last.lead_link_words,
                last.rescued or block.rescued,
            )
        else:
            out.append(block)
    return out


# --------------------------------------------------------------------------------------------
# Readability's rescue
# --------------------------------------------------------------------------------------------

#: A rescued paragraph has at least this many words, ends a sentence, and is mostly not links.
RESCUE_MIN_WORDS = 20
RESCUE_MAX_LINK_SHARE = 0.3
#: Readability must contain this share of trafilatura's prose words to count as the same article.
RESCUE_MIN_AGREEMENT = 0.9
#: A readability paragraph is new when at most this share of its word trigrams is already kept.
RESCUE_MAX_OVERLAP = 0.2
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*$")
_WORD = re.compile(r"\w+")


def _key(text: str) -> str:
    return " ".join(_WORD.findall(text.casefold()))


def _is_prose(block: Block, min_words: int = RESCUE_MIN_WORDS) -> bool:
    return (
        block.words >= min_words
        and _SENTENCE_END.search(block.text) is not None
        and block.link_share <= RESCUE_MAX_LINK_SHARE
    )


def _trigrams(words: list[str]) -> list[str]:
    return [" ".join(words[i : i + 3]) for i in range(max(1, len(words) - 2))]


def _readability_blocks(raw: str, url: str | None) -> list[Block]:
    try:
        from readability import Document

        summary = Document(raw, url=url).summary(html_partial=True)
        if not summary.strip():
            return []
        return _blocks(lxml.html.fromstring(summary))
    except Exception as error:  # readability raises bare Exceptions on odd pages
        log.debug("readability failed: %s", error)
        return []


def _rescue(kept: list[Block], other: list[Block]) -> list[Block]:
    """``kept`` with the prose paragraphs of ``other`` it lacks, in ``other``'s order."""
    prose = [block for block in kept if _is_prose(block, 1)]
    if not prose or not other:
        return kept
    kept_keys = [_key(block.text) for block in kept]
    other_keys = [_key(block.text) for block in other]
    other_text = " ".join(other_keys)
    agreeing = sum(block.words for block in prose if _key(block.text) in other_text)
    if agreeing < RESCUE_MIN_AGREEMENT * sum(block.words for block in prose):
        return kept  # readability found another part of the page
    kept_grams = set(_trigrams(" ".join(kept_keys).split()))
    position = {key: i for i, key in enumerate(kept_keys)}
    seen = Counter(other_keys)
    after: dict[int, list[Block]] = {}
    last = -1
    for block, key in zip(other, other_keys, strict=True):
        if key in position:
            last = position[key]
            continue
        grams = _trigrams(key.split())
        new = sum(gram in kept_grams for gram in grams) <= RESCUE_MAX_OVERLAP * len(grams)
        # before the article's first kept paragraph sit teasers and standfirsts; a paragraph
        # readability holds twice is a picture caption or a teaser
        if last >= 0 and new and seen[key] == 1 and _is_prose(block):
            after.setdefault(last, []).append(replace(block, rescued=True))
    if not after:
        return kept
    out: list[Block] = []
    for i, block in enumerate(kept):
        out.append(block)
        out += after.get(i, [])
    return out


# --------------------------------------------------------------------------------------------
# When trafilatura finds nothing: the page's blocks outside its furniture
# --------------------------------------------------------------------------------------------

_FURNITURE_TAGS = frozenset({"nav", "header", "footer", "aside", "form", "menu", "dialog"})
# class/id words of site furniture (readability's "unlikely candidates", and the like)
_FURNITURE_ATTR = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|navigation|menu|breadcrumbs?|header|masthead|footer|sidebar"
    r"|widget|share|social|related|recommend\w*|newsletter|subscribe|signup|cookie\w*|consent"
    r"|banner|promo|advert\w*|ads?|sponsor\w*|comments?|disqus|popup|modal|toolbar|pagination"
    r"|pager|skip|login|search|tags|meta|byline-?share)(?:$|[\s_-])",
    re.IGNORECASE,
)


_CONTENT_ATTR = re.compile(r"article|content|main|story|entry|post-?body|text", re.IGNORECASE)


def _is_furniture(element: Any) -> bool:
    if _tag_name(element) in _FURNITURE_TAGS:
        return True
    role = (element.get("role") or "").lower()
    if role in ("navigation", "banner", "contentinfo", "complementary", "search", "dialog"):
        return True
    names = f"{element.get('class') or ''} {element.get('id') or ''}"
    return (
        _tag_name(element) != "body"
        and bool(_FURNITURE_ATTR.search(names))
        and not _CONTENT_ATTR.search(names)  # "sidebar-layout main-content" holds the article
    )


def page_blocks(raw: str, *, furniture: bool = False) -> list[Block]:
    """Every block of the page's <body> outside navigation, header, footer, sidebars and forms
    (with ``furniture``: every block, those too)."""
    try:
        tree = lxml.html.document_fromstring(raw)
    except (ValueError, etree.LxmlError):
        return []
    for element in list(tree.iter()):
        if not isinstance(element.tag, str):  # comments, processing instructions
            if element.getparent() is not None:
                element.drop_tree()
            continue
        if not furniture and _is_furniture(element) and element.getparent() is not None:
            element.drop_tree()
    body = tree.find("body")
    return _join_fragments(_blocks(body if body is not None else tree))


# --------------------------------------------------------------------------------------------
# The article
# --------------------------------------------------------------------------------------------


def article_blocks(raw: str, url: str | None = None) -> Extraction:
    """The page's metadata and its article's blocks (see the module docstring)."""
    document: Any = None
    try:
        document = trafilatura.bare_extraction(
            raw,
            url=url,
            include_comments=False,
            include_tables=True,
            include_links=True,
            with_metadata=True,
            date_extraction_params=_DATE_PARAMS,
        )
    except (ValueError, TypeError, etree.LxmlError) as error:
        log.debug("trafilatura failed: %s", error)
    body = getattr(document, "body", None)
    blocks = _blocks(body) if body is not None else []
    meta = _meta(document, url) if document is not None else page_metadata(raw, url)
    if not blocks:
        fallback = page_blocks(raw)
        return Extraction(meta, tuple(fallback), "page blocks" if fallback else "none")
    rescued = _rescue(blocks, _readability_blocks(raw, url))
    method = "trafilatura+readability" if len(rescued) > len(blocks) else "trafilatura"
    return Extraction(meta, tuple(_join_fragments(rescued)), method)
