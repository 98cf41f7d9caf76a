"""An article's fields as any entry point receives them (a JSON body, a file, a fetched page, a
feed entry), checked once into the domain `Article`.

The checks that do not depend on the server's configuration live here (types, required fields,
each string field's documented maximum, the language code); the configurable limits (articles per
bundle, characters, tokens) are the brief service's.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any

import langcodes
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)

from service.errors import InvalidBundle
from service.types import Article

# Every string field's maximum, in characters (the text's own limit is a setting).
MAX_TITLE_CHARS = 1_000
MAX_SOURCE_CHARS = 200
MAX_URL_CHARS = 2_000
MAX_ID_CHARS = 200
MAX_LANGUAGE_CHARS = 35  # RFC 5646 4.4.1: the longest tag an implementation must accept

# Language subtags that name no language a brief can be written in: undetermined, uncoded,
# several, no linguistic content; and ISO 639's private-use range qaa-qtz.
_NOT_A_LANGUAGE = {"und", "mis", "mul", "zxx"}


def language_tag(value: str) -> str:
    """`value` as a BCP 47 tag whose language is a real ISO 639 language (checked against the
    IANA subtag registry by `langcodes`), normalized (deprecated codes replaced: "iw" is "he")
    and lower-cased ("pt-br"); ValueError saying what to send otherwise."""
    tag = value.strip()
    try:
        language = langcodes.Language.get(tag)
    except ValueError:  # langcodes.LanguageTagError: not shaped like a tag at all
        language = None
    code = language.language if language is not None else None
    if (
        language is None
        or not language.is_valid()
        or code is None
        or code in _NOT_A_LANGUAGE
        or code.startswith("x-")
        or "qaa" <= code <= "qtz"
    ):
        raise ValueError(
            f"{tag!r} is not a known language code: send an ISO 639 code or BCP 47 tag "
            "such as 'en', 'es' or 'pt-BR'"
        )
    return language.to_tag().lower()


def _iso_text(value: Any) -> Any:
    """A date is written as text (JSON has no date type): a number is not read as a Unix time."""
    if isinstance(value, str | datetime):
        return value
    raise ValueError("write the date and time as an ISO 8601 string, e.g. 2026-03-14T09:30:00Z")


Timestamp = Annotated[datetime, BeforeValidator(_iso_text)]
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
LanguageCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_LANGUAGE_CHARS),
    AfterValidator(language_tag),
]


class ArticleFields(BaseModel):
    """One article of a bundle: what a client sends, whatever the channel."""

    model_config = ConfigDict(extra="ignore")

    title: Annotated[NonEmpty, Field(max_length=MAX_TITLE_CHARS)]
    source: Annotated[NonEmpty, Field(max_length=MAX_SOURCE_CHARS)] = Field(
        description="The outlet that published the article."
    )
    text: NonEmpty = Field(description="Article text, plain or HTML; boilerplate is removed.")
    url: str | None = Field(default=None, max_length=MAX_URL_CHARS)
    published_at: Timestamp | None = Field(default=None, description="ISO 8601.")
    language: LanguageCode | None = Field(
        default=None, description="ISO 639 code or BCP 47 tag, e.g. 'en' or 'pt-BR'."
    )
    id: str | None = Field(default=None, max_length=MAX_ID_CHARS, description="Your own id.")

    def to_article(self) -> Article:
        return Article(
            title=self.title,
            source=self.source,
            text=self.text,
            url=self.url,
            published_at=self.published_at,
            language=self.language,
            client_id=self.id,
        )


def parse_article(fields: Mapping[str, Any], where: str) -> Article:
    """Check one article's fields; the error names `where` it came from and what is wrong."""
    try:
        return ArticleFields.model_validate(dict(fields)).to_article()
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise InvalidBundle(f"{where}: {problems}") from error
