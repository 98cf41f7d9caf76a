"""An article's fields as any entry point receives them (a JSON body, a file, a fetched page, a
feed entry), checked once into the domain `Article`.

The checks that do not depend on the server's configuration live here (types, required fields,
each string field's documented maximum, the language code); the configurable limits (articles per
bundle, characters, tokens) are the brief service's.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from service.errors import InvalidBundle
from service.types import Article

# Every string field's maximum, in characters (the text's own limit is a setting).
MAX_TITLE_CHARS = 1_000
MAX_SOURCE_CHARS = 200
MAX_URL_CHARS = 2_000
MAX_ID_CHARS = 200

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
LanguageCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, pattern=r"^[a-z]{2,3}(-[a-z]{2,4})?$"),
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
    published_at: datetime | None = Field(default=None, description="ISO 8601.")
    language: LanguageCode | None = Field(default=None, description="ISO 639-1, e.g. 'en'.")
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
