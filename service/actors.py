"""Who does what in a sentence, read without a parser: the names before its main verb (who acts),
the words from the verb on (what is done), and the names and numbers after it (to what or whom).

A sentence's *subject* is the run of capitalised words it opens with (after a leading phrase
closed by a comma: "On Sunday, Tom Boonen of Belgium …"), up to its first lower-case word that
is no connector of names ("of", "de"): "Tom Boonen of Belgium". A sentence that opens with a
stop word ("The government …", "He …") names no subject, and neither does one whose first word
the text also uses in lower case ("Heavy rains …"), nor one that opens with weekdays or months
only ("Thursday's vote …": a date). That first lower-case word is taken for its *verb*; from
there on, its content words are the *action*, its capitalised words the *objects* and its
counts and ordinals ("stage 15", "the fifth stage") its *numbers*, dates and years left out.

Used by service.citations (a sentence's actor must be the one its passage names for the same
action) and service.conflicts (two facts dispute one claim only when they state one action on
one object). Only for languages that write in that order and capitalise names only
(ACTOR_LANGUAGES): German capitalises every noun.
"""

import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache

from service.language import profile
from service.textutil import short_stopwords, stem, stopwords

ACTOR_LANGUAGES = frozenset({"en", "fr", "es", "it", "pt"})
ACTION_SHARED = 2  # content words of the action a passage's sentence must share to state it
LEADING_PHRASE = 10  # a comma within this many words closes a leading phrase ("On Sunday,")
_TOKEN = re.compile(r"[^\W_]+(?:[-'’.][^\W_]+)*|,")
_YEAR = re.compile(r"^(1[89]|20)\d\d$")


@dataclass(frozen=True)
class Clause:
    """Who does what in one sentence (see the module doc)."""

    subject: tuple[str, ...]  # as written, in order
    actors: frozenset[str]  # the subject's names, lower-cased, without "of", "de" between
    action: frozenset[str]  # stems of the content words from the verb on, names left out
    objects: tuple[str, ...]  # as written, in order
    numbers: frozenset[str]
    words: frozenset[str]  # every word of the sentence, lower-cased

    @property
    def acted_on(self) -> frozenset[str]:
        return frozenset(_name(w) for w in self.objects)


def _name(token: str) -> str:
    return token.lower().removesuffix("'s").removesuffix("’s").rstrip(".")


def _capitalised(token: str) -> bool:
    return token[:1].isupper()


def tokens(text: str) -> list[str]:
    """The words of a text, and its commas."""
    return _TOKEN.findall(text)


def clause(text: str, language: str, names: frozenset[str] | None = None) -> Clause:
    """Who does what in `text` (one sentence). A capitalised first word alone before the verb is
    a name when `names` (the names the articles capitalise mid-sentence) holds it, or, without
    `names`, when it is no stop word: "Heavy rains …", "Drivers of older vehicles …" name no
    actor, "Contador won …" and "Tom Boonen of Belgium wins …" do. The words between names
    ("of", "de") are the language's (prompts/words.json "name_connectors")."""
    stop = stopwords(language)
    connectors = frozenset(profile(language).words("name_connectors"))
    found = tokens(text)
    if found and found[0].lower() in stop and "," in found[:LEADING_PHRASE]:
        found = found[found.index(",") + 1 :]
    found = [t for t in found if t != ","]
    verb_at = next(
        (
            i
            for i, token in enumerate(found)
            if not _capitalised(token) and token.lower() not in connectors
        ),
        len(found),
    )
    run = found[:verb_at]
    if run and run[0].lower() in stop:
        run = []  # "The government …", "He …": no name opens it
    while run and run[-1].lower() in connectors:
        run.pop()
    if len(run) == 1 and names is not None and run[0] not in names:
        run = []  # "Heavy rains", "Drivers of older vehicles": a word, not a name
    calendar = profile(language).calendar_kind
    if run and all(calendar(_name(w)) for w in run if w.lower() not in connectors):
        run = []  # "Thursday's vote …", "March was …": a date, not who acts
    after = found[verb_at:]
    short = short_stopwords(language)
    return Clause(
        subject=tuple(run),
        actors=frozenset(_name(w) for w in run if w.lower() not in connectors),
        action=frozenset(
            stem(t, language)
            for t in after
            if not _capitalised(t) and len(t) >= 3 and t.lower() not in short
        ),
        objects=tuple(
            t for t in after if _capitalised(t) and t.lower() not in stop and not calendar(t)
        ),
        numbers=_numbers(after, language),
        words=frozenset(_name(t) for t in found),
    )


@lru_cache(maxsize=64)
def _ordinal(language: str) -> re.Pattern[str]:
    """A number with or without the language's ordinal suffix ("15", "5.8", "15th", "15e")."""
    suffixes = "|".join(re.escape(s) for s in profile(language).words("ordinal_suffixes"))
    return re.compile(rf"^(\d+(?:[.,]\d+)?)(?:{suffixes})?$", re.IGNORECASE)


def _numbers(tokens: list[str], language: str) -> frozenset[str]:
    """Counts, measures and ordinals ("15", "5.8", "15th", "fifth": the language's ordinal
    words and suffixes, prompts/words.json), not a day of a month nor a year."""
    calendar = profile(language).calendar_kind
    ordinals = profile(language).values("ordinals")
    found = set()
    for i, token in enumerate(tokens):
        low = token.lower()
        if any(calendar(t) for t in tokens[max(0, i - 1) : i + 2]) or _YEAR.match(low):
            continue
        match = _ordinal(language).match(low)
        if match:
            found.add(f"{float(match.group(1).replace(',', '.')):g}")
        elif low in ordinals:
            found.add(f"{ordinals[low]:g}")
    return frozenset(found)


def same_object(a: str, b: str, language: str, rivals: Collection[str] = ()) -> bool:
    """Whether two facts do their action to one thing: the same counts and ordinals after the
    verb (stage 15 is not stage 17), and the names after it one side's within the other's (the
    Tour de France is not the Tour de Suisse; "the order" may be "the Harbour order"), `rivals`
    aside unless each fact names its own actor (the two sides of a dispute over who did it:
    "signed by Kerr", "signed by Hebden")."""
    ca, cb = clause(a, language), clause(b, language)
    if ca.numbers != cb.numbers:
        return False
    two_actors = ca.actors and cb.actors and not ca.actors & cb.actors
    aside = set() if two_actors else {_name(r) for r in rivals}
    oa, ob = ca.acted_on - aside, cb.acted_on - aside
    return oa <= ob or ob <= oa


def other_actor(text: str, passages: list[str], names: frozenset[str], language: str) -> str | None:
    """Why the sentence's actor is not its passages' (`names`: the names its articles
    capitalise mid-sentence). The passages' sentences that state its action (ACTION_SHARED of
    its words, and half of them) and name an actor must include one naming its actor: else the
    sentence is rejected when its actor is in none of them ("Contador won the green jersey"
    where the passage has "Tom Boonen of Belgium wins the green jersey") or they have its
    object acting on its actor (the two swapped). A passage naming its actor acting on
    something else it names rejects it too. None when they agree, or say nothing to tell."""
    if language.split("-")[0] not in ACTOR_LANGUAGES:
        return None
    mine = clause(text, language, names)
    if not mine.subject:
        return None
    need = max(ACTION_SHARED, len(mine.action) / 2)
    stating = [
        c
        for c in (clause(p, language, names) for p in passages)
        if c.subject and len(c.action & mine.action) >= need
    ]
    agreeing = [c for c in stating if c.actors & mine.actors]
    if stating and not agreeing:
        absent = not any(mine.actors & c.words for c in stating)
        swapped = any(c.actors & mine.acted_on for c in stating)
        if absent or swapped:
            actors = dict.fromkeys(w for c in stating for w in c.subject)
            return (
                f"its passage names {' '.join(actors)} as the actor, not {' '.join(mine.subject)}"
            )
    others = [c for c in agreeing if c.objects and not mine.acted_on & c.words]
    if mine.objects and agreeing and len(others) == len(agreeing):
        return (
            f"its passage has {' '.join(mine.subject)} act on {' '.join(others[0].objects)}, "
            f"not on {' '.join(mine.objects)}"
        )
    return None
