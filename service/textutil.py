"""Small deterministic text helpers shared by the stages: sentences, words, names and numbers."""

import re
from dataclasses import dataclass
from functools import lru_cache

from service.language import profile

_SENTENCE_END = re.compile(r"(?<=[.!?…])([\"”’)]?)\s+(?=[\"“‘(]?[A-ZÁÉÍÓÚÑÄÖÜ0-9¿¡])")
_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*", re.UNICODE)

STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "for",
        "from",
        "had",
        "has",
        "have",
        "he",
        "her",
        "his",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "our",
        "said",
        "says",
        "she",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "to",
        "was",
        "were",
        "which",
        "who",
        "will",
        "with",
        "would",
        "after",
        "also",
        "about",
        "over",
        "than",
        "not",
        "more",
        "most",
        "other",
        "some",
        "such",
        "what",
        "when",
        "where",
        "while",
        "could",
        "should",
        "may",
        "might",
        "can",
        "just",
        "only",
        "very",
        "we",
        "you",
        "your",
        "i",
        "us",
        "el",
        "la",
        "los",
        "las",
        "de",
        "del",
        "y",
        "en",
        "que",
        "un",
        "una",
        "por",
        "con",
        "para",
        "se",
        "su",
        "al",
        "lo",
        "como",
        "más",
        "o",
        "pero",
        "sus",
        "le",
        "ya",
        "le",
        "les",
        "des",
        "et",
        "du",
        "un",
        "une",
        "pour",
        "par",
        "sur",
        "dans",
        "qui",
        "est",
        "der",
        "die",
        "das",
        "und",
        "mit",
        "von",
        "zu",
        "den",
    ]
)

NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "hundred": 100,
    "dozen": 12,
    "uno": 1,
    "dos": 2,
    "tres": 3,
    "cuatro": 4,
    "cinco": 5,
    "seis": 6,
    "siete": 7,
    "ocho": 8,
    "nueve": 9,
    "diez": 10,
    "doce": 12,
}


def stopwords(language: str | None = None) -> frozenset[str]:
    """The stop words of ``language`` (stopwords-iso, via :mod:`service.language`); without a
    language, or for one without a list, the built-in mixed English/Spanish/French/German set."""
    if language is None:
        return STOPWORDS
    return profile(language).stopwords or STOPWORDS


def split_sentences(text: str, language: str | None = None) -> list[str]:
    """Sentences of a text, paragraph breaks respected.

    With a ``language``, its profile's splitter (pysbd where it knows the language: "Dr.",
    "z. B.", "3. Oktober" do not end a sentence); without one, the punctuation-and-capital rule.
    """
    return [text[start:end] for start, end in sentence_spans(text, language)]


_INITIAL_END = re.compile(r"(?:^|\s)(?:[A-Z]|([A-Z])\1)\.$")  # "George W.", "EE." (EE. UU.)
# A short capitalised abbreviation before a figure: "Jan. 5", "Nr. 112", "No. 10", "Art. 3".
_FIGURE_ABBREVIATION_END = re.compile(r"(?:^|\s)[A-Z][a-z]{1,2}\.$")


def whole_sentences(text: str) -> list[str]:
    """Sentences of a text as `split_sentences` gives them (no language), with the pieces an
    abbreviation cut off joined back within their line: a piece with no lower-case word
    ("PDT (UTC-7)." after "1:00 p.m.", "B." of "z. B.") goes with the one before, and so does
    any piece after one ending in an initial or with no lower-case word ("President George W.",
    "Former U.S.", "M.", "EE.", "La Sra."), and a figure after a short abbreviation ("Jan. 5",
    "Nr. 112")."""
    out: list[str] = []
    for line in text.split("\n"):
        pieces: list[str] = []
        for piece in split_sentences(line):
            cut = pieces and (
                not _has_lower(piece)
                or not _has_lower(pieces[-1])
                or _INITIAL_END.search(pieces[-1])
                or (piece[:1].isdigit() and _FIGURE_ABBREVIATION_END.search(pieces[-1]))
            )
            if cut:
                pieces[-1] = f"{pieces[-1]} {piece}"
            else:
                pieces.append(piece)
        out += pieces
    return out


def _has_lower(text: str) -> bool:
    return any(w[:1].islower() for w in words(text))


def sentence_spans(text: str, language: str | None = None) -> list[tuple[int, int]]:
    """(start, end) character offsets of each sentence of `text`, surrounding space excluded."""
    if language is not None:
        spans, cursor = [], 0
        for sentence in profile(language).split_sentences(text):
            start = text.find(sentence, cursor)
            if start < 0:  # the splitter normalised something: fall back to the rule
                return sentence_spans(text)
            spans.append((start, start + len(sentence)))
            cursor = start + len(sentence)
        return spans
    spans = []
    for line in re.finditer(r"[^\n]+", text):
        start = line.start()
        for boundary in [*_SENTENCE_END.finditer(line.group()), None]:
            # A closing quote or bracket after the full stop belongs to the sentence.
            end = line.start() + boundary.end(1) if boundary else line.end()
            piece = text[start:end]
            stripped = piece.strip()
            if stripped:
                left = start + len(piece) - len(piece.lstrip())
                spans.append((left, left + len(stripped)))
            if boundary:
                start = line.start() + boundary.end()
    return spans


def split_paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def content_words_in_order(text: str, language: str | None = None) -> list[str]:
    """Lower-cased words of 3+ letters that carry meaning (no stopwords, no numbers), in order;
    the stop words are ``language``'s (see :func:`stopwords`)."""
    stop = stopwords(language)
    return [
        w.lower() for w in words(text) if len(w) >= 3 and not w.isdigit() and w.lower() not in stop
    ]


def content_words(text: str, language: str | None = None) -> set[str]:
    """The set of `content_words_in_order`."""
    return set(content_words_in_order(text, language))


def holds_name(text_lower: str, name: str) -> bool:
    """Whether a (lower-cased) text holds a name, a possessive's owner ("Alliance's") included."""
    return name.lower().removesuffix("'s").removesuffix("’s") in text_lower


@lru_cache(maxsize=256)
def _vocabulary(text: str) -> frozenset[str]:
    return frozenset(content_words(text))


def copies(text: str, original: str, share: float) -> bool:
    """Whether `text` is mostly made of `original`'s words: a fact meant to be a translation
    that copies its article's sentence instead (names alone are shared by a translation). The
    original is an article, asked about each of its facts: its words are read once."""
    mine = content_words(text)
    return bool(mine) and len(mine & _vocabulary(original)) >= share * len(mine)


def names(text: str) -> set[str]:
    """Capitalised words that are not the first word of a sentence: a cheap proper-noun set."""
    found: set[str] = set()
    for sentence in split_sentences(text):
        tokens = words(sentence)
        for token in tokens[1:]:
            if token[0].isupper() and token.lower() not in STOPWORDS and len(token) > 1:
                found.add(token)
    return found


@dataclass(frozen=True)
class Quantity:
    """A number in the text, with the word that follows it as its unit (if any)."""

    value: float
    unit: str
    text: str  # as written, e.g. "nine days", "4.5%"
    then: str = ""  # the word after the unit, alike normalised ("26,000 local vehicles": vehicle)

    @property
    def nouns(self) -> frozenset[str]:
        """What the number may count: its unit, or the word after it ("local" → "vehicle")."""
        return frozenset(w for w in (self.unit, self.then) if w)


def _unit(phrase: str) -> str:
    """Normalised unit: lower case, singular; "million euros" → "million euro"."""
    *scale, word = phrase.lower().split()
    if scale:
        return " ".join([*scale, _unit(word)])
    if word in ("%", "percent", "per", "cent", "por", "ciento"):
        return "percent"
    for suffix in ("ies", "s"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


_QUANTITY = re.compile(
    r"(?<![\w.])(?<!\d:)(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+,\d{1,2}(?![\d,])"
    r"|(?P<dotted>[1-9]\d{0,2}(?:\.\d{3})+(?:,\d{1,2})?(?![\d.,])(?!\s?%))|\d+(?:\.\d+)?|"
    + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
    + r")(?![\w])(?!:\d)(?:\s*-\s*|\s+)?"
    r"(?P<unit>%|(?:thousand|million|billion|trillion|mil|millones)\s+(?:de\s+)?[^\W\d_]+"
    r"|[^\W\d_]+)?",
    re.IGNORECASE,
)


_OLD = re.compile(r"\s*-?\s*old\b", re.IGNORECASE)
_NEXT_WORD = re.compile(r"\s+([a-z][a-z-]+)\b")

_CURRENCIES = {"£": "pound", "$": "dollar", "€": "euro", "¥": "yen"}
_SCALES = {"k": "thousand", "m": "million", "mn": "million", "b": "billion", "bn": "billion"}
_MONEY = re.compile(
    r"(?P<currency>[£$€¥])\s?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:\s?(?P<scale>thousand|million|billion|trillion|bn|mn|m|k|b)\b)?",
    re.IGNORECASE,
)


def _money(text: str) -> list[tuple[int, Quantity]]:
    """ "£3.1m", "$2 billion", "€450": the currency symbol is the unit ("million pound")."""
    found = []
    for match in _MONEY.finditer(text):
        scale = (match.group("scale") or "").lower()
        currency = _CURRENCIES[match.group("currency")]
        unit = f"{_SCALES.get(scale, scale)} {currency}" if scale else currency
        value = float(match.group("num").replace(",", ""))
        found.append((match.start(), Quantity(value, unit, match.group(0).strip())))
    return found


_DECIMAL_COMMA = re.compile(r"\d+,\d{1,2}")


def _number(raw: str, dotted: bool = False) -> float:
    """ "1,800" is a thousands comma; "7,5" (one or two digits after it) a decimal comma, and
    "1.650" or "2.400.000" (groups of three after a dot, not a percentage) a thousands dot, as
    German, Spanish or Italian write 7.5, 1,650 and 2,400,000."""
    if _DECIMAL_COMMA.fullmatch(raw):
        return float(raw.replace(",", "."))
    if dotted:
        return float(raw.replace(".", "").replace(",", "."))
    return float(raw.replace(",", ""))


def quantities(text: str) -> list[Quantity]:
    """Numbers with their units: "nine days" → (9, "day"), "4.5%" → (4.5, "percent"),
    "£3.1m" → (3.1, "million pound")."""
    found = _money(text)
    rest = _MONEY.sub(lambda m: " " * len(m.group(0)), text)  # keep positions for the order
    for match in _QUANTITY.finditer(rest):
        raw = match.group("num")
        value = NUMBER_WORDS.get(raw.lower())
        number = float(value) if value is not None else _number(raw, bool(match.group("dotted")))
        unit = _unit(match.group("unit")) if match.group("unit") else ""
        if unit and (old := _OLD.match(rest, match.end())):  # "24-year-old": an age
            unit, match_text = f"{unit} old", rest[match.start() : old.end()]
        else:
            match_text = match.group(0)
        after = _NEXT_WORD.match(rest, match.end())
        then = _unit(after.group(1)) if unit and after and after.group(1) not in STOPWORDS else ""
        quantity = Quantity(number, unit, match_text.strip(), then)
        found.append((match.start(), quantity))
    return [quantity for _, quantity in sorted(found, key=lambda item: item[0])]


def figures(text: str) -> set[tuple[float, str]]:
    """(value, unit) pairs of the numbers that have a unit."""
    return {(q.value, q.unit) for q in quantities(text) if q.unit}


def number_values(text: str) -> set[float]:
    """Every numeric value a text states, digits or number words."""
    return {q.value for q in quantities(text)}


WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())
MONTHS = frozenset(
    "january february march april may june july august september october november december".split()
)
CALENDAR_WORDS = WEEKDAYS | MONTHS
_SUFFIXES = ("ing", "ed", "es", "s", "e")


def stem(word: str) -> str:
    """A crude stem, alike for both sides: "fined"/"fine", "Quillon's"/"Quillon", "jobs"/"job"."""
    word = word.lower().removesuffix("'s").removesuffix("’s")
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


@dataclass(frozen=True)
class Features:
    """What the stages compare of one text (a fact, a sentence, a passage), computed once."""

    quantities: tuple[Quantity, ...]
    numbers: frozenset[float]
    figures: frozenset[tuple[float, str]]  # (value, unit) of the numbers that have a unit
    names: frozenset[str]
    stems: frozenset[str]  # stems of the content words, names included
    calendar: frozenset[str]  # weekdays and months named


@lru_cache(maxsize=65536)
def features(text: str) -> Features:
    """The text's numbers, figures, names and content stems; cached, so a fact or passage met
    by several stages is analysed once."""
    found = tuple(quantities(text))
    content = content_words_in_order(text)
    return Features(
        quantities=found,
        numbers=frozenset(q.value for q in found),
        figures=frozenset((q.value, q.unit) for q in found if q.unit),
        names=frozenset(names(text)),
        stems=frozenset(stem(w) for w in content),
        calendar=frozenset(w for w in content if w in CALENDAR_WORDS),
    )


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def names_outlet(text: str, outlet: str) -> bool:
    """Whether the text names the outlet ("Subscribe to Farming Daily", "Business Journal
    Events: book now"): two of its words in a row, or the whole name if it is one word."""
    names = outlet.split()
    pairs = [" ".join(names[i : i + 2]) for i in range(len(names) - 1)] or names
    return any(re.search(rf"(?<!\w){re.escape(p)}(?!\w)", text) for p in pairs)
