"""Whose voice a text speaks in: quotation marks, attribution words, the first person. The brief
states facts in its own neutral voice, so it must know when a fact is someone's opinion or words:
an article written in the first person is an opinion piece; a fact in the first person, or a
quotation with no speaker named, cannot be stated as the brief's own."""

import re
import unicodedata

from service.textutil import content_words, features

# An opinion piece speaks in the first person outside quotations at least this often.
OPINION_FIRST_PERSON = 2
# A fact whose words lie this much inside quotation marks in its passage is a quotation.
QUOTED_SHARE = 0.8

_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"|«[^»]*»|„[^“”]*[“”]|‘[^’]*’(?!\w)")
_FIRST_PERSON = {
    "en": r"I|I'm|I've|I'd|I’m|I’ve|I’d|[Mm]e|[Mm]y|[Mm]yself",
    "de": r"ich|mich|mir|mein|meine|meiner|meinen|meinem",
    "fr": r"je|j'|j’|moi|mon|ma|mes",
    "es": r"yo|mí|mis",
}
# The first person plural speaks for the writer's side (an outlet's "our series", a group's "we
# demand"); outside quotations and without a speaker named it cannot be the brief's voice.
_FIRST_PERSON_PLURAL = {
    "en": r"[Ww]e|[Uu]s|[Oo]ur|[Oo]urs|[Oo]urselves",
    "de": r"wir|uns|unser|unsere|unserer|unseren|unserem",
    "fr": r"nous|notre|nos",
    "es": r"nosotros|nosotras|nuestro|nuestra|nuestros|nuestras",
}
_ATTRIBUTED = re.compile(
    r"\b(?:said|says|say|saying|told|tells|argued|argues|wrote|writes|claimed|claims|believes"
    r"|warned|added|according to|dijo|afirmó|según|declaró|a déclaré|a dit|selon|sagte|laut"
    r"|erklärte)\b",
    re.IGNORECASE,
)


def unquoted(text: str) -> str:
    """The text with everything inside quotation marks left out."""
    return _QUOTED.sub(" ", text)


def _pronouns(text: str, language: str, table: dict[str, str]) -> int:
    """How often the text uses the table's pronouns for its language outside quotations; in
    English case counts ("I" is a pronoun, "i" is not; "US", the country, is not "us")."""
    words = table.get(language.split("-")[0], table["en"])
    flags = 0 if language.startswith("en") else re.IGNORECASE
    return len(re.findall(rf"(?<!\w)(?:{words})(?!\w)", unquoted(text), flags))


def first_person(text: str, language: str = "en") -> int:
    """How often the text speaks in the first person singular outside quotations."""
    return _pronouns(text, language, _FIRST_PERSON)


def first_person_plural(text: str, language: str = "en") -> int:
    """How often the text speaks in the first person plural outside quotations."""
    return _pronouns(text, language, _FIRST_PERSON_PLURAL)


def opinion_piece(text: str, language: str) -> bool:
    """Whether an article argues its author's view (a column, an op-ed) rather than reports."""
    return first_person(text, language) >= OPINION_FIRST_PERSON


def attributed(text: str) -> bool:
    """Whether the text says who holds what it states ("… said", "according to …")."""
    return bool(_ATTRIBUTED.search(text))


def names_speaker(text: str) -> bool:
    """Whether the text, outside its quotations, names who speaks: "the mayor said" does,
    "he said" and "one said" do not."""
    words = content_words(_ATTRIBUTED.sub(" ", unquoted(text)))
    return any(not features(w).numbers for w in words)


def quoted(fact: str, passage: str) -> bool:
    """Whether the fact is a quotation: most of its words are inside quotation marks in the
    passage it comes from."""
    words = content_words(fact)
    if not words:
        return False
    inside = content_words(" ".join(m.group(0) for m in _QUOTED.finditer(passage)))
    return len(words & inside) >= QUOTED_SHARE * len(words)


def _script(char: str) -> str:
    """The script a letter belongs to, from its Unicode name ("LATIN", "CJK", "CYRILLIC")."""
    return unicodedata.name(char, "UNKNOWN").split()[0]


def stray_script(text: str, source: str) -> bool:
    """Whether the text holds letters of a script the source text does not use, Latin aside
    (a small model sometimes slips tokens of another language into a fact)."""
    used = {"LATIN"} | {_script(c) for c in source if c.isalpha()}
    return any(c.isalpha() and _script(c) not in used for c in text)
