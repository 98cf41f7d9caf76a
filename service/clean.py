"""Article cleaning: turn scraped article text or HTML into boilerplate-free prose for the LLM.

Scraped news text carries site furniture: advertisement markers, "Also read:" teasers, share
bars, newsletter and app pitches, cookie banners, comment forms and "More Stories" link lists.
None of it may reach a prompt, so every article passes through :func:`clean_text` (one article)
or :func:`remove_shared_lines` (a bundle, adding a cross-article signal).

An HTML page's article comes from :mod:`service.html_page` as blocks that know their structure;
the :data:`STRUCTURE` signals remove the page's own title (a separate field), short link teasers
and the teaser cards after the article's last paragraph. Then every line, from HTML or plain
text, meets the line stage:

- the junk classifier (:mod:`service.junk_model`) is the main mechanism: it scores each line on
  language-general signals (:mod:`service.junk_signals`: stop-word density in the page's
  language, length, sentence form, capitals, digits and symbols, repeats, where the line stands
  against the page's prose, its neighbours' scores, link density and block kind for HTML) with
  coefficients fitted on real pages (``bench/junk_model.py``) and shipped as data;
- :data:`RULES` keeps the few phrase rules for what those signals cannot see: instructions
  addressed to an AI model (removed whatever else matches), advertisement slot markers, share
  bars, "Also read:" teaser labels, picture credits, reader pitches, paywall prompts, comment
  forms and cookie banners, each checked on real pages; and KEEP rules that protect lines that
  look like furniture but are not (a one-line quotation, a source or byline, a dateline, a bare
  date).
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import Enum

from service import line_forms
from service.html_page import Block, Extraction, article_blocks
from service.identify import detect_language
from service.junk_model import JunkModel, default_model
from service.junk_signals import (
    LETTER_WORD,
    LIST_MARK,
    SENTENCE_END,
    LineSignals,
    PageLine,
    line_key,
    page_signals,
)
from service.language import every_language_months, every_language_words
from service.textutil import names_outlet
from service.thresholds import thresholds
from service.types import Article

__all__ = [
    "CLASSIFIER_RULE",
    "LABELLED_TEASER_RULE",
    "LINK_LIST_RULE",
    "OWN_OUTLET_RULE",
    "RULES",
    "SHARED_LINE_RULE",
    "STRUCTURE",
    "Action",
    "CleanedText",
    "PageText",
    "Removal",
    "Rule",
    "as_written",
    "clean_extraction",
    "clean_html",
    "clean_text",
    "dated_by_their_pages",
    "html_page_text",
    "looks_like_html",
    "normalise_quotes",
    "plain_page_text",
    "remove_shared_lines",
]

_LIMITS = thresholds("clean")  # service/data/clean_thresholds.json


@dataclass(frozen=True)
class Removal:
    """One removed line and the name of the rule or signal that removed it."""

    line: str
    rule: str
    detail: str = ""  # the signals behind the removal, where a classifier or a count decided


@dataclass(frozen=True)
class CleanedText:
    """One cleaned article: the text and the lines removed from it as boilerplate."""

    text: str
    removed: tuple[str, ...]
    injections: tuple[str, ...] = ()  # removed lines that addressed an AI model (a subset)
    removals: tuple[Removal, ...] = ()  # every removed line with its rule, for explanations
    dated: datetime | None = None  # the date the page's own date line stated (removed as furniture)


INJECTION_RULE = "injected_instruction"


class Action(Enum):
    """What a matching :class:`Rule` does to a line."""

    KEEP = "keep"  # protect the line from removal (the classifier's and shared-line removal)
    DROP = "drop"  # remove the line


@dataclass(frozen=True)
class Rule:
    """A named line predicate: a regex, optionally limited to short and/or unpunctuated lines."""

    name: str
    action: Action
    pattern: re.Pattern[str]
    reason: str
    max_words: int = 0  # 0: any length; otherwise only lines of at most this many words
    bare_only: bool = False  # only lines that do not end in sentence punctuation

    def matches(self, line: str) -> bool:
        """Return True when ``line`` (one stripped line) is caught by this rule."""
        if self.max_words and len(line.split()) > self.max_words:
            return False
        if self.bare_only and SENTENCE_END.search(line):
            return False
        return self.pattern.search(line) is not None


def _rule(
    name: str,
    action: Action,
    pattern: str,
    reason: str,
    *,
    max_words: int = 0,
    bare_only: bool = False,
) -> Rule:
    return Rule(name, action, re.compile(pattern, re.IGNORECASE), reason, max_words, bare_only)


def _alternatives(kind: str) -> str:
    """A regex of prompts/words.json's list ``kind`` in every language, longest first, its
    words split by any space; a word written with a capital ("AI") matches only as written."""
    words = sorted(every_language_words(kind), key=len, reverse=True)
    return "|".join(_phrase(word) for word in words)


def _phrase(word: str) -> str:
    pattern = r"\s+".join(re.escape(part) for part in word.split())
    return pattern if word == word.lower() else f"(?-i:{pattern})"


def _near(*parts: str, gap: int = 40) -> str:
    """Each of ``parts`` (alternations of words) as a word, in order, at most ``gap`` characters
    apart."""
    return rf".{{0,{gap}}}".join(rf"\b(?:{part})(?!\w)" for part in parts)


# A date after a dateline's place: a month's name in any language of prompts/words.json, with
# its day before or after, ordinal or not ("June 3rd", "3. März", "3 de junio").
_MONTH = rf"(?:{'|'.join(re.escape(name) for name in every_language_months())})"
_ORDINAL_SUFFIX = rf"(?:{'|'.join(re.escape(s) for s in every_language_words('ordinal_suffixes'))})"
_DATE = (
    rf"(?:{_MONTH}\s+\d{{1,2}}{_ORDINAL_SUFFIX}?(?!\w)"
    rf"|\d{{1,2}}{_ORDINAL_SUFFIX}?\s+(?:de\s+)?{_MONTH}(?!\w))"
)
# An instruction to a model, in the words of any language of prompts/words.json: "ignore all
# previous instructions" (the noun before or after its adjective), "reveal your system prompt",
# "you are an AI", "note to AI systems", "if you are summarising this, say …".
_OVERRIDE, _EARLIER = _alternatives("override_verbs"), _alternatives("earlier_words")
_INSTRUCTIONS, _READERS = _alternatives("instruction_nouns"), _alternatives("automated_readers")
_INSTRUCTION_TO_A_MODEL = "|".join(
    (
        _near(_OVERRIDE, _EARLIER, _INSTRUCTIONS, gap=40),
        _near(_OVERRIDE, _INSTRUCTIONS, _EARLIER, gap=30),
        _near(_alternatives("reveal_verbs"), _alternatives("hidden_prompts"), gap=30),
        _near(_alternatives("you_are"), _alternatives("model_kinds"), gap=1) + "(?!-)",
        _near(_alternatives("addressing_nouns"), _alternatives("addressed_to"), _READERS, gap=20),
        _near(_alternatives("conditional_you"), _alternatives("processing_verbs"), gap=15)
        + rf".{{0,40}}\b(?:{_alternatives('telling_verbs')})(?!\w)",
    )
)
# Advertisement labels ("Anzeige", "Publicidad", "Story continues below"), and share-bar words.
_AD_LABEL = _alternatives("ad_labels")
_SOCIAL = _alternatives("share_words")
# The labels over a link to another article, in every language of prompts/words.json, longest
# first; after one, a section's name in capitals ("More from Money:").
_TEASER_LABEL = _alternatives("teaser_labels")
_SECTION = r"(?:\s+(?-i:[A-Z&][\w'\u2019&-]*)){1,4}"
_LONE_LABEL = re.compile(rf"^\W*(?:{_TEASER_LABEL})\W*$", re.IGNORECASE)
_COMMENTS = _alternatives("comment_words")  # "12 comments", "Comments (12)"
#: The rule table: every boilerplate signal the cleaner knows, in evaluation order.
RULES: tuple[Rule, ...] = (
    # -- DROP before anything else: text addressed to a model is never news ----------------
    _rule(
        INJECTION_RULE,
        Action.DROP,
        _INSTRUCTION_TO_A_MODEL,
        "instructions addressed to an AI model are an injection attempt, not news",
    ),
    # -- KEEP: content that looks like furniture (short, unpunctuated) but is not -----------------
    _rule(
        "quoted_line",
        Action.KEEP,
        r"^[\"“\u2018'«„].*[\"”\u2019'»][.!?,…]?$",
        "a line that is one quotation is content, however short",
    ),
    _rule(
        "attribution",
        Action.KEEP,
        rf"\b(?:{_alternatives('reporting_credits')})(?!\w)",
        "a source attribution tells the reader where the facts came from",
        max_words=25,
    ),
    _rule(
        "source_line",
        Action.KEEP,
        rf"^\W*(?:{_alternatives('source_labels')})\s*[:：]",
        "a 'Source: …' / 'Quelle: …' line says where the facts came from (a byline does not)",
        max_words=30,
    ),
    _rule(
        "dateline",
        Action.KEEP,
        rf"^(?-i:[A-Z][A-Z.'\u2019 -]{{2,}}),?\s+(?:[^()]{{0,25}}\([^)]{{1,25}}\)|{_DATE})"
        r"|^(?-i:[A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ'\u2019 .-]{2,40}?)\s*(?:\.|\s[–—-])$",
        "a dateline (PLACE, date (Agency) in any language / PLACE (Agency) / PLACE, Month day"
        " / PLACE. or PLACE – alone on its line) places the story",
    ),
    # -- DROP: junk a line's signals cannot tell from content (each caught on real pages) -------
    _rule(
        "ad_marker",
        Action.DROP,
        rf"^\W*(?:(?:{_AD_LABEL})\W*)+$|^\W*(?:{_AD_LABEL})(?:\s+[^\W\d_]+)?\s*:\s",
        "advertisement slot markers carry no text of their own, and a line they label"
        " ('Sponsored: …') is an advertisement",
    ),
    _rule(
        "teaser_label",
        Action.DROP,
        rf"^(?!.*\.[\"'”’»)\]]*$)\W*(?:{_TEASER_LABEL})(?:{_SECTION})?(?:\s*[:|»\u203a>]|\s+[\u2013—-]\s)"
        rf"|^\W*(?:{_TEASER_LABEL})\W*$",
        "'Also read: <headline>' teasers (or the label alone) link to other articles; a full stop"
        " makes it a sentence",
        max_words=30,
    ),
    _rule(
        "media_credit",
        Action.DROP,
        rf"\b(?:{_alternatives('credit_phrases')})(?!\w)",
        "picture credits name the photographer or agency, not news",
        max_words=15,
        bare_only=True,
    ),
    _rule(
        "share_bar",
        Action.DROP,
        rf"^\W*(?:(?:{_SOCIAL})\b\W*)+$",
        "a line made only of share/social-network words is a share bar",
    ),
    _rule(
        "reader_promo",
        Action.DROP,
        rf"\b(?:{_alternatives('reader_pitches')})(?!\w)",
        "follow, newsletter, app and donation pitches address the reader, not the story",
        max_words=30,
    ),
    _rule(
        "paywall",
        Action.DROP,
        rf"\b(?:{_alternatives('paywall_phrases')})(?!\w)",
        "paywall prompts gate the article instead of telling it",
        max_words=20,
    ),
    _rule(
        "comment_form",
        Action.DROP,
        rf"\b(?:{_alternatives('comment_controls')})(?!\w)"
        rf"|^\W*(?:\d+\s+(?:{_COMMENTS})|(?:{_COMMENTS})\s*\(\d+\))\W*$",
        "comment boxes and their form labels follow the article",
        max_words=25,
    ),
    _rule(
        "cookie_banner",
        Action.DROP,
        rf"\b(?:{_alternatives('cookie_notices')})(?!\w)",
        "cookie consent banners are about the website, not the news",
        max_words=60,
    ),
)
_INJECTION = next(rule for rule in RULES if rule.name == INJECTION_RULE)

#: Shared-line removal only considers lines of at most this many words.
SHARED_LINE_MAX_WORDS = int(_LIMITS["SHARED_LINE_MAX_WORDS"])
#: A first line with at least this many words is taken to be the headline and kept.
HEADLINE_MIN_WORDS = int(_LIMITS["HEADLINE_MIN_WORDS"])
#: … with a word in lower case after the first, or at least this share of the page prose's
#: stop-word density (a menu of capitalised words has neither).
HEADLINE_MIN_DENSITY = float(_LIMITS["HEADLINE_MIN_DENSITY"])
#: A plain-text line of at least this many words ending mid-sentence was hard-wrapped.
WRAPPED_LINE_MIN_WORDS = int(_LIMITS["WRAPPED_LINE_MIN_WORDS"])
#: … and at least this share of the page's line width (its longer lines' length).
WRAPPED_LINE_WIDTH_SHARE = float(_LIMITS["WRAPPED_LINE_WIDTH_SHARE"])
#: In plain text, a run of at least this many headline-like lines (a capital first, no sentence
#: punctuation at the end, no colon, no table cells) is a list of links to other articles...
LINK_LIST_MIN_RUN = int(_LIMITS["LINK_LIST_MIN_RUN"])
#: ...each line of LINK_LIST_MIN_WORDS to LINK_LIST_MAX_WORDS words.
LINK_LIST_MIN_WORDS = int(_LIMITS["LINK_LIST_MIN_WORDS"])
LINK_LIST_MAX_WORDS = int(_LIMITS["LINK_LIST_MAX_WORDS"])
#: In plain text, a sentence of at least this many words is left by the classifier.
SENTENCE_MIN_WORDS = int(_LIMITS["SENTENCE_MIN_WORDS"])
#: In plain text, an unpunctuated line of at most this many words between two lines of prose is
#: a subheading: the classifier leaves it.
SUBHEADING_MAX_WORDS = int(_LIMITS["SUBHEADING_MAX_WORDS"])
#: A line ending in a colon introduces a list without marks when it has this many words…
LIST_INTRO_MIN_WORDS = int(_LIMITS["LIST_INTRO_MIN_WORDS"])
#: … and its items have at most this many.
LIST_ITEM_MAX_WORDS = int(_LIMITS["LIST_ITEM_MAX_WORDS"])
#: After a teaser label alone on its line, the lines of its block without a sentence's end, each
#: of at most this many words, are the headlines it links to.
LABELLED_TEASER_MAX_WORDS = int(_LIMITS["LABELLED_TEASER_MAX_WORDS"])
#: A line of at most this many words, no sentence punctuation, right over a link list heads it.
LINK_LIST_HEADING_MAX_WORDS = int(_LIMITS["LINK_LIST_HEADING_MAX_WORDS"])
_ENDS_MID_SENTENCE = re.compile(r"\s[a-z][\w'\u2019-]*[,;]?$")  # last word is lower-case
_STARTS_WITH_WORD = re.compile(r"^[^\W_]")

# --------------------------------------------------------------------------------------------
# Whitespace and quotes
# --------------------------------------------------------------------------------------------

_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85]")
_ODD_SPACES = re.compile(r"[\t\v\f\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_INVISIBLES = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad\x00-\x08\x0e-\x1f\x7f]")
_SPACE_RUNS = re.compile(r" {2,}")
_BLANK_RUNS = re.compile(r"\n{3,}")
_OPEN_CONTEXT = frozenset("([{<—\u2013-/“\u2018")
_CLOSE_CONTEXT = frozenset(".,;:!?)]}>—\u2013-…”\u2019")


def normalise_quotes(text: str) -> str:
    """Curl straight double quotes and normalise whitespace.

    Each ``"`` becomes “ or ” by position (after a space or opening bracket: opening; before a
    space or punctuation: closing; ambiguous cases alternate), so JSON-constrained model output
    never has to reproduce a raw ``"``. Windows and Unicode line breaks become ``\\n``, exotic
    spaces become plain spaces, zero-width characters, soft hyphens and control characters are
    dropped, space runs collapse, lines are stripped and runs of blank lines collapse to one.
    """
    text = _LINE_BREAKS.sub("\n", text)
    text = _ODD_SPACES.sub(" ", text)
    text = _INVISIBLES.sub("", text)
    out: list[str] = []
    is_open = False
    for i, char in enumerate(text):
        if char != '"':
            out.append(char)
            continue
        before = text[i - 1] if i else " "
        after = text[i + 1] if i + 1 < len(text) else " "
        after_gap = before.isspace() or before in _OPEN_CONTEXT
        before_gap = after.isspace() or after in _CLOSE_CONTEXT
        opening = (not is_open) if after_gap == before_gap else after_gap
        out.append("“" if opening else "”")
        is_open = opening
    lines = (_SPACE_RUNS.sub(" ", line).strip() for line in "".join(out).split("\n"))
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()


# --------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------

_HTML_DOCUMENT = re.compile(r"<!doctype\s+html|<(?:html|head|body)\b", re.IGNORECASE)
_HTML_TAG = re.compile(
    r"</?(?:p|div|span|a|br|h[1-6]|ul|ol|li|article|section|main|header|footer|nav|aside"
    r"|table|tr|td|img|figure|figcaption|blockquote|strong|em|b|i|script|style|meta|link"
    r"|button|form|input|noscript|template|iframe|object|svg)\b[^<>]*>",
    re.IGNORECASE,
)
#: Plain text with fewer recognised tags than this is treated as text with stray markup.
HTML_MIN_TAGS = int(_LIMITS["HTML_MIN_TAGS"])
_BREAK_TAG = re.compile(r"<\s*(?:br|/?p|/?div|/?li|/?h[1-6])\b[^<>]*>", re.IGNORECASE)
# Elements whose content is code or styling, never text: cut with what they hold (an unclosed
# one runs to the end of the text).
_HIDDEN_ELEMENT = re.compile(
    r"<(script|style|noscript|template|iframe|object|svg)\b[^>]*>.*?(?:</\1\s*>|$)",
    re.IGNORECASE | re.DOTALL,
)
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)


def looks_like_html(raw: str) -> bool:
    """Return True when ``raw`` is an HTML page or fragment rather than text with a stray tag."""
    if _HTML_DOCUMENT.search(raw):
        return True
    return len(_HTML_TAG.findall(raw)) >= HTML_MIN_TAGS


def _plain_to_text(raw: str) -> str:
    """Plain text with stray ``<br>``/``<p>`` made line breaks, scripts, styles and other tags
    cut, entities decoded."""
    raw = _HIDDEN_ELEMENT.sub("\n", _HTML_COMMENT.sub("", raw))
    return html.unescape(_HTML_TAG.sub("", _BREAK_TAG.sub("\n", raw)))


#: The structural signals applied to an HTML page's blocks before the line rules, by name.
STRUCTURE: dict[str, str] = {
    "page_title": "the page's own title (or a part of it) standing over the article: the title is"
    " a separate field of the article",
    "link_teaser": "a short block that is mostly the text of one link of several words and no"
    " sentence is a teaser for another page",
    "teaser_cards": "after the article's last paragraph, a run of blocks that each open with a"
    " link of several words (a headline, maybe a line under it) are cards for other pages",
    "outside_article": "page text outside the article body (navigation, sidebars, footers,"
    " teasers): the extractor left it out",
}
#: A link teaser: at least this share of its characters is link text...
LINK_TEASER_MIN_SHARE = float(_LIMITS["LINK_TEASER_MIN_SHARE"])
#: ...it has at most this many words...
LINK_TEASER_MAX_WORDS = int(_LIMITS["LINK_TEASER_MAX_WORDS"])
#: ...and one link of at least this many words (a bare URL or "Reuters" is a source, not a teaser).
LINK_TEASER_MIN_LINK_WORDS = int(_LIMITS["LINK_TEASER_MIN_LINK_WORDS"])
#: Teaser cards: a run of at least this many blocks after the last paragraph...
TEASER_CARDS_MIN_RUN = int(_LIMITS["TEASER_CARDS_MIN_RUN"])
#: ...each of at most this many words, opening with a link of at least LINK_TEASER_MIN_LINK_WORDS.
TEASER_CARDS_MAX_WORDS = int(_LIMITS["TEASER_CARDS_MAX_WORDS"])
#: A paragraph: at least this many words, ends a sentence, at most this share of link text.
PARAGRAPH_MIN_WORDS = int(_LIMITS["PARAGRAPH_MIN_WORDS"])
PARAGRAPH_MAX_LINK_SHARE = float(_LIMITS["PARAGRAPH_MAX_LINK_SHARE"])
#: The page title is looked for among the first blocks, before the first long paragraph.
TITLE_SEARCH_BLOCKS = int(_LIMITS["TITLE_SEARCH_BLOCKS"])
_FULL_STOP = re.compile(r"\.[\"'”’»)\]]*$")


def _words_key(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def _is_link_teaser(block: Block) -> bool:
    return (
        block.link_share >= LINK_TEASER_MIN_SHARE
        and block.words <= LINK_TEASER_MAX_WORDS
        and block.longest_link_words >= LINK_TEASER_MIN_LINK_WORDS
        and not _FULL_STOP.search(block.text)
    )


def _block_verdicts(extraction: Extraction) -> list[str | None]:
    """For each block of an HTML extraction, the structural signal that removes it, or None."""
    blocks = extraction.blocks
    verdict: list[str | None] = [None] * len(blocks)
    title = _words_key(extraction.meta.title)
    for i, block in enumerate(blocks[:TITLE_SEARCH_BLOCKS]):
        if block.words > LINK_TEASER_MAX_WORDS * 2:
            break  # the article has started
        key = _words_key(block.text)
        if title and key and (key == title or (len(key) >= 15 and key in title)):
            verdict[i] = "page_title"
    for i, block in enumerate(blocks):
        if verdict[i] is None and _is_link_teaser(block):
            after = blocks[i + 1] if i + 1 < len(blocks) else None
            # a linked heading over its own paragraph (a product, a section) is a heading
            heads_text = after is not None and after.kind != "head" and not _is_link_teaser(after)
            if not (block.kind == "head" and heads_text):
                verdict[i] = "link_teaser"
    prose = [i for i, block in enumerate(blocks) if verdict[i] is None and _is_paragraph(block)]
    i = prose[-1] + 1 if prose else len(blocks)  # a page without paragraphs: no cards
    while i < len(blocks):
        end = i
        while end < len(blocks) and _is_card(blocks[end]):
            end += 1
        if end - i >= TEASER_CARDS_MIN_RUN:
            verdict[i:end] = [name or "teaser_cards" for name in verdict[i:end]]
        i = max(end, i + 1)
    return verdict


def _is_paragraph(block: Block) -> bool:
    return (
        block.words >= PARAGRAPH_MIN_WORDS
        and block.link_share <= PARAGRAPH_MAX_LINK_SHARE
        and SENTENCE_END.search(block.text) is not None
    )


def _is_card(block: Block) -> bool:
    return (
        block.lead_link_words >= LINK_TEASER_MIN_LINK_WORDS
        and block.words <= TEASER_CARDS_MAX_WORDS
    )


# --------------------------------------------------------------------------------------------
# The line stage: phrase rules where a signal cannot see the case, the classifier everywhere
# --------------------------------------------------------------------------------------------

#: The name under which the classifier's removals are listed.
CLASSIFIER_RULE = "junk_signals"


def addresses_a_model(text: str) -> bool:
    """Whether the text holds an instruction addressed to an AI model (the injection rule)."""
    return _INJECTION.matches(text)


@dataclass(frozen=True)
class PageText:
    """One input's lines as the line stage sees them, with the block each belongs to."""

    lines: tuple[PageLine, ...]
    blocks: tuple[int, ...]
    kind: str  # "html" (an HTML page's article blocks) or "plain"


def _caught(line: str) -> bool:
    return any(rule.matches(line) for rule in RULES)


def _breaks_off(line: str, width: int) -> bool:
    """Whether ``line`` stops mid-sentence, as a hard-wrapped line does: near the page's
    ``width`` (a short line ending in a lower-case word is a headline or a teaser, not a wrapped
    line of a page whose lines run longer), and not a line a rule catches or protects."""
    return (
        len(line) >= WRAPPED_LINE_WIDTH_SHARE * width
        and len(line.split()) >= WRAPPED_LINE_MIN_WORDS
        and _ENDS_MID_SENTENCE.search(line) is not None
        and not _caught(line)
    )


def _line_width(text: str) -> int:
    """The page's line width: the length its longer lines reach (the 90th percentile of its
    lines' lengths; a hard-wrapped page's width, or a long paragraph's)."""
    lengths = sorted(len(line) for line in text.split("\n") if line)
    return lengths[int(0.9 * (len(lengths) - 1))] if lengths else 0


def _plain_page(text: str, title: str = "") -> PageText:
    """Plain text's lines (blank lines separate blocks), hard-wrapped sentences re-joined: a run
    of lines that break off mid-sentence and the line that goes on with each, when the run ends
    a sentence (a run that never does is a list of headlines, and stays lines). The first line
    and a line that is the article's ``title`` (a headline) take no continuation and join no
    run."""
    headline = line_key(title)
    lines: list[str] = []
    blocks: list[int] = []
    run: list[str] = []  # a sentence being re-joined
    block = 0
    width = _line_width(text)

    def flush() -> None:
        whole = " ".join(run)
        pieces = [whole] if len(run) > 1 and SENTENCE_END.search(whole) else list(run)
        lines.extend(pieces)
        blocks.extend([block] * len(pieces))
        run.clear()

    for line in text.split("\n"):
        if not line:
            flush()
            block += 1
        elif headline and line_key(line) == headline:
            flush()
            lines.append(line)
            blocks.append(block)
        elif run and _STARTS_WITH_WORD.search(line) and not _caught(line):
            run.append(line)
            if not _breaks_off(line, width):
                flush()
        else:
            flush()
            if lines and _breaks_off(line, width):
                run.append(line)
            else:
                lines.append(line)
                blocks.append(block)
    flush()
    return PageText(tuple(PageLine(line) for line in lines), tuple(blocks), "plain")


def _html_page(blocks: Sequence[Block]) -> PageText:
    lines: list[PageLine] = []
    owners: list[int] = []
    for n, block in enumerate(blocks):
        for line in normalise_quotes(block.text).split("\n"):
            if line:
                lines.append(PageLine(line, block.kind, block.link_share))
                owners.append(n)
    return PageText(tuple(lines), tuple(owners), "html")


def _headline(page: PageText, signals: Sequence[LineSignals], language: str, title: str) -> int:
    """A plain text's headline (-1: none): the first line that is the article's ``title`` when
    the title is known (a known title the text does not repeat leaves no line to guess); else,
    of the unpunctuated lines before its first line of prose that have no furniture's form
    (:mod:`service.line_forms`: a caption, a date line, a menu) and that no rule catches, the
    first of at least :data:`HEADLINE_MIN_WORDS` words (of two letters or more) with a word in
    lower case after its first or a share of the stop-word density of the page's prose (a menu
    of capitalised words has neither); else the one right before that prose. An HTML page's
    title is a field of its own."""
    if page.kind != "plain":
        return -1
    if headline := line_key(title):
        return next((i for i, line in enumerate(page.lines) if line_key(line.text) == headline), -1)
    top = [
        i
        for i, s in enumerate(signals)
        if s.before_body
        and not s.sentence_end
        and not _caught(page.lines[i].text)
        and line_forms.form(page.lines[i].text, language, outside_body=True)
        in ("", line_forms.PROMOTION)  # a headline may name a podcast; a caption is no headline
    ]
    named = [
        i
        for i in top
        if sum(len(w) > 1 for w in LETTER_WORD.findall(page.lines[i].text)) >= HEADLINE_MIN_WORDS
        and (signals[i].lower_share or signals[i].relative_density >= HEADLINE_MIN_DENSITY)
    ]
    first = next((i for i, s in enumerate(signals) if not s.before_body), 0)
    return named[0] if named else (first - 1 if first - 1 in top else -1)


def _words(line: str) -> int:
    """Words with a letter in them (not "›" or "|")."""
    return sum(any(c.isalpha() for c in token) for token in line.split())


#: The name under which plain text's link lists are listed.
LINK_LIST_RULE = "link_list"


def _headline_like(line: str) -> bool:
    return (
        LINK_LIST_MIN_WORDS <= len(line.split()) <= LINK_LIST_MAX_WORDS
        and line[:1].isupper()
        and SENTENCE_END.search(line) is None
        and not any(mark in line for mark in ":|")
    )


def _heads_list(line: str) -> bool:
    """A short unpunctuated line over a link list is its heading ("More Stories", "Lire aussi")."""
    return (
        len(line.split()) <= LINK_LIST_HEADING_MAX_WORDS
        and SENTENCE_END.search(line) is None
        and not _caught(line)
    )


def _link_lists(page: PageText, headline: int) -> dict[int, int]:
    """Plain text's runs of headline-like lines (:data:`LINK_LIST_MIN_RUN`+, most of them
    without a figure; the text's own headline ends a run), with the short line heading each:
    each line's index and the length of its run."""
    if page.kind != "plain":
        return {}
    found: dict[int, int] = {}
    run: list[int] = []
    for i, line in enumerate([*page.lines, PageLine("")]):
        if i != headline and _headline_like(line.text) and not _caught(line.text):
            run.append(i)
            continue
        figures = sum(any(c.isdigit() for c in page.lines[j].text) for j in run)
        if len(run) >= LINK_LIST_MIN_RUN and figures < len(run) / 2:  # dates, results: a list
            above = run[0] - 1
            if above >= 0 and above != headline and _heads_list(page.lines[above].text):
                run.insert(0, above)
            found.update(dict.fromkeys(run, len(run)))
        run = []
    return found


#: The name under which the headlines after a teaser label are listed.
LABELLED_TEASER_RULE = "labelled_teaser"


def _labelled_teasers(page: PageText) -> set[int]:
    """The lines a teaser label alone on its line ("You may also like", "Czytaj także:")
    introduces: the next lines of its block, up to one that ends a sentence or runs longer than
    :data:`LABELLED_TEASER_MAX_WORDS` words (a headline has neither)."""
    found: set[int] = set()
    for i, line in enumerate(page.lines):
        if not _LONE_LABEL.search(line.text):
            continue
        for j in range(i + 1, len(page.lines)):
            text = page.lines[j].text
            if (
                page.blocks[j] != page.blocks[i]
                or SENTENCE_END.search(text)
                or _words(text) > LABELLED_TEASER_MAX_WORDS
            ):
                break
            found.add(j)
    return found


def _spared(page: PageText, signals: Sequence[LineSignals], language: str) -> set[int]:
    """The plain-text lines the classifier leaves: sentences (:data:`SENTENCE_MIN_WORDS`+ words
    ending a sentence, most of those after the first in lower case: a lead or a closing line,
    however short), subheadings (a short unpunctuated line between two lines of prose), a list
    the article introduces, and contact lines about what the article is about."""
    if page.kind != "plain":
        return set()
    sentences = {
        i
        for i, s in enumerate(signals)
        if s.sentence_end and s.words >= SENTENCE_MIN_WORDS and s.lower_share > 0.5
    }
    subheadings = {
        i
        for i in range(1, len(signals) - 1)
        if signals[i - 1].prose
        and signals[i + 1].prose
        and not signals[i].sentence_end
        and signals[i].words <= SUBHEADING_MAX_WORDS
    }
    listed = _introduced_list(page, signals, language)
    return sentences | subheadings | listed | _contacts(page, signals)


def _introduced_list(page: PageText, signals: Sequence[LineSignals], language: str) -> set[int]:
    """A list the article introduces, and the line that introduces it: after a line ending in
    a colon, the items — lines opening with a list mark, in words with stop words among them
    (phrases, not headlines of links); or, after a finite clause of :data:`LIST_INTRO_MIN_WORDS`+
    words (not a label: "Related coverage from Money:"), lines without a mark ("Arrive on
    foot", "Bring water"), up to a line of prose, a
    line opening with a figure, or one a rule or a furniture's form claims. A list is marked
    or not throughout."""
    found: set[int] = set()
    for i, s in enumerate(signals[:-1]):
        if not s.ends_colon:
            continue
        introduced = s.words >= LIST_INTRO_MIN_WORDS and s.clause
        items: list[int] = []
        for j in range(i + 1, len(signals)):
            text = page.lines[j].text
            marked = LIST_MARK.match(text) is not None
            if items and marked != (LIST_MARK.match(page.lines[items[0]].text) is not None):
                break  # a list is marked or not throughout
            if marked and not signals[j].stopword_density:
                break
            if not marked and not (introduced and _unmarked_item(text, signals[j], language)):
                break
            items.append(j)
        if items:
            found.update([i, *items])
    return found


def _unmarked_item(text: str, signals: LineSignals, language: str) -> bool:
    return (
        2 <= signals.words <= LIST_ITEM_MAX_WORDS
        and text[:1].isalpha()
        and not signals.prose
        and not _caught(text)
        and not line_forms.form(text, language, outside_body=False)
    )


# An e-mail address, or a phone number: groups of digits split by spaces or dashes ("0800 555
# 0148", "+82 54 740 3800", "555-0190"; not a date, a time or the digits of a link).
_CONTACT = re.compile(
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|(?<![\w/.:-])\+?\d{2,5}(?:[ -]\d{2,5}){1,4}(?![\w/.:-])"
)
_NAME = re.compile(r"\b[^\W\d_a-zß-ÿ][^\W\d_]{2,}")  # a capitalised word of three letters+
NAME_PREFIX = int(_LIMITS["NAME_PREFIX"])
PHONE_MIN_DIGITS = int(_LIMITS["PHONE_MIN_DIGITS"])
_CLOSES = re.compile(r"(?<!\.)[.!][\"'”’»)]*$")  # a full stop or an exclamation, not "…" or "?"
#: "Bravo, Orkan!", "Buon viaggio, Montefosco."
CLOSING_LINE_MAX_WORDS = int(_LIMITS["CLOSING_LINE_MAX_WORDS"])


def _contacts(page: PageText, signals: Sequence[LineSignals]) -> set[int]:
    """Lines about what the article is about, however short: a phone number (7+ digits) or an
    e-mail address (a help line, a police appeal), or a closing line of a few words ending in a
    full stop or an exclamation ("Bravo, Orkan!"; a question is a teaser's form), in a
    line that names something the page's prose names (names compared by their first
    :data:`NAME_PREFIX` letters, so that inflected forms meet: "Orkana", "Orkan"). An outlet's
    own tip line names only the outlet."""
    named_in = {
        i: {name[:NAME_PREFIX] for name in _NAME.findall(page.lines[i].text)}
        for i, s in enumerate(signals)
        if s.prose
    }
    spoken = Counter(name for names in named_in.values() for name in names)
    found: set[int] = set()
    for i, line in enumerate(page.lines):
        contact = _CONTACT.search(line.text)
        reached = contact is not None and (
            "@" in contact.group(0) or _digits(contact.group(0)) >= PHONE_MIN_DIGITS
        )
        short = 2 <= signals[i].words <= CLOSING_LINE_MAX_WORDS and _CLOSES.search(line.text)
        if not (reached or short):
            continue
        named = {name[:NAME_PREFIX] for name in _NAME.findall(_CONTACT.sub(" ", line.text))}
        own = named_in.get(i, set())  # a line of prose does not count for itself
        if any(spoken[name] - (name in own) > 0 for name in named):
            found.add(i)
    return found


def _digits(text: str) -> int:
    return sum(c.isdigit() for c in text)


def _verdicts(page: PageText, language: str, model: JunkModel, title: str) -> list[Removal | None]:
    """For each line, its removal (the rule or the classifier's signals), or None to keep it;
    ``title``: the article's, where known.

    The classifier reads each line against the page's prose: a text without a line of prose
    (a finite clause ending a sentence) is left to the phrase rules."""
    lines = [line.text for line in page.lines]
    signals = page_signals(page.lines, language)
    scores = model.score(signals, page.kind)
    headline = _headline(page, signals, language, title)
    judged = any(s.prose for s in signals)
    listed = _link_lists(page, headline)
    labelled = _labelled_teasers(page)
    spared = _spared(page, signals, language)
    tables = line_forms.table_rows(lines)
    prose = [i for i, s in enumerate(signals) if s.prose]
    lead_end = prose[1] if len(prose) > 1 else len(lines)  # the page's top: its lead's end
    out: list[Removal | None] = []
    for i, line in enumerate(lines):
        rule = next((rule for rule in RULES if rule.matches(line)), None)  # injection first
        outside = i < lead_end or signals[i].after_body
        shape = (
            ""
            if rule is not None or not judged or i == headline or i in tables
            else line_forms.form(line, language, outside_body=outside)
        )
        if rule is not None and rule.action is Action.DROP:
            out.append(Removal(line, rule.name))
        elif shape:
            out.append(Removal(line, shape))
        elif i in labelled and rule is None and i != headline:
            out.append(Removal(line, LABELLED_TEASER_RULE, "a headline under a teaser label"))
        elif i in listed and i not in spared:
            out.append(Removal(line, LINK_LIST_RULE, f"a run of {listed[i]} headline-like lines"))
        elif rule is None and judged and i != headline and i not in spared and scores[i].removed:
            out.append(Removal(line, CLASSIFIER_RULE, model.why(signals[i], scores[i], page.kind)))
        else:
            out.append(None)
    return out


def _clean_lines(
    page: PageText,
    language: str | None,
    model: JunkModel | None,
    prior: Sequence[Removal] = (),
    title: str = "",
) -> CleanedText:
    """The line stage over one input's lines: each kept plain line becomes a paragraph; an HTML
    block's kept lines (its ``<br>`` breaks) stay lines of one paragraph."""
    lines = [line.text for line in page.lines]
    found = language or detect_language("\n".join(lines))
    verdict = _verdicts(page, found, model or default_model(), title)
    paragraphs: list[str] = []
    last_kept = -1
    for i, line in enumerate(lines):
        if verdict[i] is not None:
            continue
        if page.kind == "html" and last_kept >= 0 and page.blocks[last_kept] == page.blocks[i]:
            paragraphs[-1] = f"{paragraphs[-1]}\n{line}"  # an HTML block's <br> lines
        else:
            paragraphs.append(line)
        last_kept = i
    removals = (*prior, *(removal for removal in verdict if removal is not None))
    dates = (
        line_forms.line_date(r.line, found) for r in removals if r.rule == line_forms.DATE_LINE
    )
    return CleanedText(
        "\n\n".join(paragraphs),
        tuple(removal.line for removal in removals),
        tuple(removal.line for removal in removals if removal.rule == INJECTION_RULE),
        removals,
        next((day for day in dates if day is not None), None),
    )


def clean_html(
    raw: str,
    url: str | None = None,
    *,
    language: str | None = None,
    model: JunkModel | None = None,
) -> tuple[CleanedText, Extraction]:
    """Clean one HTML page: its article blocks (:func:`service.html_page.article_blocks`), less
    the blocks the :data:`STRUCTURE` signals remove, through the line stage. Also returns the
    extraction (the page's metadata and blocks)."""
    extraction = article_blocks(raw, url)
    return clean_extraction(extraction, language=language, model=model), extraction


def html_page_text(extraction: Extraction) -> tuple[PageText, tuple[Removal, ...]]:
    """An HTML extraction's lines for the line stage, and the lines the :data:`STRUCTURE`
    signals removed before it."""
    verdict = _block_verdicts(extraction)
    prior = tuple(
        Removal(line, name)
        for block, name in zip(extraction.blocks, verdict, strict=True)
        if name
        for line in normalise_quotes(block.text).split("\n")
    )
    kept = [block for block, name in zip(extraction.blocks, verdict, strict=True) if not name]
    return _html_page(kept), prior


def clean_extraction(
    extraction: Extraction, *, language: str | None = None, model: JunkModel | None = None
) -> CleanedText:
    """The text of an HTML extraction's blocks, less those the :data:`STRUCTURE` signals remove,
    through the line stage."""
    page, prior = html_page_text(extraction)
    return _clean_lines(page, language, model, prior)


def plain_page_text(raw: str, title: str = "") -> PageText:
    """Plain text's lines for the line stage: stray tags cut, cells split by tabs or wide gaps
    marked " | " (before spaces collapse), quotes and spaces normalised; a line that is the
    article's ``title`` stays a line of its own."""
    return _plain_page(as_written(_plain_to_text(raw)), title)


_TAB_GAP = re.compile(r"(?<=\S)[ \t]*\t[ \t]*(?=\S)")
_WIDE_GAP = re.compile(r"(?<=[^\s.!?:;,])  +(?=\S)")  # two spaces or more, not after a sentence


def as_written(text: str) -> str:
    """Plain text as the cleaner writes it (cells marked, quotes curled, spaces collapsed),
    before any line is judged: what a kept line of it looks like in the cleaned text."""
    return normalise_quotes(_mark_cells(text))


def _mark_cells(text: str) -> str:
    """Table rows and menus whose cells a tab or a wide gap splits ("Stat<TAB>Rovers",
    "News  Sport  Business") with " | " between cells, which collapsing spaces would lose: one
    tab is enough, wide gaps need two (a double space in prose is a typo); a line ending a
    sentence is prose, whatever its spaces."""
    return "\n".join(_cells_marked(line) for line in text.split("\n"))


def _cells_marked(line: str) -> str:
    if SENTENCE_END.search(line.rstrip()):  # a sentence with a stray tab or double space
        return line
    if _TAB_GAP.search(line):
        return _TAB_GAP.sub(" | ", line)
    return _WIDE_GAP.sub(" | ", line) if len(_WIDE_GAP.findall(line)) >= 2 else line


def clean_text(
    raw: str,
    *,
    url: str | None = None,
    language: str | None = None,
    model: JunkModel | None = None,
    title: str = "",
) -> CleanedText:
    """Clean one scraped article (plain text or HTML, auto-detected); ``title``: the article's,
    where known (plain text's headline is the line that repeats it, and no other).

    HTML goes through :func:`clean_html`: the article's blocks as trafilatura (with readability
    filling gaps) finds them, less the page's title and link teasers. Plain text has its stray
    tags cut (scripts and styles with their content). Both then get :func:`normalise_quotes`
    and the line stage: the phrase rules of :data:`RULES` where a signal cannot see the case,
    and the junk classifier (:mod:`service.junk_model`) on every other line, reading the
    language-general signals of :mod:`service.junk_signals` in ``language`` (detected when not
    given). The result has one paragraph per block, separated by blank lines; ``removals``
    lists each dropped line with the rule or the signals that dropped it (text that the HTML
    extractor left out of the article is not listed). ``model``: another classifier than the
    shipped one (the benchmark's held-out folds).
    """
    if looks_like_html(raw):
        return clean_html(raw, url, language=language, model=model)[0]
    return _clean_lines(plain_page_text(raw, title), language, model, title=title)


def _is_protected(line: str) -> bool:
    return any(rule.action is Action.KEEP and rule.matches(line) for rule in RULES)


def _shareable(line: str, index: int) -> bool:
    """Whether ``line`` (paragraph ``index`` of its article) may count as site furniture."""
    words = len(line.split())
    if index == 0 and words >= HEADLINE_MIN_WORDS:
        return False
    return (
        words <= SHARED_LINE_MAX_WORDS
        and not SENTENCE_END.search(line)
        and not _is_protected(line)
        and bool(line_key(line))
    )


def _masthead(line: str, outlet: str) -> bool:
    """The outlet's name alone, or opening a short line without a sentence's end ("Alpenland-Bote
    – Die Zeitung für das Sarntal"), wherever it stands: the first line too."""
    key, name = line_key(line), line_key(outlet)
    return key == name or (
        key.startswith(f"{name} ")
        and len(line.split()) <= SHARED_LINE_MAX_WORDS
        and not SENTENCE_END.search(line)
    )


SHARED_LINE_RULE = "shared_line"
OWN_OUTLET_RULE = "own_outlet"


def _bundle_removal(line: str, index: int, seen_in: Counter[str], outlet: str) -> Removal | None:
    """The bundle-level removal of paragraph ``index``, if one applies."""
    if outlet and _masthead(line, outlet):
        return Removal(line, OWN_OUTLET_RULE, f"opens with {outlet}'s name: its masthead")
    if not _shareable(line, index):
        return None
    pages = seen_in[line_key(line)]
    words = len(line.split())
    if pages >= 2:
        return Removal(line, SHARED_LINE_RULE, f"short ({words} words), repeated on {pages} pages")
    if outlet and names_outlet(line, outlet):
        return Removal(line, OWN_OUTLET_RULE, f"short ({words} words), names {outlet}")
    return None


def remove_shared_lines(
    texts: Sequence[str],
    outlets: Sequence[str] | None = None,
    languages: Sequence[str | None] | None = None,
    titles: Sequence[str] | None = None,
) -> list[CleanedText]:
    """Clean every article of a bundle, then drop site furniture shared across articles, and
    each article's lines about its own outlet.

    Each text goes through :func:`clean_text` first (in its language from ``languages`` and with
    its title from ``titles``, where known). A short line (at most
    :data:`SHARED_LINE_MAX_WORDS` words, no final sentence punctuation, not protected by a KEEP
    rule, not the headline) that appears in two or more different articles (kept there, or
    removed there already) is boilerplate and is removed from all of them. Shared real
    sentences, as in a syndicated rewrite, stay. Such a short line that names the article's own
    outlet ("Kingsholm Advertiser - your town, your news", "Subscribe to Rail Review for full
    access") is the outlet's masthead or promotion, and goes too.
    """
    given = languages or [None] * len(texts)
    named = titles or [""] * len(texts)
    cleaned = [
        clean_text(text, language=lang, title=title)
        for text, lang, title in zip(texts, given, named, strict=True)
    ]
    articles = [item.text.split("\n\n") if item.text else [] for item in cleaned]
    seen_in = Counter(
        key
        for item, paragraphs in zip(cleaned, articles, strict=True)
        for key in {line_key(p) for i, p in enumerate(paragraphs) if _shareable(p, i)}
        | {line_key(r.line) for r in item.removals if _shareable(r.line, len(paragraphs))}
    )
    results: list[CleanedText] = []
    for n, (item, paragraphs) in enumerate(zip(cleaned, articles, strict=True)):
        outlet = outlets[n] if outlets else ""
        found = [_bundle_removal(p, i, seen_in, outlet) for i, p in enumerate(paragraphs)]
        kept = [p for p, removal in zip(paragraphs, found, strict=True) if removal is None]
        gone = tuple(removal for removal in found if removal is not None)
        results.append(
            CleanedText(
                "\n\n".join(kept),
                item.removed + tuple(removal.line for removal in gone),
                item.injections,
                item.removals + gone,
                item.dated,
            )
        )
    return results


def dated_by_their_pages(
    articles: Sequence[Article], cleaned: Sequence[CleanedText]
) -> list[Article]:
    """The articles, each one the client sent without a date dated by its page's own date line
    (which cleaning removed as furniture), where it had one."""
    return [
        replace(article, published_at=page.dated)
        if article.published_at is None and page.dated
        else article
        for article, page in zip(articles, cleaned, strict=True)
    ]
