"""The digest's TOML file, read into a validated pydantic model (paths resolved beside the file)."""

import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    ValidationError,
    field_validator,
)

from service.articles import LanguageCode
from service.briefs import MAX_SENTENCES, MIN_SENTENCES
from service.errors import DigestConfigInvalid, FetchFailed
from service.fetch import check_link

Address = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[^@\s<>,]+@[^@\s<>,]+$")
]
SUBJECT_FIELDS = {"date": "20 November 2026", "stories": 3}


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FeedInput(_Input):
    """An RSS or Atom feed: an http(s) URL, or a file (its relative entry links are files too)."""

    feed: str = Field(min_length=1)
    name: str | None = Field(default=None, description="The outlet (default: the feed's title).")

    @field_validator("feed")
    @classmethod
    def _readable_link(cls, value: str) -> str:
        """A feed's web address must be a link the fetcher can read (a file path is not one)."""
        if "://" in value:
            try:
                check_link(value)
            except FetchFailed as error:
                raise ValueError(error.message) from error
        return value


class FolderInput(_Input):
    """A folder of article files (.txt .md .html .json), as `fusebrief brief` reads them."""

    folder: Path


class BundleInput(_Input):
    """A JSON bundle file: one article, a list, or {"articles": [...]}."""

    bundle: Path


INPUT_KINDS = ("feed", "folder", "bundle")


def _input_kind(value: Any) -> str | None:
    """Which kind of input a TOML table (or a model) is: the first kind key it has."""
    has = value.__contains__ if isinstance(value, dict) else lambda key: hasattr(value, key)
    return next((kind for kind in INPUT_KINDS if has(kind)), None)


DigestInput = Annotated[
    Annotated[FeedInput, Tag("feed")]
    | Annotated[FolderInput, Tag("folder")]
    | Annotated[BundleInput, Tag("bundle")],
    Discriminator(
        _input_kind,
        custom_error_type="input_kind",
        custom_error_message="each input needs feed = …, folder = … or bundle = …",
    ),
]


class DigestConfig(BaseModel):
    """One daily digest: where its articles come from, what it keeps, and who gets it."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(default="digest", pattern=r"^[A-Za-z0-9_.-]+$")
    recipients: list[Address] = Field(min_length=1)
    subject: str = "fusebrief digest, {date}: {stories} stories"
    timezone: str = "UTC"
    max_stories: int = Field(default=5, ge=1, le=50)
    min_sources: int = Field(default=2, ge=1)
    max_sentences: int = Field(default=6, ge=MIN_SENTENCES, le=MAX_SENTENCES)
    language: LanguageCode | None = None
    empty_day: Literal["skip", "note"] = "skip"
    inputs: list[DigestInput] = Field(min_length=1)

    @field_validator("subject")
    @classmethod
    def _known_fields(cls, value: str) -> str:
        try:
            value.format(**SUBJECT_FIELDS)
        except (KeyError, IndexError, ValueError) as error:
            raise ValueError(
                f"the subject may only use {{date}} and {{stories}} ({error!r} is unknown)"
            ) from error
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}; use e.g. Europe/London") from error
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def _resolved(config: DigestConfig, base: Path) -> DigestConfig:
    """Relative feed files, folders and bundles are read from beside the TOML file."""
    inputs: list[DigestInput] = []
    for item in config.inputs:
        if isinstance(item, FolderInput):
            item = FolderInput(folder=base / item.folder)
        elif isinstance(item, BundleInput):
            item = BundleInput(bundle=base / item.bundle)
        elif "://" not in item.feed:
            item = FeedInput(feed=str(base / item.feed), name=item.name)
        inputs.append(item)
    return config.model_copy(update={"inputs": inputs})


def load_config(path: Path) -> DigestConfig:
    """Read and check the digest's TOML file; every problem is named with its key."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise DigestConfigInvalid(
            f"cannot read the digest config {path} ({error.strerror}); pass --config FILE"
        ) from error
    except tomllib.TOMLDecodeError as error:
        raise DigestConfigInvalid(f"{path} is not valid TOML ({error}); fix the file") from error
    data.setdefault("name", path.stem)
    try:
        config = DigestConfig.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'file'}: {e['msg']}" for e in error.errors()
        )
        raise DigestConfigInvalid(f"{path}: {problems}; fix the file") from error
    return _resolved(config, path.parent)
