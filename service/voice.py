"""Whose voice a text speaks in: quotation marks, attribution words, the first person. The brief
states facts in its own neutral voice, so it must know when a fact is someone's opinion or words:
an article written in the first person is an opinion piece; a fact in the first person, or a
quotation with no speaker named, cannot be stated as the brief's own."""

import re
import unicodedata

from service.language import profile
from service.textutil import content_words, features

# An opinion piece speaks in the first person outside quotations at least this often.
OPINION_FIRST_PERSON = 2
# A fact whose words lie this much inside quotation marks in its passage is a quotation.
QUOTED_SHARE = 0.8

# A line's label: up to MAX_LABEL_WORDS words (commas and abbreviations' points allowed), a colon.
MAX_LABEL_WORDS = 6
_LABEL = re.compile(r"^\s*(?P<label>[^\W\d_][^:!?\n]*?)\s*:\s+(?=\S)", re.UNICODE)
_BARE_LABEL = re.compile(r"^\s*(?P<label>[^\W\d_][^:!?\n]*?)\s*:\s*$", re.UNICODE)
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"|«[^»]*»|„[^“”]*[“”]|‘[^’]*’(?!\w)")


def unquoted(text: str) -> str:
    """The text with everything inside quotation marks left out."""
    return _QUOTED.sub(" ", text)


def first_person(text: str, language: str) -> int:
    """How often the text speaks in the first person singular outside quotations (the
    language's own pronouns, prompts/words.json; none for a language it does not list)."""
    return profile(language).count_words("first_person", unquoted(text))


def first_person_plural(text: str, language: str) -> int:
    """How often the text speaks in the first person plural outside quotations (an outlet's
    "our series", a group's "we demand")."""
    return profile(language).count_words("first_person_plural", unquoted(text))


def second_person(text: str, language: str) -> int:
    """How often the text addresses its reader (the second person), quoted or not: the brief
    never addresses anyone, in its own voice or in a quotation it states."""
    return profile(language).count_words("second_person", text)


def labelled(text: str, language: str) -> bool:
    """Whether the line opens with a label and a colon: a few words, the first capitalised,
    none saying that someone says something ("From a reader, Gregor:", not "Mayor Lund said:")."""
    match = _LABEL.match(text)
    return match is not None and _a_label(match.group("label"), language)


def _a_label(words: str, language: str) -> bool:
    return len(words.split()) <= MAX_LABEL_WORDS and not attributed(words, language)


def writers_lines(text: str, language: str) -> list[str]:
    """The lines of an article in its writer's own voice: without a transcript's lines, each a
    speaker's label and words ("CHAIR: Why?") or a label alone ("MS OKAFOR (director):") and
    the paragraph after it."""
    own: list[str] = []
    speaking = False
    for line in text.splitlines():
        if not line.strip():
            continue
        bare = _BARE_LABEL.match(line)
        if bare is not None and _a_label(bare.group("label"), language):
            speaking = True
        elif labelled(line, language) or speaking:
            speaking = False
        else:
            own.append(line)
    return own


def opinion_piece(text: str, language: str) -> bool:
    """Whether an article argues its author's view (a column, an op-ed) rather than reports:
    its writer speaks in the first person. A transcript's lines are its speakers' words, not
    its writer's (`writers_lines`)."""
    own = "\n".join(writers_lines(text, language))
    return first_person(own, language) >= OPINION_FIRST_PERSON


def attributed(text: str, language: str) -> bool:
    """Whether the text says who holds what it states ("… said", "according to …")."""
    return profile(language).count_words("attribution", text) > 0


def names_speaker(text: str, language: str) -> bool:
    """Whether the text, outside its quotations, names who speaks: "the mayor said" does,
    "he said" and "one said" do not."""
    words = content_words(profile(language).without_words("attribution", unquoted(text)))
    return any(not features(w, language).numbers for w in words)


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
