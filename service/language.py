"""Per-language text profiles: sentence splitter, stop words, stemmer and number words.

:func:`profile` gives, for an ISO 639-1 code ("en", "de", "fr", "es", "pt-BR", ...), what the
text helpers need to treat that language as itself rather than as English, each part from a
maintained library:

- sentences: pysbd's rule-based segmenter (abbreviations, initials, ordinals, decimals) for the
  languages it knows, a punctuation-and-capital splitter for the others;
- stop words: the stopwords-iso lists (57 languages);
- stems: the Snowball stemmers (snowballstemmer, 30-odd languages);
- calendar words: the names of weekdays and months from CLDR (Babel), so "Mittwoch",
  "miércoles" and "Wednesday" are known as one day;
- number words: text2num, for the words of a number ("twenty-three", "dreiundzwanzig",
  "vingt et un", "veintitrés") in English, German, French, Spanish, Portuguese, Dutch, Danish
  and Italian;
- word lists (pronouns of each person, attribution words, the words a fragment opens with, the
  words of numbers, scales, units and relative days, the particles inside names, the auxiliary
  of the passive, ...): prompts/words.json, data in one place, read by
  :meth:`LanguageProfile.words` (lists) and :meth:`LanguageProfile.values` /
  :meth:`LanguageProfile.meanings` (word → number, word → what it stands for); no other module
  holds a word list;
- proper names in a language that capitalises every noun (German): HanTa's part-of-speech
  tagger tells a name (NE) from a common noun (NN), see :meth:`LanguageProfile.proper_names`.

A language a library does not know falls back gracefully: the generic splitter, no stop words,
words left unstemmed, no number words. Nothing here guesses the language: callers pass it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from service.prompts import PROMPTS_DIR

__all__ = [
    "WORD_LISTS",
    "WORD_MEANINGS",
    "WORD_VALUES",
    "LanguageProfile",
    "base_language",
    "every_language_months",
    "every_language_words",
    "profile",
    "worded_languages",
]

WORDS_FILE = "words.json"
# The word lists prompts/words.json holds for each language it knows.
WORD_LISTS = (
    "first_person",
    "first_person_plural",
    "second_person",
    "attribution",
    "continuations",
    "pronoun_subjects",
    "number_joiners",
    "stopwords",
    "percent",
    "ordinal_suffixes",
    "scale_of",
    "age",
    "day_words",
    "not_units",
    "generic_units",
    "earlier_periods",
    "name_connectors",
    "offices",
    "not_holding",
    "not_qualifying",
    "passive_auxiliaries",
    "picture_credits",
    "byline_openers",
    "teaser_labels",
    "ad_labels",
    "share_words",
    "promotions",
    "source_labels",
    "reporting_credits",
    "credit_phrases",
    "reader_pitches",
    "paywall_phrases",
    "comment_controls",
    "comment_words",
    "cookie_notices",
    "override_verbs",
    "earlier_words",
    "instruction_nouns",
    "reveal_verbs",
    "hidden_prompts",
    "you_are",
    "automated_readers",
    "model_kinds",
    "addressing_nouns",
    "addressed_to",
    "conditional_you",
    "processing_verbs",
    "telling_verbs",
)
# The word → number maps it holds ("nine" → 9, "fifth" → 5).
WORD_VALUES = ("number_words", "ordinals")
# The word → meaning maps it holds ("Milliarden" → "billion", "£" → "pound").
WORD_MEANINGS = ("scales", "scale_abbreviations", "currencies")
# HanTa's models of the languages that capitalise every noun: there a capital marks no name.
_NOUN_TAGGERS = {"de": "morphmodel_ger.pgz"}
_PROPER_NOUN = "NE"  # HanTa's (STTS) tag of a proper noun

# pysbd's languages (pysbd.languages.LANGUAGE_CODES), checked at import of a profile.
_PYSBD = frozenset("en hi mr zh es am ar hy bg ur ru pl fa nl da fr my el it ja de kk sk".split())
# Snowball stemmer names by ISO 639-1 code.
_SNOWBALL = {
    "ar": "arabic",
    "hy": "armenian",
    "eu": "basque",
    "ca": "catalan",
    "cs": "czech",
    "da": "danish",
    "nl": "dutch",
    "en": "english",
    "eo": "esperanto",
    "et": "estonian",
    "fi": "finnish",
    "fr": "french",
    "de": "german",
    "el": "greek",
    "hi": "hindi",
    "hu": "hungarian",
    "id": "indonesian",
    "ga": "irish",
    "it": "italian",
    "lt": "lithuanian",
    "ne": "nepali",
    "no": "norwegian",
    "nb": "norwegian",
    "nn": "norwegian",
    "fa": "persian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "st": "sesotho",
    "es": "spanish",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
    "yi": "yiddish",
}
# text2num's languages.
_TEXT2NUM = frozenset("en de fr es pt nl da it".split())

_GENERIC_SENTENCE_END = re.compile(r"(?<=[.!?…。！？])[\"”’»)\]]*\s+(?=[\"“‘«(¿¡]?[^\W\d_]|\d)")
_NUMBER_WORD = re.compile(r"^[^\W\d_]+(?:[-\s][^\W\d_]+)*$")


def base_language(code: str | None) -> str:
    """The ISO 639-1 base of a language tag: "pt-BR" -> "pt", "EN" -> "en", None -> ""."""
    return re.split(r"[-_]", (code or "").strip().lower(), maxsplit=1)[0]


# pysbd's abbreviation lists miss some ("La Dra.", "El Sr.", "p. ej."): a piece that ends in a
# title before a name (a capitalised word of up to four letters, the piece at most three words),
# or a piece followed by one that starts in lower case, did not end a sentence.
_TITLE_END = re.compile(r"(?:^|\s)(?-i:[^\W\d_a-z][^\W\d_A-Z]{0,3})\.$")


def _rejoin_abbreviations(pieces: list[str]) -> list[str]:
    out: list[str] = []
    for piece in pieces:
        last = out[-1] if out else ""
        title = bool(_TITLE_END.search(last)) and len(last.split()) <= 3
        if last and (title or piece[:1].islower()):  # CJK has no case: never joined
            out[-1] = f"{last} {piece}"
        else:
            out.append(piece)
    return out


def _generic_sentences(text: str) -> list[str]:
    return [part.strip() for part in _GENERIC_SENTENCE_END.split(text) if part.strip()]


@dataclass(frozen=True)
class LanguageProfile:
    """What the text helpers need to know about one language (see :func:`profile`)."""

    code: str  # ISO 639-1 base code, "" for unknown
    stopwords: frozenset[str] = field(default_factory=frozenset)
    sentence_splitter: str = "generic"  # "pysbd" or "generic"
    stemmer: str = ""  # the Snowball algorithm's name, "" for none
    numbers: bool = False  # text2num knows its number words

    def split_sentences(self, text: str) -> list[str]:
        """The sentences of ``text``; a line break always ends a sentence."""
        out: list[str] = []
        for line in text.split("\n"):
            if not line.strip():
                continue
            if self.sentence_splitter == "pysbd":
                pieces = [s.strip() for s in _segmenter(self.code).segment(line) if s.strip()]
                out += _rejoin_abbreviations(pieces)
            else:
                out += _generic_sentences(line)
        return out

    @property
    def has_words(self) -> bool:
        """Whether prompts/words.json has this language's word lists (else every list is
        empty: the rules that need them apply nothing)."""
        return self.code in _word_lists()

    def words(self, kind: str) -> tuple[str, ...]:
        """The language's word list of `kind` (one of WORD_LISTS); empty for a language the
        data does not cover."""
        if kind not in WORD_LISTS:
            raise KeyError(f"no word list {kind!r}; known: {', '.join(WORD_LISTS)}")
        return tuple(_word_lists().get(self.code, {}).get(kind, ()))

    def values(self, kind: str) -> dict[str, float]:
        """The language's map of `kind` (one of WORD_VALUES), lower-case word → its number."""
        if kind not in WORD_VALUES:
            raise KeyError(f"no word values {kind!r}; known: {', '.join(WORD_VALUES)}")
        listed: dict[str, float] = _word_lists().get(self.code, {}).get(kind, {})
        return {word: float(value) for word, value in listed.items()}

    def meanings(self, kind: str) -> dict[str, str]:
        """The language's map of `kind` (one of WORD_MEANINGS), lower-case word → what it
        stands for ("milliarden" → "billion")."""
        if kind not in WORD_MEANINGS:
            raise KeyError(f"no word meanings {kind!r}; known: {', '.join(WORD_MEANINGS)}")
        return dict(_word_lists().get(self.code, {}).get(kind, {}))

    def count_words(self, kind: str, text: str) -> int:
        """How often the text uses a word (or phrase) of the list `kind`: a listed word with a
        capital matches only as written ("I"), a lower-case one in lower case or with a capital
        first letter, never in capitals ("US" is no "us")."""
        pattern = _words_pattern(self.code, kind)
        return len(pattern.findall(text)) if pattern is not None else 0

    def without_words(self, kind: str, text: str) -> str:
        """The text with the words of the list `kind` blanked out."""
        pattern = _words_pattern(self.code, kind)
        return pattern.sub(" ", text) if pattern is not None else text

    def is_stopword(self, word: str) -> bool:
        return word.casefold() in self.stopwords

    def stem(self, word: str) -> str:
        """The Snowball stem of ``word`` (lower-cased), or the word itself without a stemmer."""
        lowered = word.casefold()
        return _stemmer(self.stemmer).stemWord(lowered) if self.stemmer else lowered

    def calendar(self, text: str) -> frozenset[str]:
        """The weekdays and months ``text`` names, language-independent: {"day:2", "month:3"}
        (CLDR's wide names, Babel; a language CLDR does not know names none). A name that is
        also a stop word counts only when capitalised ("May", not "may")."""
        names = _calendar_names(self.code)
        found = set()
        for word in re.findall(r"[^\W\d_]+", text):
            key = names.get(word.casefold())
            if key and not (word.islower() and word in self.stopwords):
                found.add(key)
        return frozenset(found)

    def calendar_kind(self, word: str) -> str:
        """ "day" for a weekday's name, "month" for a month's, "" for any other word."""
        key = _calendar_names(self.code).get(word.casefold(), "")
        return key.partition(":")[0]

    def month(self, word: str) -> int | None:
        """The month a word names, 1 … 12, by CLDR's wide name ("settembre") or, written with
        its full stop, its abbreviated one ("sept.", "may."), else None."""
        kind, _, number = _calendar_names(self.code).get(word.casefold(), "").partition(":")
        if kind == "month":
            return int(number)
        return _month_abbreviations(self.code).get(word.casefold()) if word.endswith(".") else None

    def weekday(self, word: str) -> int | None:
        """The weekday a word names, Monday 0 … Sunday 6 (CLDR's numbering), else None."""
        kind, _, number = _calendar_names(self.code).get(word.casefold(), "").partition(":")
        return int(number) if kind == "day" else None

    def proper_names(self, tokens: tuple[str, ...]) -> tuple[bool, ...] | None:
        """For a language that capitalises every noun (German), which of a sentence's words
        are proper names: those HanTa tags NE, and a capitalised word right after one (HanTa
        tags the "Kerr" of "Tomas Kerr" NN). None for a language whose capitals mark names."""
        model = _NOUN_TAGGERS.get(self.code)
        return None if model is None else _proper_names(model, tokens)

    def number_value(self, words: str) -> int | None:
        """The value of a number written in words ("twenty-three" -> 23), else None."""
        if not self.numbers or not _NUMBER_WORD.match(words.strip()):
            return None
        return _number_value(self.code, words.strip().casefold())

    def written(self, value: float) -> str:
        """A number as this language writes it in digits (CLDR, Babel: 1200 → "1,200" in
        English, "1.200" in German); plain digits for a language CLDR does not know."""
        from babel import UnknownLocaleError
        from babel.numbers import format_decimal

        try:
            return str(format_decimal(value, locale=self.code or "und"))
        except (UnknownLocaleError, ValueError):
            return f"{value:g}"

    def digits(self, text: str) -> str:
        """``text`` with its numbers in words written as digits ("drei Schiffe" -> "3 Schiffe");
        lone small numbers ("one of them") stay words, as text2num leaves them."""
        if not self.numbers:
            return text
        from text_to_num import alpha2digit

        return str(alpha2digit(text, self.code))


@lru_cache(maxsize=1)
def _word_lists() -> dict[str, dict[str, Any]]:
    import json

    data = json.loads((PROMPTS_DIR / WORDS_FILE).read_text("utf-8"))
    languages: dict[str, dict[str, Any]] = data["languages"]
    return languages


def every_language_words(kind: str) -> tuple[str, ...]:
    """The list ``kind`` of every language the data has, for a rule that may not trust the
    language detected (page furniture is often in the site's language, not the article's)."""
    if kind not in WORD_LISTS:
        raise KeyError(f"no word list {kind!r}; known: {', '.join(WORD_LISTS)}")
    found = {word for lists in _word_lists().values() for word in lists.get(kind, ())}
    return tuple(sorted(found))


def every_language_months() -> tuple[str, ...]:
    """CLDR's wide and abbreviated month names (no full stop) of every language the data has,
    lower-cased, longest first: for a rule that reads a date in any language."""
    found: set[str] = set()
    for code in _word_lists():
        found.update(key for key, kind in _calendar_names(code).items() if kind.startswith("month"))
        found.update(key.rstrip(".") for key in _month_abbreviations(code))
    return tuple(sorted(found, key=lambda name: (-len(name), name)))


def worded_languages() -> frozenset[str]:
    """The languages prompts/words.json has word lists for."""
    return frozenset(_word_lists())


def _forms(word: str) -> list[str]:
    if word != word.lower():
        return [re.escape(word)]
    return [re.escape(word), re.escape(word[:1].upper() + word[1:])]


@lru_cache(maxsize=512)
def _words_pattern(code: str, kind: str) -> re.Pattern[str] | None:
    listed = _word_lists().get(code, {}).get(kind, [])
    if not listed:
        return None
    alternatives = sorted((f for w in listed for f in _forms(w)), key=len, reverse=True)
    # an elided form ("j'") ends in an apostrophe: no word boundary after it
    return re.compile(rf"(?<![\w'’])(?:{'|'.join(alternatives)})(?:(?<=['’])|(?![\w'’-]))")


@lru_cache(maxsize=64)
def _segmenter(code: str) -> Any:
    import pysbd

    return pysbd.Segmenter(language=code, clean=False)


@lru_cache(maxsize=64)
def _stemmer(name: str) -> Any:
    import snowballstemmer

    return snowballstemmer.stemmer(name)


@lru_cache(maxsize=16384)
def _proper_names(model: str, tokens: tuple[str, ...]) -> tuple[bool, ...]:
    """HanTa's names of one sentence, tagged once however many passages hold it."""
    tags = [tag for _, _, tag in _tagger(model).tag_sent(list(tokens))]
    proper: list[bool] = []
    for i, (token, tag) in enumerate(zip(tokens, tags, strict=True)):
        after_name = i > 0 and proper[i - 1] and token[:1].isupper()
        proper.append(tag == _PROPER_NOUN or after_name)
    return tuple(proper)


@lru_cache(maxsize=4)
def _tagger(model: str) -> Any:
    from HanTa import HanoverTagger

    return HanoverTagger.HanoverTagger(model)


@lru_cache(maxsize=4096)
def _number_value(code: str, words: str) -> int | None:
    from text_to_num import text2num

    try:
        return int(text2num(words, code))
    except (ValueError, TypeError):
        return None


def _stopwords(code: str) -> frozenset[str]:
    import stopwordsiso

    if not code or not stopwordsiso.has_lang(code):
        return frozenset()
    return frozenset(word.casefold() for word in stopwordsiso.stopwords(code))


@lru_cache(maxsize=64)
def _calendar_names(code: str) -> dict[str, str]:
    """CLDR's wide weekday and month names of a language (both formatting and stand-alone
    forms), lower-cased, each to its key ("mittwoch" → "day:2", "marzo" → "month:3")."""
    from babel import Locale, UnknownLocaleError

    try:
        locale = Locale.parse(code or "und")
    except (UnknownLocaleError, ValueError):
        return {}
    names: dict[str, str] = {}
    for kind, table in (("day", locale.days), ("month", locale.months)):
        for context in ("format", "stand-alone"):
            for number, name in table.get(context, {}).get("wide", {}).items():
                names[str(name).casefold()] = f"{kind}:{number}"
    return names


@lru_cache(maxsize=64)
def _month_abbreviations(code: str) -> dict[str, int]:
    """CLDR's abbreviated month names of a language with their full stop ("sept." → 9)."""
    from babel import Locale, UnknownLocaleError

    try:
        locale = Locale.parse(code or "und")
    except (UnknownLocaleError, ValueError):
        return {}
    names: dict[str, int] = {}
    for context in ("format", "stand-alone"):
        for number, name in locale.months.get(context, {}).get("abbreviated", {}).items():
            names[f"{str(name).casefold().rstrip('.')}."] = int(number)
    return names


@lru_cache(maxsize=128)
def profile(language: str | None) -> LanguageProfile:
    """The profile of ``language`` (an ISO 639-1 code or a tag like "de-AT"); an unknown or
    missing language gets the generic splitter and nothing else."""
    code = base_language(language)
    return LanguageProfile(
        code=code,
        stopwords=_stopwords(code),
        sentence_splitter="pysbd" if code in _PYSBD else "generic",
        stemmer=_SNOWBALL.get(code, ""),
        numbers=code in _TEXT2NUM,
    )
