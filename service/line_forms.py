"""Forms of a page line that mark it as page furniture whatever its words say.

Each form is a signal a reader can state in one line, read in the line's own language (its stop
words, and its words for a picture credit and a byline from ``prompts/words.json``):

- ``date_line``: the page's date, with its time or reading time ("Sunday 18 May 2025 23:48
  BST", "Modifié le 05/11/2025 à 18:02", "20.09.2025 | Lesezeit: 4 Min."): a date and few other
  words (a time alone is a live post's stamp, and stays);
- ``picture_credit``: a line that ends by crediting a picture ("… Foto: Rainer Fuchs", "© Name");
- ``byline``: a short line that names who wrote the article ("By …", "Par …", "Autor: …");
- ``video_teaser``: a short unpunctuated line with a running time ("… (4:12)", "Listen · 2 min
  40", "▶ Video 2:14 | …"): a player or a teaser for one;
- ``promotion``: a short unpunctuated line naming a newsletter or a podcast (the language's
  ``promotions`` words): the outlet's pitch;
- ``notice``: a line opening with © (a copyright notice), or holding a run of rating stars;
- ``separated_items``: three or more short items joined by a separator ("·", "|", "»", "›",
  "•"), as menus, breadcrumbs, tickers and share rows are, outside a table (a run of such rows;
  a line split by "|" with figures in it is a table's row even alone).

Nothing here removes a line: :mod:`service.clean` asks, after its keep rules, and names the form.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache

import dateparser
from dateparser.search import search_dates

from service.junk_signals import LETTER_WORD, LIST_MARK, SENTENCE_END, is_clause
from service.language import profile
from service.thresholds import thresholds

__all__ = ["DATE_LINE", "PROMOTION", "REASONS", "form", "line_date", "table_rows"]

_LIMITS = thresholds("line_forms")  # service/data/clean_thresholds.json

DATE_LINE = "date_line"
PICTURE_CREDIT = "picture_credit"
BYLINE = "byline"
VIDEO_TEASER = "video_teaser"
PROMOTION = "promotion"
NOTICE = "notice"
SEPARATED_ITEMS = "separated_items"

#: Why each form is furniture (for ``fusebrief extract --explain``).
REASONS = {
    DATE_LINE: "a date (with its time or reading time) and few other words: the page's date line",
    PICTURE_CREDIT: "ends by crediting a picture: a caption or a credit",
    BYLINE: "a short line naming who wrote the article",
    VIDEO_TEASER: "a short unpunctuated line with a running time: a video, audio or podcast",
    PROMOTION: "a short unpunctuated line naming the outlet's newsletter or podcast",
    NOTICE: "a line opening with ©, or a run of rating stars: a copyright notice or a widget",
    SEPARATED_ITEMS: "short items joined by a separator, outside a table: a menu or a ticker",
}

#: A byline names a writer, a role, a place: no more
BYLINE_MAX_WORDS = int(_LIMITS["BYLINE_MAX_WORDS"])
DATE_LINE_MAX_WORDS = int(_LIMITS["DATE_LINE_MAX_WORDS"])
#: Words besides the date, the time and stop words ("Last modified")
DATE_LINE_OTHER_WORDS = int(_LIMITS["DATE_LINE_OTHER_WORDS"])
SEPARATED_MIN_ITEMS = int(_LIMITS["SEPARATED_MIN_ITEMS"])
SEPARATED_ITEM_MAX_WORDS = int(_LIMITS["SEPARATED_ITEM_MAX_WORDS"])
#: The credit after "Foto:" / "©": a name, an agency, an archive
CREDIT_MAX_WORDS = int(_LIMITS["CREDIT_MAX_WORDS"])
#: A caption is a sentence or two; a longer line is text that ends in one
CAPTION_MAX_WORDS = int(_LIMITS["CAPTION_MAX_WORDS"])

_TIME = re.compile(r"(?<![\d,.])\d{1,2}[:h]\d{2}(?![\d,])(?:\s*(?:uhr|h)\b)?", re.IGNORECASE)
_MINUTES = re.compile(r"\b\d{1,3}\s?min\w*\.?", re.IGNORECASE)  # a reading time, with a date
_NUMERIC_DATE = re.compile(r"(?<![\d,.])\d{1,4}[./-]\d{1,2}[./-]\d{2,4}(?!\d|[.,]\d)")
_WORD = re.compile(r"[^\W_][\w'’.-]*", re.UNICODE)
# A running time: "(4:12)", "(2 min)", "· 3 minutes", "· 2 min 40", a play sign before it, or a
# reading time after a label ("Temps de lecture : 3 min").
_RUNNING_TIME = re.compile(
    r"(?:\(\s*|[·|]\s*|▶.*?)(?:(?:\d{1,2}:)?\d{1,2}:\d{2}|\d{1,3}\s?min\w*\.?(?:\s\d{1,2})?)"
    r"|:\s*\d{1,3}\s?min\w*\.?$",
    re.IGNORECASE,
)
#: A player's line or a teaser: a title and its running time
MEDIA_MAX_WORDS = int(_LIMITS["MEDIA_MAX_WORDS"])
PROMOTION_MAX_WORDS = int(_LIMITS["PROMOTION_MAX_WORDS"])
_SEPARATOR = re.compile(r"\s(?:·|\||»|›|•)\s")
_NOTICE = re.compile(r"^\W*(?:©|\(c\)\s*\d{4})|[★☆]{3,}")


def form(line: str, language: str | None, *, outside_body: bool) -> str:
    """The furniture form ``line`` has (a name of :data:`REASONS`), or "" for none. A date line
    counts only ``outside_body`` (before the page's first line of prose or after its last): in
    the body a dated line is a timeline's entry."""
    text = line.strip()
    if not text or LIST_MARK.match(text):
        return ""
    if _NOTICE.search(text):
        return NOTICE
    if _picture_credit(text, language):
        return PICTURE_CREDIT
    if _byline(text, language):
        return BYLINE
    if _media(text):
        return VIDEO_TEASER
    if _promotion(text, language):
        return PROMOTION
    if _separated(text, language):
        return SEPARATED_ITEMS
    if outside_body and _date_line(text, language):
        return DATE_LINE
    return ""


def table_rows(lines: Sequence[str]) -> set[int]:
    """Indices of lines in a table: two or more lines in a row with the same number (≥ 1) of
    one separator. A lone separated line is a menu, a breadcrumb or a ticker."""
    counts = [_separator_count(line) for line in lines]
    return {
        i
        for i, n in enumerate(counts)
        if n and ((i > 0 and counts[i - 1] == n) or (i + 1 < len(counts) and counts[i + 1] == n))
    }


def _separator_count(line: str) -> int:
    return len(_SEPARATOR.findall(line))  # tabs are " | " or spaces by now (clean.as_written)


def _media(text: str) -> bool:
    return (
        len(text.split()) <= MEDIA_MAX_WORDS
        and _RUNNING_TIME.search(text) is not None
        and not SENTENCE_END.search(text.rstrip(")").rstrip())
    )


def _promotion(text: str, language: str | None) -> bool:
    if len(text.split()) > PROMOTION_MAX_WORDS or SENTENCE_END.search(text):
        return False
    words = {w.casefold() for w in LETTER_WORD.findall(text)}
    return bool(words & _words(language, "promotions"))


def _has_clause(text: str, language: str | None) -> bool:
    return is_clause(LETTER_WORD.findall(text), profile(language).stopwords)


def _picture_credit(text: str, language: str | None) -> bool:
    if len(text.split()) > CAPTION_MAX_WORDS:
        return False
    if text.endswith("©"):
        return True
    opening = re.match(r"([^\W\d_]+)\s*:\s", text)  # "Photo: A nurse prepares a dose …"
    if opening and opening.group(1).casefold() in _words(language, "picture_credits"):
        return True
    found = _credit_pattern(language).search(text)
    if found is None:
        return False
    said = [w for w in _WORD.findall(found.group("credit")) if w[:1].isalpha()]
    labelled = ":" in found.group(0) or "©" in found.group(0)  # else a name must follow
    return 0 < len(said) <= CREDIT_MAX_WORDS and (labelled or said[0][:1].isupper())


def _byline(text: str, language: str | None) -> bool:
    words = _WORD.findall(text)
    if not 2 <= len(words) <= BYLINE_MAX_WORDS or SENTENCE_END.search(text):
        return False
    first, *rest = text.split()
    named = [w for w in rest if w[:1].isalpha()]
    return (
        first.rstrip(":").casefold() in _words(language, "byline_openers")
        and bool(named)
        and named[0][:1].isupper()
        and sum(w[:1].isupper() for w in named) > len(named) / 2  # names, not a clause
    )


def _separated(text: str, language: str | None) -> bool:
    items = _SEPARATOR.split(text)
    if len(items) < SEPARATED_MIN_ITEMS:
        return False
    if " | " in text and any(c.isdigit() for c in text):  # a table's row, even alone
        return False
    if any(len(item.split()) > SEPARATED_ITEM_MAX_WORDS for item in items):
        return False
    return not _has_clause(text, language)


def _date_line(text: str, language: str | None) -> bool:
    """A date (a time alone is a live post's stamp), and besides it, its time and its stop
    words, at most :data:`DATE_LINE_OTHER_WORDS` words and fewer than half the line's."""
    if not (_NUMERIC_DATE.search(text) or _dated_by_name(text, language)):
        return False
    words = _WORD.findall(text)
    if not words or len(words) > DATE_LINE_MAX_WORDS or _has_clause(text, language):
        return False
    last = words[-1].rstrip(".")
    if SENTENCE_END.search(text) and len(last) > 3 and last.isalpha():  # a sentence ("offen.")
        return False
    stop = profile(language).stopwords
    other = [
        w
        for w in _WORD.findall(_MINUTES.sub(" ", _TIME.sub(" ", text)))
        if not any(c.isdigit() for c in w)
        and w.casefold().rstrip(".") not in stop
        and not profile(language).calendar(w)
        and not (w.isupper() and len(w) <= 4)  # a time zone: "GMT", "MEZ"
    ]
    return len(other) <= DATE_LINE_OTHER_WORDS and len(other) < len(words) / 2


def _dated_by_name(text: str, language: str | None) -> bool:
    """A month's name beside a day's number or a year ("18 May", "12 settembre 2025", "Nov. 3",
    "18 may. 2025")."""
    tokens = text.split()
    for i, token in enumerate(tokens):
        if profile(language).month(token.strip(",")) is None:
            continue
        beside = tokens[max(i - 1, 0) : i] + tokens[i + 1 : i + 2]
        if any(re.fullmatch(r"\d{1,2}\.?,?|\d{4},?", b) for b in beside):
            return True
    return False


def line_date(line: str, language: str | None) -> datetime | None:
    """The date (and time) a date line states, read in its language (dateparser), else None."""
    return _parse_date(line.strip(), language or "")


@lru_cache(maxsize=1024)
def _parse_date(text: str, language: str) -> datetime | None:
    """The whole line as one date ("18 may. 2025 · 23:59"), else the first date in it (after a
    label: "Modifié le 05/11/2025 à 18:02"); naive, like a date the client sends without zone."""
    languages = [language] if language else None
    order = {"DATE_ORDER": "MDY" if language == "en" else "DMY"}  # "05/11/2025" in Paris: 5 Nov
    plain = _SEPARATOR.sub(" ", text)
    found = dateparser.parse(plain, languages=languages, settings=order) if plain else None
    if found is None:
        hits = search_dates(plain, languages=languages, settings=order) if plain else None
        found = hits[0][1] if hits else None
    return found.replace(tzinfo=None) if found is not None else None


@lru_cache(maxsize=256)
def _words(language: str | None, kind: str) -> frozenset[str]:
    """The language's word list ``kind``, lower-cased (a form is read on every line)."""
    return frozenset(word.casefold() for word in profile(language).words(kind))


@lru_cache(maxsize=64)
def _credit_pattern(language: str | None) -> re.Pattern[str]:
    """A picture's credit at the end of a line: a label of the language ("Foto:", "(foto",
    ". Fot.") or ©, and the credit after it."""
    labels = "|".join(re.escape(w) for w in profile(language).words("picture_credits"))
    credit = rf"(?:^|[.(\[]\s*|\.\s+)(?i:{labels})\.?(?:\s*:\s*|\s+)" if labels else r"(?!)"
    return re.compile(rf"(?:{credit}|©\s*)(?P<credit>[^:!?]*?)[)\]]?$")
