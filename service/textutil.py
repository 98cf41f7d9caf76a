"""Small deterministic text helpers shared by the stages: sentences, words, names and numbers."""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from service.language import profile

_SENTENCE_END = re.compile(r"(?<=[.!?…])([\"”’)]?)\s+(?=[\"“‘(]?[A-ZÁÉÍÓÚÑÄÖÜ0-9¿¡])")
_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*", re.UNICODE)


def stopwords(language: str | None = None) -> frozenset[str]:
    """The stop words of ``language`` (stopwords-iso, via :mod:`service.language`); without a
    language, or for one without a list, English's short list (see :func:`short_stopwords`)."""
    if language is None:
        return short_stopwords("en")
    return profile(language).stopwords or short_stopwords("en")


@lru_cache(maxsize=64)
def short_stopwords(language: str) -> frozenset[str]:
    """The words facts are compared without (prompts/words.json's "stopwords": articles,
    prepositions, pronouns, "said"): shorter than stopwords-iso's, which list "new" and
    "million" too. A language without that list: its stopwords-iso list."""
    listed = profile(language).words("stopwords")
    return frozenset(listed) if listed else profile(language).stopwords


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


def fact_words(text: str, language: str) -> list[str]:
    """Like :func:`content_words_in_order`, without the language's short list of stop words
    (:func:`short_stopwords`): what the stages compare facts on."""
    stop = short_stopwords(language)
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


def copies(text: str, original: str, share: float, language: str) -> bool:
    """Whether `text` (read as ``language``) is mostly made of `original`'s words: a fact meant
    to be a translation that copies its article's sentence instead. Its names do not count: a
    translation keeps them ("Tomás Ibarguren de Equipo Cordillera ganó …" shares all but one
    word with an English article on that race), so a fact of names and one verb is judged by
    the verb. The original is an article, asked about each of its facts: its words are read
    once."""
    mine = content_words(text) - {n.lower() for n in names(text, language)}
    return bool(mine) and len(mine & _vocabulary(original)) >= share * len(mine)


def names(text: str, language: str) -> set[str]:
    """Capitalised words that are not the first word of a sentence: a cheap proper-noun set. In
    a language that capitalises every noun (German), only the words its tagger takes for names
    (:meth:`service.language.LanguageProfile.proper_names`): "Bürgermeisterin" is no name."""
    found: set[str] = set()
    stop = short_stopwords(language)
    for sentence in split_sentences(text):
        tokens = tuple(words(sentence))
        proper = profile(language).proper_names(tokens) if len(tokens) > 1 else None
        for i, token in enumerate(tokens[1:], start=1):
            capitalised = token[0].isupper() and token.lower() not in stop and len(token) > 1
            if capitalised and (proper is None or proper[i]):
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


def _singular(word: str) -> str:
    """A unit word's form as compared: lower case, a plural's "s" (or "ies") off."""
    word = word.lower()
    for suffix in ("ies", "s"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def _unit(match: re.Match[str], language: str) -> str:
    """A quantity's normalised unit: "percent" for "%", "per cent" or "Prozent"; a scale by
    its meaning ("million euros" and "Millionen Euro" → "million euro", "Milliarden" →
    "billion"); else the word, singular ("days" → "day")."""
    scales = profile(language).meanings("scales")
    found = match.groupdict()
    if found.get("percent"):
        return "percent"
    if found.get("scale"):
        return f"{scales[found['scale'].lower()]} {_singular(found['noun'])}"
    word = found.get("word") or ""
    return scales.get(word.lower()) or _singular(word) if word else ""


def _alternatives(listed: Iterable[str]) -> str:
    """A regex alternation of the words, longest first; "" for none."""
    return "|".join(re.escape(w) for w in sorted(listed, key=len, reverse=True))


_NUMBER = (
    r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+,\d{1,2}(?![\d,])"
    r"|(?P<dotted>[1-9]\d{0,2}(?:\.\d{3})+(?:,\d{1,2})?(?![\d.,])(?!\s?%))|\d+(?:\.\d+)?"
)


@lru_cache(maxsize=256)
def _quantity_pattern(language: str, written: tuple[str, ...] = ()) -> re.Pattern[str]:
    """A number (digits, one of the language's number words, or one of the numbers ``written``
    in several words that a text holds: `_written_numbers`) and the unit after it: a percent
    phrase, a scale with what it counts ("2,5 millions d'euros"), or a word."""
    lang = profile(language)
    number_words = _alternatives([*lang.values("number_words"), *written])
    percent = _alternatives(lang.words("percent"))
    scales = _alternatives(lang.meanings("scales"))
    of = _alternatives(lang.words("scale_of"))
    units = [rf"(?P<percent>%|(?:{percent})(?![\w'’]))" if percent else "(?P<percent>%)"]
    if scales:
        joined = rf"(?:(?:{of})(?<=['’])|(?:{of})\s+)?" if of else ""
        units.append(rf"(?P<scale>{scales})\.?\s+{joined}(?P<noun>[^\W\d_]+)")
    units.append(r"(?P<word>[^\W\d_]+)")
    number = f"{_NUMBER}|{number_words}" if number_words else _NUMBER
    return re.compile(
        rf"(?<![\w.])(?<!\d:)(?P<num>{number})(?![\w])(?!:\d)(?:\s*-\s*|\s+)?"
        rf"(?P<unit>{'|'.join(units)})?",
        re.IGNORECASE,
    )


@lru_cache(maxsize=64)
def _number_run(language: str, loose: bool = False) -> re.Pattern[str] | None:
    """Two or more of the language's number words joined by a hyphen or by one of its
    "number_joiners" ("fifty-eight", "treinta y dos", "vingt et un"; "" joins by a space:
    "dwadzieścia trzy"); ``loose``, by a space too ("two hundred", "trois cents")."""
    lang = profile(language)
    listed = _alternatives(lang.values("number_words"))
    if not listed:
        return None
    joiners = [*lang.words("number_joiners"), *([""] if loose else [])]
    joins = ["-", *(rf"\s+{re.escape(j)}\s+" if j else r"\s+" for j in joiners)]
    return re.compile(
        rf"(?<![\w-])(?:{listed})(?:(?:{'|'.join(joins)})(?:{listed}))+(?![\w-])", re.IGNORECASE
    )


_LONG_WORD = re.compile(r"[^\W\d_]{6,}")


def _written_numbers(text: str, language: str, listed: Mapping[str, float]) -> dict[str, float]:
    """The numbers ``text`` writes in more than one of the language's number words, lower-cased,
    with their values: runs of listed words (`_number_run`) that text2num reads ("quatre-vingt"
    is 80) or that are tens and a unit ("dwadzieścia trzy", where text2num has no Polish), runs
    joined by a space that text2num reads ("two hundred", "one hundred and twenty"), and
    single words text2num reads ("dreiundzwanzig", "ventotto", "sechzig"). "two and three" is no
    number, nor is a scale's plural ("cientos de personas")."""
    lang = profile(language)
    found: dict[str, float] = {}
    run = _number_run(language)
    for match in run.finditer(text) if run else ():
        raw = match.group(0).lower()
        read = lang.number_value(raw)
        parts = [listed[w] for w in re.findall(r"[^\W\d_]+", raw) if w in listed]
        tens_and_unit = len(parts) == 2 and parts[0] >= 20 and parts[0] % 10 == 0 and parts[1] < 10
        if read is not None or tens_and_unit:
            found[raw] = float(read) if read is not None else sum(parts)
    loose = _number_run(language, loose=True)
    for match in loose.finditer(text) if loose else ():  # only as text2num reads them
        raw = match.group(0).lower()
        if raw not in found and (read := lang.number_value(raw)) is not None:
            found[raw] = float(read)
    for match in _LONG_WORD.finditer(text):
        word = match.group(0).lower()
        read = None if word in listed else lang.number_value(word)
        if read is not None and not _scale_word(read):  # "cientos": many, not 100
            found[word] = float(read)
    return found


def _scale_word(value: int) -> bool:
    """Whether a value read from one word is a power of ten from 100 up: the word is a scale
    ("hundreds", "miles"), whose plural text2num reads as the scale itself."""
    return value >= 100 and str(value).rstrip("0") == "1"


@lru_cache(maxsize=64)
def _age_pattern(language: str) -> re.Pattern[str] | None:
    """The word that makes a count an age ("24-year-old"), where the language has one."""
    age = _alternatives(profile(language).words("age"))
    return re.compile(rf"\s*-?\s*(?:{age})\b", re.IGNORECASE) if age else None


_NEXT_WORD = re.compile(r"\s+([a-z][a-z-]+)\b")


@lru_cache(maxsize=64)
def _money_pattern(language: str) -> re.Pattern[str]:
    """An amount after a currency sign, with its scale word or abbreviation ("£3.1m",
    "€2,5 Mrd")."""
    lang = profile(language)
    scales = _alternatives({**lang.meanings("scales"), **lang.meanings("scale_abbreviations")})
    scale = rf"(?:\s?(?P<scale>{scales})\b)?" if scales else ""
    return re.compile(
        rf"(?P<currency>[£$€¥])\s?(?P<num>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?){scale}",
        re.IGNORECASE,
    )


def _money(text: str, language: str) -> list[tuple[int, Quantity]]:
    """ "£3.1m", "$2 billion", "€450": the currency is the unit ("million pound"), named in
    the language's words (prompts/words.json "currencies"), else by its sign."""
    lang = profile(language)
    scales = {**lang.meanings("scales"), **lang.meanings("scale_abbreviations")}
    currencies = lang.meanings("currencies")
    found = []
    for match in _money_pattern(language).finditer(text):
        scale = (match.groupdict().get("scale") or "").lower()
        currency = currencies.get(match.group("currency"), match.group("currency"))
        unit = f"{scales[scale]} {currency}" if scale else currency
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


def quantities(text: str, language: str) -> list[Quantity]:
    """Numbers with their units, in digits or in the language's number words (prompts/
    words.json): "nine days" → (9, "day"), "4.5%" → (4.5, "percent"), "£3.1m" → (3.1,
    "million pound"), "neun Tage" → (9, "tage")."""
    found = _money(text, language)
    rest = _money_pattern(language).sub(lambda m: " " * len(m.group(0)), text)  # keep positions
    number_words = profile(language).values("number_words")
    written = _written_numbers(rest, language, number_words)
    number_words.update(written)
    stop = short_stopwords(language)
    age = _age_pattern(language)
    for match in _quantity_pattern(language, tuple(sorted(written))).finditer(rest):
        raw = match.group("num")
        value = number_words.get(raw.lower())
        number = value if value is not None else _number(raw, bool(match.group("dotted")))
        unit = _unit(match, language) if match.group("unit") else ""
        if unit and age and (old := age.match(rest, match.end())):  # "24-year-old": an age
            unit, match_text = f"{unit} old", rest[match.start() : old.end()]
        else:
            match_text = match.group(0)
        after = _NEXT_WORD.match(rest, match.end())
        then = _singular(after.group(1)) if unit and after and after.group(1) not in stop else ""
        quantity = Quantity(number, unit, match_text.strip(), then)
        found.append((match.start(), quantity))
    return [quantity for _, quantity in sorted(found, key=lambda item: item[0])]


def figures(text: str, language: str) -> set[tuple[float, str]]:
    """(value, unit) pairs of the numbers that have a unit."""
    return {(q.value, q.unit) for q in quantities(text, language) if q.unit}


def number_values(text: str, language: str) -> set[float]:
    """Every numeric value a text states, digits or number words."""
    return {q.value for q in quantities(text, language)}


def stem(word: str, language: str) -> str:
    """A word's stem as compared across facts, by its language's Snowball stemmer
    (service.language): "fined"/"fine", "Quillon's"/"Quillon", "jobs"/"job", "Arbeiter"/
    "Arbeitern"; lower case only for a language without one."""
    return profile(language).stem(word.removesuffix("'s").removesuffix("’s"))


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
def features(text: str, language: str) -> Features:
    """The text's numbers, figures, names and content stems, read as ``language`` (its number
    words, stop words, weekdays and months); cached per text and language, so a fact or
    passage met by several stages is analysed once."""
    found = tuple(quantities(text, language))
    content = fact_words(text, language)
    calendar = profile(language).calendar_kind
    return Features(
        quantities=found,
        numbers=frozenset(q.value for q in found),
        figures=frozenset((q.value, q.unit) for q in found if q.unit),
        names=frozenset(names(text, language)),
        stems=frozenset(stem(w, language) for w in content),
        calendar=frozenset(w for w in content if calendar(w)),
    )


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def names_outlet(text: str, outlet: str) -> bool:
    """Whether the text names the outlet ("Subscribe to Farming Daily", "Business Journal
    Events: book now"): two of its capitalised words in a row, or its name from its first
    capitalised word after the first when two words or more are left ("Corriere del Sarno" of
    "Il Corriere del Sarno": "del Sarno" alone is a place), else the whole name."""
    names = outlet.split()
    pairs = [f"{a} {b}" for a, b in pairwise(names) if a[:1].isupper() and b[:1].isupper()]
    core = next((names[i:] for i in range(1, len(names) - 1) if names[i][:1].isupper()), names)
    return any(re.search(rf"(?<!\w){re.escape(p)}(?!\w)", text) for p in [*pairs, " ".join(core)])


@lru_cache(maxsize=256)
def unit_words(kind: str, language: str) -> frozenset[str]:
    """A list of unit words of ``language`` (prompts/words.json: "not_units", "generic_units")
    in the form quantities give units: "Tage" → "tage", "días" → "día"."""
    return frozenset(_singular(w) for w in profile(language).words(kind))
