"""What a statement is: whether a fact's wording can be stated as a fact in the brief's own
voice, decided by the form of the sentence, not by its words.

A question asks rather than states; a transcript's line opens with its speaker's label; a live
blog's entry opens with a time stamp (the stamp goes, the entry stays, unless nothing is left);
a line that opens with a short label and a colon, the label saying nothing of anyone saying
anything ("CHAIR:", "From a reader, Gregor:", "Map data:", "Photo:"), is a speaker's or a
page's label with what follows it, not the writer's statement ("The minister said: …" is one);
a sentence that addresses its reader ("you") is a message, a promotion or an instruction; one in
the first person with no speaker named is a reader's or a writer's own voice; one that opens
with a continuation word, or has fewer than MIN_STATEMENT_WORDS words, is a fragment, as is one
that closes a quotation it never opened (its speaker's first words cut off); so is one
that copies its passage's sentence less the auxiliary of its passive ("25 arrests made by
police"). One that opens with a subject pronoun ("It", "They", "Er") leans on another sentence
for what the pronoun means. Pronouns, continuation words and auxiliaries are the language's own
(service.language, prompts/words.json); a language without word lists gets only the checks of
form.
"""

import re
from collections.abc import Sequence
from itertools import pairwise
from typing import NamedTuple

from service.clean import addresses_a_model
from service.language import profile
from service.voice import attributed, first_person, first_person_plural, labelled, second_person

MIN_STATEMENT_WORDS = 2  # a lone word is a fragment ("Talks ended." is a sentence)

# "14:32", "2.15pm", "9h30", "(10:05)", "11 am", "14 Uhr" at the start of a line, then a dash,
# a bar, a colon or a space.
_TIME_STAMP = re.compile(
    r"^\s*[(\[]?(?:\d{1,2}[:.h]\d{2}(?:\s?(?:[ap]\.?m\.?|uhr|h)\b)?"
    r"|\d{1,2}\s?(?:[ap]\.?m\.?|uhr)(?!\w))[)\]]?(?:\s*[-–—|:·•]\s*|\s+)",
    re.IGNORECASE,
)
_QUESTION = re.compile(r"\?[\"”’»)]*\s*$|^\s*¿")
# Quotation marks that only close a quotation, and those that open one before them: “…”, „…”,
# «…» (and »…« where » comes first).
_CLOSING_QUOTES = {"”": "“„", "»": "«"}


def _lowered_words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+(?:['’][^\W_]+)*", text.lower())


class Fragment(NamedTuple):
    """A headline's fragment: the auxiliary it left out, and its passage's sentence."""

    auxiliary: str
    sentence: str


def headline_fragment(text: str, passages: Sequence[str], language: str) -> Fragment | None:
    """The fact as a headline's fragment of its passage, if it is one: the auxiliary it left
    out and the sentence it was cut from; its words are one of the passage's sentences in order,
    less a run between two it keeps of stop words holding the auxiliary of the passive or of a
    state and no continuation word ("25 arrests made by police" for "Around 25 arrests have
    been made by police"; "The man arrested" for "The man who was arrested" is no fragment)."""
    lang = profile(language)
    auxiliaries = set(lang.words("passive_auxiliaries"))
    if not auxiliaries:
        return None
    continuations = set(lang.words("continuations"))
    mine = _lowered_words(text)
    for passage in passages:
        for sentence in lang.split_sentences(passage):
            theirs = _lowered_words(sentence)
            at, matched = 0, []
            for word in mine:
                while at < len(theirs) and theirs[at] != word:
                    at += 1
                if at == len(theirs):
                    break
                matched.append(at)
                at += 1
            if len(matched) < len(mine):
                continue  # not a copy of this sentence
            for before, after in pairwise(matched):
                gap = theirs[before + 1 : after]
                if (
                    gap
                    and set(gap) & auxiliaries
                    and not set(gap) & continuations
                    and all(w in auxiliaries or lang.is_stopword(w) for w in gap)
                ):
                    return Fragment(" ".join(gap), sentence.strip())
    return None


def without_time_stamp(text: str) -> str:
    """The text without a live blog's leading time stamp ("14:32 – The jury …" → "The jury …")."""
    return _TIME_STAMP.sub("", text, count=1).strip()


# A page's label before its headline: one or two words and a colon ("Live:", "Watch:").
_HEADLINE_LABEL = re.compile(r"^\s*(?:[^\W\d_][\w'’-]*\s+)?[^\W\d_][\w'’-]*\s*:\s+(?=\S)")


def without_label(headline: str) -> str:
    """A headline without the page's label before it ("Live: Ferry inquiry …" → "Ferry
    inquiry …"); a headline that is only a label stays as it is."""
    rest = _HEADLINE_LABEL.sub("", headline, count=1).strip()
    return rest[:1].upper() + rest[1:] if rest else headline


def cut_quotation(text: str) -> bool:
    """Whether the text closes a quotation it never opened ("the vote went our way,” the
    organiser said."): it starts inside what someone said, whose first words are missing."""
    for closing, openings in _CLOSING_QUOTES.items():
        at = text.find(closing)
        if at == -1 or any(o in text[:at] for o in openings):
            continue
        if closing == "»" and "«" in text[at:]:
            continue  # »…«: the mark opens
        return True
    return False


def not_a_statement(text: str, language: str) -> str | None:
    """Why the text cannot be stated as a fact in the brief's voice, or None if it can."""
    if addresses_a_model(text):
        return "it is an instruction addressed to an AI model"
    if _TIME_STAMP.match(text) and len(without_time_stamp(text).split()) < MIN_STATEMENT_WORDS:
        return "it is a live blog's time stamp"
    text = without_time_stamp(text)
    if _QUESTION.search(text):
        return "it is a question, not a statement"
    if cut_quotation(text):
        return "it is a fragment of a quotation (it closes one it never opened)"
    if labelled(text, language):
        return "it opens with a label (a transcript's speaker, a reader's message, a page's credit)"
    if second_person(text, language):
        return "it addresses its reader (the second person)"
    if len(text.split()) < MIN_STATEMENT_WORDS:
        return "it is a fragment, not a sentence"
    first_word = text.split()[0]
    lang = profile(language)
    if first_word[:1].islower() and first_word in lang.words("continuations"):
        return "it is a fragment of a sentence"
    # The pronoun with its sentence's capital ("It", "Er"), not a word in capitals ("IT").
    if first_word[:1].lower() + first_word[1:] in lang.words("pronoun_subjects"):
        return "it opens with a pronoun (who or what it means is in another sentence)"
    if first_person(text, language):
        return "it is in a speaker's own voice (first person) and names no speaker"
    if not attributed(text, language) and first_person_plural(text, language):
        return "it speaks for its writer (first person plural) and names no speaker"
    return None
