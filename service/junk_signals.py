"""Language-general signals of one page's lines: what tells page furniture from article text.

:func:`page_signals` measures every line of a page (justext's idea, widened): how dense it is in
its language's stop words (stopwords-iso, through :mod:`service.language`) measured against the
page's own prose, so one threshold serves English's long list and Polish's short one; how many of
its content words (stems, stop words aside) the page's prose also uses, so a headline of another
story or a button shares few while a subheading, a table row or a caption of the story shares
many; its length;
whether it has the form of a sentence (sentence punctuation at the end, lower-case words after
the first, a finite-clause shape); its share of capitalised words, digits and symbols; how often
it repeats within the page; where it stands (before the first paragraph of prose, after the last,
at the page's edges); and, for an HTML page, how much of it is link text and what kind of block
holds it. :data:`FEATURES` names the numbers a model reads (:meth:`LineSignals.vector`).

Nothing here decides: :mod:`service.junk_model` scores the vectors.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from service.language import LanguageProfile, profile
from service.thresholds import thresholds

__all__ = [
    "FEATURES",
    "LETTER_WORD",
    "LIST_MARK",
    "SENTENCE_END",
    "LineSignals",
    "PageLine",
    "is_clause",
    "line_key",
    "page_signals",
]

_LIMITS = thresholds("junk_signals")  # service/data/clean_thresholds.json

#: A word of letters only ("8°C" has one: "C").
LETTER_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
#: A line "ends a sentence" when its last character, closing quotes and brackets aside, is one of
#: these; headlines, link lists and buttons usually do not.
SENTENCE_END = re.compile(r"[.!?…][\"'”\u2019»)\]]*$")
_KEY_DROP = re.compile(r"[^\w\s]")
#: A line opening with a list's mark: a dash, a bullet, "1." or "1)".
LIST_MARK = re.compile(r"^\s*(?:[-–—•*·▪►]|\d{1,2}[.)])\s")
#: Lines of at least this many words set the page's own stop-word density; those of them that are
#: finite clauses ending a sentence are its prose (the first and the last bound the body).
PROSE_MIN_WORDS = int(_LIMITS["PROSE_MIN_WORDS"])
#: Relative stop-word density is capped here (a short line of stop words says little more).
DENSITY_CAP = float(_LIMITS["DENSITY_CAP"])
#: Repeats within the page count up to this many.
REPEATS_CAP = int(_LIMITS["REPEATS_CAP"])


@dataclass(frozen=True)
class PageLine:
    """One line of a page, with what the HTML structure says of it ("" / None in plain text)."""

    text: str
    kind: str = ""  # the HTML block's kind: "p", "head", "item", "row", "quote", "code"
    link_share: float | None = None  # share of the block's characters that are link text


@dataclass(frozen=True)
class LineSignals:
    """The measured signals of one line (see the module docstring)."""

    words: int
    chars: int
    stopword_density: float  # share of the line's words that are stop words
    relative_density: float  # that density over the page prose's density (1.0: unknown)
    sentence_end: bool
    lower_share: float  # share of the words after the first that start in lower case
    capital_share: float  # share of the words that start in upper case
    digit_share: float  # share of non-space characters that are digits
    symbol_share: float  # share of non-space characters that are neither letters nor digits
    clause: bool  # looks like a finite clause: 5+ words, stop words inside, mostly lower case
    prose: bool  # a finite clause of PROSE_MIN_WORDS+ words ending a sentence
    ends_colon: bool
    page_repeats: int  # other lines of the page with the same words
    topic_share: float  # share of its content words' stems used by the page's other prose lines
    content_words: int  # its words that are not stop words
    position: float  # 0.0 first line, 1.0 last line
    before_body: bool  # before the page's first paragraph of prose
    after_body: bool  # after the page's last paragraph of prose
    link_share: float  # share of link text (0.0 where unknown)
    kind: str

    def vector(self, names: Sequence[str]) -> list[float]:
        """The features ``names`` (of :data:`FEATURES`) as numbers."""
        return [FEATURES[name](self) for name in names]


def _flag(value: bool) -> float:
    return 1.0 if value else 0.0


#: The numbers a model may read, by name.
FEATURES: dict[str, Callable[[LineSignals], float]] = {
    "log_words": lambda s: math.log1p(s.words),
    "log_chars": lambda s: math.log1p(s.chars),
    "stopword_density": lambda s: s.relative_density,
    "no_stopwords": lambda s: _flag(s.relative_density == 0.0),
    "sentence_end": lambda s: _flag(s.sentence_end),
    "lower_share": lambda s: s.lower_share,
    "capital_share": lambda s: s.capital_share,
    "digit_share": lambda s: s.digit_share,
    "symbol_share": lambda s: s.symbol_share,
    "clause": lambda s: _flag(s.clause),
    "ends_colon": lambda s: _flag(s.ends_colon),
    "page_repeats": lambda s: float(min(s.page_repeats, REPEATS_CAP)),
    "topic_share": lambda s: s.topic_share,
    "off_topic": lambda s: _flag(s.content_words > 0 and s.topic_share == 0.0),
    "edge": lambda s: 1.0 - 2.0 * min(s.position, 1.0 - s.position),
    "before_body": lambda s: _flag(s.before_body),
    "after_body": lambda s: _flag(s.after_body),
    "outer_fragment": lambda s: _flag((s.before_body or s.after_body) and not s.sentence_end),
    "link_share": lambda s: s.link_share,
    "heading": lambda s: _flag(s.kind == "head"),
    "list_item": lambda s: _flag(s.kind == "item"),
    "table_row": lambda s: _flag(s.kind == "row"),
}


def line_key(line: str) -> str:
    """The words of a line, case and punctuation aside: lines with one key are one line."""
    return " ".join(_KEY_DROP.sub(" ", line.casefold()).split())


def _density(words: Sequence[str], stopwords: frozenset[str]) -> float:
    return sum(word.casefold() in stopwords for word in words) / len(words) if words else 0.0


def is_clause(words: Sequence[str], stopwords: frozenset[str]) -> bool:
    """5+ words, a stop word after the first, most of the later words in lower case."""
    later = words[1:]
    return (
        len(words) >= 5
        and any(word.casefold() in stopwords for word in later)
        and sum(word[0].islower() for word in later) > len(later) / 2
    )


def _content_stems(words: Sequence[str], language: LanguageProfile) -> set[str]:
    return {language.stem(w) for w in words if len(w) > 1 and not language.is_stopword(w)}


def _topic_shares(
    words: Sequence[Sequence[str]], prose: Sequence[bool], language: LanguageProfile
) -> list[tuple[float, int]]:
    """For each line, the share of its content stems that some *other* prose line uses, and how
    many content words it has."""
    stems = [_content_stems(w, language) for w in words]
    used = Counter(stem for i, found in enumerate(stems) if prose[i] for stem in found)
    out: list[tuple[float, int]] = []
    for i, found in enumerate(stems):
        own = 1 if prose[i] else 0
        shared = sum(used[stem] > own for stem in found)
        out.append((shared / len(found) if found else 0.0, len(found)))
    return out


def page_signals(lines: Sequence[PageLine], language: str | None) -> list[LineSignals]:
    """The signals of every line of one page, in order; ``language`` is the page's (ISO 639-1)."""
    language_profile = profile(language)
    stopwords = language_profile.stopwords
    words = [LETTER_WORD.findall(line.text) for line in lines]
    densities = [_density(w, stopwords) for w in words]
    long = [
        d
        for d, line in zip(densities, lines, strict=True)
        if len(line.text.split()) >= PROSE_MIN_WORDS
    ]
    norm = statistics.median(long) if long else _density([x for w in words for x in w], stopwords)
    clauses = [is_clause(w, stopwords) for w in words]
    prose = [
        clauses[i]
        and len(line.text.split()) >= PROSE_MIN_WORDS
        and SENTENCE_END.search(line.text) is not None
        for i, line in enumerate(lines)
    ]
    body = [i for i, is_prose in enumerate(prose) if is_prose]
    first, last = (body[0], body[-1]) if body else (0, len(lines))  # no prose: no edges
    keys = Counter(line_key(line.text) for line in lines)
    topics = _topic_shares(words, prose, language_profile)
    span = max(len(lines) - 1, 1)
    out: list[LineSignals] = []
    for i, line in enumerate(lines):
        text, found = line.text, words[i]
        visible = "".join(text.split())
        later = found[1:]
        cased = [w for w in found if w[0].isupper() or w[0].islower()]
        out.append(
            LineSignals(
                words=len(text.split()),
                chars=len(text),
                stopword_density=densities[i],
                relative_density=min(densities[i] / norm, DENSITY_CAP) if norm else 1.0,
                sentence_end=SENTENCE_END.search(text) is not None,
                lower_share=sum(w[0].islower() for w in later) / len(later) if later else 0.0,
                capital_share=sum(w[0].isupper() for w in cased) / len(cased) if cased else 0.0,
                digit_share=sum(c.isdigit() for c in visible) / len(visible) if visible else 0.0,
                symbol_share=(
                    sum(not c.isalnum() for c in visible) / len(visible) if visible else 0.0
                ),
                clause=clauses[i],
                prose=prose[i],
                ends_colon=text.rstrip().endswith(":"),
                page_repeats=keys[line_key(text)] - 1,
                topic_share=topics[i][0],
                content_words=topics[i][1],
                position=i / span,
                before_body=i < first,
                after_body=i > last,
                link_share=line.link_share or 0.0,
                kind=line.kind,
            )
        )
    return out
